package dte

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// saleOf returns a boleta sale of the given gross lines.
func saleOf(items ...Item) Sale {
	var paid int64
	for _, it := range items {
		paid += it.UnitGross*it.Qty - it.Discount
	}
	return Sale{Items: items, Paid: paid, Date: "2026-11-24"}
}

func facturaBuyer() Buyer {
	return Buyer{Name: "Juan Soto", RUT: "76.354.771-K", BusinessName: "Comercial Los Aromos SpA",
		Giro: "Ferretería", Address: "Av. Providencia 1234", Comuna: "Providencia", City: "Santiago", Email: "a@b.cl"}
}

func mustBuild(t *testing.T, s Sale, opt Options) (Document, []Warning) {
	t.Helper()
	doc, warns, err := Build(s, opt)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return doc, warns
}

func TestBuildWorkedExample(t *testing.T) {
	t.Parallel()
	// dte.md: two items at $12.990 plus $3.990 shipping, boleta →
	// MntTotal 29970, MntNeto 25185, IVA 4785.
	s := saleOf(Item{SKU: "TAZA", Name: "Taza", Qty: 2, UnitGross: 12990})
	s.Shipping = 3990
	s.Paid = 29970
	doc, warns := mustBuild(t, s, Options{})
	tot := doc.Encabezado.Totales
	if tot.MntTotal != 29970 || tot.MntNeto != 25185 || tot.IVA != 4785 || tot.MntExe != 0 || tot.TasaIVA != 19 {
		t.Fatalf("totals = %+v, want 29970/25185/4785, exe 0, tasa 19", tot)
	}
	if doc.Encabezado.IdDoc.TipoDTE != Boleta || doc.Encabezado.IdDoc.MntBruto != 1 {
		t.Fatalf("IdDoc = %+v, want boleta 39 with MntBruto 1", doc.Encabezado.IdDoc)
	}
	if len(doc.Detalle) != 2 {
		t.Fatalf("want item + shipping lines, got %d", len(doc.Detalle))
	}
	ship := doc.Detalle[1]
	if ship.NmbItem != "Costo de envío" || ship.QtyItem != 1 || ship.PrcItem != 3990 || ship.MontoItem != 3990 || ship.NroLinDet != 2 {
		t.Fatalf("shipping line = %+v", ship)
	}
	if doc.Detalle[0].MontoItem != 25980 || doc.Detalle[0].NroLinDet != 1 {
		t.Fatalf("item line = %+v", doc.Detalle[0])
	}
	if len(warns) != 0 {
		t.Fatalf("unexpected warnings %+v", warns)
	}
}

