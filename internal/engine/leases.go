package engine

import (
	"cmp"
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/folio-cl/folio/internal/store"
)

// Several engines on one store. Each engine registers itself (engines) and
// leases connections (connection_leases): it works only the orders of the
// connections it leases, with every write about them fenced by the
// connection's lease generation (store.WithConnFence). On a shared store
// (PostgreSQL) each takes its fair share, ceil(connections ÷ live engines),
// gives back its surplus when engines join (at a safe point: no order of
// that connection in a worker) and takes over the connections of engines
// that stopped renewing; on SQLite the one engine, holding the store-wide
// lease, leases every connection.

// leaseBook is what the engine leases. held is nil outside Run: a test or
// command driving one step is not fenced by connection.
type leaseBook struct {
	acq  sync.Mutex // one acquisition at a time (the store call is outside mu)
	mu   sync.Mutex
	held map[int64]*connLease
	busy map[int64]int // orders of a connection handed to workers
	// draining are connections being given back: no new order of theirs
	// is handed out, and each is released once none is in a worker.
	draining map[int64]bool
	holder   store.Holder
	id       string
	shared   bool
	pauses   atomic.Pointer[string] // the pauses last seen (watchPauses)
}

// connLease is one connection the engine leases; ctx ends when the lease is
// lost or given back, cutting the work on that connection.
type connLease struct {
	f      store.ConnFence
	ctx    context.Context
	cancel context.CancelFunc
}

// startLeases registers the engine on the store and takes its share of
// the connections.
func (e *Engine) startLeases(ctx context.Context, h store.Holder, shared bool) error {
	lb := &e.leases
	lb.mu.Lock()
	lb.holder, lb.id, lb.shared = h, h.ID(), shared
	lb.held, lb.busy, lb.draining = map[int64]*connLease{}, map[int64]int{}, map[int64]bool{}
	lb.mu.Unlock()
	if err := e.st.RegisterEngine(ctx, h, e.cfg.LeaseTTL); err != nil {
		return err
	}
	e.balance(ctx)
	return nil
}

// stopLeases lets every connection go at once (for the other engines to
// take) and removes the engine's registration.
func (e *Engine) stopLeases(ctx context.Context) error {
	lb := &e.leases
	lb.mu.Lock()
	for id, l := range lb.held {
		l.cancel()
		delete(lb.held, id)
	}
	h := lb.holder
	lb.mu.Unlock()
	return e.st.DeregisterEngine(ctx, h)
}

// renewLeases renews the engine's registration and its connections'
// leases; a connection another engine took over is dropped.
func (e *Engine) renewLeases(ctx context.Context) error {
	lb := &e.leases
	if err := e.st.RegisterEngine(ctx, lb.holder, e.cfg.LeaseTTL); err != nil {
		return err
	}
	lb.mu.Lock()
	fs := make([]store.ConnFence, 0, len(lb.held))
	for _, l := range lb.held {
		fs = append(fs, l.f)
	}
	lb.mu.Unlock()
	lost, err := e.st.RenewConnections(ctx, fs, e.cfg.LeaseTTL)
	if err != nil {
		return err
	}
	for _, f := range fs {
		if slices.Contains(lost, f.ConnectionID) {
			e.dropConnection(f)
		}
	}
	return nil
}

// dropConnection forgets a connection whose lease f another engine took
// over, and cuts the work on it: none of it could commit.
func (e *Engine) dropConnection(f store.ConnFence) {
	lb := &e.leases
	lb.mu.Lock()
	l := lb.held[f.ConnectionID]
	if l == nil || l.f.Generation != f.Generation {
		lb.mu.Unlock()
		return
	}
	delete(lb.held, f.ConnectionID)
	delete(lb.draining, f.ConnectionID)
	lb.mu.Unlock()
	l.cancel()
	e.log.Warn("connection taken over by another engine; its work here stops", "connection_id", f.ConnectionID, "generation", f.Generation)
}

