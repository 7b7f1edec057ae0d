package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// Several engines on one PostgreSQL store (issue 18): each engine opens
// its own store handle on the same schema, as separate processes would,
// against one Multivende simulator per connection (one merchant each) and
// one LibreDTE simulator that issues every document.

type pgRig struct {
	t       *testing.T
	addr    string
	st      *store.Store // the test's own handle, for reading
	sims    []*sim.Sims  // sims[i].MV is connection i's merchant; sims[0].LD issues
	secrets map[string]string
	ttl     time.Duration
	ids     []string // the engines started, in order
}

func newPGRig(t *testing.T, conns, orders int, f faults.Spec) *pgRig {
	t.Helper()
	addr := pgtest.Store(t)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	r := &pgRig{t: t, addr: addr, secrets: map[string]string{}, ttl: time.Second}
	st, err := store.Open(ctx, addr, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r.st = st
	for i := range conns {
		s, err := sim.Start(ctx, sim.Options{Orders: orders, Seed: uint64(500 + i), RateLimit: -1, SIIDelay: 50 * time.Millisecond, OpenFacturaNoLimits: true})
		if err != nil {
			t.Fatal(err)
		}
		r.sims = append(r.sims, s)
		info := s.Info
		r.secrets[info.ClientID] = info.ClientSecret
		mv := multivende.New(multivende.Config{BaseURL: info.Multivende, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1})
		loc, err := mvsim.Consent(ctx, nil, mv.AuthorizeURL("http://127.0.0.1:1/cb", "s", nil), "Tienda")
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := mv.Exchange(ctx, u.Query().Get("code"), "http://127.0.0.1:1/cb", "")
		if err != nil {
			t.Fatal(err)
		}
		err = st.Write(ctx, func(tx *store.Tx) error {
			_, err := tx.SaveConnection(ctx, store.Connection{Name: fmt.Sprintf("tienda-%d", i), Kind: store.KindMultivende, BaseURL: info.Multivende,
				MerchantID: tok.MerchantID, ClientID: info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken,
				AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		s.SetFaults(f)
	}
	return r
}

// pgEngine is one engine of the rig, with its own store handle.
type pgEngine struct {
	eng    *engine.Engine
	st     *store.Store
	fault  atomic.Bool // every write of this engine fails: it can no longer reach the store
	inv    *gatedInvoicer
	cancel context.CancelFunc
	done   chan struct{}
	err    error
	logs   *logLines
	id     string
}

func (r *pgRig) engine(workers int) *pgEngine { return r.engineWith(workers, nil) }

// engineWith starts an engine whose invoicer tune sets up first.
func (r *pgRig) engineWith(workers int, tune func(*gatedInvoicer)) *pgEngine {
	r.t.Helper()
	pe := &pgEngine{done: make(chan struct{}), logs: &logLines{}}
	st, err := store.Open(context.Background(), r.addr, store.Options{WriteFault: func() error {
		if pe.fault.Load() {
			return errors.New("the store is out of reach (test)")
		}
		return nil
	}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { st.Close() })
	pe.st = st
	info := r.sims[0].Info
	ld, err := libredte.New(libredte.Config{BaseURL: info.LibreDTE, Hash: info.LibreDTEHash, Emisor: info.Emisor})
	if err != nil {
		r.t.Fatal(err)
	}
	pe.inv = &gatedInvoicer{Invoicer: ld, prepared: map[string]int{}}
	if tune != nil {
		tune(pe.inv)
	}
	cfg := engine.Config{Store: st, Invoicer: pe.inv, Emisor: r.sims[0].LD.Emisor(),
		Markets: func(c store.Connection) (engine.Marketplace, error) {
			cl := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: c.ClientID, ClientSecret: r.secrets[c.ClientID], RateLimit: -1})
			cl.SetTokens(cl.NewTokenSource(multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
				RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}, 0, func(t multivende.Token) error {
				return st.Write(context.Background(), func(tx *store.Tx) error {
					return tx.SetTokens(context.Background(), c.ID, t.Token, t.RefreshToken, t.ExpiresAt, t.RefreshTokenExpiresAt)
				})
			}))
			return cl, nil
		},
		PollInterval: 100 * time.Millisecond, Workers: workers, SIIInterval: 60 * time.Millisecond, LeaseTTL: r.ttl,
		Retry: engine.RetryPolicy{MaxAttempts: 8, Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}, DrainTimeout: 5 * time.Second,
		Log: slog.New(slog.NewTextHandler(pe.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	pe.eng, err = engine.New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pe.cancel = cancel
	go func() { pe.err = pe.eng.Run(ctx); close(pe.done) }()
	r.t.Cleanup(func() {
		pe.fault.Store(false)
		pe.inv.open()
		if pe.inv.resolved != nil {
			select {
			case <-pe.inv.resolved:
			default:
				close(pe.inv.resolved)
			}
		}
		cancel()
		<-pe.done
	})
	// Its identity, once registered: the newest engine not yet known.
	waitFor(r.t, "the engine to register", func() bool {
		es, _ := r.st.Engines(context.Background())
		for _, e := range es {
			if e.Live && !r.known(e.ID) {
				pe.id = e.ID
				return true
			}
		}
		return false
	})
	if got := pe.eng.ID(); got != pe.id {
		r.t.Fatalf("the engine says it is %q; the store has %q", got, pe.id)
	}
	r.ids = append(r.ids, pe.id)
	return pe
}

func (r *pgRig) known(id string) bool {
	for _, k := range r.ids {
		if k == id {
			return true
		}
	}
	return false
}

func (pe *pgEngine) stop() error {
	pe.cancel()
	<-pe.done
	return pe.err
}

// holders is how many live connection leases each engine has.
func (r *pgRig) holders() map[string]int {
	ls, _ := r.st.ConnectionLeases(context.Background())
	out := map[string]int{}
	for _, l := range ls {
		if l.Live {
			out[l.Engine]++
		}
	}
	return out
}

// quiet reports whether every simulated order is in the store and none is
// queued, in flight or retrying.
func (r *pgRig) quiet() (map[store.State]int, bool) {
	ctx := context.Background()
	want := 0
	for _, s := range r.sims {
		want += len(s.MV.State().Checkouts)
	}
	counts, _ := r.st.CountByState(ctx)
	total, busy := 0, 0
	for _, n := range counts {
		total += n
	}
	for _, s := range store.BusyStates() {
		busy += counts[s]
	}
	return counts, total >= want && busy == 0
}

func (r *pgRig) settle(deadline time.Duration) map[store.State]int {
	r.t.Helper()
	var counts map[store.State]int
	waitUntil(r.t, deadline, "orders to settle", func() bool {
		c, ok := r.quiet()
		counts = c
		return ok
	})
	return counts
}

// checkLedgers asserts exactly-once across the merchants and the one
// invoicer: each paid order has one document (or a reason in Errors), no
// folio is consumed twice, and every folio consumed is attached once.
func (r *pgRig) checkLedgers() {
	r.t.Helper()
	ctx := context.Background()
	attached := map[string]int{}
	for _, s := range r.sims {
		for _, c := range s.MV.State().Checkouts {
			o, err := r.st.GetOrder(ctx, c.ID)
			if err != nil {
				r.t.Errorf("order %s never reached the store: %v", c.ID, err)
				continue
			}
			for _, d := range c.Documents {
				attached[d.Type+"/"+d.DocID]++
			}
			paid := c.PaymentStatus == "completed" && c.Status != "cancelled"
			switch {
			case len(c.Documents) > 1:
				r.t.Errorf("order %s has %d documents", c.ID, len(c.Documents))
			case !paid && len(c.Documents) > 0:
				r.t.Errorf("unpaid or cancelled order %s got a document", c.ID)
			case paid && len(c.Documents) == 0 && !(o.State == store.StateAttention && o.Reason != ""):
				r.t.Errorf("paid order %s has no document and is %s (%q)", c.ID, o.State, o.Reason)
			}
		}
	}
	folios := map[string]bool{}
	for _, e := range r.sims[0].LD.State().Emitted {
		f := strconv.FormatInt(e.Folio, 10) + "/" + strconv.Itoa(e.DTE)
		if folios[f] {
			r.t.Errorf("folio %s consumed twice", f)
		}
		folios[f] = true
		if n := attached[mvType(e.DTE)+"/"+strconv.FormatInt(e.Folio, 10)]; n > 1 {
			r.t.Errorf("folio %s attached %d times", f, n)
		}
	}
}

// gatedInvoicer counts the documents prepared per order and, once armed,
// holds the first Issue after the invoicer consumed the folio (the engine
// is frozen with the folio spent and not recorded) until opened.
type gatedInvoicer struct {
	invoicer.Invoicer
	mu       sync.Mutex
	prepared map[string]int // by the order's reference
	armed    bool
	frozen   chan invoicer.Issued // gets the held Issue's result
	release  chan struct{}
	once     sync.Once
	// resolving, when set, gets a note when Resolve is called, which then
	// waits for resolved to close.
	resolving chan struct{}
	resolved  chan struct{}
}

func (g *gatedInvoicer) Resolve(ctx context.Context, p invoicer.Pending, doc dte.Document, claimed map[int64]bool) (invoicer.Resolution, error) {
	if g.resolving != nil {
		select {
		case g.resolving <- struct{}{}:
		default:
		}
		<-g.resolved
	}
	return g.Invoicer.Resolve(ctx, p, doc, claimed)
}

func (g *gatedInvoicer) Prepare(ctx context.Context, doc dte.Document) (invoicer.Pending, error) {
	g.mu.Lock()
	g.prepared[invoicer.ReferenceFrom(ctx)]++
	g.mu.Unlock()
	return g.Invoicer.Prepare(ctx, doc)
}

func (g *gatedInvoicer) arm() {
	g.mu.Lock()
	g.armed, g.frozen, g.release = true, make(chan invoicer.Issued, 1), make(chan struct{})
	g.mu.Unlock()
}

func (g *gatedInvoicer) open() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.release != nil {
		g.once.Do(func() { close(g.release) })
	}
}

func (g *gatedInvoicer) Issue(ctx context.Context, p invoicer.Pending) (invoicer.Issued, error) {
	iss, err := g.Invoicer.Issue(ctx, p)
	g.mu.Lock()
	hold := g.armed && err == nil
	g.armed = g.armed && !hold
	frozen, release := g.frozen, g.release
	g.mu.Unlock()
	if hold {
		frozen <- iss
		<-release
	}
	return iss, err
}

// logLines keeps an engine's log for the test to read.
type logLines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *logLines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Three engines on one PostgreSQL store with three connections each take
// one connection (the fair share), and every order is finished exactly
// once. Stopping one, its connection is taken over by the two others at
// once and the work goes on; nothing is lost or done twice.
func TestEnginesShareAPostgresStore(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 3, 15, faults.Spec{LatencyMin: 5 * time.Millisecond, LatencyMax: 30 * time.Millisecond})
	a := r.engine(2)
	waitFor(t, "the first engine to lease every connection", func() bool { return r.holders()[a.id] == 3 })
	b, c := r.engine(2), r.engine(2)
	waitFor(t, "the connections to spread, one per engine", func() bool {
		h := r.holders()
		return h[a.id] == 1 && h[b.id] == 1 && h[c.id] == 1
	})
	if err := c.stop(); err != nil {
		t.Fatalf("the stopped engine's Run: %v", err)
	}
	waitFor(t, "the stopped engine's connection to be taken over", func() bool {
		h := r.holders()
		return h[c.id] == 0 && h[a.id]+h[b.id] == 3
	})
	counts := r.settle(90 * time.Second)
	if counts[store.StateDone] == 0 {
		t.Fatalf("nothing was done: %v", counts)
	}
	r.checkLedgers()
	if es, _ := r.st.Engines(context.Background()); len(es) != 2 {
		t.Errorf("the stopped engine is still registered: %+v", es)
	}
}

// An engine that can no longer reach the store (frozen, cut off) while
// the invoicer has consumed a folio for it: its connection is taken over
// by another engine once its lease expires, which resumes the order from
// its intent (never preparing a second document) and adopts that folio.
// When the first wakes, its record of the folio commits nothing, and it
// knows the connection is no longer its own.
func TestFrozenEngineCommitsNothingAfterATakeover(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 1, 6, faults.Spec{})
	a := r.engine(1)
	a.inv.arm()
	var iss invoicer.Issued
	select {
	case iss = <-a.inv.frozen:
	case <-time.After(60 * time.Second):
		t.Fatal("the first engine never issued")
	}
	a.fault.Store(true) // frozen: no renewal reaches the store
	ctx := context.Background()
	owner := ""
	waitFor(t, "the order issuing", func() bool {
		ls, _ := r.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateIssuing}, Limit: 10})
		if len(ls) == 1 {
			owner = ls[0].ID
		}
		return owner != ""
	})
	// The second engine takes the connection over and, resuming from the
	// intent, asks the invoicer what became of it: held there, while the
	// order is still issuing, the first engine wakes with the folio's
	// result in hand and tries to record it.
	resolving, resolved := make(chan struct{}, 1), make(chan struct{})
	b := r.engineWith(1, func(g *gatedInvoicer) { g.resolving, g.resolved = resolving, resolved })
	select {
	case <-resolving:
	case <-time.After(60 * time.Second):
		t.Fatal("the second engine never resumed the order")
	}
	if h := r.holders(); h[b.id] != 1 {
		t.Fatalf("the second engine resolves without the lease: %v", h)
	}
	a.fault.Store(false)
	a.inv.open()
	waitFor(t, "the first engine to drop the order", func() bool {
		return a.eng.Stats().InFlight == 0 && strings.Contains(a.logs.String(), "connection taken over by another engine")
	})
	if o, _ := r.st.GetOrder(ctx, owner); o.State != store.StateIssuing {
		t.Errorf("the frozen engine moved order %s to %s after the takeover", owner, o.State)
	}
	close(resolved)
	waitFor(t, "the second engine to adopt the folio", func() bool {
		o, err := r.st.GetOrder(ctx, owner)
		return err == nil && o.Folio == iss.Folio
	})
	r.settle(60 * time.Second)
	r.checkLedgers()
	evs, err := r.st.Events(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	adopted, recorded := 0, 0
	for _, ev := range evs {
		switch ev.MsgID {
		case "event.adopted":
			adopted++
		case "event.folio":
			recorded++
		}
	}
	if adopted != 1 || recorded != 0 {
		t.Errorf("order %s: %d adoptions by the new holder, %d records by the frozen engine (want 1 and 0); timeline %+v", owner, adopted, recorded, evs)
	}
	ref := "folio:" + owner
	b.inv.mu.Lock()
	n := b.inv.prepared[ref]
	b.inv.mu.Unlock()
	if n != 0 {
		t.Errorf("the new holder prepared %d documents for %s; it must resume from the intent", n, owner)
	}
	select {
	case <-a.done:
		t.Errorf("the first engine stopped (on a shared store it goes on with its other connections): %v", a.err)
	default:
	}
}

// The connections of an engine killed on this host (its process is gone)
// are taken over at once, not after their lease runs out.
func TestDeadEngineOnThisHostIsTakenOverAtOnce(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 2, 3, faults.Spec{})
	ctx := context.Background()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dead := store.Holder{PID: gone.Process.Pid, Host: host, StartedAt: time.UnixMilli(1_700_000_000_000)}
	if err := r.st.RegisterEngine(ctx, dead, time.Hour); err != nil {
		t.Fatal(err)
	}
	conns, err := r.st.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range conns {
		if _, err := r.st.AcquireConnection(ctx, dead.ID(), c.ID, time.Hour, ""); err != nil {
			t.Fatal(err)
		}
	}
	r.ids = append(r.ids, dead.ID())
	a := r.engine(2)
	waitFor(t, "the dead engine's connections to be taken over", func() bool { return r.holders()[a.id] == 2 })
	r.settle(60 * time.Second)
	r.checkLedgers()
}

