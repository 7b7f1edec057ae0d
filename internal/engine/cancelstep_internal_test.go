package engine

import (
	"testing"

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
	for _, id := range ids {
		if err := r.sims.MV.Cancel(id, false); err != nil {
			t.Fatal(err)
		}
	}
	c, err := r.st.Connection(r.ctx, "tienda")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.e.Ingest(r.ctx, c); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		o, _ := r.st.GetOrder(r.ctx, id)
		if o.State != store.StateAttention || o.ReasonCode != ReasonNeedsCredit {
			t.Errorf("order %s cancelled after its folio: %s/%s (%q), want Errors for a credit note", id, o.State, o.ReasonCode, o.Reason)
		}
	}
}
