package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

// A refresh token lost with a refresh's reply: the connection needs a
// reconnect, and its paid orders wait for it in a visible condition with
// no attempt used (those not yet tried stay queued: the connection is
// paused), then resume by themselves once it is reconnected.
func TestOrdersWaitForReconnect(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{orders: 20, seed: 9, noStart: true})
	ctx := context.Background()
	// Ingest with good tokens (another engine's client), then lose them.
	if _, err := b.newEngine(1).Ingest(ctx, b.conn); err != nil {
		t.Fatal(err)
	}
	counts, _ := b.st.CountByState(ctx)
	paid := counts[store.StateQueued]
	if paid == 0 {
		t.Fatalf("nothing paid: %v", counts)
	}
	good := b.conn
	if err := b.st.Write(ctx, func(tx *store.Tx) error {
		return tx.SetTokens(ctx, b.conn.ID, "gone", "rotated-and-lost", time.Now().Add(-time.Minute), time.Now().Add(time.Hour))
	}); err != nil {
		t.Fatal(err)
	}
	b.start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		n, err := b.st.WaitingReconnect(ctx, b.conn.ID)
		c, _ := b.st.ConnectionByID(ctx, b.conn.ID)
		counts, _ := b.st.CountByState(ctx)
		if err == nil && n == paid && c.Status == store.ConnNeedsReconnect && counts[store.StateRetrying] > 0 &&
			counts[store.StateRetrying]+counts[store.StateQueued] == paid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for reconnect: %d of %d (%v), connection %s, %v", n, paid, err, c.Status, counts)
		}
		time.Sleep(20 * time.Millisecond)
	}
	rows, _ := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateRetrying}, Limit: 100})
	for _, o := range rows {
		if o.ReasonCode != "WAITING-RECONNECT" || o.Attempts != 0 {
			t.Errorf("order %s: %s %q, %d attempts; want WAITING-RECONNECT with none used", o.ID, o.ReasonCode, o.Reason, o.Attempts)
		}
	}
	// Nothing burns while it waits.
	time.Sleep(300 * time.Millisecond)
	rows, _ = b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateRetrying}, Limit: 100})
	for _, o := range rows {
		if o.Attempts != 0 {
			t.Errorf("order %s used %d attempts while waiting", o.ID, o.Attempts)
		}
	}
	// A person reconnects (what folio connect multivende saves).
	b.connect(ctx)
	if b.conn.ID != good.ID {
		t.Fatalf("reconnect made a new connection")
	}
	b.settle(30 * time.Second)
	b.checkLedgers()
	if n, _ := b.st.WaitingReconnect(ctx, b.conn.ID); n != 0 {
		t.Errorf("%d still waiting after the reconnect", n)
	}
}
