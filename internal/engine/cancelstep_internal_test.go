package engine

import (
	"context"
	"errors"
	"testing"

	"github.com/folio-cl/folio/internal/invoicer"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// An order whose folio was issued but not attached (the attach refused:
// in Errors, or retried by a person: queued) and then cancelled in
// Multivende needs a credit note: the emission says a folio exists,
// whatever the order's state is named. Deciding by the step's name let the
// queued one attach and finish as issued, the cancellation forgotten.
func TestCancelledAfterItsFolioNeedsACreditNoteWhateverTheState(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	ids := r.paid(2)
	r.mk.beforeCreate = func() error {
		return &multivende.Error{Code: multivende.CodeBadRequest, Op: "create billing document", Status: 400, Message: "no"}
	}
	for _, id := range ids {
		if o := r.run(id); o.State != store.StateAttention || r.emission(id).Folio == 0 {
			t.Fatalf("after a refused attach: %s folio %d (%s)", o.State, r.emission(id).Folio, o.Reason)
		}
	}
	r.mk.beforeCreate = nil
	if _, err := RequestRetry(r.ctx, r.st, ids[1], "test"); err != nil {
		t.Fatal(err)
	}
	r.e.ApplyControls(r.ctx)
	if o, _ := r.st.GetOrder(r.ctx, ids[1]); o.State != store.StateQueued {
		t.Fatalf("after the retry control: %s", o.State)
	}
	r.cancel(ids...)
	for _, id := range ids {
		o, _ := r.st.GetOrder(r.ctx, id)
		if o.State != store.StateAttention || o.ReasonCode != ReasonNeedsCredit {
			t.Errorf("order %s cancelled after its folio: %s/%s (%q), want Errors for a credit note", id, o.State, o.ReasonCode, o.Reason)
		}
	}
}

// failIssue fails the next Issue calls, before the invoicer sees them,
// with a plain (retryable) error.
type failIssue struct {
	invoicer.Invoicer
	left int
}

func (f *failIssue) Issue(ctx context.Context, p invoicer.Pending) (invoicer.Issued, error) {
	if f.left > 0 {
		f.left--
		return invoicer.Issued{}, errors.New("connection reset by peer")
	}
	return f.Invoicer.Issue(ctx, p)
}

// An order cancelled once its intent is committed (a folio may be in
// play) is left to the pipeline, which issues and attaches it; finished,
// the cancellation the store already knows must send it to Errors for a
// credit note, not leave it done as if still sold.
func TestCancelledWhileItsIntentIsPendingEndsNeedingACreditNote(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 4)
	id := r.paid(1)[0]
	r.e.cfg.Invoicer = &failIssue{Invoicer: r.e.cfg.Invoicer, left: 1}
	if o := r.run(id); o.State != store.StateRetrying || r.emission(id).Pending == "" || r.emission(id).Folio != 0 {
		t.Fatalf("after a failed Issue: %s pending %q folio %d (%s)", o.State, r.emission(id).Pending, r.emission(id).Folio, o.Reason)
	}
	r.cancel(id)
	o := r.run(id)
	if r.emission(id).Folio == 0 {
		t.Fatalf("the intent was not issued: %s (%s)", o.State, o.Reason)
	}
	if o.State != store.StateAttention || o.ReasonCode != ReasonNeedsCredit {
		t.Errorf("cancelled while its intent was pending, the order ended %s/%s/%s (%q), want Errors for a credit note",
			o.State, o.Outcome, o.ReasonCode, o.Reason)
	}
}

// With automatic credit notes, the order cancelled while its intent was
// pending gets its 61 right after its document: one folio each.
func TestCancelledWhileItsIntentIsPendingGetsItsCreditNoteAutomatically(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 4)
	r.e.cfg.CreditAuto = true
	id := r.paid(1)[0]
	r.e.cfg.Invoicer = &failIssue{Invoicer: r.e.cfg.Invoicer, left: 1}
	if o := r.run(id); o.State != store.StateRetrying {
		t.Fatalf("after a failed Issue: %s (%s)", o.State, o.Reason)
	}
	r.cancel(id)
	o := r.run(id)
	if o.State.Life() == store.StateDone || !IsCredit(r.emission(id)) {
		t.Fatalf("after its document: %s/%s (%q), emission type %d; want its 61 under way", o.State, o.ReasonCode, o.Reason, r.emission(id).DocType)
	}
	if o.State == store.StateQueued || o.State == store.StateRetrying {
		o = r.run(id)
	}
	em := r.emission(id)
	if o.State != store.StateDone || !IsCredit(em) || em.Folio == 0 {
		t.Errorf("the credit note: %s/%s (%q), emission %d/%d", o.State, o.Outcome, o.Reason, em.DocType, em.Folio)
	}
	var types []int
	for _, e := range r.sims.LD.State().Emitted {
		types = append(types, e.DTE)
	}
	if len(types) != 2 || types[1] != 61 {
		t.Errorf("documents issued: types %v, want the original and its 61", types)
	}
}
