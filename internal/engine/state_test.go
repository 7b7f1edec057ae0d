package engine_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"modernc.org/sqlite"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

type move struct{ from, to store.State }

// legalMoves reads the engine's one transition table (state.go), with the
// reason of each edge.
func legalMoves() map[move]string {
	out := map[move]string{}
	for _, t := range engine.Transitions() {
		out[move{t.From, t.To}] = t.Reason
	}
	return out
}

// TestStateMachineEveryPair checks CanMove over every pair of states
// against the table: exactly its edges are allowed, each has a reason,
// none is listed twice, and it names only the states of an order's life.
// A step of the pipeline moves as working does.
func TestStateMachineEveryPair(t *testing.T) {
	states := store.LifeStates()
	if len(states) != 6 {
		t.Fatalf("store has %d life states; the design has 6: add the new ones to the table in state.go", len(states))
	}
	known := map[store.State]bool{}
	for _, s := range states {
		known[s] = true
	}
	table := engine.Transitions()
	legal := legalMoves()
	if len(legal) != len(table) {
		t.Errorf("the table lists %d edges, %d of them distinct", len(table), len(legal))
	}
	for _, tr := range table {
		if !known[tr.From] || !known[tr.To] {
			t.Errorf("the table names a state the store does not have: %s → %s", tr.From, tr.To)
		}
		if strings.TrimSpace(tr.Reason) == "" {
			t.Errorf("%s → %s has no reason", tr.From, tr.To)
		}
	}
	allowed, refused := 0, 0
	for _, from := range states {
		for _, to := range states {
			_, want := legal[move{from, to}]
			got := engine.CanMove(from, to)
			if got {
				allowed++
			} else {
				refused++
			}
			if got != want {
				t.Errorf("%s → %s: CanMove=%v, the table says %v", from, to, got, want)
			}
		}
	}
	// Every stored state is one of the life states, or a step of working.
	for _, s := range store.States() {
		if !known[s.Life()] || (s.Life() != s) != slices.Contains(store.Steps(), s) {
			t.Errorf("stored state %s: life %s", s, s.Life())
		}
		for _, to := range store.States() {
			if engine.CanMove(s, to) != engine.CanMove(s.Life(), to.Life()) {
				t.Errorf("%s → %s: CanMove differs from its life's", s, to)
			}
		}
	}
	// Moves to or from a state that does not exist are refused.
	for _, s := range states {
		if engine.CanMove(s, "nowhere") || engine.CanMove("nowhere", s) || engine.CanMove("", s) {
			t.Errorf("a move to or from an unknown state from %s is allowed", s)
		}
	}
	t.Logf("%d pairs: %d allowed, %d refused", allowed+refused, allowed, refused)
}

// TestTableHasNoResumeEdges: the table says where an order is in its
// life (waiting, queued, working, retrying, Errors, done); the step inside
// the pipeline is the emission's to say, so no edge resumes at a step.
func TestTableHasNoResumeEdges(t *testing.T) {
	for _, tr := range engine.Transitions() {
		if strings.Contains(strings.ToLower(tr.Reason), "resum") {
			t.Errorf("%s → %s resumes at a step: %q", tr.From, tr.To, tr.Reason)
		}
		for _, s := range []store.State{tr.From, tr.To} {
			switch s {
			case store.StateBuilding, store.StateIssuing, store.StateIssued, store.StateAttaching:
				t.Errorf("%s → %s names a step of the pipeline (%s): the emission says it", tr.From, tr.To, s)
			}
		}
	}
}

// TestBusyStates: the states with engine work ahead are the ones an
// order passes through between queued and done or Errors.
func TestBusyStates(t *testing.T) {
	want := map[store.State]bool{store.StateQueued: true, store.StateBuilding: true, store.StateIssuing: true,
		store.StateIssued: true, store.StateAttaching: true, store.StateRetrying: true}
	for _, s := range store.States() {
		if s.Busy() != want[s] {
			t.Errorf("%s.Busy() = %v", s, s.Busy())
		}
	}
	if got := store.BusyStates(); len(got) != len(want) {
		t.Errorf("BusyStates() = %v", got)
	}
}