func TestBuildChoosesDocumentType(t *testing.T) {
	t.Parallel()
	taxable := Item{Name: "A", Qty: 1, UnitGross: 1190}
	exempt := Item{Name: "Libro", Qty: 1, UnitGross: 1000, Exempt: true}
	tests := map[string]struct {
		req    Requested
		choice Choice
		items  []Item
		want   DocType
	}{
		"no request gives a boleta":          {RequestNone, ChoiceAuto, []Item{taxable}, Boleta},
		"boleta request":                     {RequestBoleta, ChoiceAuto, []Item{taxable}, Boleta},
		"factura request":                    {RequestFactura, ChoiceAuto, []Item{taxable}, Factura},
		"forced boleta over factura request": {RequestFactura, ChoiceBoleta, []Item{taxable}, Boleta},
		"forced factura over no request":     {RequestNone, ChoiceFactura, []Item{taxable}, Factura},
		"all exempt boleta becomes 41":       {RequestNone, ChoiceAuto, []Item{exempt}, BoletaExenta},
		"all exempt factura becomes 34":      {RequestFactura, ChoiceAuto, []Item{exempt}, FacturaExenta},
		"mixed exempt stays 39":              {RequestNone, ChoiceAuto, []Item{taxable, exempt}, Boleta},
		"mixed exempt factura stays 33":      {RequestFactura, ChoiceAuto, []Item{taxable, exempt}, Factura},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := saleOf(tt.items...)
			s.Requested = tt.req
			s.Buyer = facturaBuyer()
			doc, _ := mustBuild(t, s, Options{Choice: tt.choice})
			if got := doc.Encabezado.IdDoc.TipoDTE; got != tt.want {
				t.Fatalf("TipoDTE = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestBuildBoletaReceptorIsGeneric(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 1000})
	s.Buyer = Buyer{Name: "Camila Rojas", RUT: "12345678-5", Giro: "x", Address: "y"}
	doc, _ := mustBuild(t, s, Options{})
	r := doc.Encabezado.Receptor
	if r.RUTRecep != "66666666-6" || r.RznSocRecep != "Camila Rojas" || r.GiroRecep != "" || r.DirRecep != "" {
		t.Fatalf("boleta receptor = %+v", r)
	}
	s.Buyer = Buyer{}
	doc, _ = mustBuild(t, s, Options{})
	if doc.Encabezado.Receptor.RznSocRecep != "Sin RUT" {
		t.Fatalf("anonymous receptor name = %q", doc.Encabezado.Receptor.RznSocRecep)
	}
}

func TestBuildFacturaTotalsAndReceptor(t *testing.T) {
	t.Parallel()
	// The factura fixture: 49 990 − 5 000 line discount, plus 990.
	s := saleOf(Item{SKU: "TAL-18V", Name: "Taladro", Qty: 1, UnitGross: 49990, Discount: 5000}, Item{SKU: "BRO", Name: "Brocas", Qty: 1, UnitGross: 990})
	s.Requested = RequestFactura
	s.Buyer = facturaBuyer()
	doc, _ := mustBuild(t, s, Options{})
	tot := doc.Encabezado.Totales
	// Net from gross: round(45980/1.19) = 38639; IVA round(38639×0.19) = 7341.
	if tot.MntNeto != 38639 || tot.IVA != 7341 || tot.MntTotal != 45980 {
		t.Fatalf("factura totals = %+v", tot)
	}
	d := doc.Detalle[0]
	if d.DescuentoMonto != 5000 || d.MontoItem != 44990 || d.PrcItem != 49990 || d.CdgItem != "TAL-18V" {
		t.Fatalf("discounted line = %+v", d)
	}
	r := doc.Encabezado.Receptor
	want := Receptor{RUTRecep: "76354771-K", RznSocRecep: "Comercial Los Aromos SpA", GiroRecep: "Ferretería", DirRecep: "Av. Providencia 1234", CmnaRecep: "Providencia", CorreoRecep: "a@b.cl"}
	if r != want {
		t.Fatalf("receptor = %+v, want %+v", r, want)
	}
}

func TestBuildFacturaTotalIsTheGrossLikeLibreDTE(t *testing.T) {
	t.Parallel()
	// LibreDTE splits a factura's gross lines (MntBruto = 1) with
	// calcularNetoIVA: net = round(gross/1.19), IVA = gross − net. 1 300
	// gross: net 1 092, IVA 208 (net × 19 % would say 207 → 1 299).
	for g := int64(1000); g < 3000; g++ {
		s := saleOf(Item{Name: "A", Qty: 1, UnitGross: g})
		s.Requested = RequestFactura
		s.Buyer = facturaBuyer()
		doc, _ := mustBuild(t, s, Options{})
		tot := doc.Encabezado.Totales
		if tot.MntTotal != g || tot.MntNeto != NetFromGross(g) || tot.IVA != g-tot.MntNeto || doc.Encabezado.IdDoc.MntBruto != 1 {
			t.Fatalf("factura of %d: %+v", g, tot)
		}
	}
}

func TestBuildBoletaTotalEqualsPaid(t *testing.T) {
	t.Parallel()
	for g := int64(1); g < 3000; g += 7 {
		s := saleOf(Item{Name: "A", Qty: 1, UnitGross: g})
		doc, _ := mustBuild(t, s, Options{})
		tot := doc.Encabezado.Totales
		if tot.MntTotal != g || tot.MntNeto+tot.IVA != g || tot.MntNeto != NetFromGross(g) {
			t.Fatalf("boleta of %d: %+v", g, tot)
		}
	}
}

func TestBuildCouponsAreGlobalDiscounts(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 20000}, Item{Name: "Libro", Qty: 1, UnitGross: 5000, Exempt: true})
	s.Coupons = []int64{3000, 0}
	s.Paid = 22000
	doc, warns := mustBuild(t, s, Options{})
	if len(doc.DscRcgGlobal) != 1 {
		t.Fatalf("DscRcgGlobal = %+v", doc.DscRcgGlobal)
	}
	g := doc.DscRcgGlobal[0]
	if g != (DscRcgGlobal{NroLinDR: 1, TpoMov: "D", TpoValor: "$", ValorDR: 3000}) {
		t.Fatalf("global discount = %+v", g)
	}
	tot := doc.Encabezado.Totales
	// Taxable 20 000 − 3 000 = 17 000 → net 14 286, IVA 2 714; exempt 5 000.
	if tot.MntNeto != 14286 || tot.IVA != 2714 || tot.MntExe != 5000 || tot.MntTotal != 22000 {
		t.Fatalf("totals = %+v", tot)
	}
	if len(warns) != 0 {
		t.Fatalf("warnings = %+v", warns)
	}
	if doc.Detalle[1].IndExe != 1 {
		t.Fatal("exempt line lost IndExe")
	}
}

func TestBuildExemptOnlyHasNoIVA(t *testing.T) {
	t.Parallel()
	doc, _ := mustBuild(t, saleOf(Item{Name: "Libro", Qty: 2, UnitGross: 5000, Exempt: true}), Options{})
	tot := doc.Encabezado.Totales
	if tot != (Totales{MntExe: 10000, MntTotal: 10000}) || doc.Encabezado.IdDoc.MntBruto != 0 {
		t.Fatalf("exempt totals = %+v, IdDoc %+v", tot, doc.Encabezado.IdDoc)
	}
}

func TestBuildErrors(t *testing.T) {
	t.Parallel()
	item := Item{Name: "A", Qty: 1, UnitGross: 1000}
	tests := map[string]struct {
		sale     Sale
		opt      Options
		code     string
		contains string
	}{
		"no items":            {Sale{}, Options{}, "DTE-NO-ITEMS", "CheckoutItems"},
		"zero quantity":       {saleOf(Item{Name: "A", Qty: 0, UnitGross: 10}), Options{}, "DTE-BAD-QTY", "count"},
		"negative price":      {saleOf(Item{Name: "A", Qty: 1, UnitGross: -10}), Options{}, "DTE-BAD-PRICE", "gross"},
		"discount too large":  {saleOf(Item{Name: "A", Qty: 1, UnitGross: 10, Discount: 11}), Options{}, "DTE-DISCOUNT-TOO-LARGE", "discount"},
		"zero total":          {saleOf(Item{Name: "A", Qty: 1, UnitGross: 0}), Options{}, "DTE-TOTAL-NOT-POSITIVE", "MntTotal"},
		"coupon over total":   {Sale{Items: []Item{item}, Coupons: []int64{2000}}, Options{}, "DTE-DISCOUNT-TOO-LARGE", "DscRcgGlobal"},
		"coupon equals total": {Sale{Items: []Item{item}, Coupons: []int64{1000}}, Options{}, "DTE-TOTAL-NOT-POSITIVE", "MntTotal"},
		"factura bad RUT": {Sale{Items: []Item{item}, Requested: RequestFactura, Buyer: Buyer{RUT: "76.354.771-0", BusinessName: "X", Giro: "g", Address: "a", Comuna: "c"}},
			Options{}, "DTE-RUT-INVALID", `RUT "76.354.771-0"`},
		"factura generic RUT": {Sale{Items: []Item{item}, Requested: RequestFactura, Buyer: Buyer{RUT: "66666666-6", BusinessName: "X", Giro: "g", Address: "a", Comuna: "c"}},
			Options{}, "DTE-RUT-INVALID", "66666666-6"},
		"factura no giro": {Sale{Items: []Item{item}, Requested: RequestFactura, Buyer: Buyer{RUT: "76354771-K", BusinessName: "X", Address: "a", Comuna: "c"}},
			Options{}, "DTE-FACTURA-DATA-MISSING", "GiroRecep"},
		"factura no address": {Sale{Items: []Item{item}, Requested: RequestFactura, Buyer: Buyer{RUT: "76354771-K", BusinessName: "X", Giro: "g"}},
			Options{}, "DTE-FACTURA-DATA-MISSING", "DirRecep, CmnaRecep"},
		"forced factura without data": {saleOf(item), Options{Choice: ChoiceFactura}, "DTE-RUT-INVALID", "RUT"},
		"bad choice":                  {saleOf(item), Options{Choice: "nota"}, "DTE-BAD-TYPE", "nota"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, _, err := Build(tt.sale, tt.opt)
			ve, ok := AsValidation(err)
			if !ok {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Code != tt.code {
				t.Fatalf("code = %s, want %s (%v)", ve.Code, tt.code, err)
			}
			for _, lang := range []Lang{ES, EN} {
				if line := ve.Line(lang); !strings.Contains(line, tt.contains) || ve.Fix.In(lang) == "" {
					t.Fatalf("%s line %q lacks %q or a fix", lang, line, tt.contains)
				}
			}
			if _, ok := Lookup(ve.Code); !ok {
				t.Fatalf("code %s is not in the catalog", ve.Code)
			}
		})
	}
}

func TestBuildOverrideBuyerCompletesFactura(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 1000})
	s.Requested = RequestFactura
	s.Buyer = Buyer{RUT: "bad"}
	if _, _, err := Build(s, Options{}); err == nil {
		t.Fatal("want an error before the override")
	}
	b := facturaBuyer()
	doc, _ := mustBuild(t, s, Options{Buyer: &b})
	if doc.Encabezado.Receptor.RUTRecep != "76354771-K" {
		t.Fatalf("override not applied: %+v", doc.Encabezado.Receptor)
	}
}

