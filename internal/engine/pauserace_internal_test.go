package engine

import (
	"testing"

	"github.com/folio-cl/folio/internal/multivende"

	"github.com/folio-cl/folio/internal/store"
)

// Every engine on a shared store reads the pending store-wide controls.
// One slower engine applying a pause it read before another engine applied
// it and the resume that followed must not pause the store again: the
// person's last word was resume.
func TestStalePauseAppliedLateDoesNotUndoAResume(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 2)
	if _, err := RequestPause(r.ctx, r.st, "", "test"); err != nil {
		t.Fatal(err)
	}
	slow, err := r.st.PendingControls(r.ctx, 100) // the other engine's read
	if err != nil || len(slow) != 1 {
		t.Fatalf("pending controls: %+v, %v", slow, err)
	}
	r.e.ApplyControls(r.ctx)
	if _, err := RequestResume(r.ctx, r.st, "", "test"); err != nil {
		t.Fatal(err)
	}
	r.e.ApplyControls(r.ctx)
	r.e.applyControl(r.ctx, slow[0]) // late, by the other engine
	if v, _ := r.st.Setting(r.ctx, settingPaused); v == "1" {
		t.Errorf("the store is paused after a pause, a resume and the pause's late second application")
	}
	c, err := r.st.Control(r.ctx, slow[0].ID)
	if err != nil || c.Status != store.CtlApplied {
		t.Errorf("the pause control: %+v, %v", c, err)
	}
}

// A retry of every order in Errors, asked once, requeues each order once:
// another engine applying it late (it read it before the first applied
// it) must not requeue an order that failed again meanwhile.
func TestStaleRetryFilterAppliedLateRequeuesNothing(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 2)
	id := r.paid(1)[0]
	refused := func() error {
		return &multivende.Error{Code: multivende.CodeBadRequest, Op: "create billing document", Status: 400, Message: "no"}
	}
	r.mk.beforeCreate = refused
	if o := r.run(id); o.State != store.StateAttention {
		t.Fatalf("after a refused attach: %s (%s)", o.State, o.Reason)
	}
	if _, err := RequestRetryFilter(r.ctx, r.st, "", "test"); err != nil {
		t.Fatal(err)
	}
	slow, err := r.st.PendingControls(r.ctx, 100) // the other engine's read
	if err != nil || len(slow) != 1 {
		t.Fatalf("pending controls: %+v, %v", slow, err)
	}
	r.e.ApplyControls(r.ctx)
	if o := r.run(id); o.State != store.StateAttention {
		t.Fatalf("retried and refused again: %s (%s)", o.State, o.Reason)
	}
	r.e.applyControl(r.ctx, slow[0]) // late, by the other engine
	if o, _ := r.st.GetOrder(r.ctx, id); o.State != store.StateAttention {
		t.Errorf("the order was requeued a second time by one request: %s", o.State)
	}
}
