// Package engine turns paid Multivende orders into issued, attached DTEs,
// exactly once: ingest polls each connection, the planner decides which
// orders are due, workers run the pipeline (build → record intent → issue →
// PDF → attach → read back), and every step is one durable commit in the
// store. Controls written by people (console, CLI) are applied here.
package engine

import (
	"context"
	"fmt"

	"github.com/folio-cl/folio/internal/store"
)

// transitions lists where each state may go: DESIGN.md's machine plus
// the moves controls and resumption need (an order requeued by a person
// resumes at the step it stopped at; a correction requeues a queued
// order). Every move the engine writes goes through moveOrder, which
// refuses anything else; the store guards the from-state of each move.
var transitions = map[store.State][]store.State{
	store.StateWaiting:   {store.StateQueued, store.StateDone},
	store.StateQueued:    {store.StateBuilding, store.StateIssuing, store.StateAttaching, store.StateWaiting, store.StateDone, store.StateQueued, store.StateRetrying, store.StateAttention},
	store.StateBuilding:  {store.StateIssuing, store.StateWaiting, store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateIssuing:   {store.StateIssued, store.StateRetrying, store.StateAttention},
	store.StateIssued:    {store.StateAttaching, store.StateRetrying, store.StateAttention},
	store.StateAttaching: {store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateDone:      {store.StateAttention},
	store.StateRetrying:  {store.StateQueued, store.StateBuilding, store.StateIssuing, store.StateAttaching, store.StateWaiting, store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateAttention: {store.StateQueued, store.StateDone, store.StateAttention},
}

// CanMove reports whether the engine may move an order from one state to
// another.
func CanMove(from, to store.State) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

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