func TestBuildTruncatesVisibly(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("ñandú ", 30) // 180 characters, 2-byte ñ and ú
	s := saleOf(Item{Name: long, Qty: 1, UnitGross: 1000})
	s.Requested = RequestFactura
	s.Buyer = Buyer{RUT: "76354771-K", BusinessName: strings.Repeat("á", 120), Giro: strings.Repeat("g", 41), Address: strings.Repeat("d", 71), Comuna: strings.Repeat("c", 21)}
	doc, warns := mustBuild(t, s, Options{})
	r := doc.Encabezado.Receptor
	checks := map[string]struct {
		got string
		max int
	}{
		"NmbItem": {doc.Detalle[0].NmbItem, 80}, "RznSocRecep": {r.RznSocRecep, 100}, "GiroRecep": {r.GiroRecep, 40},
		"DirRecep": {r.DirRecep, 70}, "CmnaRecep": {r.CmnaRecep, 20},
	}
	for f, c := range checks {
		if n := utf8.RuneCountInString(c.got); n > c.max || n < c.max-1 {
			t.Errorf("%s has %d characters, want about %d", f, n, c.max)
		}
		found := false
		for _, w := range warns {
			if strings.HasSuffix(w.Field, f) && w.Code == "DTE-TRUNCATED" {
				found = true
			}
		}
		if !found {
			t.Errorf("no truncation warning for %s", f)
		}
	}
	if !utf8.ValidString(doc.Detalle[0].NmbItem) {
		t.Error("truncation split a character")
	}
}

