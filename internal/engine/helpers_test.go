package engine_test

import (
	"context"
	"database/sql"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/testutil"
	"github.com/folio-cl/folio/internal/webhook"
)

// The engine tests' one rig: simulators, a store connected to them as a
// person would connect it, and an engine with fast timings. The simulators
// are served in memory (no sockets) unless a test asks for sockets: inside
// a testing/synctest bubble a goroutine waiting on the network would keep
// fake time from moving, and the test would hang rather than fail.
// hookRig is the same rig with a webhook listener the simulator notifies.
// The checks and waits several files share are here too: checkLedgers
// (exactly-once against both ledgers), waitControl, and the waits below.

type bundle struct {
	t      testing.TB
	o      opts
	sims   *sim.Sims
	st     *store.Store
	eng    *engine.Engine
	cancel context.CancelFunc
	done   chan struct{}
	err    error // Run's result, once done is closed
	conn   store.Connection
	log    *slog.Logger // nil: discarded
	of     bool         // the engine issues through OpenFactura (openfactura_test.go)
	hc     *http.Client // the clients' HTTP client (nil: their default)
}

type opts struct {
	orders  int
	faults  faults.Spec
	seed    uint64
	workers int
	noStart bool
	store   store.Options // WriteFault, to fill the disk
	log     *slog.Logger
	of      bool // issue through the OpenFactura simulator instead of LibreDTE's
	// sim, when set, replaces the simulators' options made from orders and
	// seed (no rate limit, a 50 ms SII, OpenFactura without limits).
	sim *sim.Options
	// sockets serves the simulators on loopback addresses instead of in
	// memory (loopback.Transport); never inside a synctest bubble.
	sockets bool
	mvRate  float64 // the engine's Multivende client pace (0 or negative: none)
	// watch, when set, gets every SQLite connection of the rig's store.
	watch func(sqlite.HookRegisterer)
	// hook sees every Multivende exchange the engine makes.
	hook func(multivende.Exchange)
	tune func(*engine.Config)
}

// setup runs the simulators, connects a store to them as a person would,
// and makes an engine with fast timings (started unless noStart).
func setup(t testing.TB, o opts) *bundle {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	so := sim.Options{Orders: o.orders, Seed: o.seed, RateLimit: -1, SIIDelay: 50 * time.Millisecond, OpenFacturaNoLimits: true}
	if o.sim != nil {
		so = *o.sim
	}
	so.InMemory = !o.sockets
	// Faults come on after the connection is made: a person connects once,
	// the engine lives with the faults.
	so.Faults = faults.None
	sims, err := sim.Start(ctx, so)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if o.watch != nil {
		watchDir(t, dir, o.watch)
	}
	st, err := store.Open(ctx, filepath.Join(dir, "folio.db"), o.store)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if o.mvRate <= 0 {
		o.mvRate = -1
	}
	if o.workers == 0 {
		o.workers = 4
	}
	b := &bundle{t: t, o: o, sims: sims, st: st, log: o.log, of: o.of}
	if so.InMemory {
		b.hc = sims.Client
	}
	b.connect(ctx)
	sims.SetFaults(o.faults)
	b.eng = b.newEngine(o.workers)
	if !o.noStart {
		b.start()
	}
	return b
}

const hookSecret = "webhook-test-secret-0123456789abcdef"

// hookRig is a rig whose engine has a webhook listener the simulator
// notifies, polling every poll. memory serves the simulators and the
// listener in memory (inside a synctest bubble).
func hookRig(tb testing.TB, poll time.Duration, rateLimit float64, sp faults.Spec, listen, memory bool, hook ...func(multivende.Exchange)) (*bundle, *webhook.Server) {
	tb.Helper()
	var ws *webhook.Server
	var eng **engine.Engine
	var seeExchange func(multivende.Exchange)
	if len(hook) > 0 {
		seeExchange = hook[0]
	}
	b := setup(tb, opts{sim: &sim.Options{Orders: 0, Seed: 11, RateLimit: rateLimit, SIIDelay: 50 * time.Millisecond},
		faults: sp, mvRate: rateLimit, noStart: true, hook: seeExchange, sockets: !memory,
		tune: func(c *engine.Config) {
			c.PollInterval = poll
			c.Retry = engine.RetryPolicy{MaxAttempts: 8, Base: 100 * time.Millisecond, Max: time.Second}
			if listen {
				c.Webhook = func() engine.WebhookHealth {
					h := ws.Health()
					// In memory the transport serves the handler and no
					// socket listens: the rig says it is listening.
					h.Listening = h.Listening || memory
					return h
				}
			}
		}})
	eng = &b.eng
	if listen {
		var err error
		ws, err = webhook.New(webhook.Config{Secret: hookSecret, Hint: func(c int64, id string) engine.HintResult { return (*eng).Hint(c, id) },
			Targets: func(ctx context.Context) ([]webhook.Target, error) {
				c, err := b.st.Connection(ctx, "tienda")
				return []webhook.Target{{ConnectionID: c.ID, ClientID: c.ClientID}}, err
			}})
		if err != nil {
			tb.Fatal(err)
		}
		if memory {
			const host = "folio.invalid" // the app, as the in-memory simulator reaches it
			b.sims.Transport.Handle(host, ws.Handler())
			b.sims.MV.SetWebhook(webhook.URL("http://"+host, hookSecret))
		} else {
			ctx, cancel := context.WithCancel(context.Background())
			tb.Cleanup(cancel)
			addr, err := ws.Listen(ctx, "127.0.0.1:0")
			if err != nil {
				tb.Fatal(err)
			}
			b.sims.MV.SetWebhook(webhook.URL("http://"+addr, hookSecret))
		}
	}
	b.start()
	return b, ws
}

