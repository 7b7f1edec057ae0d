package engine_test

import (
	"context"
	"iter"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"modernc.org/sqlite"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// failingFeed is a feed whose list fails from its failAt-th call on.
type failingFeed struct {
	feed
	calls  atomic.Int64
	failAt int64
}

func (f *failingFeed) Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[multivende.CheckoutPage, error] {
	if f.failAt > 0 && f.calls.Add(1) >= f.failAt {
		return func(yield func(multivende.CheckoutPage, error) bool) {
			yield(multivende.CheckoutPage{}, &multivende.Error{Code: multivende.CodeServer, Op: "list checkouts", Message: "boom"})
		}
	}
	return f.feed.Checkouts(ctx, merchantID, from, to)
}

// A first poll walks days of 2-hour windows, most of them empty: they
// cost no commit of their own (one per window made 84 commits of a week's
// lookback), and the mark still passes them, even when a later window
// fails (else a poll failing now and then would walk them forever).
func TestEmptyWindowsCostNoCommitOfTheirOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	var commits atomic.Int64
	watchDir(t, dir, func(h sqlite.HookRegisterer) {
		h.RegisterCommitHook(func() int32 { commits.Add(1); return 0 })
	})
	st := feedStore(t, filepath.Join(dir, "folio.db"))
	inv := offlineInvoicer(t)
	now := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	f := &failingFeed{}
	f.add(3, now.Add(-30*time.Minute), time.Minute) // all in the last window
	eng, err := engine.New(engine.Config{Store: st, Invoicer: inv, Lookback: 48 * time.Hour, Overlap: time.Second,
		Now: func() time.Time { return now }, Markets: func(store.Connection) (engine.Marketplace, error) { return f, nil }})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := st.Connection(ctx, "tienda")
	before := commits.Load()
	if n, err := eng.Ingest(ctx, c); err != nil || n != 3 {
		t.Fatalf("first poll: %d orders, %v", n, err)
	}
	// 24 windows, 23 empty: the orders' commit and the last window's mark.
	if got := commits.Load() - before; got != 2 {
		t.Fatalf("a poll of 24 windows, one with orders, made %d commits, want 2", got)
	}
	if c, _ = st.Connection(ctx, "tienda"); !c.HighWater.Equal(now) {
		t.Fatalf("high-water %v, want %v", c.HighWater, now)
	}

	// A day later, a poll whose fifth window fails: the four empty ones
	// read before it are passed in one commit.
	now = now.Add(24 * time.Hour)
	f.calls.Store(0)
	f.failAt = 5
	if _, err := eng.Ingest(ctx, c); err == nil {
		t.Fatal("the failing window did not fail the poll")
	}
	c, _ = st.Connection(ctx, "tienda")
	// From the mark less the overlap, four windows of 2 hours.
	if want := time.Date(2026, 11, 20, 19, 59, 59, 0, time.UTC); !c.HighWater.Equal(want) {
		t.Fatalf("high-water %v after four empty windows and a failure, want %v", c.HighWater, want)
	}
}
