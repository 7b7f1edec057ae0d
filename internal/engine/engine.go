package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// Config wires an engine. Store, Invoicer and Markets are required.
type Config struct {
	Store    *store.Store
	Invoicer invoicer.Invoicer
	// InvoicerName is the invoicer connection's name (HTTP log).
	InvoicerName string
	// Markets returns the Marketplace client for a Multivende connection.
	Markets func(store.Connection) (Marketplace, error)
	// Emisor is written on every document.
	Emisor dte.Emisor
	// PollInterval between Multivende polls (default 1 min); Overlap is
	// re-read behind the high-water mark (default 2 min).
	PollInterval time.Duration
	Overlap      time.Duration
	// Lookback is how far back a connection's first poll reads (default 7 days).
	Lookback time.Duration
	Workers  int
	Retry    RetryPolicy
	// SIIInterval between SII status checks of an issued document (default 30 s).
	SIIInterval time.Duration
	// DrainTimeout bounds how long in-flight calls may run after a stop.
	DrainTimeout time.Duration
	// LeaseTTL is how long the lease lives without a heartbeat (default 20 s).
	LeaseTTL time.Duration
	Log      *slog.Logger
	Now      func() time.Time
	// Location is where FchEmis dates are taken (default America/Santiago).
	Location *time.Location
	// CatalogInterval runs CatalogSync periodically (0: off, the default).
	CatalogInterval time.Duration
	CatalogSync     func(context.Context) (CatalogResult, error)
	// Failpoint, when set, is called at the moments a crash hurts most
	// (see the Failpoint constants); crash tests make it end the process.
	Failpoint func(point string)
	// Attach holds the defaults (from the config) for attaching documents
	// in Multivende; a connection's own settings win over them.
	Attach store.ConnSettings
	// Webhook reports the webhook listener's health (nil: no listener).
	Webhook func() WebhookHealth
	// HealthyPollInterval is the poll interval while webhooks are healthy
	// (0: PollInterval always); polling never stops.
	HealthyPollInterval time.Duration
	// CreditAuto issues a nota de crédito as soon as an issued order shows
	// cancelled or refunded (off: it waits in Errors for a person).
	CreditAuto bool
}

// Failpoints: a call has succeeded at the service and its result is not
// yet committed to the store.
const (
	FailAfterPrepare = "after-prepare" // temporary document created
	FailAfterIssue   = "after-issue"   // folio consumed
	FailAfterAttach  = "after-attach"  // document created on the order
	FailAfterUpload  = "after-upload"  // PDF uploaded
)

func (e *Engine) failpoint(point string) {
	if e.cfg.Failpoint != nil {
		e.cfg.Failpoint(point)
	}
}

