package ofsim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const boleta = `{"response":["TOKEN","FOLIO"],"dte":{"Encabezado":{"IdDoc":{"TipoDTE":39,"Folio":0,"FchEmis":"2026-12-01"},
"Emisor":{"RUTEmisor":"76086428-5","RznSocEmisor":"Tienda Aromos SpA","GiroEmisor":"Venta"},
"Receptor":{"RUTRecep":"66666666-6"},"Totales":{"MntNeto":840,"IVA":160,"MntTotal":1000}},
"Detalle":[{"NroLinDet":1,"NmbItem":"X","QtyItem":1,"PrcItem":1000,"MontoItem":1000}]}}`

func post(t *testing.T, s *Server, key, idem, body string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/v2/dte/document", strings.NewReader(body))
	if key != "" {
		req.Header.Set("apikey", key)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestIdempotencyKeyMemory(t *testing.T) {
	s := New(Options{Seed: 1, PerSecond: -1, PerMinute: -1})
	code, first := post(t, s, s.APIKey(), "k1", boleta)
	if code != 200 || first["token"] == "" || first["folio"] != float64(1) {
		t.Fatalf("%d %v", code, first)
	}
	code, again := post(t, s, s.APIKey(), "k1", boleta)
	if code != 400 || errCode(again) != "OF-06" || !bytes.Contains(mustJSON(again), []byte(first["token"].(string))) {
		t.Fatalf("repeat: %d %v", code, again)
	}
	// OpenFactura forgets a key after 24 hours: the same key issues again,
	// which is why folio never re-sends an old one.
	s.Advance(KeyMemory)
	if code, out := post(t, s, s.APIKey(), "k1", boleta); code != 200 || out["folio"] != float64(2) {
		t.Fatalf("after 24 h: %d %v", code, out)
	}
	if n := len(s.State().Emitted); n != 2 {
		t.Fatalf("%d documents", n)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }

func TestRulesAndLimits(t *testing.T) {
	s := New(Options{Seed: 2, Now: func() time.Time { return time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC) }})
	if code, _ := post(t, s, "", "", boleta); code != 401 {
		t.Fatalf("no key: %d", code)
	}
	if code, _ := post(t, s, "wrong", "", boleta); code != 401 {
		t.Fatalf("wrong key: %d", code)
	}
	for name, body := range map[string]string{
		"folio not 0": strings.Replace(boleta, `"Folio":0`, `"Folio":5`, 1),
		"TasaIVA":     strings.Replace(boleta, `"IVA":160`, `"IVA":160,"TasaIVA":19`, 1),
		"RznSoc":      strings.Replace(boleta, `RznSocEmisor`, `RznSoc`, 1),
	} {
		if code, out := post(t, s, s.APIKey(), "", body); code != 400 || !strings.HasPrefix(errCode(out), "OF-") {
			t.Errorf("%s: %d %v", name, code, out)
		}
	}
	// The clock stands still: the first 3 within a second pass (the three
	// refusals above counted), the next is 429.
	if code, _ := post(t, s, s.APIKey(), "", boleta); code != 429 {
		t.Fatalf("4th request in the same second: %d", code)
	}
	s.Advance(time.Second)
	if code, _ := post(t, s, s.APIKey(), "", boleta); code != 200 {
		t.Fatalf("a second later: %d", code)
	}
	st := s.State()
	if st.Limited != 1 || st.MaxPerSecond != 3 {
		t.Fatalf("%+v", st)
	}
}

func TestStatusLifecycle(t *testing.T) {
	s := New(Options{Seed: 3, PerSecond: -1, PerMinute: -1, SIIDelay: 30 * time.Second})
	_, out := post(t, s, s.APIKey(), "", boleta)
	tok := out["token"].(string)
	estado := func() string {
		req := httptest.NewRequest(http.MethodGet, "/v2/dte/document/"+tok+"/status", nil)
		req.Header.Set("apikey", s.APIKey())
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		var r struct{ Estado string }
		_ = json.Unmarshal(rec.Body.Bytes(), &r)
		return r.Estado
	}
	for _, step := range []struct {
		advance time.Duration
		want    string
	}{{0, ""}, {15 * time.Second, EstadoPendiente}, {15 * time.Second, EstadoAceptado}} {
		s.Advance(step.advance)
		if got := estado(); got != step.want {
			t.Fatalf("after +%v: %q, want %q", step.advance, got, step.want)
		}
	}
}
