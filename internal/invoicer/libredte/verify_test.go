package libredte_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

// capture is a stub LibreDTE that records emitir's body and Authorization
// and answers like LibreDTE with the given totals.
type capture struct {
	mu     sync.Mutex
	auth   string
	emitir []byte
	tot    string // the temporary document's Totales, as JSON
}

func (c *capture) handler(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.auth = r.Header.Get("Authorization")
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/documentos/emitir"):
		c.emitir, _ = io.ReadAll(r.Body)
		io.WriteString(w, `{"emisor":76086428,"receptor":"66666666","dte":"39","codigo":"abc"}`)
	case strings.Contains(r.URL.Path, "/dte_tmps/info/"):
		io.WriteString(w, `{"emisor":76086428,"receptor":66666666,"dte":39,"codigo":"abc","tipo":"Boleta electrónica","fecha":"2026-11-24","total":1,"datos":`+
			`{"Encabezado":{"Totales":`+c.tot+`}}}`)
	case strings.Contains(r.URL.Path, "/dte_tmps/eliminar/"):
		io.WriteString(w, `true`)
	default:
		w.WriteHeader(404)
		io.WriteString(w, `"no"`)
	}
}

func TestEmitirPayloadIsLinesOnly(t *testing.T) {
	t.Parallel()
	const hash = "00112233445566778899aabbccddeeff"
	cap := &capture{tot: `{"MntNeto":"25185","IVA":4785,"TasaIVA":19,"MntTotal":"29970"}`}
	c, _ := stub(t, cap.handler) // its hash is the const above
	s := dte.Sale{Date: "2026-11-24", Shipping: 3990, Emisor: dte.Emisor{RUTEmisor: "76086428-5"}, Coupons: []int64{0},
		Items: []dte.Item{{SKU: "TZ-1", Name: "Taza", Qty: 2, UnitGross: 12990}}}
	doc, _, err := dte.Build(s, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prepare(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
	if want := "Basic " + base64.StdEncoding.EncodeToString([]byte(hash+":X")); cap.auth != want {
		t.Errorf("Authorization %q, want the hash as the user and X as the password", cap.auth)
	}
	var body map[string]any
	if err := json.Unmarshal(cap.emitir, &body); err != nil {
		t.Fatal(err)
	}
	enc := body["Encabezado"].(map[string]any)
	if _, ok := enc["Totales"]; ok {
		t.Errorf("emitir was sent Totales: %s", cap.emitir)
	}
	if id := enc["IdDoc"].(map[string]any); id["MntBruto"] != nil || id["TipoDTE"] != 39.0 {
		t.Errorf("a boleta's IdDoc %v: no MntBruto on a boleta", id)
	}
	if strings.Contains(string(cap.emitir), "MontoItem") {
		t.Errorf("emitir was sent MontoItem: %s", cap.emitir)
	}
	lines := body["Detalle"].([]any)
	if len(lines) != 2 || lines[0].(map[string]any)["PrcItem"] != 12990.0 || lines[0].(map[string]any)["QtyItem"] != 2.0 || lines[1].(map[string]any)["NmbItem"] != dte.ShippingLineName {
		t.Errorf("lines %v", lines)
	}

	// A factura with gross lines carries MntBruto = 1, and so does the
	// payload PayloadOf gives (what `folio dte build` prints).
	fs := dte.Sale{Date: "2026-11-24", Requested: dte.RequestFactura, Emisor: dte.Emisor{RUTEmisor: "76086428-5"},
		Buyer: dte.Buyer{RUT: "96.790.240-3", BusinessName: "Comercial Los Andes Ltda.", Giro: "Comercio", Address: "Los Leones 100", Comuna: "Providencia"},
		Items: []dte.Item{{Name: "Silla", Qty: 1, UnitGross: 45980}}}
	fdoc, _, err := dte.Build(fs, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := json.Marshal(libredte.PayloadOf(fdoc))
	if !strings.Contains(string(fb), `"MntBruto":1`) || strings.Contains(string(fb), "Totales") || strings.Contains(string(fb), "MontoItem") {
		t.Errorf("factura payload %s", fb)
	}
	cap.tot = `{"MntNeto":38639,"IVA":7341,"MntTotal":45980}`
	if _, err := c.Prepare(context.Background(), fdoc); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cap.emitir), `"MntBruto":1`) {
		t.Errorf("factura sent without MntBruto: %s", cap.emitir)
	}
}

// TestVerifyBeforeGenerar: an account whose totals differ from folio's
// stops the document before generar, with both figures, and no folio is
// consumed; the temporary document is deleted.
func TestVerifyBeforeGenerar(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 31, NetPrices: true}, libredte.Config{})
	_, err := b.c.Prepare(context.Background(), factura(t, "Comercio", 45980))
	ie, ok := invoicer.AsError(err)
	if !ok || ie.Code != libredte.CodeTotalsMismatch || ie.Retryable() || ie.Uncertain {
		t.Fatalf("prepare: %v; want a permanent %s", err, libredte.CodeTotalsMismatch)
	}
	// folio's own account, in the reader's language (English in the log).
	for lang, wants := range map[i18n.Lang][]string{
		i18n.ES: {"LibreDTE calculó total $54.716", "folio calculó total $45.980", "precio bruto", "se eliminó el documento temporal"},
		i18n.EN: {"LibreDTE computed total $54.716", "folio computed total $45.980", "precio bruto", "the temporary document was deleted"},
	} {
		if got := ie.Msg.Plain(lang); !containsAll(got, wants) {
			t.Errorf("in %s: %q lacks one of %q", lang, got, wants)
		}
	}
	if !strings.Contains(ie.Error(), "folio computed total $45.980") {
		t.Errorf("error for the log: %q", ie.Error())
	}
	if e, ok := dte.Lookup(libredte.CodeTotalsMismatch); !ok || !e.NeedsPerson || e.Fix.EN == "" || e.Fix.ES == "" {
		t.Errorf("catalog entry %+v", e)
	}
	if st := b.sim.State(); len(st.Emitted) != 0 || st.Tmps != 0 {
		t.Errorf("state %+v: no folio may be used and the temporary document must be gone", st)
	}
	// Fixed price type: the same document goes through.
	b.sim.SetNetPrices(false)
	if iss := mustIssue(t, b.c, factura(t, "Comercio", 45980)); iss.Total != 45980 || iss.Neto != 38639 || iss.IVA != 7341 {
		t.Errorf("issued %+v", iss)
	}
	// A boleta on a net-price account is caught too.
	b.sim.SetNetPrices(true)
	if _, err := b.c.Prepare(context.Background(), boleta(t, 1190)); !strings.Contains(err.Error(), libredte.CodeTotalsMismatch) {
		t.Errorf("boleta on a net-price account: %v", err)
	}
	if st := b.sim.State(); len(st.Emitted) != 1 {
		t.Errorf("ledger %+v: want only the good factura", st.Emitted)
	}
}