func (c *Config) defaults() error {
	if c.Store == nil || c.Invoicer == nil || c.Markets == nil {
		return errors.New("engine: Store, Invoicer and Markets are required")
	}
	if c.PollInterval <= 0 {
		c.PollInterval = time.Minute
	}
	if c.Overlap <= 0 {
		c.Overlap = 2 * time.Minute
	}
	if c.Lookback <= 0 {
		c.Lookback = 7 * 24 * time.Hour
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	c.Retry = c.Retry.withDefaults()
	if c.SIIInterval <= 0 {
		c.SIIInterval = 30 * time.Second
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 30 * time.Second
	}
	if c.LeaseTTL <= 0 {
		c.LeaseTTL = 20 * time.Second
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		loc, err := time.LoadLocation("America/Santiago")
		if err != nil {
			loc = time.UTC
		}
		c.Location = loc
	}
	return nil
}

// ChangeKind says what changed.
type ChangeKind int

// Kinds of change.
const (
	ChangeOrders ChangeKind = iota
	ChangeConnections
	ChangeControls
)

// Change is a small "something changed" note for consoles in the process.
type Change struct {
	Kind    ChangeKind
	OrderID string
}

// Stats are the engine's live figures for the status bar.
type Stats struct {
	Running         bool
	Paused          bool
	InFlight        int
	OrdersPerMin    int // orders ingested in the last minute
	EmissionsPerMin int // documents issued in the last minute
	LastPoll        time.Time
	PID             int
	// DiskFull: the store's disk is full; the engine waits for space,
	// holding its lease, and goes on by itself once writes succeed.
	DiskFull bool
}

// Engine runs the sync. Create with New, run with Run.
type Engine struct {
	cfg Config
	st  *store.Store
	log *slog.Logger

	kick chan struct{}

	subMu sync.Mutex
	subs  map[chan Change]struct{}

	statMu    sync.Mutex
	ingested  []time.Time
	emitted   []time.Time
	lastPoll  time.Time
	running   atomic.Bool
	paused    atomic.Bool
	pauseGen  atomic.Uint64 // moves on every pause or resume this engine applies
	inFlight  atomic.Int32
	busy      sync.Map // order id → struct{}: claimed by a worker
	marketsMu sync.Mutex
	markets   map[int64]Marketplace
	httpLog   chan store.Exchange
	// leaseAt is when the lease was last known held (monotonic, since t0).
	t0      time.Time
	leaseAt atomic.Int64
	// diskFull is set by a write refused for lack of space and cleared by
	// the next write that succeeds (the heartbeat probes it).
	diskFull  atomic.Bool
	diskMu    sync.Mutex
	diskLogAt time.Time
	diskMuted int  // failures not logged since diskLogAt
	diskSaid  bool // this episode's "disk full" was logged: say when it ends
	// resume asks the dispatcher to pick up orders left mid-pipeline
	// again (a step whose commit the full disk refused).
	resume atomic.Bool

	hints     *hints
	hintStats HintStats // under statMu
	fresh     sync.Map  // order id → struct{}: its detail was just stored by a hinted read

	leases leaseBook // the connections this engine works (leases.go)
}

// New checks cfg and returns an engine.
func New(cfg Config) (*Engine, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	return &Engine{cfg: cfg, st: cfg.Store, log: cfg.Log, kick: make(chan struct{}, 1),
		subs: map[chan Change]struct{}{}, markets: map[int64]Marketplace{}, httpLog: make(chan store.Exchange, 4096), t0: time.Now(), hints: newHints()}, nil
}

// Subscribe returns a channel of changes and a function to stop them. The
// channel holds one pending note: a slow reader sees "something changed"
// once, never a backlog.
func (e *Engine) Subscribe() (<-chan Change, func()) {
	ch := make(chan Change, 1)
	e.subMu.Lock()
	e.subs[ch] = struct{}{}
	e.subMu.Unlock()
	return ch, func() {
		e.subMu.Lock()
		defer e.subMu.Unlock()
		if _, ok := e.subs[ch]; ok {
			// Closed so a reader blocked on it returns (a console that
			// quit, an SSH session that dropped); notify holds the lock.
			delete(e.subs, ch)
			close(ch)
		}
	}
}

func (e *Engine) notify(c Change) {
	e.subMu.Lock()
	defer e.subMu.Unlock()
	for ch := range e.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// Kick wakes the engine to look for due work and controls now.
func (e *Engine) Kick() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Stats returns the live figures.
func (e *Engine) Stats() Stats {
	e.statMu.Lock()
	defer e.statMu.Unlock()
	cut := e.cfg.Now().Add(-time.Minute)
	e.ingested = trim(e.ingested, cut)
	e.emitted = trim(e.emitted, cut)
	return Stats{Running: e.running.Load(), Paused: e.paused.Load(), InFlight: int(e.inFlight.Load()),
		OrdersPerMin: len(e.ingested), EmissionsPerMin: len(e.emitted), LastPoll: e.lastPoll, PID: os.Getpid(), DiskFull: e.diskFull.Load()}
}

// storeFull reports whether err is the store's disk being full, and if so
// notes it: work stops until space returns, and the log says "disk full"
// once, then at most once a minute, instead of once per failed write.
func (e *Engine) storeFull(err error) bool {
	if !errors.Is(err, store.ErrDiskFull) {
		return false
	}
	e.diskFull.Store(true)
	e.diskMu.Lock()
	defer e.diskMu.Unlock()
	// Once a minute at most, even when the disk fills, frees and fills
	// again between heartbeats.
	if now := time.Now(); e.diskLogAt.IsZero() || now.Sub(e.diskLogAt) >= time.Minute {
		e.log.Error("disk full", "err", err, "failures_not_logged", e.diskMuted,
			"fix", "free space on the disk that holds the store; folio goes on by itself")
		e.diskLogAt, e.diskMuted, e.diskSaid = now, 0, true
	} else {
		e.diskMuted++
	}
	return true
}

// diskBack clears the disk-full condition after a write succeeded.
func (e *Engine) diskBack() {
	if e.diskFull.Swap(false) {
		e.diskMu.Lock()
		if e.diskSaid {
			e.log.Info("disk space is back")
			e.diskSaid = false
		}
		e.diskMu.Unlock()
		e.resume.Store(true)
		e.Kick()
	}
}

func trim(ts []time.Time, cut time.Time) []time.Time {
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	return ts[i:]
}

func (e *Engine) count(dst *[]time.Time, n int) {
	e.statMu.Lock()
	now := e.cfg.Now()
	for i := 0; i < n; i++ {
		*dst = append(*dst, now)
	}
	if len(*dst) > 100000 {
		*dst = trim(*dst, now.Add(-time.Minute))
	}
	e.statMu.Unlock()
}

// LeaseHolder returns the engine running on st, if any: a lease whose
// holder was killed on this host does not count. On a shared store
// (PostgreSQL) it is the newest live engine registered.
func LeaseHolder(ctx context.Context, st *store.Store) (store.Holder, bool, error) {
	host, _ := os.Hostname()
	dead := func(h store.Holder) bool { return h.Host == host && h.PID != os.Getpid() && !processAlive(h.PID) }
	if st.Shared() {
		es, err := st.Engines(ctx)
		if err != nil {
			return store.Holder{}, false, err
		}
		for _, e := range es {
			if e.Live && !dead(e.Holder) {
				return e.Holder, true, nil
			}
		}
		return store.Holder{}, false, nil
	}
	h, live, err := st.LeaseHolder(ctx)
	if err != nil || !live {
		return h, live, err
	}
	return h, !dead(h), nil
}

// LiveEngines lists the engines working st, the newest first. Several
// engines may share a PostgreSQL store, each registered in the engines
// table and none holding the store-wide lease: those are read first, on
// either driver. When none is live, a live store-wide lease (SQLite's one
// engine, or an engine of a folio before several engines) counts as one.
// Engines killed on this host (their process is gone) do not count.
func LiveEngines(ctx context.Context, st *store.Store) ([]store.EngineInfo, error) {
	host, _ := os.Hostname()
	dead := func(h store.Holder) bool { return h.Host == host && h.PID != os.Getpid() && !processAlive(h.PID) }
	es, err := st.Engines(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: reading the engines on the store: %w", err)
	}
	var out []store.EngineInfo
	for _, e := range es {
		if e.Live && !dead(e.Holder) {
			out = append(out, e)
		}
	}
	if len(out) > 0 {
		return out, nil
	}
	h, live, err := st.LeaseHolder(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: reading the store's lease: %w", err)
	}
	if live && !dead(h) {
		out = append(out, store.EngineInfo{ID: h.ID(), Holder: h, Live: true})
	}
	return out, nil
}

// Running says how many engines work st (see LiveEngines): what the
// console's "engine running" indicator and commands that refuse to run
// beside an engine read, on either driver.
func Running(ctx context.Context, st *store.Store) (int, error) {
	es, err := LiveEngines(ctx, st)
	return len(es), err
}

// acquire takes the lease. A holder that was killed on this host (its
// process is gone) is not waited for: a restart after a crash goes on at
// once instead of failing until the dead lease expires.
func (e *Engine) acquire(ctx context.Context, h store.Holder) (store.Fence, error) {
	f, err := e.st.AcquireLease(ctx, h, e.cfg.LeaseTTL)
	var le *store.LeaseError
	if !errors.As(err, &le) || le.Holder.Host != h.Host || le.Holder.PID == h.PID || processAlive(le.Holder.PID) {
		return f, err
	}
	e.log.Warn("taking over the lease of a dead engine", "pid", le.Holder.PID)
	if err := e.st.BreakLease(ctx, le.Holder); err != nil {
		return f, err
	}
	return e.st.AcquireLease(ctx, h, e.cfg.LeaseTTL)
}

// Run holds the store's lease and runs the engine until ctx ends, then
// stops taking work, lets in-flight calls finish within DrainTimeout,
// releases the lease and returns nil. A second engine on the same SQLite
// store gets a *store.LeaseError naming the holder; on a shared store
// (PostgreSQL) it starts and takes its share of the connections
// (leases.go).
//
// Every store write of the engine is fenced (store.WithFence): once another
// engine took the lease (this one was frozen past it), no write commits,
// and the first refused write stops this engine at once, cutting calls in
// flight; their outcome is left to the new holder's resolution path. Work
// about a connection's orders is fenced by that connection's lease too
// (store.WithConnFence): a connection taken over stops here, the rest go on.
func (e *Engine) Run(ctx context.Context) error {
	host, _ := os.Hostname()
	holder := store.Holder{PID: os.Getpid(), Host: host, StartedAt: startedAt(e.cfg.Now())}
	shared := e.st.Shared()
	fence := store.Fence{Holder: holder, Shared: true}
	if !shared {
		var err error
		if fence, err = e.acquire(ctx, holder); err != nil {
			return err
		}
	}
	e.leaseHeld()
	e.running.Store(true)
	defer e.running.Store(false)

	// In-flight calls get their own context: a stop does not cut them, the
	// drain deadline (or a lost lease) does.
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	loopCtx, cancelLoops := context.WithCancel(ctx)
	defer cancelLoops()
	lost := make(chan error, 1)
	// Once for both contexts: a worker and a loop may both find out.
	onLost := sync.OnceFunc(func() {
		e.log.Error("lease lost to another engine; stopping at once", "generation", fence.Generation)
		lost <- fmt.Errorf("engine: %w", store.ErrLeaseLost)
		cancelLoops()
		cancelWork()
	})
	workCtx = store.WithFence(workCtx, fence, onLost)
	loopCtx = store.WithFence(loopCtx, fence, onLost)
	if err := e.startLeases(loopCtx, holder, shared); err != nil {
		if !shared {
			_ = e.st.ReleaseLease(context.WithoutCancel(ctx), fence)
		}
		return fmt.Errorf("engine: registering on the store: %w", err)
	}

	// What people asked while no engine ran (a pause, above all) holds
	// before any work starts.
	e.ApplyControls(loopCtx)
	e.log.Info("engine started", "pid", holder.PID, "workers", e.cfg.Workers, "generation", fence.Generation)

	var loops sync.WaitGroup
	start := func(f func(context.Context)) {
		loops.Add(1)
		go func() { defer loops.Done(); f(loopCtx) }()
	}
	start(func(ctx context.Context) { e.heartbeat(ctx, fence) })
	start(e.pollLoop)
	start(e.controlLoop)
	start(e.siiLoop)
	start(e.catalogLoop)
	for range hintReaders {
		start(e.hintLoop)
	}
	start(e.webhookHealthLoop)
	var httpDone sync.WaitGroup
	httpDone.Add(1)
	stopLog := make(chan struct{})
	go func() { defer httpDone.Done(); e.httpLogLoop(workCtx, stopLog) }()

	jobs := make(chan store.Order)
	var workers sync.WaitGroup
	for i := 0; i < e.cfg.Workers; i++ {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for o := range jobs {
				if cctx, done, ok := e.onConnection(workCtx, o.ConnectionID); ok {
					e.process(cctx, o)
					done()
				}
				e.unclaim(o.ConnectionID)
				e.busy.Delete(o.ID)
				e.inFlight.Add(-1)
				e.Kick() // a worker is free: the dispatcher need not sleep out its wait
			}
		}()
	}
	e.dispatch(loopCtx, jobs)
	close(jobs)
	cancelLoops()
	loops.Wait()

	drained := make(chan struct{})
	go func() { workers.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(e.cfg.DrainTimeout):
		e.log.Warn("drain deadline passed; cutting in-flight calls", "in_flight", e.inFlight.Load())
		cancelWork()
		<-drained
	}
	close(stopLog)
	httpDone.Wait()
	select {
	case err := <-lost:
		return err // the lease is another engine's: nothing to release
	default:
	}
	relCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := e.stopLeases(relCtx); err != nil {
		e.log.Warn("releasing the connections", "err", err)
	}
	if !shared {
		if err := e.st.ReleaseLease(relCtx, fence); err != nil {
			e.log.Warn("releasing the lease", "err", err)
		}
	}
	e.log.Info("engine stopped")
	return nil
}

// lastStart is the last engine start in this process, in milliseconds.
var lastStart atomic.Int64

// startedAt is now, moved a millisecond on when another engine of this
// process started in the same one: the start is part of an engine's
// identity (store.Holder.ID), and engines sharing a store must differ.
func startedAt(now time.Time) time.Time {
	for {
		last, m := lastStart.Load(), now.UnixMilli()
		if m <= last {
			m = last + 1
		}
		if lastStart.CompareAndSwap(last, m) {
			return time.UnixMilli(m)
		}
	}
}

// heartbeat renews the lease, the engine's registration and its
// connections' leases every quarter of their life until ctx ends, then
// rebalances the connections; a renewal refused because another engine
// holds the store-wide lease stops the engine through the fence's onLost.
func (e *Engine) heartbeat(ctx context.Context, f store.Fence) {
	t := time.NewTicker(e.cfg.LeaseTTL / 4)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A renewal refused for lack of space is not a lost lease:
			// only the fence (a stale generation) says that. It is also
			// the probe that sees the space come back.
			var err error
			if !f.Shared {
				err = e.st.Heartbeat(ctx, f, e.cfg.LeaseTTL)
			}
			if err == nil {
				err = e.renewLeases(ctx)
			}
			if err == nil {
				e.leaseHeld()
				e.diskBack()
				e.balance(ctx)
			} else if ctx.Err() == nil && !errors.Is(err, store.ErrLeaseLost) && !e.storeFull(err) {
				e.log.Warn("renewing the lease", "err", err)
			}
		}
	}
}

