package store

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// testClock is an injected clock the leases' expiry is read against.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *testClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// setupClock is setup with the store's clock in the test's hands.
func setupClock(t *testing.T) (*bundle, *testClock) {
	t.Helper()
	clk := &testClock{t: time.UnixMilli(1_800_000_000_000)}
	return setupWith(t, storePathFor(t), Options{Now: clk.now}), clk
}

func engineHolder(pid int) Holder {
	return Holder{PID: pid, Host: "srv", StartedAt: time.UnixMilli(1_700_000_000_000 + int64(pid))}
}

// A connection is leased by one engine at a time: renewed at its
// generation, refused to another while live, taken over (generation
// raised) once expired, released for the next, and let go when its engine
// deregisters.
func TestConnectionLeases(t *testing.T) {
	t.Parallel()
	b, clk := setupClock(t)
	ctx := context.Background()
	a, bb := engineHolder(1), engineHolder(2)
	for _, h := range []Holder{a, bb} {
		if err := b.st.RegisterEngine(ctx, h, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	fa, err := b.st.AcquireConnection(ctx, a.ID(), b.conn, 10*time.Second, "")
	if err != nil || fa.Generation != 1 || fa.Engine != a.ID() {
		t.Fatalf("first lease: %+v %v", fa, err)
	}
	var le *ConnLeaseError
	if _, err := b.st.AcquireConnection(ctx, bb.ID(), b.conn, 10*time.Second, ""); !errors.As(err, &le) || le.Engine != a.ID() {
		t.Fatalf("a live lease must be refused to another engine: %v", err)
	}
	clk.add(5 * time.Second)
	if lost, err := b.st.RenewConnections(ctx, []ConnFence{fa}, 10*time.Second); err != nil || len(lost) != 0 {
		t.Fatalf("renewal: %v %v", lost, err)
	}
	if again, err := b.st.AcquireConnection(ctx, a.ID(), b.conn, 10*time.Second, ""); err != nil || again.Generation != 1 {
		t.Fatalf("the holder acquiring again keeps its generation: %+v %v", again, err)
	}
	clk.add(9 * time.Second)
	if _, err := b.st.AcquireConnection(ctx, bb.ID(), b.conn, 10*time.Second, ""); !errors.As(err, &le) {
		t.Fatalf("a renewed lease is still live: %v", err)
	}
	clk.add(2 * time.Second) // a stopped renewing: its lease expired
	fb, err := b.st.AcquireConnection(ctx, bb.ID(), b.conn, 10*time.Second, "")
	if err != nil || fb.Generation != 2 {
		t.Fatalf("an expired lease is taken over at a new generation: %+v %v", fb, err)
	}
	if lost, err := b.st.RenewConnections(ctx, []ConnFence{fa}, 10*time.Second); err != nil || !slices.Equal(lost, []int64{b.conn}) {
		t.Fatalf("the old holder's renewal must report the connection lost: %v %v", lost, err)
	}
	// over: a live lease of an engine known dead is taken at once.
	fa2, err := b.st.AcquireConnection(ctx, a.ID(), b.conn, 10*time.Second, bb.ID())
	if err != nil || fa2.Generation != 3 {
		t.Fatalf("taking over a dead engine's live lease: %+v %v", fa2, err)
	}
	if err := b.st.ReleaseConnection(ctx, fa2); err != nil {
		t.Fatal(err)
	}
	fb2, err := b.st.AcquireConnection(ctx, bb.ID(), b.conn, 10*time.Second, "")
	if err != nil || fb2.Generation != 4 {
		t.Fatalf("a released lease is free at once, at a new generation: %+v %v", fb2, err)
	}
	ls, err := b.st.ConnectionLeases(ctx)
	if err != nil || len(ls) != 1 || ls[0].Engine != bb.ID() || !ls[0].Live || ls[0].Generation != 4 {
		t.Fatalf("ConnectionLeases = %+v, %v", ls, err)
	}
	if err := b.st.DeregisterEngine(ctx, bb); err != nil {
		t.Fatal(err)
	}
	if ls, _ := b.st.ConnectionLeases(ctx); len(ls) != 1 || ls[0].Live {
		t.Fatalf("a deregistered engine's lease must be expired: %+v", ls)
	}
	es, err := b.st.Engines(ctx)
	if err != nil || len(es) != 1 || es[0].ID != a.ID() {
		t.Fatalf("Engines after deregistering one = %+v, %v", es, err)
	}
	// An engine expired for more than an hour is forgotten at the next
	// registration.
	clk.add(2 * time.Hour)
	if err := b.st.RegisterEngine(ctx, bb, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if es, _ := b.st.Engines(ctx); len(es) != 1 || es[0].ID != bb.ID() || !es[0].Live {
		t.Fatalf("Engines = %+v", es)
	}
	if err := b.st.BreakEngine(ctx, bb.ID()); err != nil {
		t.Fatal(err)
	}
	if es, _ := b.st.Engines(ctx); len(es) != 1 || es[0].Live {
		t.Fatalf("a broken engine is not live: %+v", es)
	}
}

func TestFairShare(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ conns, engines, want int }{
		{0, 1, 0}, {5, 0, 5}, {5, 1, 5}, {5, 2, 3}, {6, 3, 2}, {7, 3, 3}, {2, 3, 1}, {20, 3, 7},
	} {
		if got := FairShare(c.conns, c.engines); got != c.want {
			t.Errorf("FairShare(%d, %d) = %d, want %d", c.conns, c.engines, got, c.want)
		}
	}
}

// An engine frozen past its lease of a connection wakes after another
// engine took that connection over: its writes about that connection fail
// and commit nothing, it is told once, the new holder's go through, and
// its writes about a connection it still holds go through too.
func TestFencedWritesPerConnection(t *testing.T) {
	t.Parallel()
	b, clk := setupClock(t)
	ctx := context.Background()
	var other int64
	err := b.st.Write(ctx, func(tx *Tx) error {
		var err error
		other, err = tx.SaveConnection(ctx, Connection{Name: "otra", Kind: KindMultivende, MerchantID: "m2", AccessToken: "secret"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, bb := engineHolder(1), engineHolder(2)
	fa, err := b.st.AcquireConnection(ctx, a.ID(), b.conn, 10*time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	fo, err := b.st.AcquireConnection(ctx, a.ID(), other, time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	actx := WithConnFence(ctx, fa, func() { lost++ })
	if err := b.st.Write(actx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "a1") }); err != nil {
		t.Fatalf("the holder's write: %v", err)
	}
	if err := b.st.CheckFence(actx); err != nil {
		t.Fatal(err)
	}
	clk.add(11 * time.Second) // a is "frozen" past its lease of b.conn
	fb, err := b.st.AcquireConnection(ctx, bb.ID(), b.conn, 10*time.Second, "")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		err := b.st.Write(actx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "stale") })
		if !errors.Is(err, ErrConnectionLost) {
			t.Fatalf("a stale holder's write: %v", err)
		}
	}
	if err := b.st.CheckFence(actx); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("CheckFence of a stale holder: %v", err)
	}
	if lost != 1 {
		t.Fatalf("onLost called %d times, want once", lost)
	}
	if v, _ := b.st.Setting(ctx, "k"); v != "a1" {
		t.Fatalf("a stale write was committed: %q", v)
	}
	if err := b.st.Write(WithConnFence(ctx, fb, nil), func(tx *Tx) error { return tx.SetSetting(ctx, "k", "b1") }); err != nil {
		t.Fatalf("the new holder's write: %v", err)
	}
	if err := b.st.Write(WithConnFence(ctx, fo, nil), func(tx *Tx) error { return tx.SetSetting(ctx, "o", "a") }); err != nil {
		t.Fatalf("a's write about the connection it still holds: %v", err)
	}
	// Released by b: a stays stale (the next holder raises the generation).
	if err := b.st.ReleaseConnection(ctx, fb); err != nil {
		t.Fatal(err)
	}
	if err := b.st.Write(actx, func(tx *Tx) error { return nil }); !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("after release, the stale holder: %v", err)
	}
	// On a shared store's engine fence, only the connection is checked.
	shared := WithFence(WithConnFence(ctx, fo, nil), Fence{Holder: a, Shared: true}, nil)
	if err := b.st.Write(shared, func(tx *Tx) error { return nil }); err != nil {
		t.Fatalf("a shared fence without a store-wide lease: %v", err)
	}
}

// An engine sharing the store reads the due, in-flight and SII-pending
// work of its own connections only.
func TestWorkOfConnections(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var other int64
	err := b.st.Write(ctx, func(tx *Tx) error {
		var err error
		other, err = tx.SaveConnection(ctx, Connection{Name: "otra", Kind: KindMultivende, MerchantID: "m2", AccessToken: "secret"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var batch []OrderUpsert
	for i := range 6 {
		o := b.order(i, StateQueued)
		if i%2 == 1 {
			o.ConnectionID = other
		}
		batch = append(batch, o)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { _, err := tx.UpsertOrders(ctx, batch); return err }); err != nil {
		t.Fatal(err)
	}
	ids := func(os []Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	now := time.Now()
	for _, c := range []struct {
		conns []int64
		want  []string
	}{
		{nil, []string{"co-000000", "co-000001", "co-000002", "co-000003", "co-000004", "co-000005"}},
		{[]int64{b.conn}, []string{"co-000000", "co-000002", "co-000004"}},
		{[]int64{other}, []string{"co-000001", "co-000003", "co-000005"}},
		{[]int64{}, nil},
	} {
		due, err := b.st.DueOrdersOf(ctx, now, 100, c.conns)
		if err != nil || !slices.Equal(ids(due), c.want) {
			t.Errorf("DueOrdersOf(%v) = %v, %v; want %v", c.conns, ids(due), err, c.want)
		}
	}
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, "co-000003", Move{From: []State{StateQueued}, To: StateBuilding})
	}); err != nil {
		t.Fatal(err)
	}
	if fl, err := b.st.InFlightOrdersOf(ctx, 10, []int64{b.conn}); err != nil || len(fl) != 0 {
		t.Errorf("in flight of the first connection = %v, %v", ids(fl), err)
	}
	if fl, err := b.st.InFlightOrdersOf(ctx, 10, []int64{other}); err != nil || !slices.Equal(ids(fl), []string{"co-000003"}) {
		t.Errorf("in flight of the other = %v, %v", ids(fl), err)
	}
	if p, err := b.st.PendingSIIOf(ctx, now, 10, []int64{other}); err != nil || len(p) != 0 {
		t.Errorf("PendingSIIOf = %v, %v", p, err)
	}
}

// "An engine runs" reads the store-wide lease on SQLite and the engines'
// registrations on a shared store, where no engine takes the lease.
func TestLeaseHolderOfEachDriver(t *testing.T) {
	t.Parallel()
	b, clk := setupClock(t)
	ctx := context.Background()
	h := engineHolder(7)
	if b.st.Shared() {
		if err := b.st.RegisterEngine(ctx, h, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	} else if _, err := b.st.AcquireLease(ctx, h, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got, live, err := b.st.LeaseHolder(ctx); err != nil || !live || got.ID() != h.ID() {
		t.Fatalf("LeaseHolder = %+v %v %v, want %s live", got, live, err, h.ID())
	}
	clk.add(11 * time.Second)
	if _, live, err := b.st.LeaseHolder(ctx); err != nil || live {
		t.Fatalf("an expired engine still runs: %v %v", live, err)
	}
}

// A deleted connection leaves no lease behind: the console would show an
// engine holding a connection that is gone, and SQLite gives a new
// connection the deleted one's id, so the new one would start leased.
func TestDeletedConnectionLeavesNoLease(t *testing.T) {
	t.Parallel()
	b, _ := setupClock(t)
	ctx := context.Background()
	a := engineHolder(1)
	if _, err := b.st.AcquireConnection(ctx, a.ID(), b.conn, time.Minute, ""); err != nil {
		t.Fatal(err)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.DeleteConnection(ctx, "tienda") }); err != nil {
		t.Fatal(err)
	}
	if ls, err := b.st.ConnectionLeases(ctx); err != nil || len(ls) != 0 {
		t.Errorf("leases after the connection was deleted: %+v, %v", ls, err)
	}
}

// The shares of the live engines add up to the connections exactly, the
// remainder to the first engines by id.
func TestShareOf(t *testing.T) {
	t.Parallel()
	es := []string{"h/3/1", "h/1/1", "h/2/1"}
	for _, c := range []struct {
		conns int
		want  []int // for h/1/1, h/2/1, h/3/1
	}{{4, []int{2, 1, 1}}, {3, []int{1, 1, 1}}, {2, []int{1, 1, 0}}, {0, []int{0, 0, 0}}, {7, []int{3, 2, 2}}} {
		sum := 0
		for i, id := range []string{"h/1/1", "h/2/1", "h/3/1"} {
			got := ShareOf(c.conns, es, id)
			sum += got
			if got != c.want[i] {
				t.Errorf("ShareOf(%d, %v, %s) = %d, want %d", c.conns, es, id, got, c.want[i])
			}
		}
		if sum != c.conns {
			t.Errorf("the shares of %d connections add up to %d", c.conns, sum)
		}
	}
	if got := ShareOf(5, nil, "x"); got != 5 {
		t.Errorf("ShareOf with no engine listed = %d, want all 5", got)
	}
}
