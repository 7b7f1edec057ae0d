package openfactura_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/preflight"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/sim/ofsim"
)

func boleta() dte.Document {
	return dte.Document{Encabezado: dte.Encabezado{
		IdDoc:    dte.IdDoc{TipoDTE: dte.Boleta, FchEmis: "2026-12-01"},
		Emisor:   ldsim.DefaultEmisor,
		Receptor: dte.Receptor{RUTRecep: "66666666-6", RznSocRecep: "Sin RUT"},
		Totales:  dte.Totales{MntNeto: 25185, IVA: 4785, MntTotal: 29970},
	}, Detalle: []dte.Detalle{
		{NroLinDet: 1, CdgItem: "SKU-1", NmbItem: "Polera", QtyItem: 2, PrcItem: 12990, MontoItem: 25980},
		{NroLinDet: 2, NmbItem: "Costo de envío", QtyItem: 1, PrcItem: 3990, MontoItem: 3990},
	}}
}

func factura() dte.Document {
	d := boleta()
	d.Encabezado.IdDoc = dte.IdDoc{TipoDTE: dte.Factura, FchEmis: "2026-12-01", MntBruto: 1}
	d.Encabezado.Receptor = dte.Receptor{RUTRecep: "76354771-K", RznSocRecep: "Comercial Uno SpA", GiroRecep: "Comercio",
		DirRecep: "Los Leones 100", CmnaRecep: "Providencia"}
	d.Encabezado.Totales = dte.Totales{MntNeto: 25185, IVA: 4785, TasaIVA: 19, MntTotal: 29970}
	return d
}

type rig struct {
	sim *ofsim.Server
	c   *openfactura.Client
	now *time.Time
	mu  *sync.Mutex
}

// newRig serves a simulator on loopback (resets need a real connection)
// and a client without pacing, unless paced.
func newRig(t *testing.T, o ofsim.Options, paced bool) rig {
	t.Helper()
	if o.PerSecond == 0 && !paced {
		o.PerSecond, o.PerMinute = -1, -1
	}
	sim := ofsim.New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	now, mu := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC), &sync.Mutex{}
	c, err := openfactura.New(openfactura.Config{BaseURL: srv.URL, APIKey: sim.APIKey(), Emisor: sim.Emisor().RUTEmisor,
		Timeout: 5 * time.Second, NoPacing: !paced, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	if err != nil {
		t.Fatal(err)
	}
	return rig{sim: sim, c: c, now: &now, mu: mu}
}

func (r rig) advance(d time.Duration) {
	r.mu.Lock()
	*r.now = r.now.Add(d)
	r.mu.Unlock()
}

func ref(order string) context.Context {
	return invoicer.WithReference(context.Background(), "folio:"+order)
}

func keyOf(t *testing.T, p invoicer.Pending) string {
	t.Helper()
	var k struct {
		Key string `json:"key"`
	}
	if err := json.Unmarshal(p, &k); err != nil {
		t.Fatal(err)
	}
	return k.Key
}

func TestIdempotencyKeyDependsOnlyOnOrderAndType(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 1}, false)
	p1, err := r.c.Prepare(ref("A"), boleta())
	if err != nil {
		t.Fatal(err)
	}
	r.advance(3*time.Hour + 1234*time.Millisecond) // another second, another hour
	d := boleta()
	d.Encabezado.IdDoc.FchEmis = "2026-12-02"
	p2, _ := r.c.Prepare(ref("A"), d)
	pb, _ := r.c.Prepare(ref("B"), boleta())
	pf, _ := r.c.Prepare(ref("A"), factura())
	k1, k2 := keyOf(t, p1), keyOf(t, p2)
	if k1 != k2 || k1 != openfactura.IdempotencyKey("folio:A", dte.Boleta) {
		t.Fatalf("the key changed with the time or the date: %s vs %s", k1, k2)
	}
	if keyOf(t, pb) == k1 || keyOf(t, pf) == k1 {
		t.Fatal("another order or another document type must get another key")
	}
	if _, err := r.c.Prepare(context.Background(), boleta()); err == nil {
		t.Fatal("Prepare without the order's reference must refuse (no key can be derived)")
	}
	if r.sim.State().Requests != 0 {
		t.Fatal("Prepare must not call OpenFactura")
	}
}

