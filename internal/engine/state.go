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

// transitions is the order state machine: DESIGN.md's pipeline plus the
// moves controls and resumption need (an order requeued by a person
// resumes at the step it stopped at). It is the one table: CanMove reads
// it, every move the engine writes goes through moveOrder, which refuses
// anything else, and the tests read it too. The store guards each move's
// from-state.
var transitions = []Transition{
	// seen ──(paid)─▶ queued, re-checked on every update.
	{store.StateWaiting, store.StateQueued, "paid on a later update; retry or correction control"},
	{store.StateWaiting, store.StateDone, "skip control"},

	{store.StateQueued, store.StateBuilding, "queued ─▶ building (a store from before the intent took the build in)"},
	{store.StateQueued, store.StateIssuing, "the intent is committed: document built and prepared, next the folio"},
	{store.StateQueued, store.StateAttaching, "folio already issued (requeued from Errors): resume at attaching"},
	{store.StateQueued, store.StateDone, "skip control; the order already has a document in Multivende; a resumed attach finished"},
	{store.StateQueued, store.StateWaiting, "no longer paid: waiting (re-checked on every update)"},
	{store.StateQueued, store.StateQueued, "a correction to a not-yet-built order requeues it"},
	{store.StateQueued, store.StateRetrying, "failed (retryable)"},
	{store.StateQueued, store.StateAttention, "needs attention"},

	{store.StateBuilding, store.StateIssuing, "building ─▶ issuing"},
	{store.StateBuilding, store.StateWaiting, "the checkout read back is not paid"},
	{store.StateBuilding, store.StateDone, "the order already has a document in Multivende"},
	{store.StateBuilding, store.StateRetrying, "failed (retryable)"},
	{store.StateBuilding, store.StateAttention, "needs attention"},

	{store.StateIssuing, store.StateIssued, "issuing ─▶ issued: the folio is recorded"},
	{store.StateIssuing, store.StateRetrying, "failed (retryable)"},
	{store.StateIssuing, store.StateAttention, "needs attention; uncertain — verify before retrying"},

	{store.StateIssued, store.StateAttaching, "issued ─▶ attaching: the document is created on the order"},
	{store.StateIssued, store.StateRetrying, "failed (retryable)"},
	{store.StateIssued, store.StateAttention, "needs attention; SII rejection; credit note after a cancellation"},

	{store.StateAttaching, store.StateDone, "attaching ─▶ done: the PDF shows on the order"},
	{store.StateAttaching, store.StateRetrying, "failed (retryable)"},
	{store.StateAttaching, store.StateAttention, "needs attention; SII rejection; credit note"},

	{store.StateDone, store.StateAttention, "SII rejection or credit note after issuing"},

	// retry: the order resumes at the step it failed in.
	{store.StateRetrying, store.StateQueued, "retry ─▶ queued (retry or correction control)"},
	{store.StateRetrying, store.StateBuilding, "retry resumes at building (a store from before the intent took the build in)"},
	{store.StateRetrying, store.StateIssuing, "retry resumes at issuing"},
	{store.StateRetrying, store.StateAttaching, "retry resumes at attaching"},
	{store.StateRetrying, store.StateWaiting, "no longer paid"},
	{store.StateRetrying, store.StateDone, "skip control; already has a document; a resumed attach finished"},
	{store.StateRetrying, store.StateRetrying, "failed again before any step moved it"},
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
// another.
func CanMove(from, to store.State) bool { return canMove[[2]store.State{from, to}] }

// moveOrder writes m after checking each of its from-states may go to
// m.To: a move outside the table is a bug, refused before it is written.
func moveOrder(ctx context.Context, tx *store.Tx, id string, m store.Move) error {
	for _, from := range m.From {
		if !CanMove(from, m.To) {
			return fmt.Errorf("engine: order %s: move %s → %s is not in the state machine", id, from, m.To)
		}
	}
	return tx.MoveOrder(ctx, id, m)
}
