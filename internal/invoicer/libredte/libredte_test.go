package libredte_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// recorder keeps the hook's exchanges.
type recorder struct {
	mu  sync.Mutex
	exs []libredte.Exchange
}

func (r *recorder) hook(_ context.Context, ex libredte.Exchange) {
	r.mu.Lock()
	r.exs = append(r.exs, ex)
	r.mu.Unlock()
}

func (r *recorder) all() []libredte.Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]libredte.Exchange(nil), r.exs...)
}

type bundle struct {
	sim  *ldsim.Server
	c    *libredte.Client
	rec  *recorder
	root string
}

func setup(tb testing.TB, o ldsim.Options, cfg libredte.Config) *bundle {
	tb.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return t0 }
	}
	sim := ldsim.New(o)
	srv := httptest.NewServer(sim)
	tb.Cleanup(srv.Close)
	rec := &recorder{}
	cfg.BaseURL = srv.URL + "/api"
	if cfg.Hash == "" {
		cfg.Hash = sim.Hash()
	}
	if cfg.Emisor == "" {
		cfg.Emisor = sim.Emisor().RUTEmisor
	}
	cfg.Hook = rec.hook
	c, err := libredte.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return &bundle{sim: sim, c: c, rec: rec, root: cfg.BaseURL}
}

func (b *bundle) client(tb testing.TB, cfg libredte.Config) *libredte.Client {
	tb.Helper()
	cfg.BaseURL = b.root
	if cfg.Hash == "" {
		cfg.Hash = b.sim.Hash()
	}
	if cfg.Emisor == "" {
		cfg.Emisor = b.sim.Emisor().RUTEmisor
	}
	cfg.Hook = b.rec.hook
	c, err := libredte.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// boleta builds the document the engine would: dte.Build from a sale.
func boleta(tb testing.TB, prices ...int64) dte.Document {
	tb.Helper()
	s := dte.Sale{Date: "2026-11-24", Emisor: dte.Emisor{RUTEmisor: "76086428-5"}}
	for i, p := range prices {
		s.Items = append(s.Items, dte.Item{SKU: fmt.Sprintf("SKU-%d", i), Name: "Taza", Qty: 1, UnitGross: p})
	}
	d, _, err := dte.Build(s, dte.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func factura(tb testing.TB, giro string, prices ...int64) dte.Document {
	tb.Helper()
	s := dte.Sale{Date: "2026-11-24", Requested: dte.RequestFactura, Emisor: dte.Emisor{RUTEmisor: "76086428-5"},
		Buyer: dte.Buyer{RUT: "96.790.240-3", BusinessName: "Comercial Los Andes Ltda.", Giro: giro, Address: "Los Leones 100", Comuna: "Providencia"}}
	for _, p := range prices {
		s.Items = append(s.Items, dte.Item{Name: "Taza", Qty: 1, UnitGross: p})
	}
	d, _, err := dte.Build(s, dte.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func mustIssue(tb testing.TB, c *libredte.Client, doc dte.Document) invoicer.Issued {
	tb.Helper()
	ctx := context.Background()
	p, err := c.Prepare(ctx, doc)
	if err != nil {
		tb.Fatalf("prepare: %v", err)
	}
	iss, err := c.Issue(ctx, p)
	if err != nil {
		tb.Fatalf("issue: %v", err)
	}
	return iss
}

func TestIssueEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 1}, libredte.Config{})
	ctx := context.Background()
	if caps := b.c.Capabilities(); !caps.CanResolveUncertain || !caps.HasSIIStatus || caps.CanLookupByReference {
		t.Errorf("capabilities %+v", caps)
	}
	if err := b.c.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	// The engine's document: two items and shipping (dte.md's example).
	s := dte.Sale{Date: "2026-11-24", Shipping: 3990, Emisor: b.sim.Emisor(),
		Items: []dte.Item{{SKU: "TZ-1", Name: "Taza", Qty: 2, UnitGross: 12990}}}
	doc, _, err := dte.Build(s, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.c.Prepare(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	var key map[string]any
	if err := json.Unmarshal(p, &key); err != nil || key["codigo"] == "" || key["fecha"] != "2026-11-24" || key["total"] != 29970.0 {
		t.Fatalf("pending key %s", p)
	}
	if st := b.sim.State(); st.Tmps != 1 || len(st.Emitted) != 0 {
		t.Fatalf("after Prepare: %+v (no folio may be consumed)", st)
	}
	iss, err := b.c.Issue(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	want := invoicer.Issued{Type: dte.Boleta, Folio: 1, Emisor: "76086428-5", Fecha: "2026-11-24", Total: 29970, Neto: 25185, IVA: 4785}
	got := iss
	got.TrackID, got.Raw = "", nil
	if !reflect.DeepEqual(got, want) || iss.TrackID == "" || !json.Valid(iss.Raw) {
		t.Fatalf("issued %+v, want %+v with a track id and the raw reply", iss, want)
	}
	if st := b.sim.State(); st.Tmps != 0 || len(st.Emitted) != 1 {
		t.Fatalf("after Issue: %+v", st)
	}
	pdf, err := b.c.PDF(ctx, iss)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) || len(pdf) > 1<<20 {
		t.Fatalf("pdf: %d bytes, %.10q", len(pdf), pdf)
	}
	st, err := b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIPending || st.Code != "REC" || st.TrackID != iss.TrackID {
		t.Fatalf("status right away: %+v %v", st, err)
	}
	b.sim.Advance(ldsim.DefaultSIIDelay)
	st, err = b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIAccepted || st.Code != "EPR" || st.Reason != "DTE aceptado" {
		t.Fatalf("status later: %+v %v", st, err)
	}

	// A factura, with the engine's Issued stored as JSON and read back.
	fac := mustIssue(t, b.c, factura(t, "Comercio", 1300))
	if fac.Type != dte.Factura || fac.Folio != 1 || fac.Total != 1300 || fac.Neto != 1092 || fac.IVA != 208 {
		t.Fatalf("factura %+v", fac)
	}
	var back invoicer.Issued
	if err := json.Unmarshal(fac.Raw, &back); err != nil || back.Folio != 1 || back.Emisor != "76086428-5" || back.TrackID != fac.TrackID {
		t.Fatalf("the raw generar reply read as Issued: %+v %v", back, err)
	}
	if _, err := b.c.PDF(ctx, back); err != nil {
		t.Fatalf("pdf of the stored factura: %v", err)
	}
}

func code(t *testing.T, err error) *invoicer.Error {
	t.Helper()
	ie, ok := invoicer.AsError(err)
	if !ok {
		t.Fatalf("not an *invoicer.Error: %v", err)
	}
	if _, ok := dte.Lookup(ie.Code); !ok {
		t.Fatalf("code %s is not in the catalog", ie.Code)
	}
	return ie
}

func TestErrorsMapToTheCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 2, Folios: 1}, libredte.Config{})
	mustIssue(t, b.c, boleta(t, 1000)) // folio 1 of 1
	pending, err := b.c.Prepare(ctx, boleta(t, 2000))
	if err != nil {
		t.Fatal(err)
	}
	slow := b.client(t, libredte.Config{Timeout: 50 * time.Millisecond})
	for _, c := range []struct {
		name      string
		spec      faults.Spec
		noSig     bool
		call      func() error
		code      string
		status    int
		retryable bool
		uncertain bool
	}{
		{name: "bad hash", call: func() error { return b.client(t, libredte.Config{Hash: "wrong"}).Check(ctx) }, code: invoicer.CodeAuth, status: 401},
		{name: "another emisor", call: func() error { return b.client(t, libredte.Config{Emisor: "11111111-1"}).Check(ctx) }, code: invoicer.CodeForbidden, status: 403},
		{name: "factura without giro", call: func() error {
			d := factura(t, "Comercio", 1000)
			d.Encabezado.Receptor.GiroRecep = "" // past folio's own check
			_, err := b.c.Prepare(ctx, d)
			return err
		}, code: invoicer.CodeBadDoc, status: 400},
		{name: "unknown folio", call: func() error { _, err := b.c.PDF(ctx, invoicer.Issued{Type: dte.Boleta, Folio: 99}); return err }, code: invoicer.CodeNotFound, status: 404, retryable: true},
		{name: "no signature", noSig: true, call: func() error { _, err := b.c.Issue(ctx, pending); return err }, code: invoicer.CodeNoSignature, status: 506},
		{name: "no folios", call: func() error { _, err := b.c.Issue(ctx, pending); return err }, code: invoicer.CodeNoFolios, status: 508},
		{name: "5xx on emitir", spec: faults.Spec{ServerError: 1}, call: func() error { _, err := b.c.Prepare(ctx, boleta(t, 1000)); return err }, code: invoicer.CodeServer, status: 503, retryable: true},
		// A 503 is answered before the request is handled: not uncertain.
		{name: "5xx on generar", spec: faults.Spec{ServerError: 1}, call: func() error { _, err := b.c.Issue(ctx, pending); return err }, code: invoicer.CodeServer, status: 503, retryable: true},
		{name: "429", spec: faults.Spec{RateLimit: 1}, call: func() error { _, err := b.c.Status(ctx, invoicer.Issued{Type: dte.Boleta, Folio: 1}); return err }, code: invoicer.CodeServer, status: 429, retryable: true},
		{name: "timeout on emitir", spec: faults.Spec{LatencyMin: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond}, call: func() error { _, err := slow.Prepare(ctx, boleta(t, 1000)); return err }, code: invoicer.CodeTimeout, retryable: true},
		{name: "timeout on generar", spec: faults.Spec{LatencyMin: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond}, call: func() error { _, err := slow.Issue(ctx, pending); return err }, code: invoicer.CodeTimeout, uncertain: true},
		{name: "reset after generar", spec: faults.Spec{ResetAfterGenerar: 1, Folios: 5}, call: func() error {
			p, err := b.c.Prepare(ctx, boleta(t, 3000))
			if err != nil {
				return fmt.Errorf("prepare: %v", err)
			}
			_, err = b.c.Issue(ctx, p)
			return err
		}, code: invoicer.CodeServer, uncertain: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			b.sim.Faults().Set(c.spec)
			b.sim.SetNoSignature(c.noSig)
			defer b.sim.Faults().Set(faults.None)
			defer b.sim.SetNoSignature(false)
			ie := code(t, c.call())
			if ie.Code != c.code || ie.Status != c.status || ie.Retryable() != c.retryable || ie.Uncertain != c.uncertain {
				t.Errorf("got %s status %d retryable %v uncertain %v (%v); want %s %d %v %v",
					ie.Code, ie.Status, ie.Retryable(), ie.Uncertain, ie, c.code, c.status, c.retryable, c.uncertain)
			}
			if c.status >= 400 && c.status != 503 && c.status != 429 && ie.Message == "" {
				t.Errorf("LibreDTE's message is lost: %v", ie)
			}
			if c.status == 429 && ie.RetryAfter != time.Second {
				t.Errorf("Retry-After: %v", ie.RetryAfter)
			}
		})
	}
}

