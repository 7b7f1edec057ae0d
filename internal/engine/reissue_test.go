package engine_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// rejectedOrders settles a run where the SII rejects every document and
// returns the orders in Errors for it.
func rejectedOrders(t *testing.T, b *bundle) []store.Order {
	t.Helper()
	return b.settledIn(store.StateAttention, "no SII rejection in Errors", func(o store.Order) bool { return strings.HasPrefix(o.ReasonCode, "SII-") && o.Folio > 0 })
}

// A retry never finishes an order with a document the SII rejected: the
// control is refused (also when written straight to the controls table, as
// an older folio would), and the order stays in Errors with no done.
func TestRetryRefusedOnAnSIIRejection(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sp, _ := faults.Parse("sii-reject=1")
		b := setup(t, opts{orders: 6, seed: 7, faults: sp})
		ctx := context.Background()
		o := rejectedOrders(t, b)[0]
		id, err := b.st.AddControl(ctx, store.Control{Kind: store.CtlRetry, Target: o.ID, By: "test"})
		if err != nil {
			t.Fatal(err)
		}
		c := waitControl(t, b, id)
		b.settle(30 * time.Second)
		got, _ := b.st.GetOrder(ctx, o.ID)
		if c.Status != store.CtlRejected || !strings.Contains(c.Outcome, "reemita") {
			t.Errorf("retry of a rejected order: %+v", c)
		}
		if got.State != store.StateAttention {
			evs, _ := b.st.Events(ctx, o.ID)
			t.Fatalf("a retry moved a rejected order to %s/%s with folio %d; timeline %+v", got.State, got.Outcome, got.Folio, evs)
		}
		// Changing the document (boleta, buyer data) is refused too: only a
		// reissue replaces it.
		if id, err = engine.RequestIssueAsBoleta(ctx, b.st, o.ID, "test"); err != nil {
			t.Fatal(err)
		}
		if c := waitControl(t, b, id); c.Status != store.CtlRejected || !strings.Contains(c.Outcome, "reemitir") {
			t.Errorf("boleta on a rejected order: %+v", c)
		}
		// The request itself is refused at once, pointing to reissue.
		_, err = engine.RequestRetry(ctx, b.st, o.ID, "test")
		var ref *engine.Refusal
		if !errors.As(err, &ref) || !strings.Contains(ref.In("en"), "reissue") {
			t.Fatalf("RequestRetry on a rejected order: %v", err)
		}
		b.checkLedgers()
	})
}

// A rejected order, reissued once the cause is fixed, ends done with a new
// folio; the rejected folio stays recorded as rejected and is never the
// order's document; both simulators' ledgers stay exactly-once.
func TestReissueAfterSIIRejection(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sp, _ := faults.Parse("sii-reject=1")
		b := setup(t, opts{orders: 6, seed: 7, faults: sp})
		ctx := context.Background()
		rej := rejectedOrders(t, b)
		o := rej[0]
		rejected := o.Folio
		b.sims.SetFaults(faults.Spec{}) // the cause is fixed: the SII accepts from now on
		if _, err := engine.RequestReissue(ctx, b.st, o.ID, "test"); err != nil {
			t.Fatal(err)
		}
		b.settle(30 * time.Second)
		got, _ := b.st.GetOrder(ctx, o.ID)
		evs, _ := b.st.Events(ctx, o.ID)
		if got.State != store.StateDone || got.Outcome != store.OutcomeIssued || got.Folio == 0 || got.Folio == rejected {
			t.Fatalf("reissued order is %s/%s with folio %d (rejected %d); timeline %+v", got.State, got.Outcome, got.Folio, rejected, evs)
		}
		docs, _ := b.st.Documents(ctx, o.ID)
		if len(docs) != 2 || docs[0].Folio != rejected || docs[0].SIIStatus != store.DocRejected || docs[1].Folio != got.Folio || docs[1].SIIStatus == store.DocRejected {
			t.Fatalf("documents after reissue: %+v", docs)
		}
		em, _ := b.st.GetEmission(ctx, o.ID)
		if em.Folio != got.Folio || em.ExtRef == "folio:"+o.ID {
			t.Fatalf("the replacement's intent: folio %d ext ref %q", em.Folio, em.ExtRef)
		}
		// In Multivende the replacement is attached; the rejected one, if it
		// was attached, stays, and the timeline says what to do there.
		attachedRejected, attachedNew := false, false
		for _, c := range b.sims.MV.State().Checkouts {
			if c.ID != o.ID {
				continue
			}
			for _, d := range c.Documents {
				attachedRejected = attachedRejected || d.DocID == strconv.FormatInt(rejected, 10)
				attachedNew = attachedNew || d.DocID == strconv.FormatInt(got.Folio, 10)
			}
		}
		if !attachedNew {
			t.Errorf("the replacement folio %d is not attached in Multivende", got.Folio)
		}
		var mvNote bool
		for _, ev := range evs {
			if attachedRejected {
				mvNote = mvNote || ev.MsgID == "event.reissue_mv_attached" && len(ev.MsgArgs) > 0 && ev.MsgArgs[0] == strconv.FormatInt(rejected, 10)
			} else {
				mvNote = mvNote || strings.HasPrefix(ev.MsgID, "event.reissue_mv_")
			}
		}
		if !mvNote {
			t.Errorf("the timeline does not say what became of the rejected document in Multivende (attached: %v): %+v", attachedRejected, evs)
		}
		// Once done, there is nothing to reissue.
		if _, err := engine.RequestReissue(ctx, b.st, o.ID, "test"); err == nil {
			t.Error("reissue of a done order accepted")
		}
		// The others, reissued while generar's replies get lost: each
		// replacement is resolved (its twin, the rejected document, has the
		// same receptor, total and date) without adopting the rejected folio,
		// and both ledgers stay exactly-once.
		lost, _ := faults.Parse("reset-after-generar=0.5")
		b.sims.SetFaults(lost)
		for _, other := range rej[1:] {
			if _, err := engine.RequestReissue(ctx, b.st, other.ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
		b.settle(30 * time.Second)
		for _, other := range rej[1:] {
			got, _ := b.st.GetOrder(ctx, other.ID)
			if got.State != store.StateDone || got.Folio == other.Folio {
				evs, _ := b.st.Events(ctx, other.ID)
				t.Errorf("reissued order %s is %s (%s) with folio %d (rejected %d): %+v", other.ID, got.State, got.Reason, got.Folio, other.Folio, evs)
			}
		}
		b.checkLedgers()
	})
}
