package engine_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

func TestHappyPath(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 30, seed: 1})
		counts := b.settle(30 * time.Second)
		if counts[store.StateDone] == 0 {
			t.Fatalf("nothing done: %v", counts)
		}
		b.checkLedgers()
		// The timeline tells the story of an order.
		rows, _ := b.st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{store.StateDone}, Limit: 1})
		evs, _ := b.st.Events(context.Background(), rows[0].ID)
		kinds := map[string]bool{}
		for _, e := range evs {
			kinds[e.Kind] = true
		}
		for _, k := range []string{"seen", "built", "prepared", "issued", "attached", "done"} {
			if !kinds[k] {
				t.Errorf("timeline lacks %q: %+v", k, evs)
			}
		}
		if err := b.stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		// The HTTP log is written in batches; a stop writes what is left.
		if log, _ := b.st.HTTPLog(context.Background(), rows[0].ID, 50); len(log) < 3 {
			t.Errorf("HTTP log for the order has %d exchanges", len(log))
		}
		if _, live, _ := b.st.LeaseHolder(context.Background()); live {
			t.Fatal("lease still held after stop")
		}
	})
}

func TestFaultKinds(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		spec  string
		check func(*testing.T, *bundle, map[store.State]int)
	}{
		"5xx":                 {"5xx=0.2", nil},
		"429":                 {"429=0.2", nil},
		"latency":             {"latency=1ms..30ms", nil},
		"reset":               {"reset=0.1", nil},
		"reset-after-generar": {"reset-after-generar=0.3", nil},
		"token-expire": {"token-expire=1s", func(t *testing.T, b *bundle, _ map[store.State]int) {
			c, _ := b.st.Connection(context.Background(), "tienda")
			_ = c
		}},
		"mix": {"mix", nil},
		"folios": {"folios=5", func(t *testing.T, b *bundle, counts map[store.State]int) {
			rows, _ := b.st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 100})
			n := 0
			for _, o := range rows {
				if o.ReasonCode == "INV-NO-FOLIOS" {
					n++
				}
			}
			if n == 0 {
				t.Fatal("no order waits in Errors for folios")
			}
		}},
		"sii-reject": {"sii-reject=1", func(t *testing.T, b *bundle, counts map[store.State]int) {
			rows, _ := b.st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 100})
			n := 0
			for _, o := range rows {
				if o.ReasonCode == "SII-RCH" && o.Folio > 0 {
					n++
				}
			}
			if n == 0 {
				t.Fatal("no SII rejection in Errors")
			}
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			sp, err := faults.Parse(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			// Fake time: a 429's Retry-After and the latencies cost nothing.
			synctest.Test(t, func(t *testing.T) {
				b := setup(t, opts{orders: 25, seed: 7, faults: sp})
				counts := b.settle(60 * time.Second)
				if tc.check != nil {
					tc.check(t, b, counts)
				}
				if name != "sii-reject" {
					b.checkLedgers()
				}
			})
		})
	}
}

func TestLeaseRefusesASecondEngine(t *testing.T) {
	t.Parallel()
	synctest.Test(t, leaseRefusesASecondEngine)
}

func leaseRefusesASecondEngine(t *testing.T) {
	b := setup(t, opts{orders: 1, seed: 2})
	waitFor(t, "the first engine's lease", func() bool { _, live, _ := b.st.LeaseHolder(context.Background()); return live })
	second := b.newEngine(1)
	err := second.Run(context.Background())
	var le *store.LeaseError
	if !errors.As(err, &le) || le.Holder.PID == 0 {
		t.Fatalf("second engine: %v", err)
	}
}

