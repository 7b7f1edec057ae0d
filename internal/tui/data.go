package tui

import (
	"context"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
)

// paneKind names the four panes, in tab order.
type paneKind int

const (
	paneConnections paneKind = iota
	paneOrders
	paneQueue
	paneErrors
	paneCount
)

// window is where an order pane stands: its keyset cursor and filter.
type window struct {
	before int64 // keyset cursor of the first visible row (0: newest)
	filter string
	limit  int
}

// listData is one order pane's visible rows, tagged with the window they
// were read for: a pane shows rows, and lets an action pick one, only for
// the window it stands on (the person may have paged on while they were
// read).
type listData struct {
	win  window
	read bool // false: the pane was not read
	rows []store.Order
	more bool // there are rows after the last one shown
}

// paneRead is one order pane's part of a read.
type paneRead struct {
	kind   paneKind
	states []store.State
	win    window
}

// status is the status bar's figures.
type status struct {
	running  bool
	attached bool // an engine in another process
	engines  int  // how many engines work the store (attached)
	pid      int
	paused   bool
	ordersPM int
	docsPM   int
	lastPoll time.Time
	diskFull bool // the engine in this process cannot write: its disk is full
}

// snapshot is one read of everything the visible panes show.
type snapshot struct {
	counts  map[store.State]int
	conns   []store.Connection
	waiting map[int64]int // connection id → orders waiting for its reconnect
	lists   [paneCount]listData
	status  status
	catalog *engine.CatalogResult // the last periodic catalog sync, if any
	webhook *webhookView          // the webhook listener's health, if an engine reported one
	holding *holding              // the engines and who holds which connection
	change  uint64
	err     error
}

// source reads the store (and the engine, when it runs in this process).
type source struct {
	st    *store.Store
	eng   *engine.Engine
	now   func() time.Time
	actor *store.Actor // limits what is read to the actor's connections
}

// load reads the counts, the connections, the status and the visible rows
// of the panes asked for. It runs in a Cmd, off the UI goroutine.
func (s source) load(ctx context.Context, reads []paneRead) snapshot {
	var snap snapshot
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	snap.change, _ = s.st.ChangeCounter(ctx)
	if snap.conns, snap.err = s.st.Connections(ctx); snap.err != nil {
		return snap
	}
	var scope []int64 // nil: every connection
	snap.conns, scope = inScope(s.actor, snap.conns)
	if scope == nil {
		snap.counts, snap.err = s.st.CountByState(ctx)
	} else {
		snap.counts, snap.err = s.st.CountByStateIn(ctx, scope)
	}
	if snap.err != nil {
		return snap
	}
	for _, c := range snap.conns {
		if c.Status == store.ConnNeedsReconnect {
			if n, err := s.st.WaitingReconnect(ctx, c.ID); err == nil && n > 0 {
				if snap.waiting == nil {
					snap.waiting = map[int64]int{}
				}
				snap.waiting[c.ID] = n
			}
		}
	}
	if r, ok := engine.LastCatalogSync(ctx, s.st); ok {
		snap.catalog = &r
	}
	snap.webhook = s.webhook(ctx)
	for _, r := range reads {
		w := r.win
		limit := max(w.limit, 1)
		rows, err := s.st.ListOrders(ctx, store.OrderQuery{States: r.states, Text: w.filter, Before: w.before, Limit: limit + 1, ConnectionIDs: scope})
		if err != nil {
			snap.err = err
			return snap
		}
		ld := listData{win: w, read: true, rows: rows}
		if len(rows) > limit {
			ld.rows, ld.more = rows[:limit], true
		}
		snap.lists[r.kind] = ld
	}
	snap.holding = s.holding(ctx, snap.conns)
	snap.status = s.status(ctx, snap.holding)
	return snap
}

func (s source) status(ctx context.Context, hd *holding) status {
	if s.eng != nil {
		es := s.eng.Stats()
		if es.Running {
			return status{running: true, pid: es.PID, paused: es.Paused, ordersPM: es.OrdersPerMin, docsPM: es.EmissionsPerMin, lastPoll: es.LastPoll, diskFull: es.DiskFull}
		}
	}
	var st status
	st.paused, _ = engine.GlobalPaused(ctx, s.st)
	// Several engines may share a PostgreSQL store, none holding the
	// store-wide lease: the engines the store lists (engine.LiveEngines).
	if hd != nil && len(hd.engines) > 0 {
		st.running, st.attached, st.engines, st.pid = true, true, len(hd.engines), hd.engines[0].Holder.PID
		if a, err := s.st.RecentActivity(ctx, s.now().Add(-time.Minute)); err == nil {
			st.ordersPM, st.docsPM = a.Orders, a.Documents
		}
	}
	return st
}
