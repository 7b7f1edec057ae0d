package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// multiEngineSize is the multi-engine crash test's size: rounds of
// kills, additions and removals, and orders per merchant (20 merchants).
// FOLIO_SOAK=1 does 40 rounds over 15 orders per merchant.
func multiEngineSize() (rounds, ordersPerMerchant int) { return soak(10, 8, 40, 30) }

// multiMerchants is how many merchants the multi-engine crash test serves.
const multiMerchants = 20

// TestMultiEngineCrashExactlyOnce runs three `folio run` on one
// PostgreSQL store against `folio sim --merchants 20` with faults, the 20
// connections made through the simulator's OAuth. Engines are SIGKILLed
// at random moments and at failpoints, added and removed (SIGTERM) while
// they work; then the faults stop, two clean engines finish, and both
// ledgers are checked across every merchant: no order with two documents,
// no folio consumed twice or attached to two orders, every paid order has
// its document or waits in Errors with a reason, every order belongs to
// its merchant's connection, and the survivors share the connections.
func TestMultiEngineCrashExactlyOnce(t *testing.T) {
	if !pgtest.Available() {
		t.Skip(pgtest.SkipLine)
	}
	bin := processTest(t)
	rounds, orders := multiEngineSize()
	multiEngineCrash(t, bin, pgtest.Store(t), 3, rounds, orders)
}

// fleetProc is one `folio run` of the fleet.
type fleetProc struct {
	cmd  *exec.Cmd
	done <-chan error
	fp   string // its FOLIO_FAILPOINT ("": none)
}