// A lease left by an engine killed on this host is taken over at once;
// one held on another host is waited out.
func TestLeaseOfADeadEngine(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{orders: 0, seed: 4, noStart: true})
	ctx := context.Background()
	gone := exec.Command("true")
	if err := gone.Run(); err != nil {
		t.Skip("cannot run a short-lived process:", err)
	}
	host, _ := os.Hostname()
	elsewhere := store.Holder{PID: gone.Process.Pid, Host: host + "-other", StartedAt: time.Now()}
	if _, err := b.st.AcquireLease(ctx, elsewhere, time.Hour); err != nil {
		t.Fatal(err)
	}
	if err := b.newEngine(1).Run(ctx); !errors.As(err, new(*store.LeaseError)) {
		t.Fatalf("lease held on another host: %v", err)
	}
	b.st.BreakLease(ctx, elsewhere)
	dead := store.Holder{PID: gone.Process.Pid, Host: host, StartedAt: time.Now()}
	if _, err := b.st.AcquireLease(ctx, dead, time.Hour); err != nil {
		t.Fatal(err)
	}
	b.start()
	var h store.Holder
	if !eventually(10*time.Second, func() bool {
		var ok bool
		h, ok, _ = b.st.LeaseHolder(ctx)
		return ok && h.PID == os.Getpid()
	}) {
		t.Fatalf("the dead engine's lease was not taken over: %+v", h)
	}
}

func TestControls(t *testing.T) {
	t.Parallel()
	synctest.Test(t, controls)
}