func (b *bundle) connect(ctx context.Context) {
	info := b.sims.Info
	mv := multivende.New(multivende.Config{BaseURL: info.Multivende, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1, HTTPClient: b.hc})
	loc, err := mvsim.Consent(ctx, b.hc, mv.AuthorizeURL("http://127.0.0.1:1/cb", "s", nil), "Tienda")
	if err != nil {
		b.t.Fatal(err)
	}
	u := mustURL(b.t, loc)
	tok, err := mv.Exchange(ctx, u.Query().Get("code"), "http://127.0.0.1:1/cb", "")
	if err != nil {
		b.t.Fatal(err)
	}
	err = b.st.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: info.Multivende, MerchantID: tok.MerchantID,
			ClientID: info.ClientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken, AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt})
		b.conn.ID = id
		if err != nil {
			return err
		}
		_, err = tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: info.LibreDTE, EmisorRUT: info.Emisor, APIKey: info.LibreDTEHash})
		return err
	})
	if err != nil {
		b.t.Fatal(err)
	}
	b.conn, _ = b.st.Connection(ctx, "tienda")
}

func (b *bundle) newEngine(workers int) *engine.Engine {
	cfg, self := b.engineConfig(workers)
	eng, err := engine.New(cfg)
	if err != nil {
		b.t.Fatal(err)
	}
	*self = eng
	return eng
}

// engineConfig is the config newEngine uses (the rig's tune applied), for
// tests that change it; set *self to the engine made from it (its HTTP
// exchanges go to that engine).
func (b *bundle) engineConfig(workers int) (engine.Config, **engine.Engine) {
	info := b.sims.Info
	var inv invoicer.Invoicer
	inv, err := libredte.New(libredte.Config{BaseURL: info.LibreDTE, Hash: info.LibreDTEHash, Emisor: info.Emisor, HTTPClient: b.hc})
	if b.of {
		inv, err = openfactura.New(openfactura.Config{BaseURL: info.OpenFactura, APIKey: info.OpenFacturaKey, Emisor: info.Emisor, NoPacing: true, HTTPClient: b.hc})
	}
	if err != nil {
		b.t.Fatal(err)
	}
	self := new(*engine.Engine)
	hook := b.o.hook
	cfg := engine.Config{Store: b.st, Invoicer: inv, Emisor: b.sims.LD.Emisor(),
		Markets: func(c store.Connection) (engine.Marketplace, error) {
			cl := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: b.o.mvRate, HTTPClient: b.hc,
				Hook: func(ctx context.Context, ex multivende.Exchange) {
					if hook != nil {
						hook(ex)
					}
					if eng := *self; eng != nil {
						eng.LogExchange(ctx, c.Name, store.Exchange{At: time.Now(), Method: ex.Method, URL: ex.URL, Status: ex.Status,
							Duration: ex.Duration, ReqBody: ex.ReqBody, RespBody: ex.RespBody, Error: ex.Err})
					}
				}})
			cl.SetTokens(cl.NewTokenSource(multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
				RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}, 0, func(t multivende.Token) error {
				return b.st.Write(context.Background(), func(tx *store.Tx) error {
					return tx.SetTokens(context.Background(), c.ID, t.Token, t.RefreshToken, t.ExpiresAt, t.RefreshTokenExpiresAt)
				})
			}))
			return cl, nil
		},
		PollInterval: 100 * time.Millisecond, Workers: workers, SIIInterval: 60 * time.Millisecond, LeaseTTL: 2 * time.Second,
		Retry: engine.RetryPolicy{MaxAttempts: 8, Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}, DrainTimeout: 5 * time.Second, Log: b.log}
	if b.o.tune != nil {
		b.o.tune(&cfg)
	}
	return cfg, self
}

