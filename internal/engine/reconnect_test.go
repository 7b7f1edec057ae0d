package engine_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// A refresh token lost with a refresh's reply: the connection needs a
// reconnect, and its paid orders wait for it in a visible condition with
// no attempt used (those not yet tried stay queued: the connection is
// paused), then resume by themselves once it is reconnected.
func TestOrdersWaitForReconnect(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
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
		var n int
		var err error
		var c store.Connection
		if !eventually(20*time.Second, func() bool {
			n, err = b.st.WaitingReconnect(ctx, b.conn.ID)
			c, _ = b.st.ConnectionByID(ctx, b.conn.ID)
			counts, _ = b.st.CountByState(ctx)
			// Orders a worker tried before the poll saw the refresh refused are
			// retrying; the others stay queued (which comes first is a race).
			return err == nil && n == paid && c.Status == store.ConnNeedsReconnect &&
				counts[store.StateRetrying]+counts[store.StateQueued] == paid
		}) {
			t.Fatalf("waiting for reconnect: %d of %d (%v), connection %s, %v", n, paid, err, c.Status, counts)
		}
		// The last error is the client's words, never a sentence of folio's
		// in one language: readers word "needs reconnecting" themselves.
		if c.LastError == "" || strings.Contains(c.LastError, "reconectar") {
			t.Errorf("last error %q, want the refresh's refusal as the client said it", c.LastError)
		}
		rows, _ := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateRetrying}, Limit: 100})
		for _, o := range rows {
			if o.ReasonCode != "WAITING-RECONNECT" || o.Attempts != 0 {
				t.Errorf("order %s: %s %q, %d attempts; want WAITING-RECONNECT with none used", o.ID, o.ReasonCode, o.Reason, o.Attempts)
			}
		}
		// Nothing burns while it waits: read once the bubble has been idle
		// through 50 polls and many retry delays.
		time.Sleep(5 * time.Second)
		synctest.Wait()
		rows, _ = b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateRetrying, store.StateQueued}, Limit: 100})
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
	})
}

// flakyRefresh is a Marketplace whose token refresh keeps losing its
// reply while down is set: each detail read fails as the client reports it.
type flakyRefresh struct {
	engine.Marketplace
	down *atomic.Bool
}

func (f flakyRefresh) Checkout(ctx context.Context, id string) (*multivende.Checkout, []byte, error) {
	if f.down.Load() {
		return nil, nil, &multivende.Error{Code: multivende.CodeServer, Op: "refresh token", Message: "connection reset"}
	}
	return f.Marketplace.Checkout(ctx, id)
}

// A refresh that keeps losing its reply (already tried again inside the
// token source) fails the connection, not the orders: they retry without
// using their attempts.
func TestLostRefreshUsesNoAttempts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 12, seed: 21, noStart: true})
		var down atomic.Bool
		down.Store(true)
		cfg, self := b.engineConfig(2)
		real := cfg.Markets
		cfg.Markets = func(c store.Connection) (engine.Marketplace, error) {
			m, err := real(c)
			return flakyRefresh{m, &down}, err
		}
		eng, err := engine.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		*self, b.eng = eng, eng
		b.start()
		ctx := context.Background()
		var rows []store.Order
		var again int
		if !eventually(20*time.Second, func() bool {
			rows, _ = b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateRetrying}, Limit: 100})
			again = 0
			for _, o := range rows {
				if o.Attempts != 0 {
					t.Fatalf("order %s used %d attempts on a lost refresh (%s)", o.ID, o.Attempts, o.Reason)
				}
				evs, _ := b.st.Events(ctx, o.ID)
				for _, e := range evs {
					if e.Kind == "error" {
						again++
					}
				}
			}
			return again >= 2*len(rows) && len(rows) > 0 // every waiting order has failed at least twice
		}) {
			t.Fatalf("orders did not fail on the lost refresh: %d retrying, %d failures", len(rows), again)
		}
		down.Store(false)
		b.settle(30 * time.Second)
		b.checkLedgers()
	})
}