func TestCheckRefusesWhatIsNotTheAPI(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		h    http.HandlerFunc
		want string
	}{
		{"HTML 404", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(404)
			io.WriteString(w, "<html><body>Not found</body></html>")
		}, libredte.CodeNotAPI},
		{"HTML 200 (a login page)", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			io.WriteString(w, "<html>Ingresar</html>")
		}, libredte.CodeNotAPI},
		{"JSON object 404", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			io.WriteString(w, `{"error":"not found"}`)
		}, libredte.CodeNotAPI},
		{"LibreDTE's 404", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(404)
			io.WriteString(w, `"No existe el documento temporal solicitado."`)
		}, ""},
		{"LibreDTE's 401", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			io.WriteString(w, `"Usuario no autenticado"`)
		}, invoicer.CodeAuth},
	} {
		cl, _ := stub(t, c.h)
		err := cl.Check(context.Background())
		ie, _ := invoicer.AsError(err)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (ie == nil || ie.Code != c.want):
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if got := libredte.SuggestAPIRoot("https://dte.example.cl/"); got != "https://dte.example.cl/api" {
		t.Errorf("suggestion %q", got)
	}
}

func TestCheckPrices(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 32}, libredte.Config{})
	pc, err := b.c.CheckPrices(context.Background(), "2026-11-24")
	if err != nil || !pc.OK() || !pc.Discarded || pc.Got.MntTotal != 1190 || pc.Got.MntNeto != 1000 {
		t.Fatalf("good account: %+v %v", pc, err)
	}
	b.sim.SetNetPrices(true)
	pc, err = b.c.CheckPrices(context.Background(), "2026-11-24")
	if err != nil || pc.OK() || !pc.Discarded || pc.Got.MntTotal == 1190 {
		t.Fatalf("net-price account: %+v %v", pc, err)
	}
	if st := b.sim.State(); st.Tmps != 0 || len(st.Emitted) != 0 {
		t.Errorf("the check left %+v", st)
	}
}

func TestStatusReadsTheSIIsHeader(t *testing.T) {
	t.Parallel()
	cl, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"ESTADO":"DOK","GLOSA_ESTADO":"Documento Recibido por el SII. Datos Coinciden con los Registrados","ERR_CODE":"0","GLOSA_ERR":"","NUM_ATENCION":"123 (2026/11/24 12:00:00)"}`)
	})
	st, err := cl.Status(context.Background(), invoicer.Issued{Type: dte.Factura, Folio: 1, Emisor: "76086428-5", TrackID: "9"})
	if err != nil || st.State != invoicer.SIIAccepted || st.Code != "DOK" || !strings.Contains(st.Reason, "Coinciden") || st.TrackID != "9" {
		t.Errorf("%+v %v", st, err)
	}
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