// stub answers every request with handler, for replies the simulator never
// gives.
func stub(t *testing.T, h http.HandlerFunc) (*libredte.Client, *recorder) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rec := &recorder{}
	c, err := libredte.New(libredte.Config{BaseURL: srv.URL + "/api", Hash: "00112233445566778899aabbccddeeff", Emisor: "76086428-5", Hook: rec.hook})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec
}

var stubPending = invoicer.Pending(`{"emisor":76086428,"receptor":66666666,"dte":39,"codigo":"abc","fecha":"2026-11-24","total":1000}`)

func TestGenerarRepliesThatMayHaveTakenEffect(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name      string
		status    int
		body      string
		code      string
		uncertain bool
	}{
		{"500 (an exception after saving)", 500, `"Error al enviar al SII"`, invoicer.CodeServer, true},
		{"502 gateway", 502, `<html>Bad Gateway</html>`, invoicer.CodeServer, true},
		{"504 gateway timeout", 504, `"timeout"`, invoicer.CodeTimeout, true},
		{"404 temporary document gone", 404, `"No existe el DTE temporal solicitado."`, invoicer.CodeNotFound, true},
		{"404 emisor not registered", 404, `"Contribuyente no está registrado en la aplicación."`, invoicer.CodeForbidden, false},
		{"2xx that is not JSON", 200, `<html>`, invoicer.CodeServer, true},
		{"2xx without folio", 200, `{"emisor":76086428,"dte":39}`, invoicer.CodeServer, true},
		{"409 folio already used", 409, `"ya existía una boleta de folio 7"`, invoicer.CodeBadDoc, false},
		{"510 folio skipped", 510, `"el folio 8 fue saltado"`, invoicer.CodeServer, false},
		{"503 unavailable", 503, `"mantención"`, invoicer.CodeServer, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cl, _ := stub(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(c.status)
				io.WriteString(w, c.body)
			})
			_, err := cl.Issue(context.Background(), stubPending)
			ie := code(t, err)
			if ie.Code != c.code || ie.Uncertain != c.uncertain || ie.Retryable() && ie.Uncertain {
				t.Errorf("%v: code %s uncertain %v, want %s %v", ie, ie.Code, ie.Uncertain, c.code, c.uncertain)
			}
		})
	}
	t.Run("not sent", func(t *testing.T) {
		t.Parallel()
		cl, err := libredte.New(libredte.Config{BaseURL: "http://127.0.0.1:1/api", Hash: "h", Emisor: "76086428-5"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = cl.Issue(context.Background(), stubPending)
		if ie := code(t, err); ie.Uncertain || !ie.Retryable() {
			t.Errorf("a request that never left is neither uncertain nor final: %v", ie)
		}
	})
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 3}, libredte.Config{})
	doc := boleta(t, 5990)

	// 1. The temporary document is still there: safe to issue again.
	p, err := b.c.Prepare(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.c.Resolve(ctx, p, doc, nil)
	if err != nil || res.Outcome != invoicer.StillPending {
		t.Fatalf("before generar: %+v %v", res, err)
	}

	// 2. generar's reply is lost after the folio was taken: found by buscar,
	// and no second folio is consumed.
	b.sim.Faults().Set(faults.Spec{ResetAfterGenerar: 1})
	_, err = b.c.Issue(ctx, p)
	if !invoicer.IsUncertain(err) {
		t.Fatalf("reset after generar: %v", err)
	}
	b.sim.Faults().Set(faults.None)
	res, err = b.c.Resolve(ctx, p, doc, nil)
	if err != nil || res.Outcome != invoicer.WasIssued || res.Issued.Folio != 1 || res.Issued.Total != 5990 ||
		res.Issued.Emisor != "76086428-5" || res.Issued.Type != dte.Boleta || res.Issued.TrackID == "" {
		t.Fatalf("after a lost reply: %+v %v", res, err)
	}
	if n := len(b.sim.State().Emitted); n != 1 {
		t.Fatalf("%d folios consumed, want 1", n)
	}
	if _, err := b.c.PDF(ctx, res.Issued); err != nil {
		t.Fatalf("the resolved document's PDF: %v", err)
	}

	// 3. Two identical boletas of the same day: ambiguous unless the others
	// are claimed by their orders.
	mustIssue(t, b.c, doc) // folio 2, another order's
	p3, err := b.c.Prepare(ctx, doc)
	if err != nil {
		t.Fatal(err)
	}
	b.sim.Faults().Set(faults.Spec{ResetAfterGenerar: 1})
	if _, err := b.c.Issue(ctx, p3); !invoicer.IsUncertain(err) {
		t.Fatalf("reset: %v", err)
	}
	b.sim.Faults().Set(faults.None)
	res, err = b.c.Resolve(ctx, p3, doc, map[int64]bool{1: true})
	if err != nil || res.Outcome != invoicer.Unknown || len(res.Candidates) != 2 || !strings.Contains(res.Detail, "folios 3, 2") {
		t.Fatalf("ambiguous: %+v %v", res, err)
	}
	// The same words in the reader's language (issue 15).
	if en := res.DetailMsg.In(i18n.EN); !strings.Contains(en, "folios 3, 2") || !strings.Contains(en, "check in LibreDTE") || res.DetailMsg.Plain(i18n.ES) != res.Detail {
		t.Fatalf("ambiguous, in English: %q (Spanish %q)", en, res.Detail)
	}
	res, err = b.c.Resolve(ctx, p3, doc, map[int64]bool{1: true, 2: true})
	if err != nil || res.Outcome != invoicer.WasIssued || res.Issued.Folio != 3 {
		t.Fatalf("with the others claimed: %+v %v", res, err)
	}

	// 4. Gone and not emitted (deleted by hand, or all claimed): unknown.
	res, err = b.c.Resolve(ctx, p3, doc, map[int64]bool{1: true, 2: true, 3: true})
	if err != nil || res.Outcome != invoicer.Unknown || res.Detail == "" || len(res.Candidates) != 0 {
		t.Fatalf("nothing left: %+v %v", res, err)
	}

	// Resolving needs the service: an outage is an error, not an outcome.
	b.sim.Faults().Set(faults.Spec{ServerError: 1})
	if _, err := b.c.Resolve(ctx, p3, doc, nil); code(t, err).Code != invoicer.CodeServer {
		t.Fatalf("resolve during an outage: %v", err)
	}
	b.sim.Faults().Set(faults.None)

	if _, err := b.c.Resolve(ctx, invoicer.Pending(`{"nonsense":1}`), doc, nil); code(t, err).Code != invoicer.CodeBadDoc {
		t.Errorf("an unreadable key: %v", err)
	}
}