// controls is TestControls in a synctest bubble: "nothing issued while
// paused" is read once every goroutine waits, long after a poll.
func controls(t *testing.T) {
	b := setup(t, opts{orders: 0, seed: 3, noStart: true})
	ctx := context.Background()
	// Pause first, everything and the one connection: the engine must not
	// issue anything, and resuming everything resumes the connection too.
	for _, target := range []string{"", "tienda"} {
		if _, err := engine.RequestPause(ctx, b.st, target, "test"); err != nil {
			t.Fatal(err)
		}
	}
	b.sims.MV.AddOrders(12)
	b.start()
	time.Sleep(5 * time.Second) // 50 polls
	synctest.Wait()
	if n := len(b.sims.LD.State().Emitted); n != 0 {
		t.Fatalf("%d documents issued while paused", n)
	}
	if _, err := engine.RequestResume(ctx, b.st, "", "test"); err != nil {
		t.Fatal(err)
	}
	b.settle(30 * time.Second)
	if n := len(b.sims.LD.State().Emitted); n == 0 {
		t.Fatal("nothing issued after resume")
	}
	if c, _ := b.st.Connection(ctx, "tienda"); c.Paused {
		t.Fatal("resuming everything left the connection paused")
	}
	if _, err := engine.RequestPause(ctx, b.st, "nope", "test"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("pausing an unknown connection: %v", err)
	}

	// An order in Errors: a factura with a bad RUT. Complete it, and
	// another is issued as boleta, a third skipped.
	var bad []store.Order
	for before := int64(0); len(bad) < 3; {
		b.sims.MV.AddOrders(10)
		b.settle(30 * time.Second)
		rows, _ := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 50})
		bad = rows
		_ = before
		if len(b.sims.MV.State().Checkouts) > 400 {
			t.Fatal("the generator made no bad factura in 400 orders")
		}
	}
	// The timeline says which rule made it a factura.
	if evs, _ := b.st.Events(ctx, bad[0].ID); !hasRule(evs, "rule.identity", "rule.company") {
		t.Errorf("an order in Errors has no rule on its timeline: %+v", evs)
	}
	if _, err := engine.RequestSkip(ctx, b.st, bad[0].ID, "", "test"); err == nil {
		t.Fatal("skip without a reason accepted")
	}
	if _, err := engine.RequestBuyerOverride(ctx, b.st, bad[0].ID, dte.Buyer{RUT: "76.354.771-2"}, "test"); err == nil {
		t.Fatal("override with a bad RUT accepted")
	}
	must := func(_ int64, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(engine.RequestBuyerOverride(ctx, b.st, bad[0].ID, dte.Buyer{RUT: "76.354.771-K", BusinessName: "Comercial Los Aromos SpA",
		Giro: "Ferretería", Address: "Av. Providencia 1234", Comuna: "Providencia"}, "test"))
	must(engine.RequestIssueAsBoleta(ctx, b.st, bad[1].ID, "test"))
	must(engine.RequestSkip(ctx, b.st, bad[2].ID, "pedido de prueba", "test"))
	b.settle(30 * time.Second)
	for i, want := range []struct {
		state   store.State
		outcome string
		typ     int
	}{{store.StateDone, store.OutcomeIssued, 33}, {store.StateDone, store.OutcomeIssued, 39}, {store.StateDone, store.OutcomeSkipped, 0}} {
		o, _ := b.st.GetOrder(ctx, bad[i].ID)
		if o.State != want.state || o.Outcome != want.outcome || (want.typ != 0 && o.DocType != want.typ) {
			evs, _ := b.st.Events(ctx, bad[i].ID)
			t.Errorf("order %d after control: %s/%s type %d (%s); timeline %+v", i, o.State, o.Outcome, o.DocType, o.Reason, evs)
		}
	}
	if evs, _ := b.st.Events(ctx, bad[0].ID); !hasRule(evs, "rule.person") {
		t.Errorf("a factura whose data a person completed does not say a person chose it: %+v", evs)
	}
	if evs, _ := b.st.Events(ctx, bad[1].ID); !hasRule(evs, "rule.person") {
		t.Errorf("a factura issued as boleta does not say a person chose it: %+v", evs)
	}
	// Retrying a done order is refused, and the refusal recorded.
	id, err := engine.RequestRetry(ctx, b.st, bad[2].ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	if c := waitControl(t, b, id); c.Status != store.CtlRejected {
		t.Fatalf("retry of a done order: %+v", c)
	}
	b.checkLedgers()
}

// A pause stops a backlog at once: orders already read for dispatch but
// not yet started wait, only those in a worker's hands finish. Fake time:
// "nothing more is issued" is checked after the bubble sat idle long past
// every latency, poll and retry, not after a guessed real-time sleep.
func TestPauseStopsABacklog(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 60, seed: 5, workers: 2, faults: faults.Spec{LatencyMin: 20 * time.Millisecond, LatencyMax: 30 * time.Millisecond}})
		ctx := context.Background()
		waitUntil(t, 20*time.Second, "three documents issued", func() bool { return len(b.sims.LD.State().Emitted) >= 3 })
		id, err := engine.RequestPause(ctx, b.st, "", "test")
		if err != nil {
			t.Fatal(err)
		}
		c := waitControl(t, b, id)
		if c.Status != store.CtlApplied {
			t.Fatalf("pause: %+v", c)
		}
		// In-flight orders finish their current step within the latency.
		time.Sleep(time.Second)
		synctest.Wait()
		before := len(b.sims.LD.State().Emitted)
		time.Sleep(5 * time.Second) // 50 polls, far past any latency or retry
		synctest.Wait()
		if after := len(b.sims.LD.State().Emitted); after != before {
			t.Errorf("%d more documents issued while paused", after-before)
		}
		counts, _ := b.st.CountByState(ctx)
		if counts[store.StateQueued] == 0 {
			t.Fatalf("the pause came too late to test anything: %v", counts)
		}
	})
}

func TestPaidLaterAndCancelled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 60, seed: 4})
		b.settle(30 * time.Second)
		ctx := context.Background()
		waiting, _ := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateWaiting}, Limit: 100})
		if len(waiting) == 0 {
			t.Fatal("no unpaid order waits")
		}
		b.checkLedgers()
	})
}

func TestDrainOnStop(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		sp, _ := faults.Parse("latency=150ms..200ms")
		b := setup(t, opts{orders: 10, seed: 5, faults: sp})
		time.Sleep(600 * time.Millisecond)
		start := time.Now()
		if err := b.stop(); err != nil {
			t.Fatalf("stop: %v", err)
		}
		if time.Since(start) > 5*time.Second {
			t.Fatal("stop took longer than the drain deadline")
		}
		// Nothing was left half-written: a new engine finishes the work.
		b.eng = b.newEngine(4)
		b.start()
		b.settle(30 * time.Second)
		b.checkLedgers()
	})
}