// multiEngineCrash is the multi-engine crash test over the store at path,
// starting with engines engines (at most engines+1 run at once; one keeps
// the same moves meaningful on a store that allows one engine).
func multiEngineCrash(t *testing.T, bin, path string, engines, rounds, orders int) {
	info := startSimArgs(t, bin, orders, "5xx=0.03,429=0.02,latency=5ms..60ms,reset=0.01,reset-after-generar=0.05",
		"--merchants", strconv.Itoa(multiMerchants))
	if len(info.Merchants) != multiMerchants {
		t.Fatalf("folio sim lists %d merchants, want %d", len(info.Merchants), multiMerchants)
	}
	r := newRunner(t, bin, info)
	r.storePath = path
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	const leaseTTL = 2 * time.Second
	// Freezes were once off: a woken engine sent a call it had checked its
	// lease for before the client's pacing, and a document was attached
	// twice about one short run in six. The clients now check the lease
	// again after their pace (internal/preflight).
	points := []string{engine.FailAfterPrepare, engine.FailAfterIssue, engine.FailAfterAttach, engine.FailAfterUpload}
	var fleet []*fleetProc
	start := func(fp string) {
		c := r.start(fp, "--lease-ttl", leaseTTL.String())
		fleet = append(fleet, &fleetProc{cmd: c, done: waitCh(c), fp: fp})
	}
	failpoint := func() string {
		return fmt.Sprintf("%s:%d", points[rng.IntN(len(points))], 1+rng.IntN(2))
	}
	t.Cleanup(func() {
		for _, p := range fleet {
			p.cmd.Process.Signal(syscall.SIGKILL)
			<-p.done
		}
	})
	// reap drops the engines that exited by themselves: at their
	// failpoint (exit 3), or any other way, which is logged.
	reap := func() {
		live := fleet[:0]
		for _, p := range fleet {
			select {
			case err := <-p.done:
				var ee *exec.ExitError
				if !(errors.As(err, &ee) && ee.ExitCode() == 3 && p.fp != "") {
					t.Logf("engine %d (failpoint %q) exited by itself: %v", p.cmd.Process.Pid, p.fp, err)
				}
			default:
				live = append(live, p)
			}
		}
		fleet = live
	}
	// pick chooses a victim, sparing the engines with a failpoint armed
	// while there are others: they are to die at their failpoint.
	pick := func() int {
		var plain []int
		for i, p := range fleet {
			if p.fp == "" {
				plain = append(plain, i)
			}
		}
		if len(plain) > 0 {
			return plain[rng.IntN(len(plain))]
		}
		return rng.IntN(len(fleet))
	}
	remove := func(i int) { fleet = append(fleet[:i], fleet[i+1:]...) }
	kill := func(i int) {
		fleet[i].cmd.Process.Signal(syscall.SIGKILL)
		<-fleet[i].done
		remove(i)
	}
	maxLive := engines + 1
	if engines == 1 {
		maxLive = 1 // a store one engine at a time works (SQLite)
	}
	// One of the first engines is armed: it dies at its failpoint while
	// the others work (they all start with orders to do).
	for i := range engines {
		if i == engines-1 && engines > 1 {
			start(failpoint())
		} else {
			start("")
		}
	}
	// The moves come in a fixed cycle, so even a short run makes each;
	// their moments and victims are random.
	kills, removed, added, frozen := 0, 0, 0, 0
	began := time.Now()
	for i := range rounds {
		// Each move lands on engines at work: the fleet has started (an
		// engine killed while it connects tests little), then a while.
		reap()
		for len(fleet) < min(2, engines) { // armed engines die by themselves
			start("")
		}
		waitStarted(t, r.storePath, fleet)
		time.Sleep(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		reap()
		switch i % 5 {
		case 0: // a crash at a random moment, and a new engine for it
			if len(fleet) > 0 {
				kill(pick())
				kills++
			}
			start("")
		case 1: // a crash at a failpoint
			if len(fleet) > 0 {
				kill(pick())
				kills++
			}
			start(failpoint())
		case 2: // an engine added
			if len(fleet) >= maxLive {
				kill(pick())
				kills++
			}
			start("")
			added++
		case 3: // an engine removed: a clean stop hands its connections over
			if len(fleet) > 1 || engines == 1 {
				j := pick()
				p := fleet[j]
				p.cmd.Process.Signal(syscall.SIGTERM)
				if err := <-p.done; err != nil {
					var ee *exec.ExitError
					if !(errors.As(err, &ee) && ee.ExitCode() == 3 && p.fp != "") { // it may reach its failpoint first
						t.Errorf("engine %d removed with SIGTERM did not exit 0: %v", p.cmd.Process.Pid, err)
					}
				}
				remove(j)
				removed++
			}
			if len(fleet) == 0 {
				start("")
			}
		case 4: // an engine frozen past its leases (SIGSTOP), others take
			// its connections over, then it wakes (SIGCONT) with calls in
			// flight: it must commit nothing for what it lost
			if len(fleet) > 1 {
				p := fleet[pick()]
				p.cmd.Process.Signal(syscall.SIGSTOP)
				time.Sleep(leaseTTL + time.Second)
				p.cmd.Process.Signal(syscall.SIGCONT)
				frozen++
			} else if len(fleet) > 0 { // a crash instead
				kill(pick())
				kills++
				start("")
			}
		}
	}
	reap()
	b, _ := os.ReadFile(r.logPath)
	// What was left when the moves ended: the moves are to land while
	// the engines work, not after.
	if st, err := store.Open(context.Background(), r.storePath, store.Options{ReadOnly: true}); err == nil {
		counts, _ := st.CountByState(context.Background())
		st.Close()
		t.Logf("orders by state when the moves ended: %v", counts)
	}
	moved := time.Since(began)
	hits := strings.Count(string(b), "failpoint")
	t.Logf("%d rounds in %v: %d kills, %d engines added, %d removed, %d frozen and woken; %d runs died at a failpoint",
		rounds, moved.Round(time.Millisecond), kills, added, removed, frozen, hits)
	if hits == 0 {
		t.Error("no run reached its failpoint: the worst moments were not tested")
	}

	// The survivors finish without faults; engines with a failpoint armed
	// are crashed now, so that the end is not one more crash.
	calmSim(t, info)
	for i := len(fleet) - 1; i >= 0; i-- {
		if fleet[i].fp != "" {
			kill(i)
		}
	}
	for len(fleet) < min(2, engines) {
		start("")
	}
	st := waitSettled(t, r.storePath, info, time.Duration(orders*multiMerchants)*time.Second+60*time.Second)
	defer st.Close()
	t.Logf("settled %v after the moves", (time.Since(began) - moved).Round(time.Millisecond))
	if engines > 1 {
		checkShared(t, st, len(fleet))
	}
	for _, p := range fleet {
		p.cmd.Process.Signal(syscall.SIGTERM)
		if err := <-p.done; err != nil {
			t.Errorf("engine %d did not exit 0 on SIGTERM: %v", p.cmd.Process.Pid, err)
		}
	}
	fleet = nil
	checkCrashLedgers(t, st, info)
	checkMerchants(t, st, info.Multivende)
}

// waitStarted waits (up to 30 s) until every engine of the fleet that is
// still running has registered on the store at path.
func waitStarted(t *testing.T, path string, fleet []*fleetProc) {
	t.Helper()
	ctx := context.Background()
	var st *store.Store
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if st == nil {
			if st, err = store.Open(ctx, path, store.Options{ReadOnly: true}); err != nil {
				st = nil
				continue // not created yet
			}
		}
		engines, err := st.Engines(ctx)
		if err != nil {
			continue
		}
		live := map[int]bool{}
		for _, e := range engines {
			if e.Live {
				live[e.Holder.PID] = true
			}
		}
		missing := 0
		for _, p := range fleet {
			if !live[p.cmd.Process.Pid] && !exited(p) { // not ProcessState: Wait writes it in waitCh's goroutine
				missing++
			}
		}
		if missing == 0 {
			return
		}
	}
	t.Logf("some engines had not started after 30 s")
}

