// Package engine turns paid Multivende orders into issued, attached DTEs,
// exactly once: ingest polls each connection, the planner decides which
// orders are due, workers run the pipeline (build → record intent → issue →
// PDF → attach → read back), and every step is one durable commit in the
// store. Controls written by people (console, CLI) are applied here.
package engine

import "github.com/folio-cl/folio/internal/store"

// transitions lists where each state may go. The store enforces each move
// with a guarded UPDATE; this table is the engine's rulebook, tested over
// every pair.
var transitions = map[store.State][]store.State{
	store.StateWaiting:   {store.StateQueued, store.StateDone, store.StateAttention},
	store.StateQueued:    {store.StateBuilding, store.StateIssuing, store.StateWaiting, store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateBuilding:  {store.StateIssuing, store.StateWaiting, store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateIssuing:   {store.StateIssued, store.StateRetrying, store.StateAttention},
	store.StateIssued:    {store.StateAttaching, store.StateRetrying, store.StateAttention},
	store.StateAttaching: {store.StateDone, store.StateRetrying, store.StateAttention},
	store.StateDone:      {store.StateAttention},
	store.StateRetrying:  {store.StateBuilding, store.StateIssuing, store.StateIssued, store.StateAttaching, store.StateWaiting, store.StateDone, store.StateAttention, store.StateQueued, store.StateRetrying},
	store.StateAttention: {store.StateQueued, store.StateDone, store.StateIssued, store.StateAttention},
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