func TestIssueBoletaAndFactura(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 2}, false)
	for i, doc := range []dte.Document{boleta(), factura()} {
		order := []string{"B1", "F1"}[i]
		p, err := r.c.Prepare(ref(order), doc)
		if err != nil {
			t.Fatal(err)
		}
		iss, err := r.c.Issue(context.Background(), p)
		if err != nil {
			t.Fatalf("%s: %v", order, err)
		}
		if iss.Folio != 1 || iss.Token == "" || iss.Type != doc.Encabezado.IdDoc.TipoDTE || iss.Total != 29970 {
			t.Fatalf("%s: issued %+v", order, iss)
		}
		var back invoicer.Issued
		if err := json.Unmarshal(iss.Raw, &back); err != nil || back.Token != iss.Token || back.Folio != iss.Folio || back.Emisor != iss.Emisor {
			t.Fatalf("%s: the kept raw must read back as the issued document: %+v %v", order, back, err)
		}
	}
	st := r.sim.State()
	if len(st.Emitted) != 2 || st.Emitted[0].Key != openfactura.IdempotencyKey("folio:B1", dte.Boleta) {
		t.Fatalf("ledger: %+v", st.Emitted)
	}
}

func TestRepeatIsAdoptedAsIssued(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 3}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	first, err := r.c.Issue(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.c.Issue(context.Background(), p)
	if err != nil {
		t.Fatalf("an OF-06 repeat must read as the issued document, got %v", err)
	}
	if again.Folio != first.Folio || again.Token != first.Token {
		t.Fatalf("adopted %+v, first %+v", again, first)
	}
	if n := len(r.sim.State().Emitted); n != 1 {
		t.Fatalf("%d documents in the ledger, want 1", n)
	}
}

func TestUncertainIssueResolvedBySameKey(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 4, Faults: faults.Spec{ResetAfterGenerar: 1}}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	_, err := r.c.Issue(context.Background(), p)
	if !invoicer.IsUncertain(err) {
		t.Fatalf("a reset after the document was accepted must be uncertain, got %v", err)
	}
	r.sim.Faults().Set(faults.None)
	r.advance(time.Hour)
	res, err := r.c.Resolve(context.Background(), p, boleta(), nil)
	if err != nil || res.Outcome != invoicer.WasIssued || res.Issued.Folio != 1 {
		t.Fatalf("resolve: %+v %v", res, err)
	}
	st := r.sim.State()
	if len(st.Emitted) != 1 {
		t.Fatalf("%d documents in the ledger, want 1: the re-send issued a second", len(st.Emitted))
	}
	// A folio another order holds is not taken.
	res, err = r.c.Resolve(context.Background(), p, boleta(), map[int64]bool{1: true})
	if err != nil || res.Outcome != invoicer.Unknown {
		t.Fatalf("claimed folio: %+v %v", res, err)
	}
}

func TestResolveWhenNothingArrivedIssuesOnce(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 5}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	res, err := r.c.Resolve(context.Background(), p, boleta(), nil)
	if err != nil || res.Outcome != invoicer.WasIssued {
		t.Fatalf("%+v %v", res, err)
	}
	if _, err := r.c.Issue(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	if n := len(r.sim.State().Emitted); n != 1 {
		t.Fatalf("%d documents, want 1", n)
	}
}

func TestResolvePastKeyMemorySendsNothing(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 6, Faults: faults.Spec{ResetAfterGenerar: 1}}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	_, _ = r.c.Issue(context.Background(), p)
	r.sim.Faults().Set(faults.None)
	before := r.sim.State().Requests
	r.advance(23*time.Hour + 30*time.Minute)
	r.sim.Advance(23*time.Hour + 30*time.Minute)
	res, err := r.c.Resolve(context.Background(), p, boleta(), nil)
	if err != nil || res.Outcome != invoicer.Unknown || !strings.Contains(res.Detail, "24 horas") {
		t.Fatalf("%+v %v", res, err)
	}
	if r.sim.State().Requests != before {
		t.Fatal("nothing may be sent once the key may be forgotten")
	}
}