func (b *bundle) start() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.cancel, b.done = cancel, done
	eng := b.eng
	go func() { b.err = eng.Run(ctx); close(done) }()
	b.t.Cleanup(func() { cancel(); <-done })
}

func (b *bundle) stop() error {
	b.cancel()
	<-b.done
	return b.err
}

// The package's waits are the tests' one wait (testutil): eventually
// polls ok every 20 ms until it holds (true) or deadline passes (false);
// waitUntil fails the test, naming what it waited for; waitFor is
// waitUntil with the usual 20 s. Inside a synctest bubble the deadline
// and the polls are fake time, and cost nothing.
var (
	eventually = testutil.Eventually
	waitUntil  = testutil.WaitFor
)

func waitFor(t testing.TB, what string, ok func() bool) {
	t.Helper()
	testutil.WaitFor(t, 20*time.Second, what, ok)
}

// quiet reports whether every simulated order is in the store and none is
// queued, in flight or retrying, and returns the counts; withChecks also
// requires no SII check due and no control pending.
func (b *bundle) quiet(withChecks bool) (map[store.State]int, bool) {
	ctx := context.Background()
	// Controls first: one applied after this read has already moved its
	// order when the counts are read (read the other way round, a control
	// applied in between looked like no work at all).
	var controls []store.Control
	var pending []store.Emission
	if withChecks {
		controls, _ = b.st.PendingControls(ctx, 1)
		pending, _ = b.st.PendingSII(ctx, time.Now().Add(time.Hour), 1)
	}
	counts, _ := b.st.CountByState(ctx)
	total := 0
	for _, n := range counts {
		total += n
	}
	busy := 0
	for _, s := range store.BusyStates() {
		busy += counts[s]
	}
	return counts, total >= len(b.sims.MV.State().Checkouts) && busy == 0 && len(pending) == 0 && len(controls) == 0
}

// settle waits until every simulated order is in the store and none is in
// flight or due; it fails the test after the deadline.
func (b *bundle) settle(deadline time.Duration) map[store.State]int {
	b.t.Helper()
	// The deadline only bounds a failure: -race on two busy cores runs the
	// pipeline several times slower than the figures it was chosen from.
	deadline *= 4
	var counts map[store.State]int
	waitUntil(b.t, deadline, "orders to settle", func() bool {
		c, ok := b.quiet(true)
		counts = c
		return ok
	})
	return counts
}

// settledIn settles a run (60 s) and returns the orders (up to 100) in
// state that keep holds; with none, it fails the test saying none.
func (b *bundle) settledIn(state store.State, none string, keep func(store.Order) bool) []store.Order {
	b.t.Helper()
	b.settle(60 * time.Second)
	rows, _ := b.st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{state}, Limit: 100})
	var out []store.Order
	for _, o := range rows {
		if keep(o) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		b.t.Fatal(none)
	}
	return out
}

// drained waits until every simulated order is in the store and none is
// queued, in flight or retrying (SII checks and controls are not waited
// for), and returns the counts.
func (b *bundle) drained(deadline time.Duration) map[store.State]int {
	b.t.Helper()
	var counts map[store.State]int
	waitUntil(b.t, deadline, "orders to drain", func() bool {
		c, ok := b.quiet(false)
		counts = c
		return ok
	})
	return counts
}

// waitControl waits for a control's outcome.
func waitControl(t *testing.T, b *bundle, id int64) store.Control {
	t.Helper()
	var c store.Control
	waitUntil(t, 20*time.Second, "the control to be applied", func() bool {
		c, _ = b.st.Control(context.Background(), id)
		return c.Status != store.CtlPending
	})
	return c
}

