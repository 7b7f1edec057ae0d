package engine_test

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"net/url"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // bare SQLite, the reference figure

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
)

// commitCeiling measures durable commits per second on a fresh store like
// BenchmarkStoreCommit in internal/store: a guarded transition plus its
// timeline event per commit.
func commitCeiling(tb testing.TB, n int) float64 {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(tb.TempDir(), "ceiling.db"), store.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	err = st.Write(ctx, func(tx *store.Tx) error {
		id, err := tx.SaveConnection(ctx, store.Connection{Name: "c", Kind: store.KindMultivende, BaseURL: "http://127.0.0.1:1", MerchantID: "m"})
		if err != nil {
			return err
		}
		_, err = tx.UpsertOrders(ctx, []store.OrderUpsert{{ID: "o", ConnectionID: id, PaymentStatus: "completed", Status: "confirmed",
			SoldAt: time.Now(), RemoteUpdatedAt: time.Now(), InitialState: store.StateQueued}})
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	states := []store.State{store.StateQueued, store.StateBuilding}
	start := time.Now()
	for i := range n {
		from, to := states[i%2], states[(i+1)%2]
		if err := st.Write(ctx, func(tx *store.Tx) error {
			return tx.MoveOrder(ctx, "o", store.Move{From: []store.State{from}, To: to, Event: store.Event{Kind: "bench", Message: "step"}})
		}); err != nil {
			tb.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// openBare opens a fresh SQLite file as the store does (WAL,
// synchronous=FULL, one connection) with one plain table, and nothing of
// the store: the disk's own figure, against which the store is read.
func openBare(tb testing.TB) *sql.DB {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "bare.db")
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()+
		"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	return db
}

// bareCommits is durable commits/s on a fresh file: one plain INSERT per
// transaction, synchronous=FULL.
func bareCommits(tb testing.TB, n int) float64 {
	tb.Helper()
	db := openBare(tb)
	start := time.Now()
	for i := range n {
		tx, err := db.Begin()
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.Exec(`INSERT INTO t (v) VALUES (?)`, fmt.Sprint("row ", i)); err != nil {
			tb.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

// bareBatched is plain INSERTs/s on a fresh file, perTx rows (about the
// size of a list entry) per durable transaction.
func bareBatched(tb testing.TB, n, perTx int) float64 {
	tb.Helper()
	db := openBare(tb)
	row := strings.Repeat("x", 300)
	start := time.Now()
	for done := 0; done < n; done += perTx {
		tx, err := db.Begin()
		if err != nil {
			tb.Fatal(err)
		}
		st, err := tx.Prepare(`INSERT INTO t (v) VALUES (?)`)
		if err != nil {
			tb.Fatal(err)
		}
		for range perTx {
			if _, err := st.Exec(row); err != nil {
				tb.Fatal(err)
			}
		}
		st.Close()
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	return float64(n) / time.Since(start).Seconds()
}

func mean(xs []float64) float64 {
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// BenchmarkBareSQLite is this machine's bare SQLite: durable commits/s of
// a plain INSERT per transaction, and plain INSERTs/s batched 1000 per
// transaction (both synchronous=FULL on a fresh file). BenchmarkPipeline
// and BenchmarkIngest report their ratios to these from the same run.
func BenchmarkBareSQLite(b *testing.B) {
	b.Run("commit", func(b *testing.B) {
		b.ReportMetric(bareCommits(b, max(b.N, 50)), "commits/s")
	})
	b.Run("batch-1000", func(b *testing.B) {
		b.ReportMetric(bareBatched(b, max(b.N, 1)*1000, 1000), "inserts/s")
	})
}

// BenchmarkPipeline takes orders from ingest to done against in-process
// simulators without faults, latency or rate limit, on a fresh store per
// run of pipelineBatch orders. It reports orders/s (orders finished: done
// or in Errors); the store's commits per finished order (its Writes: every
// commit of the run, ingest, steps, HTTP log, lease and polls included);
// awaited/order, those of them whose caller waited for the disk (Write;
// the others are WriteRecoverable, made durable by the next sync without
// a wait); the WAL syncs per order (one sync covers every commit before
// it, see store/walsync.go); the commit ceiling of a
// fresh store on the same disk (the store's own Write, for reading); bare
// SQLite's durable commits/s (a plain INSERT per transaction,
// synchronous=FULL: measured around each run); and the target:
// half of bare ÷ commits per order. of-bare is orders/s ÷ (bare ÷ commits
// per order).
//
// workers-2-freesync is the reference for the default two workers: the
// same run with a store whose WAL syncs cost nothing (store.Options.SyncWAL),
// what the pipeline would do if durability were free. Two workers are
// bound by each order's chain of HTTP round trips and commits, not by
// the disk's rate; eight keep the store busy.
func BenchmarkPipeline(b *testing.B) {
	for _, c := range []struct {
		workers  int
		freeSync bool
	}{{2, false}, {8, false}, {2, true}} {
		name := fmt.Sprintf("workers-%d", c.workers)
		var so store.Options
		if c.freeSync {
			name += "-freesync"
			so.SyncWAL = func() error { return nil }
		}
		workers := c.workers
		b.Run(name, func(b *testing.B) {
			const pipelineBatch = 300
			var orders int
			var used, awaited, synced int64
			var elapsed time.Duration
			// The disk and the CPUs are shared and their pace wanders
			// (other work on the machine): bare commits are measured just
			// before and just after each run, and averaged.
			var bares []float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				r := setup(b, opts{sim: &sim.Options{Orders: pipelineBatch, Seed: uint64(100 + i), RateLimit: -1}, mvRate: -1, sockets: true,
					workers: workers, noStart: true, store: so,
					tune: func(c *engine.Config) {
						// Production timings: the SII check and the lease do
						// not crowd the window; one poll reads everything.
						c.PollInterval, c.SIIInterval, c.LeaseTTL = 10*time.Second, 30*time.Second, 20*time.Second
						c.Retry = engine.RetryPolicy{}
					}})
				bares = append(bares, bareCommits(b, 200))
				before, awaitedBefore, syncedBefore := r.st.Writes(), r.st.DurableWrites(), r.st.Syncs()
				start := time.Now()
				b.StartTimer()
				r.start()
				counts := r.drained(5 * time.Minute)
				b.StopTimer()
				elapsed += time.Since(start)
				n := counts[store.StateDone] + counts[store.StateAttention]
				orders += n
				run, runSynced := r.st.Writes()-before, r.st.Syncs()-syncedBefore
				used += run
				awaited += r.st.DurableWrites() - awaitedBefore
				synced += runSynced
				if err := r.stop(); err != nil {
					b.Fatal(err)
				}
				bares = append(bares, bareCommits(b, 200))
				b.Logf("run %d: %d orders finished (%v), %d commits, %d fsyncs; %.0f bare commits/s before, %.0f after", i, n, counts, run, runSynced,
					bares[len(bares)-2], bares[len(bares)-1])
				b.StartTimer()
			}
			b.StopTimer()
			if orders == 0 {
				b.Fatal("no order finished")
			}
			perOrder := float64(used) / float64(orders)
			ceiling := commitCeiling(b, 300)
			bare := mean(bares)
			rate := float64(orders) / elapsed.Seconds()
			b.ReportMetric(rate, "orders/s")
			b.ReportMetric(perOrder, "commits/order")
			b.ReportMetric(float64(awaited)/float64(orders), "awaited/order")
			b.ReportMetric(float64(synced)/float64(orders), "fsyncs/order")
			b.ReportMetric(ceiling, "ceiling-commits/s")
			b.ReportMetric(bare, "bare-commits/s")
			// The measure: orders/s ≥ 0.5 × bare commits/s ÷ commits/order.
			b.ReportMetric(bare/perOrder/2, "target-orders/s")
			b.ReportMetric(rate/(bare/perOrder), "of-bare")
		})
	}
}

// feed is a Marketplace that lists checkouts from memory, with
// Multivende's semantics: updatedAt in [from, to] at whole seconds,
// ordered by updatedAt, pages of 50. Only the list is served.
type feed struct {
	mu      sync.Mutex
	entries []multivende.LightCheckout
}

func (f *feed) add(n int, first time.Time, step time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := first
	for i := range n {
		k := len(f.entries)
		f.entries = append(f.entries, multivende.LightCheckout{ID: fmt.Sprintf("chk-%08d", k), Code: fmt.Sprintf("2000%09d", k),
			Origin: "mercadolibre", PaymentStatus: "completed", Status: "confirmed", SoldAt: at.Add(-time.Minute), UpdatedAt: at,
			Total: multivende.Amount(12990 + i%7*1000)})
		at = at.Add(step)
	}
	return at
}

func (f *feed) Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[multivende.CheckoutPage, error] {
	return func(yield func(multivende.CheckoutPage, error) bool) {
		f.mu.Lock()
		es := f.entries
		f.mu.Unlock()
		from, to = from.Truncate(time.Second), to.Truncate(time.Second).Add(time.Second)
		lo := sort.Search(len(es), func(i int) bool { return !es[i].UpdatedAt.Before(from) })
		hi := sort.Search(len(es), func(i int) bool { return !es[i].UpdatedAt.Before(to) })
		es = es[lo:hi]
		pages := (len(es) + multivendePage - 1) / multivendePage
		for p := 1; p <= pages; p++ {
			page := es[(p-1)*multivendePage : min(p*multivendePage, len(es))]
			next := p + 1
			if p == pages {
				next = 0
			}
			if !yield(multivende.CheckoutPage{Entries: page, Pagination: multivende.Pagination{TotalItems: len(es), TotalPages: pages,
				CurrentPage: p, NextPage: next}}, nil) {
				return
			}
		}
	}
}

const multivendePage = 50

func (f *feed) Checkout(context.Context, string) (*multivende.Checkout, []byte, error) {
	return nil, nil, fmt.Errorf("feed: not served")
}
func (f *feed) CreateBillingDocument(context.Context, string, multivende.NewBillingDocument) (*multivende.ElectronicBillingDocument, error) {
	return nil, fmt.Errorf("feed: not served")
}
func (f *feed) UploadDocumentFile(context.Context, string, string, []byte) error {
	return fmt.Errorf("feed: not served")
}
func (f *feed) BillingDocuments(context.Context, string) ([]multivende.ElectronicBillingDocument, error) {
	return nil, fmt.Errorf("feed: not served")
}

// BenchmarkIngest measures Engine.Ingest: "feed" lists new checkouts from
// memory (the engine and the store alone: pages of 50, each upserted and
// planned in one commit), "sim" reads a fresh simulator's orders over
// HTTP into a fresh store. Both report orders/s.
func BenchmarkIngest(b *testing.B) {
	b.Run("feed", func(b *testing.B) {
		const batch = 10000
		ctx := context.Background()
		st := feedStore(b, filepath.Join(b.TempDir(), "folio.db"))
		inv := offlineInvoicer(b)
		f := &feed{}
		// Ten checkouts a second; the engine's clock stands just after the
		// newest, so that each run's batch lies past the mark the last
		// one left (with the wall clock, a second run read nothing).
		next := time.Now().UTC().Add(-6 * 24 * time.Hour).Truncate(time.Second)
		clock := next
		eng, err := engine.New(engine.Config{Store: st, Invoicer: inv, Overlap: time.Second,
			Now:     func() time.Time { return clock },
			Markets: func(store.Connection) (engine.Marketplace, error) { return f, nil }})
		if err != nil {
			b.Fatal(err)
		}
		total := 0
		// The disk and the CPUs are shared and their pace wanders: bare
		// inserts are measured just before and after each run, and
		// averaged. Ingest commits 1000 orders at a time.
		var bares []float64
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			next = f.add(batch, next, 100*time.Millisecond)
			clock = next.Add(time.Second)
			c, err := st.Connection(ctx, "tienda")
			if err != nil {
				b.Fatal(err)
			}
			bares = append(bares, bareBatched(b, 10000, 1000))
			b.StartTimer()
			n, err := eng.Ingest(ctx, c)
			b.StopTimer()
			bares = append(bares, bareBatched(b, 10000, 1000))
			b.StartTimer()
			if err != nil {
				b.Fatal(err)
			}
			if n != batch {
				b.Fatalf("ingested %d, want %d", n, batch)
			}
			total += n
		}
		rate := float64(total) / b.Elapsed().Seconds()
		b.StopTimer()
		bare := mean(bares)
		b.ReportMetric(rate, "orders/s")
		b.ReportMetric(bare, "bare-inserts/s")
		// The measure: ≥ 0.3 of bare batched inserts/s.
		b.ReportMetric(rate/bare, "of-bare")
	})
	b.Run("sim", func(b *testing.B) {
		const batch = 5000
		total := 0
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			r := setup(b, opts{sim: &sim.Options{Orders: batch, Seed: uint64(200 + i), RateLimit: -1}, mvRate: -1, sockets: true, noStart: true})
			b.StartTimer()
			n, err := r.eng.Ingest(context.Background(), r.conn)
			if err != nil {
				b.Fatal(err)
			}
			// mvsim.New dates a few of its newest orders' updatedAt up to
			// two minutes ahead of now; a poll up to now leaves them for
			// the next one.
			if n < batch*99/100 {
				b.Fatalf("ingested %d, want %d", n, batch)
			}
			total += n
		}
		b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "orders/s")
	})
}