func TestResolveAfterUncertainResendIsRetryableNotUncertain(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 7, Faults: faults.Spec{ResetAfterGenerar: 1}}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	_, _ = r.c.Issue(context.Background(), p)
	r.sim.Faults().Set(faults.Spec{Reset: 1}) // the re-send's reply is lost too
	_, err := r.c.Resolve(context.Background(), p, boleta(), nil)
	ie, ok := invoicer.AsError(err)
	if !ok || ie.Uncertain || !ie.Retryable() {
		t.Fatalf("a lost re-send is safe to repeat later: want a retryable, certain error, got %v", err)
	}
	r.sim.Faults().Set(faults.None)
	res, err := r.c.Resolve(context.Background(), p, boleta(), nil)
	if err != nil || res.Outcome != invoicer.WasIssued || len(r.sim.State().Emitted) != 1 {
		t.Fatalf("%+v %v %d", res, err, len(r.sim.State().Emitted))
	}
}

func TestErrorMapping(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(*ofsim.Server, *openfactura.Config)
		doc       func() dte.Document
		code      string
		status    int
		uncertain bool
		retryable bool
	}{
		{"bad key", func(_ *ofsim.Server, c *openfactura.Config) { c.APIKey = "wrong" }, boleta, invoicer.CodeAuth, 401, false, false},
		{"invalid document", nil, func() dte.Document { d := boleta(); d.Detalle = nil; return d }, invoicer.CodeBadDoc, 400, false, false},
		{"other emisor", nil, func() dte.Document { d := boleta(); d.Encabezado.Emisor.RUTEmisor = "11111111-1"; return d }, invoicer.CodeBadDoc, 400, false, false},
		{"5xx on issue", func(s *ofsim.Server, _ *openfactura.Config) { s.Faults().Set(faults.Spec{ServerError: 1}) }, boleta, invoicer.CodeServer, 503, true, false},
		{"429", func(s *ofsim.Server, _ *openfactura.Config) { s.Faults().Set(faults.Spec{RateLimit: 1}) }, boleta, invoicer.CodeServer, 429, false, true},
		{"no folios", func(s *ofsim.Server, _ *openfactura.Config) { s.Faults().Set(faults.Spec{Folios: 1}) }, boleta, invoicer.CodeBadDoc, 400, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := ofsim.New(ofsim.Options{Seed: 8, PerSecond: -1, PerMinute: -1})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			cfg := openfactura.Config{BaseURL: srv.URL, APIKey: sim.APIKey(), Emisor: sim.Emisor().RUTEmisor, NoPacing: true}
			if tc.name == "no folios" { // spend the only folio first
				c, _ := openfactura.New(cfg)
				p, _ := c.Prepare(ref("first"), boleta())
				if _, err := c.Issue(context.Background(), p); err != nil {
					t.Fatal(err)
				}
			}
			if tc.setup != nil {
				tc.setup(sim, &cfg)
			}
			c, err := openfactura.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			p, err := c.Prepare(ref("X"), tc.doc())
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Issue(context.Background(), p)
			ie, ok := invoicer.AsError(err)
			if !ok {
				t.Fatalf("want *invoicer.Error, got %v", err)
			}
			if ie.Code != tc.code || ie.Status != tc.status || ie.Uncertain != tc.uncertain || ie.Retryable() != tc.retryable {
				t.Fatalf("got code %s status %d uncertain %v retryable %v (%v)", ie.Code, ie.Status, ie.Uncertain, ie.Retryable(), err)
			}
			if _, ok := dte.Lookup(ie.Code); !ok {
				t.Fatalf("code %s is not in the catalog", ie.Code)
			}
			if strings.Contains(err.Error(), sim.APIKey()) {
				t.Fatal("the API key leaked into the error")
			}
		})
	}
}