func TestResetAfterGenerarResolvesWithoutASecondFolio(t *testing.T) {
	t.Parallel()
	// The engine's loop: uncertain Issue → Resolve → adopt. Half of the
	// generar calls lose their reply.
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 4, Faults: faults.Spec{ResetAfterGenerar: 0.5}}, libredte.Config{})
	const orders = 40
	var folios []int64
	for i := 0; i < orders; i++ {
		doc := boleta(t, int64(1000+i)) // distinct totals, as distinct orders mostly are
		p, err := b.c.Prepare(ctx, doc)
		if err != nil {
			t.Fatal(err)
		}
		var iss invoicer.Issued
		for attempt := 0; ; attempt++ {
			iss, err = b.c.Issue(ctx, p)
			if err == nil {
				break
			}
			if !invoicer.IsUncertain(err) || attempt > 5 {
				t.Fatalf("order %d: %v", i, err)
			}
			res, err := b.c.Resolve(ctx, p, doc, nil)
			if err != nil {
				t.Fatalf("order %d: resolve: %v", i, err)
			}
			if res.Outcome == invoicer.WasIssued {
				iss = res.Issued
				break
			}
			if res.Outcome != invoicer.StillPending {
				t.Fatalf("order %d: %+v", i, res)
			}
		}
		folios = append(folios, iss.Folio)
	}
	st := b.sim.State()
	if len(st.Emitted) != orders {
		t.Fatalf("%d folios consumed for %d orders", len(st.Emitted), orders)
	}
	for i, f := range folios {
		if f != int64(i+1) {
			t.Fatalf("order %d got folio %d", i, f)
		}
	}
}

