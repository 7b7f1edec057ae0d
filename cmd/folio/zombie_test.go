package main

import (
	"math/rand/v2"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// zombieCycles is how many times the zombie test freezes the lease holder
// around a takeover; FOLIO_SOAK=1 does 12 over 200 orders.
func zombieCycles() (cycles, orders int) { return soak(4, 40, 12, 200) }

// TestZombieEngineIsFenced freezes the engine holding the store's lease
// (SIGSTOP) past its lease, starts another engine that takes the lease over
// and works, then wakes the frozen one (SIGCONT) — what a VM pause, a long
// GC or a stalled disk does. The woken engine must stop without committing
// anything, and at the end both ledgers must hold: no order with two
// documents, no folio attached twice, every consumed folio attached once
// or named by an order waiting in Errors.
func TestZombieEngineIsFenced(t *testing.T) {
	bin := processTest(t)
	cycles, orders := zombieCycles()
	// Slow replies keep calls in flight when the freeze lands; resets after
	// generar leave outcomes the new holder must resolve.
	info := startSim(t, bin, orders, "5xx=0.02,latency=20ms..150ms,reset=0.01,reset-after-generar=0.05")
	r := newRunner(t, bin, info)
	const ttl = time.Second
	type proc struct {
		cmd  *exec.Cmd
		done <-chan error
	}
	run := func() proc {
		c := r.start("", "--lease-ttl", ttl.String())
		return proc{c, waitCh(c)}
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))

	holder := run()
	// Freezing an engine still starting (under -race on a busy machine
	// that takes a while) would freeze no lease holder: the woken one is
	// then refused at start, which is not a fence.
	waitHolds(t, r.storePath, holder.cmd.Process.Pid)
	fenced := 0
	for i := 0; i < cycles; i++ {
		// Long enough for the holder to have calls in flight (4 workers,
		// 20–150 ms replies); the freeze lands at a random point of them.
		time.Sleep(time.Duration(300+rng.IntN(600)) * time.Millisecond)
		if err := holder.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatalf("freezing the holder: %v", err)
		}
		time.Sleep(ttl + 300*time.Millisecond) // its lease expires
		next := run()
		// The holder is woken only once the new engine holds the lease: a
		// fixed wait here woke it, on a loaded machine (CI, -race), before
		// the new one had even started, and it renewed its lease first.
		if took, err := takesLease(t, r.storePath, next.cmd.Process.Pid, next.done); !took {
			// The new engine could not take over (the frozen one held the
			// SQLite write lock) and gave up: the woken one rightly holds on.
			t.Logf("cycle %d: the new engine did not take over: %v", i, err)
			if err := holder.cmd.Process.Signal(syscall.SIGCONT); err != nil {
				t.Fatalf("waking the holder: %v", err)
			}
			continue
		}
		time.Sleep(time.Duration(300+rng.IntN(600)) * time.Millisecond) // the new holder works
		if err := holder.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatalf("waking the holder: %v", err)
		}
		select {
		case err := <-holder.done:
			// Fenced: it exits with an error naming the lost lease.
			if err == nil {
				t.Errorf("cycle %d: the woken engine exited 0 after losing its lease", i)
			}
			fenced++
			holder = next
		case err := <-next.done:
			t.Fatalf("cycle %d: the new holder exited (%v) when the old one woke", i, err)
		case <-time.After(4 * ttl):
			t.Fatalf("cycle %d: two engines run at once: the woken one was not fenced", i)
		}
	}
	if fenced == 0 {
		t.Fatal("no woken engine was ever fenced: the takeover did not happen")
	}
	if n := strings.Count(r.log(), "lease lost to another engine"); n < fenced {
		t.Errorf("%d engines were fenced but %d said so in the log", fenced, n)
	}
	t.Logf("%d of %d cycles fenced a woken engine", fenced, cycles)
	calmSim(t, info)
	st := waitSettled(t, r.storePath, info, time.Duration(orders)*3*time.Second)
	holder.cmd.Process.Signal(syscall.SIGTERM)
	if err := <-holder.done; err != nil {
		t.Errorf("the last holder did not exit 0 on SIGTERM: %v", err)
	}
	defer st.Close()
	checkCrashLedgers(t, st, info)
}