// TestStateMachineShape checks properties of the design that hold however
// the table is written: done is reached from every state, done is left
// only for Errors, and the path of an issued order is allowed. (That an
// order with an intent never waits is the store's guard on Wait:
// TestWaitOnlyBeforeTheIntent.)
func TestStateMachineShape(t *testing.T) {
	states := store.LifeStates()
	reach := func(from store.State, allow func(move) bool) map[store.State]bool {
		seen := map[store.State]bool{from: true}
		for q := []store.State{from}; len(q) > 0; q = q[1:] {
			for _, to := range states {
				if !seen[to] && allow(move{q[0], to}) {
					seen[to] = true
					q = append(q, to)
				}
			}
		}
		return seen
	}
	canMove := func(m move) bool { return engine.CanMove(m.from, m.to) }
	for _, s := range states {
		if !reach(s, canMove)[store.StateDone] {
			t.Errorf("done cannot be reached from %s", s)
		}
	}
	for _, to := range states {
		if engine.CanMove(store.StateDone, to) && to != store.StateAttention {
			t.Errorf("done → %s allowed: a finished order only goes to Errors", to)
		}
		if engine.CanMove(store.StateDone, store.StateWaiting) {
			t.Errorf("done → waiting allowed: an order with a folio cannot go back to waiting")
		}
	}
	// The happy path of the design is allowed step by step, as the store
	// names it.
	path := []store.State{store.StateWaiting, store.StateQueued, store.StateIssuing,
		store.StateIssued, store.StateAttaching, store.StateDone}
	for i := 1; i < len(path); i++ {
		if !engine.CanMove(path[i-1], path[i]) {
			t.Errorf("happy path step %s → %s refused", path[i-1], path[i])
		}
	}
}

// TestEngineMovesAreLegal runs the engine against faulty simulators with
// few attempts, so that orders land in Errors before and after their folio,
// then clears the faults and has a person retry or skip them; it watches
// every change of an order's state in the store (SQLite's pre-update
// hook): each must be a move of the design.
func TestEngineMovesAreLegal(t *testing.T) {
	t.Parallel()
	// Fake time: the faults' 429s (Retry-After: 1) and retries cost nothing.
	synctest.Test(t, engineMovesAreLegal)
}

func engineMovesAreLegal(t *testing.T) {
	var mu sync.Mutex
	seen := map[move]int{}
	stateCol := -1
	sp, err := faults.Parse("5xx=0.3,429=0.05,reset=0.02,reset-after-generar=0.05,sii-reject=0.05")
	if err != nil {
		t.Fatal(err)
	}
	r := setup(t, opts{sim: &sim.Options{Orders: 30, Seed: 11, RateLimit: -1, SIIDelay: 50 * time.Millisecond}, faults: sp, mvRate: -1,
		workers: 4, noStart: true, tune: func(c *engine.Config) { c.Retry.MaxAttempts = 2 }, watch: func(h sqlite.HookRegisterer) {
			h.RegisterPreUpdateHook(func(d sqlite.SQLitePreUpdateData) {
				if d.TableName != "orders" || d.Op != sqliteUpdate {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				if stateCol < 0 {
					return
				}
				old, nw := make([]any, d.Count()), make([]any, d.Count())
				if d.Old(old...) != nil || d.New(nw...) != nil {
					return
				}
				from, to := store.State(fmt.Sprint(old[stateCol])), store.State(fmt.Sprint(nw[stateCol]))
				if from != to { // a step of the pipeline is working: the table's
					seen[move{from.Life(), to.Life()}]++
				}
			})
		}})
	col, err := columnIndex(r.st, "orders", "state")
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	stateCol = col
	mu.Unlock()
	r.start()
	r.settle(90 * time.Second)
	// A person retries what landed in Errors; then it settles again.
	r.sims.SetFaults(faults.None)
	ctx := context.Background()
	rows, _ := r.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 100})
	for i, o := range rows {
		if i%5 == 4 {
			_, _ = engine.RequestSkip(ctx, r.st, o.ID, "prueba", "test")
		} else {
			_, _ = engine.RequestRetry(ctx, r.st, o.ID, "test")
		}
	}
	r.settle(90 * time.Second)
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 4 {
		t.Fatalf("the hook saw only %d kinds of move: %v", len(seen), seen)
	}
	legal := legalMoves()
	for m, n := range seen {
		if _, ok := legal[m]; !ok {
			t.Errorf("the engine moved an order %s → %s (%d times): not a move of the state machine", m.from, m.to, n)
		}
	}
	t.Logf("moves seen: %v", seen)
}

const sqliteUpdate = 23 // SQLITE_UPDATE

// columnIndex is the position of a column in a table, as SQLite's hooks
// number the values.
func columnIndex(st *store.Store, table, column string) (int, error) {
	// The store does not expose SQL; a plain read-only handle on the file
	// answers PRAGMA table_info.
	db, err := openReadOnly(st.Path())
	if err != nil {
		return 0, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT cid, name FROM pragma_table_info(?)`, table)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var cid int
		var name string
		if err := rows.Scan(&cid, &name); err != nil {
			return 0, err
		}
		if strings.EqualFold(name, column) {
			return cid, nil
		}
	}
	return 0, fmt.Errorf("%s has no column %s", table, column)
}