func TestStatusLifecycleAndPDF(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 9, SIIDelay: 30 * time.Second}, false)
	p, _ := r.c.Prepare(ref("A"), boleta())
	iss, err := r.c.Issue(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		after time.Duration
		state invoicer.SIIState
	}{{0, invoicer.SIIPending}, {15 * time.Second, invoicer.SIIPending}, {20 * time.Second, invoicer.SIIAccepted}}
	for _, w := range want {
		r.sim.Advance(w.after)
		st, err := r.c.Status(context.Background(), iss)
		if err != nil || st.State != w.state {
			t.Fatalf("after %v: %+v %v", w.after, st, err)
		}
	}
	pdf, err := r.c.PDF(context.Background(), iss)
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("pdf: %v", err)
	}
	// Without a token (a document kept before tokens were), by folio.
	iss.Token = ""
	if st, err := r.c.Status(context.Background(), iss); err != nil || st.State != invoicer.SIIAccepted {
		t.Fatalf("by folio: %+v %v", st, err)
	}

	rej := newRig(t, ofsim.Options{Seed: 10, SIIDelay: time.Second, Faults: faults.Spec{SIIReject: 1}}, false)
	p, _ = rej.c.Prepare(ref("R"), boleta())
	iss, _ = rej.c.Issue(context.Background(), p)
	rej.sim.Advance(2 * time.Second)
	st, err := rej.c.Status(context.Background(), iss)
	if err != nil || st.State != invoicer.SIIRejected || st.Code != "RCH" {
		t.Fatalf("rejected: %+v %v", st, err)
	}
}

// inProcess is a transport that serves requests with h directly, so a
// synctest bubble holds the whole exchange.
type inProcess struct{ h http.Handler }

func (p inProcess) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	p.h.ServeHTTP(rec, req)
	return rec.Result(), nil
}

func TestPacingNeverExceedsLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := ofsim.New(ofsim.Options{Seed: 11}) // OpenFactura's limits: 3/s, 100/min
		c, err := openfactura.New(openfactura.Config{BaseURL: "http://openfactura.test", APIKey: sim.APIKey(),
			Emisor: sim.Emisor().RUTEmisor, HTTPClient: &http.Client{Transport: inProcess{sim}}})
		if err != nil {
			t.Fatal(err)
		}
		const n = 130 // more than a minute's allowance
		var wg sync.WaitGroup
		errs := make(chan error, n)
		start := time.Now()
		for i := range n {
			wg.Go(func() {
				p, err := c.Prepare(ref("order-"+strings.Repeat("x", i)), boleta())
				if err == nil {
					_, err = c.Issue(context.Background(), p)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		st := sim.State()
		if st.Limited != 0 || st.MaxPerSecond > 3 || st.MaxPerMinute > 100 {
			t.Fatalf("limits exceeded: %+v", st)
		}
		if len(st.Emitted) != n {
			t.Fatalf("%d issued, want %d", len(st.Emitted), n)
		}
		// 130 at 90/min after a burst of 5: about 83 s of (bubble) time.
		if took := time.Since(start); took > 2*time.Minute || took < time.Minute {
			t.Fatalf("took %v for %d requests: not paced as planned", took, n)
		}
	})
}

func TestPrepareRefusesMissingEmisorData(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 12}, false)
	d := boleta()
	d.Encabezado.Emisor.RznSoc = ""
	_, err := r.c.Prepare(ref("A"), d)
	if ie, ok := invoicer.AsError(err); !ok || ie.Code != openfactura.CodeEmisorData {
		t.Fatalf("want %s, got %v", openfactura.CodeEmisorData, err)
	}
	if _, ok := dte.Lookup(openfactura.CodeEmisorData); !ok {
		t.Fatal("not in the catalog")
	}
}

// The caller's last check (the engine's lease) runs right before the
// emission leaves, after the client's pace: refused, nothing is emitted.
func TestLastCheckRefusedEmitsNothing(t *testing.T) {
	r := newRig(t, ofsim.Options{Seed: 4}, false)
	p, err := r.c.Prepare(ref("B1"), boleta())
	if err != nil {
		t.Fatal(err)
	}
	lost := errors.New("lease lost")
	ctx := preflight.With(context.Background(), func(context.Context) error { return lost })
	if _, err := r.c.Issue(ctx, p); !errors.Is(err, lost) {
		t.Fatalf("Issue = %v, want the check's error", err)
	}
	if st := r.sim.State(); len(st.Emitted) != 0 {
		t.Fatalf("emitted after the last check refused: %+v", st.Emitted)
	}
}