func TestBuildFoldsLinesOverTheLimit(t *testing.T) {
	t.Parallel()
	var items []Item
	for i := 0; i < 70; i++ {
		items = append(items, Item{Name: "P", Qty: 1, UnitGross: 1000, Exempt: i%10 == 9})
	}
	s := saleOf(items...)
	s.Requested = RequestFactura
	s.Buyer = facturaBuyer()
	doc, warns := mustBuild(t, s, Options{})
	if len(doc.Detalle) != MaxLinesFactura {
		t.Fatalf("factura has %d lines, want %d", len(doc.Detalle), MaxLinesFactura)
	}
	var sumTax, sumExe int64
	for i, d := range doc.Detalle {
		if d.NroLinDet != i+1 {
			t.Fatalf("line %d numbered %d", i, d.NroLinDet)
		}
		if d.IndExe == 1 {
			sumExe += d.MontoItem
		} else {
			sumTax += d.MontoItem
		}
	}
	if sumTax != 63000 || sumExe != 7000 || doc.Encabezado.Totales.MntExe != 7000 {
		t.Fatalf("folding changed the amounts: taxable %d exempt %d", sumTax, sumExe)
	}
	if len(warns) != 1 || warns[0].Code != "DTE-LINES-FOLDED" {
		t.Fatalf("warnings = %+v", warns)
	}
	// A boleta allows 1000 lines: nothing folds.
	s.Requested = RequestBoleta
	doc, warns = mustBuild(t, s, Options{})
	if len(doc.Detalle) != 70 || len(warns) != 0 {
		t.Fatalf("boleta folded: %d lines, %+v", len(doc.Detalle), warns)
	}
}

