package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store/pgtest"
)

// Engines on different machines write and judge the leases' expiry: with
// each judging by its own clock, one whose clock runs a minute ahead sees
// every live lease as expired and takes it over. The store's clock
// (PostgreSQL's) is the one that judges, whatever the engines' clocks say.
func TestPostgresLeaseExpiryIgnoresAnEnginesSkewedClock(t *testing.T) {
	t.Parallel()
	addr := pgtest.Store(t)
	ctx := context.Background()
	open := func(skew time.Duration) *Store {
		st, err := Open(ctx, addr, Options{Now: func() time.Time { return time.Now().Add(skew) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	right, ahead, behind := open(0), open(time.Minute), open(-time.Minute)
	var conn int64
	if err := right.Write(ctx, func(tx *Tx) (err error) {
		conn, err = tx.SaveConnection(ctx, Connection{Name: "tienda", Kind: KindMultivende, MerchantID: "m1", AccessToken: "secret"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	a, b := engineHolder(1), engineHolder(2)
	const ttl = 10 * time.Second

	// The engine whose clock is behind holds the connection: its lease is
	// live for the store, so neither of the others may take it.
	if err := behind.RegisterEngine(ctx, a, ttl); err != nil {
		t.Fatal(err)
	}
	f, err := behind.AcquireConnection(ctx, a.ID(), conn, ttl, "")
	if err != nil {
		t.Fatal(err)
	}
	for name, st := range map[string]*Store{"right": right, "ahead": ahead} {
		ls, err := st.ConnectionLeases(ctx)
		if err != nil || len(ls) != 1 || !ls[0].Live {
			t.Errorf("%s clock: the leases read %+v, %v; want the one live", name, ls, err)
		}
		es, err := st.Engines(ctx)
		if err != nil || len(es) != 1 || !es[0].Live {
			t.Errorf("%s clock: the engines read %+v, %v; want the one live", name, es, err)
		}
		var le *ConnLeaseError
		if _, err := st.AcquireConnection(ctx, b.ID(), conn, ttl, ""); !errors.As(err, &le) {
			t.Errorf("%s clock: taking a live lease: err = %v, want a *ConnLeaseError", name, err)
		}
	}
	if lost, err := behind.RenewConnections(ctx, []ConnFence{f}, ttl); err != nil || len(lost) != 0 {
		t.Errorf("renewing its own lease: lost %v, %v", lost, err)
	}
}

// The engine's monotonic clock stops while its machine is suspended: the
// server's clock read at open is then behind, and the leases it writes
// look expired to the other engines. With the real clock, each
// registration (every heartbeat) reads the server's clock again.
func TestPostgresLeaseClockIsReadAgainAtEachRegistration(t *testing.T) {
	t.Parallel()
	addr := pgtest.Store(t)
	ctx := context.Background()
	st, err := Open(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	other, err := Open(ctx, addr, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	st.setClock(pgClock{base: st.clock().base.Add(-time.Minute), at: st.clock().at}) // a minute suspended
	a := engineHolder(1)
	if err := st.RegisterEngine(ctx, a, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if es, err := other.Engines(ctx); err != nil || len(es) != 1 || !es[0].Live {
		t.Errorf("after a suspend, the engine registered: %+v, %v; want it live", es, err)
	}
}
