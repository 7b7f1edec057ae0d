package engine

import (
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// lifeEdge finds the table's edge for a move seen in the store, whose
// column names the pipeline's step: the table is over where an order is in
// its life, and every step is "working".
func lifeEdge(from, to store.State) (Transition, bool) {
	for _, t := range Transitions() {
		if t.From == from.Life() && t.To == to.Life() {
			return t, true
		}
	}
	return Transition{}, false
}

// An order sent to Errors after its folio was issued, then retried by a
// person, goes back to queued and resumes at attaching: the emission says
// where it stands, and no "resume" edge takes it there.
func TestRequeuedIssuedOrderResumesAtAttach(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 6)
	id := r.paid(1)[0]
	r.mk.beforeCreate = func() error {
		return &multivende.Error{Code: multivende.CodeBadRequest, Op: "create billing document", Status: 400, Message: "no"}
	}
	o := r.run(id)
	if o.State != store.StateAttention || r.emission(id).Folio == 0 {
		t.Fatalf("after a refused attach: %s folio %d (%s)", o.State, r.emission(id).Folio, o.Reason)
	}
	if _, err := RequestRetry(r.ctx, r.st, id, "test"); err != nil {
		t.Fatal(err)
	}
	r.e.ApplyControls(r.ctx)
	if o, _ := r.st.GetOrder(r.ctx, id); o.State != store.StateQueued {
		t.Fatalf("after the retry control: %s", o.State)
	}
	seen := []store.State{store.StateQueued}
	r.mk.beforeCreate = nil
	// Where the order stands once its PDF is up: read back from
	// Multivende's list of its documents (the attachment is recorded
	// while the PDF goes up).
	uploaded := false
	r.mk.afterUpload = func() error { uploaded = true; return nil }
	r.mk.beforeList = func() error {
		if !uploaded {
			return nil
		}
		o, err := r.st.GetOrder(r.ctx, id)
		if err != nil {
			return err
		}
		seen = append(seen, o.State)
		return nil
	}
	o = r.run(id)
	seen = append(seen, o.State)
	want := []store.State{store.StateQueued, store.StateAttaching, store.StateDone}
	if len(seen) != len(want) || seen[1] != want[1] || seen[2] != want[2] {
		t.Fatalf("states seen %v, want %v", seen, want)
	}
	for i := 1; i < len(seen); i++ {
		e, ok := lifeEdge(seen[i-1], seen[i])
		if !ok {
			t.Errorf("%s → %s: no edge of the table", seen[i-1], seen[i])
		} else if strings.Contains(strings.ToLower(e.Reason), "resum") {
			t.Errorf("%s → %s went through a resume edge: %q", seen[i-1], seen[i], e.Reason)
		}
	}
}

// Only the store names a step of the pipeline, from the emission: an
// engine move to a step by name is refused before it is written, even
// where the life move (queued → working) is in the table.
func TestMoveToAStepByNameIsRefused(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 3)
	id := r.paid(1)[0]
	for _, s := range store.Steps() {
		err := r.st.Write(r.ctx, func(tx *store.Tx) error {
			return moveOrder(r.ctx, tx, id, store.Advance(store.StateQueued, s, store.Event{}))
		})
		if err == nil || !strings.Contains(err.Error(), "store.Work") {
			t.Errorf("queued → %s by name: %v", s, err)
		}
	}
	if o, _ := r.st.GetOrder(r.ctx, id); o.State != store.StateQueued {
		t.Fatalf("the order moved: %s", o.State)
	}
}
