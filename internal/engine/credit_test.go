package engine_test

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// doneOrders settles a run and returns the orders issued and attached.
func doneOrders(t *testing.T, b *bundle) []store.Order {
	t.Helper()
	return b.settledIn(store.StateDone, "no order issued", func(o store.Order) bool { return o.Outcome == store.OutcomeIssued && o.Folio > 0 })
}

// waitReason waits until the order is in Errors for code.
func waitReason(t *testing.T, b *bundle, id, code string) store.Order {
	t.Helper()
	var o store.Order
	if eventually(30*time.Second, func() bool {
		b.eng.Kick()
		o, _ = b.st.GetOrder(context.Background(), id)
		return o.State == store.StateAttention && o.ReasonCode == code
	}) {
		return o
	}
	evs, _ := b.st.Events(context.Background(), id)
	t.Fatalf("order %s never reached Errors for %s: %s/%s %q; timeline %+v", id, code, o.State, o.ReasonCode, o.Reason, evs)
	return o
}

// creditNotes are the 61s the LibreDTE simulator issued that reference
// folio of type typ.
func creditNotes(b *bundle, typ int, folio int64) []dte.Document {
	var out []dte.Document
	for _, e := range b.sims.LD.State().Emitted {
		if e.DTE != int(dte.NotaCredito) {
			continue
		}
		doc, ok := b.sims.LD.Document(dte.NotaCredito, e.Folio)
		if !ok {
			continue
		}
		for _, r := range doc.Referencia {
			if int(r.TpoDocRef) == typ && r.FolioRef == strconv.FormatInt(folio, 10) {
				doc.Encabezado.IdDoc.Folio = e.Folio
				out = append(out, doc)
			}
		}
	}
	return out
}

// An order invoiced, then cancelled in Multivende, waits in Errors for a
// credit note; confirmed, it gets exactly one 61 referencing its document
// (CodRef 1, the same total), attached once to the order; a second
// request is refused, and later updates of the cancelled order change
// nothing. generar's reply is lost: the issue is uncertain, resolved to
// the 61 already issued, never a second one.
func TestCreditNoteAfterCancellation(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 6, seed: 11})
		ctx := context.Background()
		done := doneOrders(t, b)
		o := done[0]
		if err := b.sims.MV.Cancel(o.ID, false); err != nil {
			t.Fatal(err)
		}
		got := waitReason(t, b, o.ID, engine.ReasonNeedsCredit)
		if got.Folio != o.Folio {
			t.Errorf("the order in Errors names folio %d, want the original %d", got.Folio, o.Folio)
		}
		if !strings.Contains(got.Reason, "Ley 21.398") {
			t.Errorf("the reason does not name the window for returned goods: %q", got.Reason)
		}
		if n := len(creditNotes(b, o.DocType, o.Folio)); n != 0 {
			t.Fatalf("%d credit notes issued before a person confirmed (automatic issuing is off)", n)
		}
		// Lost replies of generar: the 61's issue is uncertain and resolved.
		lost, _ := faults.Parse("reset-after-generar=1")
		b.sims.SetFaults(lost)
		id, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{}, "test")
		if err != nil {
			t.Fatal(err)
		}
		if c := waitControl(t, b, id); c.Status != store.CtlApplied {
			t.Fatalf("credit control: %+v", c)
		}
		// The cancelled checkout changes again while its 61 is queued: the
		// order must not fall back to waiting.
		b.sims.MV.Touch(o.ID)
		// A second request while the first is under way is refused.
		if _, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{}, "test"); err == nil {
			t.Error("a second credit note request was accepted")
		}
		b.settle(60 * time.Second)
		b.sims.SetFaults(faults.Spec{})
		final, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		if final.State != store.StateDone || final.Outcome != store.OutcomeIssued {
			t.Fatalf("order after its credit note is %s/%s (%q); timeline %+v", final.State, final.Outcome, final.Reason, evs)
		}
		ncs := creditNotes(b, o.DocType, o.Folio)
		if len(ncs) != 1 {
			t.Fatalf("%d credit notes reference %d folio %d, want exactly 1", len(ncs), o.DocType, o.Folio)
		}
		nc := ncs[0]
		if r := nc.Referencia[0]; r.CodRef != dte.CodRefAnula || r.FchRef == "" {
			t.Errorf("Referencia = %+v, want CodRef 1 with the original's date", r)
		}
		var origTotal int64
		for _, e := range b.sims.LD.State().Emitted {
			if e.DTE == o.DocType && e.Folio == o.Folio {
				origTotal = e.Total
			}
		}
		if nc.Encabezado.Totales.MntTotal != origTotal {
			t.Errorf("the 61's total %d, the original's %d", nc.Encabezado.Totales.MntTotal, origTotal)
		}
		docs, _ := b.st.Documents(ctx, o.ID)
		var kinds []string
		for _, d := range docs {
			kinds = append(kinds, d.Kind+"/"+strconv.Itoa(d.DTEType)+"/"+strconv.FormatInt(d.Folio, 10))
		}
		if len(docs) != 2 || docs[0].Kind != "dte" || docs[0].Folio != o.Folio || docs[1].Kind != "credit_note" || docs[1].Folio != nc.Encabezado.IdDoc.Folio {
			t.Errorf("documents = %v, want the original and its credit note %d", kinds, nc.Encabezado.IdDoc.Folio)
		}
		em, _ := b.st.GetEmission(ctx, o.ID)
		if !strings.HasPrefix(em.ExtRef, "folio:"+o.ID+"#nc") {
			t.Errorf("the 61's ext ref %q is not its own", em.ExtRef)
		}
		// In Multivende: the original and the 61, each once.
		var attached []string
		for _, c := range b.sims.MV.State().Checkouts {
			if c.ID == o.ID {
				for _, d := range c.Documents {
					attached = append(attached, d.Type+"/"+d.DocID)
				}
			}
		}
		ncAttached := 0
		for _, a := range attached {
			if strings.HasSuffix(a, "/"+strconv.FormatInt(nc.Encabezado.IdDoc.Folio, 10)) && strings.Contains(a, "credit") {
				ncAttached++
			}
		}
		uncertain := false
		for _, ev := range evs {
			uncertain = uncertain || ev.Kind == "uncertain"
		}
		if !uncertain {
			t.Errorf("the 61's issue was never uncertain: the lost reply was not exercised; timeline %+v", evs)
		}
		if len(attached) != 2 || ncAttached != 1 {
			t.Errorf("attached in Multivende: %v, want the original and the 61 once", attached)
		}
		// A later update of the cancelled order changes nothing.
		b.sims.MV.Touch(o.ID)
		b.settle(30 * time.Second)
		if again, _ := b.st.GetOrder(ctx, o.ID); again.State != store.StateDone {
			t.Errorf("after a later update the order is %s (%s)", again.State, again.ReasonCode)
		}
		if _, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{}, "test"); err == nil {
			t.Error("a credit note for an order that has one was accepted")
		}
		if n := len(creditNotes(b, o.DocType, o.Folio)); n != 1 {
			t.Errorf("%d credit notes at the end, want 1", n)
		}
	})
}