func (e *Engine) leaseHeld() { e.leaseAt.Store(int64(time.Since(e.t0))) }

// holdLease is called just before a call that cannot be undone (the
// folio-consuming call, creating the Multivende document, the upload). The
// lease must be held now and not about to expire: a lease last renewed
// more than half its life ago (this process was frozen, or the store is
// slow) is renewed first, so that no other engine can take it over while
// the call is on its way.
//
// The order's connection lease (ctx's store.ConnFence) is checked, or
// renewed, the same way.
func (e *Engine) holdLease(ctx context.Context) error {
	f, ok := store.FenceFrom(ctx)
	if !ok {
		return nil // not under Run (a test driving one step)
	}
	if time.Since(e.t0)-time.Duration(e.leaseAt.Load()) < e.cfg.LeaseTTL/2 {
		return e.st.CheckFence(ctx)
	}
	if !f.Shared {
		if err := e.st.Heartbeat(ctx, f, e.cfg.LeaseTTL); err != nil {
			return fmt.Errorf("engine: renewing the lease before an irreversible call: %w", err)
		}
	}
	if cf, ok := store.ConnFenceFrom(ctx); ok {
		lost, err := e.st.RenewConnections(ctx, []store.ConnFence{cf}, e.cfg.LeaseTTL)
		if err == nil && len(lost) > 0 {
			e.dropConnection(cf)
			err = fmt.Errorf("%w (connection %d)", store.ErrConnectionLost, cf.ConnectionID)
		}
		if err != nil {
			return fmt.Errorf("engine: renewing the connection's lease before an irreversible call: %w", err)
		}
		if f.Shared {
			return nil // the other connections' leases were not renewed
		}
	}
	e.leaseHeld()
	return nil
}