// A person's control of an order is applied by the engine that holds the
// order's connection, never by another engine on the store.
func TestOrderControlsAreAppliedByTheConnectionsHolder(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 2, 4, faults.Spec{})
	a, b := r.engine(2), r.engine(2)
	waitFor(t, "the connections to spread", func() bool {
		h := r.holders()
		return h[a.id] == 1 && h[b.id] == 1
	})
	r.settle(60 * time.Second)
	ctx := context.Background()
	ls, err := r.st.ConnectionLeases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	holder := map[int64]*pgEngine{}
	for _, l := range ls {
		holder[l.ConnectionID] = map[string]*pgEngine{a.id: a, b.id: b}[l.Engine]
	}
	orders, err := r.st.ListOrders(ctx, store.OrderQuery{Limit: 100})
	if err != nil || len(orders) == 0 {
		t.Fatalf("no orders: %v", err)
	}
	seen := map[int64]bool{}
	for _, o := range orders {
		if seen[o.ConnectionID] {
			continue
		}
		seen[o.ConnectionID] = true
		id, err := engine.RequestRetry(ctx, r.st, o.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		line := "target=" + o.ID
		// The engine logs the control just after committing its outcome:
		// wait for the line too, or a busy machine reads the logs between.
		waitFor(t, "the control to be applied", func() bool {
			c, err := r.st.Control(ctx, id)
			return err == nil && c.Status != store.CtlPending &&
				(strings.Contains(a.logs.String(), line) || strings.Contains(b.logs.String(), line))
		})
		h := holder[o.ConnectionID]
		other := map[*pgEngine]*pgEngine{a: b, b: a}[h]
		if !strings.Contains(h.logs.String(), line) || strings.Contains(other.logs.String(), line) {
			t.Errorf("the control of order %s (connection %d) was not applied by its connection's holder alone", o.ID, o.ConnectionID)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("orders of %d connections, want 2", len(seen))
	}
}