// With automatic credit notes on, an order refunded after it was invoiced
// gets its 61 without a person: exactly one, attached once.
func TestCreditNoteAutomaticOnRefund(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 4, seed: 5, noStart: true})
		cfg, self := b.engineConfig(4)
		cfg.CreditAuto = true
		eng, err := engine.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		*self, b.eng = eng, eng
		b.start()
		ctx := context.Background()
		o := doneOrders(t, b)[0]
		if err := b.sims.MV.Cancel(o.ID, true); err != nil {
			t.Fatal(err)
		}
		eventually(30*time.Second, func() bool { return len(creditNotes(b, o.DocType, o.Folio)) > 0 })
		b.settle(30 * time.Second)
		got, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		if n := len(creditNotes(b, o.DocType, o.Folio)); n != 1 || got.State != store.StateDone {
			t.Fatalf("refunded order with automatic credit notes: %d 61s, order %s (%q); timeline %+v", n, got.State, got.Reason, evs)
		}
		auto := false
		for _, ev := range evs {
			auto = auto || ev.MsgID == "event.credit_requested" && len(ev.MsgArgs) > 0 && ev.MsgArgs[0] == "auto"
		}
		if !auto {
			t.Errorf("the timeline does not say the credit note was automatic: %+v", evs)
		}
	})
}

// Through OpenFactura: the 61 has its own Idempotency-Key (from its own
// ext ref), so it is a new document, not an OF-06 repeat of the original.
func TestCreditNoteOpenFactura(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 4, seed: 5, of: true})
		ctx := context.Background()
		o := doneOrders(t, b)[0]
		if err := b.sims.MV.Cancel(o.ID, false); err != nil {
			t.Fatal(err)
		}
		waitReason(t, b, o.ID, engine.ReasonNeedsCredit)
		if _, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{Lines: "1:1", Reason: "Devolución parcial"}, "test"); err != nil {
			t.Fatal(err)
		}
		b.settle(60 * time.Second)
		got, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		var origKey string
		var ncs []string
		for _, e := range b.sims.OF.State().Emitted {
			if e.DTE == o.DocType && e.Folio == o.Folio {
				origKey = e.Key
			}
			if e.DTE == int(dte.NotaCredito) {
				ncs = append(ncs, e.Key)
			}
		}
		if got.State != store.StateDone || len(ncs) != 1 || ncs[0] == origKey {
			t.Fatalf("order %s (%q); 61s issued with keys %v (original's key %q); timeline %+v", got.State, got.Reason, ncs, origKey, evs)
		}
		docs, _ := b.st.Documents(ctx, o.ID)
		if len(docs) != 2 || docs[1].Kind != "credit_note" {
			t.Errorf("documents %+v", docs)
		}
	})
}

