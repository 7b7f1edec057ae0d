package libredte_test

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

type bundle struct {
	sim  *ldsim.Server
	c    *libredte.Client
	log  *bytes.Buffer
	now  *time.Time
	root string
}

func setup(t testing.TB, o ldsim.Options) *bundle {
	t.Helper()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	sim := ldsim.New(o)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	root, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := &bytes.Buffer{}
	c, err := libredte.New(libredte.Config{BaseURL: root, Hash: sim.Hash(), Emisor: sim.Emisor().RUTEmisor,
		Hook: func(_ context.Context, ex libredte.Exchange) {
			mu.Lock()
			b, _ := json.Marshal(ex)
			log.Write(b)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{sim: sim, c: c, log: log, now: &now, root: root}
}

func boleta(total int64) dte.Document {
	s := dte.Sale{Date: "2026-11-24", Items: []dte.Item{{SKU: "A", Name: "Taza", Qty: 1, UnitGross: total}}}
	d, _, _ := dte.Build(s, dte.Options{})
	return d
}

func TestIssueEndToEnd(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 1})
	ctx := context.Background()
	if err := b.c.Check(ctx); err != nil {
		t.Fatalf("check: %v", err)
	}
	p, err := b.c.Prepare(ctx, boleta(29970))
	if err != nil {
		t.Fatal(err)
	}
	if st := b.sim.State(); st.Tmps != 1 || len(st.Emitted) != 0 {
		t.Fatalf("after emitir: %+v", st)
	}
	iss, err := b.c.Issue(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if iss.Folio != 1 || iss.Type != dte.Boleta || iss.Total != 29970 || iss.Emisor != "76086428-5" || iss.TrackID == "" {
		t.Fatalf("issued = %+v", iss)
	}
	if st := b.sim.State(); st.Tmps != 0 || len(st.Emitted) != 1 || st.Emitted[0].Receptor != 66666666 {
		t.Fatalf("after generar: %+v", st)
	}
	pdf, err := b.c.PDF(ctx, iss)
	if err != nil || !validPDF(pdf) || len(pdf) > 1<<20 {
		t.Fatalf("pdf (%d bytes) invalid: %v", len(pdf), err)
	}
	if !bytes.Contains(pdf, []byte("BOLETA ELECTR")) || !bytes.Contains(pdf, []byte("$29.970")) {
		t.Fatal("the PDF does not show the document")
	}
	st, err := b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIPending {
		t.Fatalf("status right away: %+v %v", st, err)
	}
	*b.now = b.now.Add(time.Minute)
	st, err = b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIAccepted || st.Code != "EPR" {
		t.Fatalf("status later: %+v %v", st, err)
	}
	if strings.Contains(b.log.String(), b.sim.Hash()) {
		t.Fatal("the API hash reached the HTTP-log hook")
	}
}

// validPDF checks the header, the trailer and that every xref offset
// points at its object.
func validPDF(b []byte) bool {
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimSpace(b), []byte("%%EOF")) {
		return false
	}
	m := regexp.MustCompile(`startxref\n(\d+)`).FindSubmatch(b)
	if m == nil {
		return false
	}
	x, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(b[x:], []byte("xref")) {
		return false
	}
	entries := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(b[x:], -1)
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[1]))
		if !bytes.HasPrefix(b[off:], []byte(strconv.Itoa(i+1)+" 0 obj")) {
			return false
		}
	}
	return len(entries) > 0
}

func TestErrorsMapToCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 2})
	code := func(err error) string {
		ie, ok := invoicer.AsError(err)
		if !ok {
			t.Fatalf("not an invoicer error: %v", err)
		}
		if _, ok := dte.Lookup(ie.Code); !ok {
			t.Fatalf("code %s not in the catalog", ie.Code)
		}
		return ie.Code
	}
	bad, _ := libredte.New(libredte.Config{BaseURL: b.root, Hash: "wrong", Emisor: "76086428-5"})
	if c := code(bad.Check(ctx)); c != invoicer.CodeAuth {
		t.Errorf("bad hash: %s", c)
	}
	other, _ := libredte.New(libredte.Config{BaseURL: b.root, Hash: b.sim.Hash(), Emisor: "11111111-1"})
	if c := code(other.Check(ctx)); c != invoicer.CodeForbidden {
		t.Errorf("other emisor: %s", c)
	}
	fac := boleta(1000)
	fac.Encabezado.IdDoc.TipoDTE = dte.Factura
	if _, err := b.c.Prepare(ctx, fac); code(err) != invoicer.CodeBadDoc || !strings.Contains(err.Error(), "RznSocRecep") && !strings.Contains(err.Error(), "Falta") {
		t.Errorf("factura without receptor data: %v", err)
	}
	p, _ := b.c.Prepare(ctx, boleta(1000))
	b.sim.SetNoSignature(true)
	if _, err := b.c.Issue(ctx, p); code(err) != invoicer.CodeNoSignature {
		t.Errorf("no signature: %v", err)
	}
	b.sim.SetNoSignature(false)
	b.sim.Faults().Set(faults.Spec{Folios: 1})
	if _, err := b.c.Issue(ctx, p); err != nil {
		t.Fatal(err)
	}
	p2, _ := b.c.Prepare(ctx, boleta(1000))
	if _, err := b.c.Issue(ctx, p2); code(err) != invoicer.CodeNoFolios {
		t.Errorf("folios exhausted: %v", err)
	}
	if _, err := b.c.PDF(ctx, invoicer.Issued{Type: 39, Folio: 999}); code(err) != invoicer.CodeNotFound {
		t.Errorf("missing pdf: %v", err)
	}
	b.sim.Faults().Set(faults.Spec{ServerError: 1})
	_, err := b.c.Prepare(ctx, boleta(1000))
	if ie, _ := invoicer.AsError(err); code(err) != invoicer.CodeServer || !ie.Retryable() {
		t.Errorf("5xx: %v", err)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 3})
	doc := boleta(5990)

	// Still pending: the temporary document exists.
	p, _ := b.c.Prepare(ctx, doc)
	res, err := b.c.Resolve(ctx, p, doc, nil)
	if err != nil || res.Outcome != invoicer.StillPending {
		t.Fatalf("before generar: %+v %v", res, err)
	}

	// The reply to generar is lost: the folio was consumed anyway.
	b.sim.Faults().Set(faults.Spec{ResetAfterGenerar: 1})
	_, err = b.c.Issue(ctx, p)
	if ie, ok := invoicer.AsError(err); !ok || !ie.Uncertain {
		t.Fatalf("reset generar: %v", err)
	}
	b.sim.Faults().Set(faults.None)
	res, err = b.c.Resolve(ctx, p, doc, nil)
	if err != nil || res.Outcome != invoicer.WasIssued || res.Issued.Folio != 1 {
		t.Fatalf("after a lost reply: %+v %v", res, err)
	}
	if n := len(b.sim.State().Emitted); n != 1 {
		t.Fatalf("%d folios consumed, want 1", n)
	}

	// Two identical boletas: ambiguous unless the other folio is claimed.
	p2, _ := b.c.Prepare(ctx, doc)
	if _, err := b.c.Issue(ctx, p2); err != nil {
		t.Fatal(err)
	}
	p3, _ := b.c.Prepare(ctx, doc)
	b.sim.Faults().Set(faults.Spec{ResetAfterGenerar: 1})
	b.c.Issue(ctx, p3)
	b.sim.Faults().Set(faults.None)
	res, _ = b.c.Resolve(ctx, p3, doc, map[int64]bool{1: true})
	if res.Outcome != invoicer.Unknown || !strings.Contains(res.Detail, "folios") {
		t.Fatalf("ambiguous: %+v", res)
	}
	res, _ = b.c.Resolve(ctx, p3, doc, map[int64]bool{1: true, 2: true})
	if res.Outcome != invoicer.WasIssued || res.Issued.Folio != 3 {
		t.Fatalf("with claims: %+v", res)
	}
}

func TestSIIRejection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, ldsim.Options{Seed: 4, Faults: faults.Spec{SIIReject: 1}})
	p, _ := b.c.Prepare(ctx, boleta(1990))
	iss, err := b.c.Issue(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	*b.now = b.now.Add(time.Minute)
	st, err := b.c.Status(ctx, iss)
	if err != nil || st.State != invoicer.SIIRejected || st.Code != "RCH" || st.Reason == "" {
		t.Fatalf("status: %+v %v", st, err)
	}
}

func BenchmarkLibreDTESim(b *testing.B) {
	bu := setup(b, ldsim.Options{Seed: 5})
	ctx := context.Background()
	doc := boleta(12990)
	for b.Loop() {
		p, err := bu.c.Prepare(ctx, doc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bu.c.Issue(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "issues/s")
}