// dispatch feeds due orders to the workers until ctx ends.
func (e *Engine) dispatch(ctx context.Context, jobs chan<- store.Order) {
	first := true
	for {
		gen := e.pauseGen.Load()
		globalPaused, _ := e.st.Setting(ctx, settingPaused)
		e.paused.Store(globalPaused == "1")
		var orders []store.Order
		var err error
		// While the disk is full nothing can be recorded: no work is
		// handed out until the heartbeat's write succeeds again.
		if globalPaused != "1" && !e.diskFull.Load() {
			if first || e.resume.Swap(false) {
				// After a crash (or a full disk), finish what was
				// mid-pipeline first.
				orders, err = e.st.InFlightOrdersOf(ctx, 1000, e.leased())
				first = false
			}
			if err == nil {
				var due []store.Order
				// Claimed by the lease, not FOR UPDATE SKIP LOCKED: an
				// engine reads only its connections' orders, and writes
				// are one at a time per store (pgWriterLock), fenced by
				// the connection's generation, so two engines never
				// work one order and no row lock would add anything.
				due, err = e.st.DueOrdersOf(ctx, e.cfg.Now(), 4*e.cfg.Workers+16, e.leased())
				orders = append(orders, due...)
			}
		}
		if err != nil && ctx.Err() == nil {
			e.log.Error("reading due orders", "err", err)
		}
		pausedConns := e.pausedConnections(ctx)
		handed := 0
		for _, o := range orders {
			if pausedConns[o.ConnectionID] {
				continue
			}
			e.ensureConnection(ctx, o.ConnectionID)
			if _, taken := e.busy.LoadOrStore(o.ID, struct{}{}); taken {
				continue
			}
			if !e.claim(o.ConnectionID) {
				e.busy.Delete(o.ID)
				continue // given back or taken over since it was read
			}
			e.inFlight.Add(1)
			if !e.handOver(ctx, jobs, o, gen) {
				e.unclaim(o.ConnectionID)
				e.busy.Delete(o.ID)
				e.inFlight.Add(-1)
			} else {
				handed++
			}
			if ctx.Err() != nil {
				return
			}
		}
		wait := time.Second
		if next, err := e.st.NextDue(ctx); err == nil && !next.IsZero() {
			// Overdue orders that were not handed over belong to paused
			// connections (one waiting for a reconnect): no reason to spin.
			if d := next.Sub(e.cfg.Now()); d < wait && (d > 0 || handed > 0) {
				wait = max(d, 10*time.Millisecond)
			}
		}
		if handed > 0 {
			wait = 20 * time.Millisecond // there may be more
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-e.kick:
		case <-t.C:
		}
		t.Stop()
	}
}