// A credit note the SII rejects has no legal effect either: the order goes
// to Errors for the rejection, and a reissue issues a new 61 (new folio,
// its own ext ref) while the rejected one stays recorded as rejected.
func TestCreditNoteRejectedBySIIIsReissued(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 4, seed: 5})
		ctx := context.Background()
		o := doneOrders(t, b)[0]
		if err := b.sims.MV.Cancel(o.ID, false); err != nil {
			t.Fatal(err)
		}
		waitReason(t, b, o.ID, engine.ReasonNeedsCredit)
		rej, _ := faults.Parse("sii-reject=1")
		b.sims.SetFaults(rej)
		if _, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{}, "test"); err != nil {
			t.Fatal(err)
		}
		got := waitReason(t, b, o.ID, "SII-RCH")
		em, _ := b.st.GetEmission(ctx, o.ID)
		if !engine.IsCredit(em) || em.Folio == 0 {
			t.Fatalf("the rejected order's emission is %+v, want the 61's", em)
		}
		rejected := em.Folio
		b.sims.SetFaults(faults.Spec{})
		if _, err := engine.RequestReissue(ctx, b.st, o.ID, "test"); err != nil {
			t.Fatalf("reissue of a rejected credit note (order %s, %s): %v", got.ID, got.Reason, err)
		}
		b.settle(60 * time.Second)
		final, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		ncs := creditNotes(b, o.DocType, o.Folio)
		if final.State != store.StateDone || len(ncs) != 2 {
			t.Fatalf("after reissuing the 61: order %s (%q), %d 61s referencing the original; timeline %+v", final.State, final.Reason, len(ncs), evs)
		}
		docs, _ := b.st.Documents(ctx, o.ID)
		var live, dead int
		for _, d := range docs {
			if d.Kind != "credit_note" {
				continue
			}
			if d.SIIStatus == store.DocRejected {
				dead++
				if d.Folio != rejected {
					t.Errorf("rejected credit note %d, want %d", d.Folio, rejected)
				}
			} else {
				live++
			}
		}
		if live != 1 || dead != 1 {
			t.Errorf("credit notes recorded: %+v", docs)
		}
		em, _ = b.st.GetEmission(ctx, o.ID)
		if em.Folio == rejected || em.ExtRef != "folio:"+o.ID+"#nc2" {
			t.Errorf("the replacement 61: folio %d (rejected %d), ext ref %q", em.Folio, rejected, em.ExtRef)
		}
	})
}

// An engine that dies right after the 61's folio was issued, before it is
// recorded: the next engine resolves the recorded intent to that 61 and
// attaches it; the ledger holds exactly one.
func TestCreditNoteCrashAfterIssue(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 4, seed: 5, noStart: true})
		var armed, died atomic.Bool
		cfg, self := b.engineConfig(4)
		cfg.Failpoint = func(p string) {
			if p == engine.FailAfterIssue && armed.Load() && died.CompareAndSwap(false, true) {
				runtime.Goexit() // the worker dies as the process would: nothing after the call is committed
			}
		}
		eng, err := engine.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		*self, b.eng = eng, eng
		b.start()
		ctx := context.Background()
		o := doneOrders(t, b)[0]
		if err := b.sims.MV.Cancel(o.ID, false); err != nil {
			t.Fatal(err)
		}
		waitReason(t, b, o.ID, engine.ReasonNeedsCredit)
		armed.Store(true)
		if _, err := engine.RequestCredit(ctx, b.st, o.ID, engine.CreditArgs{}, "test"); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, 30*time.Second, "the 61's issue to reach its failpoint", died.Load)
		if err := b.stop(); err != nil {
			t.Fatalf("stopping the first engine: %v", err)
		}
		if em, _ := b.st.GetEmission(ctx, o.ID); !engine.IsCredit(em) || em.Folio != 0 || em.Pending == "" {
			t.Fatalf("after the crash the 61's emission is %+v, want its intent without a folio", em)
		}
		if n := len(creditNotes(b, o.DocType, o.Folio)); n != 1 {
			t.Fatalf("%d 61s issued before the restart, want 1", n)
		}
		b.eng = b.newEngine(4)
		b.start()
		b.settle(60 * time.Second)
		final, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		if n := len(creditNotes(b, o.DocType, o.Folio)); n != 1 || final.State != store.StateDone {
			t.Fatalf("after the restart: %d 61s, order %s (%q); timeline %+v", n, final.State, final.Reason, evs)
		}
	})
}