// An engine whose lease another engine took over (it was frozen past it)
// stops at once with ErrLeaseLost and commits nothing after the takeover,
// though it had calls in flight.
func TestLeaseTakenOverStopsTheEngineAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, leaseTakenOverStopsTheEngineAtOnce)
}

func leaseTakenOverStopsTheEngineAtOnce(t *testing.T) {
	b := setup(t, opts{orders: 60, seed: 19, faults: faults.Spec{LatencyMin: 20 * time.Millisecond, LatencyMax: 80 * time.Millisecond}})
	ctx := context.Background()
	var counts map[store.State]int
	if !eventually(20*time.Second, func() bool {
		counts, _ = b.st.CountByState(ctx)
		return counts[store.StateDone] >= 3 && counts[store.StateQueued]+counts[store.StateRetrying] > 0
	}) {
		t.Fatalf("the engine did not get going: %v", counts)
	}
	h, _, err := b.st.LeaseHolder(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The engine's heartbeat may renew the broken lease before the other
	// engine takes it (seen once in a full run): break it again then.
	other := store.Holder{PID: 1, Host: "other-engine", StartedAt: time.Now()}
	for try := 1; ; try++ {
		if err := b.st.BreakLease(ctx, h); err != nil {
			t.Fatal(err)
		}
		_, err := b.st.AcquireLease(ctx, other, time.Hour)
		if err == nil {
			break
		}
		if _, held := errors.AsType[*store.LeaseError](err); !held || try == 10 {
			t.Fatal(err)
		}
	}
	at, err := b.st.ChangeCounter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine goes on after losing its lease")
	}
	if !errors.Is(b.err, store.ErrLeaseLost) {
		t.Fatalf("Run returned %v, want ErrLeaseLost", b.err)
	}
	if now, _ := b.st.ChangeCounter(ctx); now != at {
		t.Fatalf("the engine committed %d changes after it lost the lease", now-at)
	}
	if h2, live, _ := b.st.LeaseHolder(ctx); !live || h2.Host != "other-engine" {
		t.Fatalf("the stopped engine released the other engine's lease: %+v live=%v", h2, live)
	}
}

// hasRule reports whether the last rule event of a timeline is one of ids.
func hasRule(evs []store.Event, ids ...string) bool {
	last := ""
	for _, ev := range evs {
		if ev.Kind == "rule" {
			last = ev.MsgID
		}
	}
	return slices.Contains(ids, last)
}

// A connection's factura mapping reaches the rule: every order whose
// configured field matches asks for a factura, and one without a RUT waits
// in Errors naming the rule, never issued as a boleta.
func TestFacturaMappingFromConnectionSettings(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 40, seed: 5, noStart: true})
		ctx := context.Background()
		c := b.conn
		c.Settings.FacturaField, c.Settings.FacturaValue = "origin", "falabella"
		if err := b.st.Write(ctx, func(tx *store.Tx) error { _, err := tx.SaveConnection(ctx, c); return err }); err != nil {
			t.Fatal(err)
		}
		b.start()
		b.settle(30 * time.Second)
		rows, _ := b.st.ListOrders(ctx, store.OrderQuery{Limit: 100})
		var mapped int
		for _, o := range rows {
			if o.Marketplace != "falabella" || o.State == store.StateWaiting {
				continue
			}
			evs, _ := b.st.Events(ctx, o.ID)
			if !hasRule(evs, "rule.mapping") || o.DocType == 39 {
				t.Errorf("falabella order %s: %s type %d; timeline %+v", o.ID, o.State, o.DocType, evs)
			}
			if o.State == store.StateAttention {
				mapped++
			}
		}
		if mapped == 0 {
			t.Error("no falabella order without a RUT waited in Errors")
		}
	})
}