func TestDocumentJSONUsesSIINames(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{SKU: "X1", Name: "A", Qty: 1, UnitGross: 1000})
	s.Coupons = []int64{100}
	s.Emisor = Emisor{RUTEmisor: "76086428-5", RznSoc: "Tienda SpA"}
	doc, _ := mustBuild(t, s, Options{})
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	enc := m["Encabezado"].(map[string]any)
	id := enc["IdDoc"].(map[string]any)
	if id["TipoDTE"] != float64(39) || id["FchEmis"] != "2026-11-24" || id["MntBruto"] != float64(1) {
		t.Fatalf("IdDoc = %v", id)
	}
	if _, ok := id["Folio"]; ok {
		t.Fatal("Folio must be left to the invoicer")
	}
	tot := enc["Totales"].(map[string]any)
	for _, k := range []string{"MntNeto", "MntExe", "TasaIVA", "IVA", "MntTotal"} {
		if _, ok := tot[k]; !ok {
			t.Errorf("Totales lacks %s: %v", k, tot)
		}
	}
	if enc["Receptor"].(map[string]any)["RUTRecep"] != "66666666-6" {
		t.Fatal("RUTRecep missing")
	}
	if _, ok := m["DscRcgGlobal"]; !ok {
		t.Fatal("DscRcgGlobal missing")
	}
	line := m["Detalle"].([]any)[0].(map[string]any)
	for _, k := range []string{"NroLinDet", "CdgItem", "NmbItem", "QtyItem", "PrcItem", "MontoItem"} {
		if _, ok := line[k]; !ok {
			t.Errorf("Detalle lacks %s: %v", k, line)
		}
	}
}

func TestCatalogIsComplete(t *testing.T) {
	t.Parallel()
	want := []string{"DTE-RUT-INVALID", "DTE-FACTURA-DATA-MISSING", "DTE-NO-ITEMS", "DTE-TOTAL-NOT-POSITIVE",
		"INV-BAD-DOC", "INV-AUTH", "INV-FORBIDDEN", "INV-NOT-FOUND", "INV-NO-SIGNATURE", "INV-NO-FOLIOS", "INV-SERVER", "INV-TIMEOUT", "INV-PRICE-TYPE",
		"SII-RCH", "SII-RSC", "SII-RFR", "SII-RCT", "SII-RLV",
		"MV-AUTH", "MV-RATE", "MV-NOT-FOUND", "MV-SERVER", "MV-TIMEOUT", "MV-DECODE", "MV-PDF-TOO-LARGE", "MV-NEEDS-RECONNECT",
		"UNCERTAIN", "NEEDS-CREDIT-NOTE", "MAX-ATTEMPTS"}
	for _, c := range want {
		if _, ok := Lookup(c); !ok {
			t.Errorf("catalog lacks %s", c)
		}
	}
	for _, c := range Codes() {
		e, _ := Lookup(c)
		for _, tx := range []Text{e.Title, e.Explain, e.Fix} {
			if tx.ES == "" || tx.EN == "" || tx.ES == tx.EN {
				t.Errorf("%s: text not in both languages: %+v", c, tx)
			}
		}
		if e.Retryable && e.NeedsPerson {
			t.Errorf("%s is both retryable and needs a person", c)
		}
	}
}

func TestPreviewFitsWidthAndShowsTotals(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: strings.Repeat("Producto largo ", 10), Qty: 2, UnitGross: 12990, Discount: 1000})
	s.Shipping = 3990
	s.Coupons = []int64{500}
	doc, warns := mustBuild(t, s, Options{})
	for _, lang := range []Lang{ES, EN} {
		p := Preview(doc, warns, s.Paid, lang, 44)
		for _, l := range strings.Split(strings.TrimRight(p, "\n"), "\n") {
			if utf8.RuneCountInString(l) > 44 {
				t.Errorf("%s line wider than 44: %q", lang, l)
			}
		}
		total := FormatCLP(doc.Encabezado.Totales.MntTotal)
		if !strings.Contains(p, total) || !strings.Contains(p, "66666666-6") || !strings.Contains(p, "Costo de envío") {
			t.Errorf("%s preview lacks total %s, receptor or shipping:\n%s", lang, total, p)
		}
	}
}

func TestFormatCLP(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{0: "$0", 990: "$990", 29970: "$29.970", 1234567: "$1.234.567", -1000: "-$1.000"} {
		if got := FormatCLP(n); got != want {
			t.Errorf("FormatCLP(%d) = %s, want %s", n, got, want)
		}
	}
}

// A factura paid less (or more) than its total is warned, as a boleta is:
// its total is its gross lines, so a difference is real, not rounding.
func TestBuildFacturaPaidDifferentIsWarned(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 45980})
	s.Requested, s.Buyer = RequestFactura, facturaBuyer()
	s.Paid = 40000
	_, warns := mustBuild(t, s, Options{})
	found := false
	for _, w := range warns {
		found = found || w.Code == "DTE-PAID-DIFFERS"
	}
	if !found {
		t.Fatalf("a factura of $45.980 paid $40.000 gave no warning: %+v", warns)
	}
	s.Paid = 45980
	if _, warns := mustBuild(t, s, Options{}); len(warns) != 0 {
		t.Fatalf("a factura paid its total: %+v", warns)
	}
}