// acquireConnection leases id unless the engine holds it already.
func (e *Engine) acquireConnection(ctx context.Context, id int64, over string) bool {
	lb := &e.leases
	lb.acq.Lock()
	defer lb.acq.Unlock()
	lb.mu.Lock()
	_, has := lb.held[id]
	started := lb.held != nil
	lb.mu.Unlock()
	if has || !started {
		return has
	}
	f, err := e.st.AcquireConnection(ctx, lb.id, id, e.cfg.LeaseTTL, over)
	if err != nil {
		if _, taken := err.(*store.ConnLeaseError); !taken && ctx.Err() == nil {
			e.log.Warn("leasing a connection", "connection_id", id, "err", err)
		}
		return false
	}
	// A client kept from an earlier lease holds tokens another engine may
	// have refreshed (and its refresh token spent) since: build it again
	// from the store's.
	e.dropMarket(id)
	lctx, cancel := context.WithCancel(context.Background())
	lb.mu.Lock()
	lb.held[id] = &connLease{f: f, ctx: lctx, cancel: cancel}
	lb.mu.Unlock()
	e.log.Info("connection leased", "connection_id", id, "generation", f.Generation)
	// Orders it left mid-pipeline under another engine resume here.
	e.resume.Store(true)
	e.Kick()
	return true
}

// ensureConnection leases id at first need on a store the engine has to
// itself (SQLite): a connection added while it runs.
func (e *Engine) ensureConnection(ctx context.Context, id int64) {
	if !e.leases.shared && !e.holdsConnection(id) {
		e.acquireConnection(ctx, id, store.AnyHolder)
	}
}

// holdsConnection says whether the engine works connection id now (always
// true outside Run).
func (e *Engine) holdsConnection(id int64) bool {
	lb := &e.leases
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.held == nil {
		return true
	}
	_, ok := lb.held[id]
	return ok
}

