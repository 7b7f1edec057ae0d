package main

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// TestRunSharesAPostgresStore starts two `folio run` on one PostgreSQL
// store: the second is not refused (as it would be on SQLite) but
// registers and shares the work; the orders settle exactly once and both
// stop cleanly on SIGTERM.
func TestRunSharesAPostgresStore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	addr := pgtest.Store(t)
	t.Parallel()
	bin := buildFolio(t)
	info := startSim(t, bin, 30, "latency=10ms..50ms")
	r := newRunner(t, bin, info)
	r.storePath = addr
	live := func() int {
		st, err := store.Open(context.Background(), addr, store.Options{ReadOnly: true})
		if err != nil {
			return 0
		}
		defer st.Close()
		es, _ := st.Engines(context.Background())
		n := 0
		for _, e := range es {
			if e.Live {
				n++
			}
		}
		return n
	}
	waitLive := func(n int) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); live() < n; {
			if time.Now().After(deadline) {
				t.Fatalf("%d engines never registered on the store", n)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	a := r.start("", "--lease-ttl", "1s")
	aDone := waitCh(a)
	waitLive(1)
	b := r.start("", "--lease-ttl", "1s")
	bDone := waitCh(b)
	waitLive(2)
	select {
	case err := <-aDone:
		t.Fatalf("the first engine exited when the second came: %v", err)
	case err := <-bDone:
		t.Fatalf("the second engine on a shared store exited: %v", err)
	default:
	}
	st := waitSettled(t, addr, info, 90*time.Second)
	defer st.Close()
	checkCrashLedgers(t, st, info)
	for _, p := range []struct {
		name string
		done <-chan error
		sig  func() error
	}{{"first", aDone, func() error { return a.Process.Signal(syscall.SIGTERM) }}, {"second", bDone, func() error { return b.Process.Signal(syscall.SIGTERM) }}} {
		if err := p.sig(); err != nil {
			t.Fatal(err)
		}
		if err := <-p.done; err != nil {
			t.Errorf("the %s engine did not exit 0 on SIGTERM: %v", p.name, err)
		}
	}
}