func TestSIIRejection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 5, Faults: faults.Spec{SIIReject: 1}}, libredte.Config{})
	iss := mustIssue(t, b.c, boleta(t, 1990))
	st, err := b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIPending || st.State.Final() {
		t.Fatalf("in review: %+v %v", st, err)
	}
	b.sim.Advance(time.Minute)
	st, err = b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIRejected || st.Code != "RCH" || !strings.Contains(st.Reason, "-3-") || !st.State.Final() {
		t.Fatalf("rejected: %+v %v", st, err)
	}
	if _, ok := dte.Lookup("SII-" + st.Code); !ok {
		t.Errorf("SII-%s not in the catalog", st.Code)
	}
}

func TestHookRedactsTheHash(t *testing.T) {
	t.Parallel()
	const hash = "00112233445566778899aabbccddeeff"
	basic := base64.StdEncoding.EncodeToString([]byte(hash + ":X"))
	// A server that echoes what it got, secrets included, like a debug
	// page would.
	cl, rec := stub(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `"hash %s no válido; Authorization: %s; %s"`, hash, r.Header.Get("Authorization"), strings.Repeat("x", 10<<10))
	})
	err := cl.Check(context.Background())
	for _, ex := range rec.all() {
		b, _ := json.Marshal(ex)
		if bytes.Contains(b, []byte(hash)) || bytes.Contains(b, []byte(basic)) || bytes.Contains(b, []byte(hash[:16])) {
			t.Errorf("a secret reached the hook: %s", b)
		}
		if ex.Op != "check" || ex.Method != "GET" || ex.Status != 401 || ex.Duration <= 0 || !strings.Contains(ex.URL, "/dte/dte_tmps/info/") {
			t.Errorf("exchange %+v", ex)
		}
		if len(ex.RespBody) > 5<<10 {
			t.Errorf("the log body is not cut: %d bytes", len(ex.RespBody))
		}
	}
	if len(rec.all()) != 1 {
		t.Errorf("%d exchanges, want 1", len(rec.all()))
	}
	if strings.Contains(err.Error(), hash) || strings.Contains(err.Error(), basic) {
		t.Errorf("a secret reached the error: %v", err)
	}

	// Against the simulator: every call of a whole issue, PDF included.
	b := setup(t, ldsim.Options{Seed: 6}, libredte.Config{})
	iss := mustIssue(t, b.c, boleta(t, 4990))
	if _, err := b.c.PDF(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	b.client(t, libredte.Config{Hash: strings.ToUpper(b.sim.Hash())}).Check(context.Background())
	exs := b.rec.all()
	ops := map[string]bool{}
	for _, ex := range exs {
		ops[ex.Op] = true
		j, _ := json.Marshal(ex)
		if bytes.Contains(j, []byte(b.sim.Hash())) {
			t.Errorf("the hash reached the hook: %s", j)
		}
		if ex.Op == "dte_emitidos/pdf" && !strings.HasSuffix(ex.RespBody, "bytes application/pdf]") {
			t.Errorf("the PDF is not summarised: %.40q", ex.RespBody)
		}
	}
	for _, op := range []string{"emitir", "dte_tmps/info", "generar", "dte_emitidos/pdf", "check"} {
		if !ops[op] {
			t.Errorf("no %s exchange among %v", op, ops)
		}
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	for _, cfg := range []libredte.Config{
		{Hash: "h", Emisor: "12345678-9"},
		{Hash: "", Emisor: "76086428-5"},
		{BaseURL: "libredte.cl/api", Hash: "h", Emisor: "76086428-5"},
	} {
		if _, err := libredte.New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
	c, err := libredte.New(libredte.Config{Hash: "h", Emisor: "76.086.428-5"})
	if err != nil || c.Emisor().String() != "76086428-5" {
		t.Errorf("defaults: %v", err)
	}
}

// BenchmarkLibreDTESim measures issues per second (emitir, tmp info,
// generar) through the adapter against the in-process simulator over
// loopback HTTP, no faults.
func BenchmarkLibreDTESim(b *testing.B) {
	bu := setup(b, ldsim.Options{Seed: 7}, libredte.Config{})
	var requests atomic.Int64
	c, err := libredte.New(libredte.Config{BaseURL: bu.root, Hash: bu.sim.Hash(), Emisor: bu.sim.Emisor().RUTEmisor,
		Hook: func(context.Context, libredte.Exchange) { requests.Add(1) }})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	doc := boleta(b, 12990, 3990)
	for b.Loop() {
		p, err := c.Prepare(ctx, doc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Issue(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
	b.ReportMetric(float64(requests.Load())/b.Elapsed().Seconds(), "requests/s")
}