// exited reports whether p has exited, without waiting; its exit stays
// for reap to read.
func exited(p *fleetProc) bool {
	select {
	case err := <-p.done:
		ch := make(chan error, 1)
		ch <- err
		p.done = ch
		return true
	default:
		return false
	}
}

// startSimArgs is startSim with more flags for folio sim.
func startSimArgs(t *testing.T, bin string, orders int, faults string, args ...string) sim.Info {
	t.Helper()
	return startSimWith(t, bin, append([]string{"--orders", strconv.Itoa(orders), "--faults", faults}, args...))
}

// checkShared checks that the live engines share the connections: every
// Multivende connection is leased by a live engine, and each of the
// engines holds some (the survivors' fair share).
func checkShared(t *testing.T, st *store.Store, engines int) {
	t.Helper()
	ctx := context.Background()
	// Shares settle within a few lease renewals after the last move.
	var holders map[string]int
	var unleased int
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		leases, err := st.ConnectionLeases(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns, err := st.Connections(ctx)
		if err != nil {
			t.Fatal(err)
		}
		live := map[int64]string{}
		for _, l := range leases {
			if l.Live {
				live[l.ConnectionID] = l.Engine
			}
		}
		holders, unleased = map[string]int{}, 0
		for _, c := range conns {
			if c.Kind != store.KindMultivende {
				continue
			}
			if e, ok := live[c.ID]; ok {
				holders[e]++
			} else {
				unleased++
			}
		}
		if unleased == 0 && len(holders) == engines {
			t.Logf("connections per engine at the end: %v", holders)
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("at the end %d connections have no live lease and %d engines hold some (%v), want 0 and %d",
				unleased, len(holders), holders, engines)
			return
		}
	}
}

// checkMerchants checks that every order in the store came through its
// merchant's connection, across every merchant of the simulator.
func checkMerchants(t *testing.T, st *store.Store, mvURL string) {
	t.Helper()
	ctx := context.Background()
	var mv mvsim.State
	getJSON(t, mvURL+"/_sim/state", &mv)
	conns, err := st.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	merchantOf := map[int64]string{}
	for _, c := range conns {
		merchantOf[c.ID] = c.MerchantID
	}
	per := map[string]int{}
	for _, c := range mv.Checkouts {
		o, err := st.GetOrder(ctx, c.ID)
		if err != nil {
			continue // checkCrashLedgers said so
		}
		if got := merchantOf[o.ConnectionID]; got != c.MerchantID {
			t.Errorf("order %s of merchant %s is in the store under connection %d (merchant %q)", c.ID, c.MerchantID, o.ConnectionID, got)
		}
		per[c.MerchantID]++
	}
	if len(per) != multiMerchants {
		t.Errorf("orders of %d merchants, want %d", len(per), multiMerchants)
	}
}