// leased is the connections whose work the engine reads: nil (all) on a
// store it has to itself.
func (e *Engine) leased() []int64 {
	lb := &e.leases
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if !lb.shared || lb.held == nil {
		return nil
	}
	out := make([]int64, 0, len(lb.held))
	for id := range lb.held {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// claim counts an order of connection id handed to a worker, if the engine
// still holds it: a connection is given back only when none is.
func (e *Engine) claim(id int64) bool {
	lb := &e.leases
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.held == nil {
		return true
	}
	if _, ok := lb.held[id]; !ok || lb.draining[id] {
		return false
	}
	lb.busy[id]++
	return true
}

func (e *Engine) unclaim(id int64) {
	lb := &e.leases
	lb.mu.Lock()
	defer lb.mu.Unlock()
	if lb.busy == nil {
		return
	}
	if lb.busy[id]--; lb.busy[id] <= 0 {
		delete(lb.busy, id)
	}
}

// onConnection is ctx for work about connection id's orders: fenced by its
// lease and ended when the lease is lost or given back. ok is false when
// the engine does not hold the connection: the work is another engine's.
func (e *Engine) onConnection(ctx context.Context, id int64) (context.Context, context.CancelFunc, bool) {
	e.ensureConnection(ctx, id)
	lb := &e.leases
	lb.mu.Lock()
	if lb.held == nil {
		lb.mu.Unlock()
		return ctx, func() {}, true
	}
	l := lb.held[id]
	lb.mu.Unlock()
	if l == nil {
		return ctx, func() {}, false
	}
	if !lb.shared {
		// The store-wide lease fences every write already: only its holder
		// leases connections, so one more read per write would add nothing.
		return ctx, func() {}, true
	}
	cctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(l.ctx, cancel)
	f := l.f
	cctx = store.WithConnFence(cctx, f, func() { e.dropConnection(f) })
	return cctx, func() { stop(); cancel() }, true
}

// balance takes the engine's fair share of the Multivende connections and
// gives back its surplus; an engine killed on this host is not waited for.
func (e *Engine) balance(ctx context.Context) {
	conns, err := e.st.Connections(ctx)
	if err != nil {
		return
	}
	var ids []int64
	for _, c := range conns {
		if c.Kind == store.KindMultivende {
			ids = append(ids, c.ID)
		}
	}
	e.releaseGone(ids)
	lb := &e.leases
	if !lb.shared {
		for _, id := range ids {
			e.acquireConnection(ctx, id, store.AnyHolder)
		}
		return
	}
	engines, err := e.st.Engines(ctx)
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	live := 1 // this one, whatever its row says
	for _, en := range engines {
		switch {
		case !en.Live || en.ID == lb.id:
		case en.Holder.Host == host && en.Holder.PID != os.Getpid() && !processAlive(en.Holder.PID):
			e.log.Warn("taking over the connections of a dead engine", "engine", en.ID)
			if err := e.st.BreakEngine(ctx, en.ID); err != nil {
				e.log.Warn("breaking a dead engine's leases", "engine", en.ID, "err", err)
			}
		default:
			live++
		}
	}
	target := store.FairShare(len(ids), live)
	n := len(e.leased())
	e.giveBack(ctx, n-target)
	if n >= target {
		return
	}
	leases, err := e.st.ConnectionLeases(ctx)
	if err != nil {
		return
	}
	taken := map[int64]bool{}
	for _, l := range leases {
		taken[l.ConnectionID] = l.Live && l.Engine != lb.id
	}
	for _, id := range ids {
		if n >= target || ctx.Err() != nil {
			return
		}
		if taken[id] || e.holdsConnection(id) {
			continue
		}
		if e.acquireConnection(ctx, id, "") {
			n++
		}
	}
}

// giveBack gives k connections back for the engines that joined (none
// when k <= 0, and those draining go on working): those already draining
// first, then the idle ones, then the highest-numbered. Each is released
// at a safe point, once no order of it is in a worker; until then it
// drains (no new order of it is handed out).
func (e *Engine) giveBack(ctx context.Context, k int) {
	lb := &e.leases
	lb.mu.Lock()
	ids := make([]int64, 0, len(lb.held))
	for id := range lb.held {
		ids = append(ids, id)
	}
	rank := func(id int64) int {
		switch {
		case lb.draining[id]:
			return 0
		case lb.busy[id] == 0:
			return 1
		}
		return 2
	}
	slices.SortFunc(ids, func(a, b int64) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return cmp.Compare(b, a)
	})
	var out []*connLease
	for i, id := range ids {
		switch {
		case i >= k:
			delete(lb.draining, id) // the share grew back: it stays
		case lb.busy[id] > 0:
			lb.draining[id] = true // released in a later round
		default:
			out = append(out, lb.held[id])
			delete(lb.held, id)
			delete(lb.draining, id)
		}
	}
	lb.mu.Unlock()
	for _, l := range out {
		l.cancel()
		if err := e.st.ReleaseConnection(ctx, l.f); err != nil {
			e.log.Warn("giving back a connection", "connection_id", l.f.ConnectionID, "err", err)
			continue
		}
		e.log.Info("connection given back for another engine", "connection_id", l.f.ConnectionID)
	}
}

// releaseGone forgets connections that no longer exist (deleted).
func (e *Engine) releaseGone(ids []int64) {
	lb := &e.leases
	lb.mu.Lock()
	defer lb.mu.Unlock()
	for id, l := range lb.held {
		if !slices.Contains(ids, id) && lb.busy[id] == 0 {
			l.cancel()
			delete(lb.held, id)
			delete(lb.draining, id)
		}
	}
}

// catalogTurn says whether this engine runs the periodic catalog sync: on
// a shared store, the one holding the first Multivende connection (by
// name), so that one engine syncs at a time.
func (e *Engine) catalogTurn(ctx context.Context) bool {
	if !e.leases.shared {
		return true
	}
	conns, err := e.st.Connections(ctx)
	if err != nil {
		return false
	}
	for _, c := range conns {
		if c.Kind == store.KindMultivende {
			return e.holdsConnection(c.ID)
		}
	}
	return false
}

// watchPauses, on a shared store, moves pauseGen when a pause or resume
// another engine applied shows in the store, so that orders read before
// it are not handed out after it (handOver asks the store again only when
// pauseGen moved).
func (e *Engine) watchPauses(ctx context.Context) {
	if !e.leases.shared {
		return
	}
	sig, _ := e.st.Setting(ctx, settingPaused)
	conns, err := e.st.Connections(ctx)
	if err != nil {
		return
	}
	for _, c := range conns {
		if c.Paused {
			sig += "," + strconv.FormatInt(c.ID, 10)
		}
	}
	if old := e.leases.pauses.Swap(&sig); old != nil && *old != sig {
		e.pauseGen.Add(1)
	}
}

// ID is the engine's identity on the store (store.Holder.ID, as in
// store.Engines and store.ConnectionLeases) once Run started it; "" before.
func (e *Engine) ID() string {
	e.leases.mu.Lock()
	defer e.leases.mu.Unlock()
	return e.leases.id
}

// otherEngineLive says whether another engine is registered live on a
// shared store (always false on SQLite, whose one engine is this one).
func (e *Engine) otherEngineLive(ctx context.Context) bool {
	if !e.leases.shared {
		return false
	}
	es, err := e.st.Engines(ctx)
	if err != nil {
		return true // unknown: leave what another may have written
	}
	for _, en := range es {
		if en.Live && en.ID != e.leases.id {
			return true
		}
	}
	return false
}