// checkLedgers asserts exactly-once against both simulators' ledgers.
func (b *bundle) checkLedgers() {
	b.t.Helper()
	ctx := context.Background()
	mv, ld := b.sims.MV.State(), b.sims.LD.State()
	attached := map[string]int{}
	rejected := map[string]bool{} // "order/folio" of documents the SII rejected
	for _, c := range mv.Checkouts {
		docs, _ := b.st.Documents(ctx, c.ID)
		for _, d := range docs {
			if d.SIIStatus == store.DocRejected {
				rejected[c.ID+"/"+strconv.FormatInt(d.Folio, 10)] = true
			}
		}
		live := 0
		for _, d := range c.Documents {
			if !rejected[c.ID+"/"+d.DocID] {
				live++ // a rejected one stays attached: Multivende has no call to remove it
			}
		}
		if live > 1 {
			b.t.Errorf("order %s has %d documents", c.ID, live)
		}
		for _, d := range c.Documents {
			attached[d.Type+"/"+d.DocID]++
		}
		paid := c.PaymentStatus == "completed" && c.Status != "cancelled"
		o, err := b.st.GetOrder(ctx, c.ID)
		if err != nil {
			b.t.Errorf("order %s never reached the store: %v", c.ID, err)
			continue
		}
		if o.State == store.StateDone && rejected[c.ID+"/"+strconv.FormatInt(o.Folio, 10)] {
			b.t.Errorf("order %s is done with folio %d, which the SII rejected", c.ID, o.Folio)
		}
		switch {
		case !paid && len(c.Documents) > 0:
			b.t.Errorf("unpaid or cancelled order %s got a document", c.ID)
		case paid && len(c.Documents) == 0 && !(o.State == store.StateAttention && o.Reason != "") &&
			!(o.State == store.StateDone && o.Outcome == store.OutcomeSkipped && o.Reason != ""):
			b.t.Errorf("paid order %s has no document and is %s (%q)", c.ID, o.State, o.Reason)
		}
	}
	folios := map[string]bool{}
	for _, e := range ld.Emitted {
		f := strconv.FormatInt(e.Folio, 10) + "/" + strconv.Itoa(e.DTE)
		if folios[f] {
			b.t.Errorf("folio %s consumed twice", f)
		}
		folios[f] = true
		if n := attached[mvType(e.DTE)+"/"+strconv.FormatInt(e.Folio, 10)]; n != 1 {
			owner, _, _ := b.st.FolioOwner(ctx, b.sims.Info.Emisor, e.DTE, e.Folio)
			o, _ := b.st.GetOrder(ctx, owner)
			if n == 0 && o.State == store.StateAttention && strings.HasPrefix(o.ReasonCode, "SII-") {
				continue // the SII rejected it before it was attached: it has no legal effect, a person decides
			}
			if n == 0 && rejected[owner+"/"+strconv.FormatInt(e.Folio, 10)] && o.Folio != e.Folio {
				continue // rejected before it was attached, and replaced by a reissue
			}
			evs, _ := b.st.Events(ctx, owner)
			b.t.Errorf("folio %d (type %d) is attached to %d orders; its order %q is %s (%s %s), timeline %+v", e.Folio, e.DTE, n, owner, o.State, o.ReasonCode, o.Reason, evs)
		}
	}
}

// mvType is the Multivende document type a DTE type is attached as.
func mvType(dteType int) string {
	if dteType == 33 || dteType == 34 {
		return multivende.DocTypeFactura
	}
	return multivende.DocTypeBoleta
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// SQLite hooks on the stores of this package's benchmarks and tests: a
// connection hook, registered once, lets a test install commit or
// pre-update hooks on the connections of one store file, so that commits
// and state changes are counted where they happen, in the store.
var watchers struct {
	mu   sync.Mutex
	next int
	m    map[int]watcher
}

type watcher struct {
	keys    []string // the store's directory, as it appears in a DSN
	install func(sqlite.HookRegisterer)
}

func init() {
	watchers.m = map[int]watcher{}
	sqlite.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, dsn string) error {
		h, ok := c.(sqlite.HookRegisterer)
		if !ok {
			return nil
		}
		watchers.mu.Lock()
		defer watchers.mu.Unlock()
		for _, w := range watchers.m {
			for _, k := range w.keys {
				if strings.Contains(dsn, k) {
					w.install(h)
					break
				}
			}
		}
		return nil
	})
}

// watchDir calls install on every SQLite connection opened on a database
// under dir until the test ends.
func watchDir(tb testing.TB, dir string, install func(sqlite.HookRegisterer)) {
	watchers.mu.Lock()
	id := watchers.next
	watchers.next++
	watchers.m[id] = watcher{keys: []string{dir + "/", (&url.URL{Path: filepath.ToSlash(dir) + "/"}).EscapedPath()}, install: install}
	watchers.mu.Unlock()
	tb.Cleanup(func() {
		watchers.mu.Lock()
		delete(watchers.m, id)
		watchers.mu.Unlock()
	})
}

func openReadOnly(path string) (*sql.DB, error) {
	return sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()+"?mode=ro")
}

// offlineInvoicer is a LibreDTE client that is never called: for tests
// and benchmarks where the engine only ingests, plans or syncs.
func offlineInvoicer(tb testing.TB) *libredte.Client {
	tb.Helper()
	inv, err := libredte.New(libredte.Config{BaseURL: "http://127.0.0.1:1", Hash: "x", Emisor: "76.086.428-5"})
	if err != nil {
		tb.Fatal(err)
	}
	return inv
}

// feedStore opens the store at path with one Multivende connection,
// "tienda", for an engine fed from memory (feed).
func feedStore(tb testing.TB, path string) *store.Store {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: "http://127.0.0.1:1", MerchantID: "m"})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}