// handOver gives o to a free worker, unless a pause of everything or of
// o's connection arrives first: a batch read before the pause must not
// keep issuing while workers are busy.
// Every pause is applied by the engine itself (controls, or a connection
// needing a reconnect), so the store is asked again only when pauseGen
// moved since the batch was read: no reads on the per-order path.
func (e *Engine) handOver(ctx context.Context, jobs chan<- store.Order, o store.Order, gen uint64) bool {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		if e.pauseGen.Load() != gen && e.pauseApplies(ctx, o.ConnectionID) {
			return false
		}
		select {
		case jobs <- o:
			return true
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}

func (e *Engine) pauseApplies(ctx context.Context, connID int64) bool {
	if v, _ := e.st.Setting(ctx, settingPaused); v == "1" {
		e.paused.Store(true)
		return true
	}
	c, err := e.st.ConnectionByID(ctx, connID)
	return err == nil && c.Paused
}

func (e *Engine) pausedConnections(ctx context.Context) map[int64]bool {
	conns, err := e.st.Connections(ctx)
	if err != nil {
		return nil
	}
	out := map[int64]bool{}
	for _, c := range conns {
		if c.Paused {
			out[c.ID] = true
		}
	}
	return out
}

// LogExchange records an HTTP exchange for the HTTP log, tagged with the
// order ctx carries. It never blocks the caller: when the log falls
// behind, exchanges are dropped (the log is a diagnostic, not a ledger).
func (e *Engine) LogExchange(ctx context.Context, connection string, ex store.Exchange) {
	ex.Connection = connection
	if ex.OrderID == "" {
		ex.OrderID = OrderFrom(ctx)
	}
	select {
	case e.httpLog <- ex:
	default:
	}
}

// httpLogLoop writes the HTTP log in batches until stop closes, then
// writes what is still buffered. The channel itself is never closed: a
// late exchange (a detached token refresh) must not panic.
func (e *Engine) httpLogLoop(ctx context.Context, stop <-chan struct{}) {
	var batch []store.Exchange
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := e.st.AppendHTTP(ctx, batch); err != nil && !e.storeFull(err) {
			e.log.Warn("writing the HTTP log", "err", err)
		}
		batch = batch[:0]
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			for {
				select {
				case ex := <-e.httpLog:
					batch = append(batch, ex)
				default:
					flush()
					return
				}
			}
		case ex := <-e.httpLog:
			batch = append(batch, ex)
			if len(batch) >= 200 {
				flush()
			}
		case <-t.C:
			flush()
		}
	}
}
