package store

import (
	"context"
	"testing"
)

// Schema 12: an order's reason and a control's outcome keep a catalog
// message beside their Spanish words; a timeline event keeps one whose
// arguments may nest.
func TestReasonOutcomeAndEventMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	const reason = `{"id":"reason.skipped","args":[{"q":"duplicado"}]}`
	const nested = `{"id":"event.control_applied","args":[{"id":"ctl.pause"},"ana",{"id":"control.paused","args":[{"id":"control.everything"}]}]}`
	id := b.order(0, StateQueued).ID
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, id, Move{From: []State{StateQueued}, To: StateAttention, Reason: "omitido: duplicado", ReasonCode: "X",
			ReasonMsg: reason, Event: Event{Kind: "control", Message: "acción pausar aplicada (ana): en pausa: todo", MsgJSON: nested}})
	}); err != nil {
		t.Fatal(err)
	}
	o, err := b.st.GetOrder(ctx, id)
	if err != nil || o.ReasonMsg != reason || o.Reason != "omitido: duplicado" {
		t.Fatalf("GetOrder: %q %q %v", o.Reason, o.ReasonMsg, err)
	}
	rows, err := b.st.ListOrders(ctx, OrderQuery{States: []State{StateAttention}, Limit: 5})
	if err != nil || len(rows) != 1 || rows[0].ReasonMsg != reason {
		t.Fatalf("ListOrders: %+v %v", rows, err)
	}
	evs, err := b.st.Events(ctx, id)
	if err != nil || len(evs) != 1 || evs[0].MsgJSON != nested || evs[0].MsgID != "event.control_applied" {
		t.Fatalf("Events: %+v %v", evs, err)
	}
	// A reason that ages keeps a message that matches it; one rewritten
	// without a message has none.
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetReason(ctx, id, "X", "otro motivo") }); err != nil {
		t.Fatal(err)
	}
	if o, _ := b.st.GetOrder(ctx, id); o.ReasonMsg != "" || o.Reason != "otro motivo" {
		t.Fatalf("SetReason left the old message: %q %q", o.Reason, o.ReasonMsg)
	}
	// A move that names no message clears the old state's.
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, id, Move{From: []State{StateAttention}, To: StateQueued})
	}); err != nil {
		t.Fatal(err)
	}
	if o, _ := b.st.GetOrder(ctx, id); o.ReasonMsg != "" || o.Reason != "" {
		t.Fatalf("a move to queued kept %q %q", o.Reason, o.ReasonMsg)
	}
	cid, err := b.st.AddControl(ctx, Control{Kind: CtlPause, By: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	const out = `{"id":"control.paused","args":[{"id":"control.everything"}]}`
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.CompleteControlMsg(ctx, cid, CtlApplied, "en pausa: todo", out) }); err != nil {
		t.Fatal(err)
	}
	if c, err := b.st.Control(ctx, cid); err != nil || c.Outcome != "en pausa: todo" || c.OutcomeMsg != out {
		t.Fatalf("Control: %+v %v", c, err)
	}
}
