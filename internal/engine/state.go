// Package engine turns paid Multivende orders into issued, attached DTEs,
// exactly once: ingest polls each connection, the planner decides which
// orders are due, workers run the pipeline (build → record intent → issue →
// PDF → attach → read back), an issued order in four durable commits
// (intent, folio, attachment, upload). Controls written by people
// (console, CLI) are applied here.
//
// Several engines may share one PostgreSQL store (leases.go): each leases
// connections (merchants), a fair share of them, and works only those,
// every write about a connection's orders fenced by that connection's lease
// generation; a dead engine's connections are taken over by the others
// within the lease time. On SQLite one engine holds the store-wide lease
// and leases every connection.
package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/folio-cl/folio/internal/store"
)

// Transition is one edge of the order state machine and why it exists.
type Transition struct {
	From, To store.State
	Reason   string
}

// transitions is the order state machine, over where an order is in its
// life (store.LifeStates): waiting, queued, working, retrying, attention,
// done. Where a working order is inside the pipeline (building, issuing,
// issued, attaching) is not the table's: it is what the order's emission
// shows (intent, folio, Multivende document), and the store names it from
// the emission in the commit that writes it (store.Work). So a retried or
// requeued order goes back to queued or retrying and a worker resumes it
// wherever its emission says, through the one edge into working.
//
// It is the one table: CanMove reads it, every move the engine writes
// goes through moveOrder, which refuses anything else, and the tests read
// it too. The store guards each move's from-state.
var transitions = []Transition{
	// seen ──(paid)─▶ queued, re-checked on every update.
	{store.StateWaiting, store.StateQueued, "paid on a later update; retry or correction control"},
	{store.StateWaiting, store.StateDone, "skip control"},

	{store.StateQueued, store.StateWorking, "a worker's first commit on the order: the intent, or the step its emission shows next"},
	{store.StateQueued, store.StateDone, "skip control; the order already has a document in Multivende; its upload was recorded earlier"},
	{store.StateQueued, store.StateWaiting, "no longer paid: waiting (re-checked on every update)"},
	{store.StateQueued, store.StateQueued, "a correction to a not-yet-built order requeues it"},
	{store.StateQueued, store.StateRetrying, "failed (retryable)"},
	{store.StateQueued, store.StateAttention, "needs attention"},

	// Within working, each commit (intent, folio, attachment) is a
	// working → working move: the store names the step from the emission.
	{store.StateWorking, store.StateWorking, "a step of the pipeline committed: the intent, the folio, the attachment, an uncertain Issue"},
	{store.StateWorking, store.StateWaiting, "the checkout read back is not paid (only before an intent: the store guards it)"},
	{store.StateWorking, store.StateDone, "the PDF shows on the order; the order already has a document in Multivende"},
	{store.StateWorking, store.StateRetrying, "failed (retryable)"},
	{store.StateWorking, store.StateAttention, "needs attention; uncertain — verify before retrying; SII rejection; credit note after a cancellation"},

	{store.StateDone, store.StateAttention, "SII rejection or credit note after issuing"},

	// A retrying order is due again at its next attempt, like a queued one.
	{store.StateRetrying, store.StateQueued, "retry or correction control"},
	{store.StateRetrying, store.StateWorking, "a worker's first commit on the order once due again: the step its emission shows next"},
	{store.StateRetrying, store.StateWaiting, "no longer paid"},
	{store.StateRetrying, store.StateDone, "skip control; the order already has a document in Multivende; its upload was recorded earlier"},
	{store.StateRetrying, store.StateRetrying, "failed again before its first commit"},
	{store.StateRetrying, store.StateAttention, "attempts exhausted; needs attention"},

	{store.StateAttention, store.StateQueued, "a person retried or corrected it"},
	{store.StateAttention, store.StateDone, "skip control"},
	{store.StateAttention, store.StateAttention, "a new reason (SII rejection) for an order already in Errors"},
}

// Transitions returns the state machine's edges, each with its reason.
func Transitions() []Transition { return slices.Clone(transitions) }

// canMove indexes transitions.
var canMove = func() map[[2]store.State]bool {
	m := make(map[[2]store.State]bool, len(transitions))
	for _, t := range transitions {
		m[[2]store.State{t.From, t.To}] = true
	}
	return m
}()

// CanMove reports whether the engine may move an order from one state to
// another. A step of the pipeline (building, issuing, issued, attaching)
// counts as working: the table does not say which step follows which, the
// emission does.
func CanMove(from, to store.State) bool { return canMove[[2]store.State{from.Life(), to.Life()}] }

// moveOrder writes m after checking each of its from-states may go to
// m.To: a move outside the table, or one that names a step of the
// pipeline itself, is a bug, refused before it is written.
func moveOrder(ctx context.Context, tx *store.Tx, id string, m store.Move) error {
	if m.To != m.To.Life() {
		// Only the store names a step, from the emission (store.Work).
		return fmt.Errorf("engine: order %s: a move to the step %s; a step of the pipeline is the emission's to say (store.Work)", id, m.To)
	}
	for _, from := range m.From {
		if !CanMove(from, m.To) {
			return fmt.Errorf("engine: order %s: move %s → %s is not in the state machine", id, from, m.To)
		}
	}
	return tx.MoveOrder(ctx, id, m)
}
