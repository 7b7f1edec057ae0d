package dte

import (
	"encoding/json"
	"strings"
	"testing"
)

// Control characters from the marketplace would reach the invoicer,
// whose XML signer rejects them: Build cleans every text field and says
// which, on the receipt preview.
func TestBuildCleansControlCharacters(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{SKU: "SKU\x00-1", Name: "Polera\x07 \x1b[31mroja\u202e\tXL\n", Qty: 1, UnitGross: 1000},
		Item{Name: "\x00\x1b", Qty: 1, UnitGross: 500})
	s.Requested = RequestFactura
	b := facturaBuyer()
	b.BusinessName = "Comercial\x1b]0;x\x07 Los Aromos\r\nSpA"
	b.Giro = "Ferre\u009bter\u2066ía"
	b.Address = "Av.\tProvidencia\n1234"
	b.Comuna = "Provi\x7fdencia"
	b.Email = "a@b.cl\x00"
	s.Buyer = b
	doc, warns := mustBuild(t, s, Options{})
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"\\u0000", "\\u0007", "\\u001b", "\\t", "\\n", "\\r", "\\u007f", "\u202e", "\u009b", "\u2066"} {
		if strings.Contains(string(raw), bad) {
			t.Errorf("document holds %q: %s", bad, raw)
		}
	}
	r := doc.Encabezado.Receptor
	want := map[string]string{
		"Detalle[1].NmbItem": doc.Detalle[0].NmbItem, "Detalle[1].CdgItem": doc.Detalle[0].CdgItem,
		"Receptor.RznSocRecep": r.RznSocRecep, "Receptor.GiroRecep": r.GiroRecep, "Receptor.DirRecep": r.DirRecep,
		"Receptor.CmnaRecep": r.CmnaRecep, "Receptor.CorreoRecep": r.CorreoRecep, "Detalle[2].NmbItem": doc.Detalle[1].NmbItem,
	}
	if got := doc.Detalle[0].NmbItem; got != "Polera [31mroja XL" {
		t.Errorf("NmbItem = %q", got)
	}
	if r.DirRecep != "Av. Providencia 1234" || r.CmnaRecep != "Providencia" || r.CorreoRecep != "a@b.cl" {
		t.Errorf("receptor = %+v", r)
	}
	if doc.Detalle[1].NmbItem == "" {
		t.Error("a name of control characters only left NmbItem empty")
	}
	for field := range want {
		found := false
		for _, w := range warns {
			if w.Code == "DTE-CONTROL-CHARS" && w.Field == field && strings.Contains(w.Message.ES, field) && strings.Contains(w.Message.EN, field) {
				found = true
			}
		}
		if !found {
			t.Errorf("no DTE-CONTROL-CHARS warning naming %s in %+v", field, warns)
		}
	}
	p := Preview(doc, warns, 0, EN, 60)
	if !strings.Contains(p, "Receptor.DirRecep") {
		t.Errorf("preview does not name the cleaned field:\n%s", p)
	}
}

func TestBuildKeepsOrdinaryText(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "Café  «Ñandú» 100% – 2×", Qty: 1, UnitGross: 1000})
	doc, warns := mustBuild(t, s, Options{})
	if doc.Detalle[0].NmbItem != "Café  «Ñandú» 100% – 2×" {
		t.Errorf("NmbItem = %q", doc.Detalle[0].NmbItem)
	}
	for _, w := range warns {
		if w.Code == "DTE-CONTROL-CHARS" {
			t.Errorf("warning on clean text: %+v", w)
		}
	}
}

func TestBuildBoletaNameOfControlsOnly(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "x", Qty: 1, UnitGross: 1000})
	s.Buyer = Buyer{Name: "\x1b\x00\u202e"}
	doc, _ := mustBuild(t, s, Options{})
	if got := doc.Encabezado.Receptor.RznSocRecep; got != "Sin RUT" {
		t.Errorf("RznSocRecep = %q", got)
	}
}
