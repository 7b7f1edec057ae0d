package engine_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// The PostgreSQL benchmarks run 1, 2 and 4 engines on one store, each
// engine with its own store handle (its own pools, as a process of its
// own would have), over several merchants so that the engines share the
// work. Commits are counted as store Writes (every Write that passed its
// fence: Options.WriteFault is called there), across every handle of the
// run: pg_stat_database's xact_commit would count the read-only
// transactions too, and the other tests' on the shared test database.
// Writes to one store are one at a time (the store's writer lock on
// PostgreSQL too), so more engines overlap their HTTP calls, not their
// commits: ingest, nearly all commits, does not grow with engines, and in
// one process on two cores the pipeline does not either (the same CPUs);
// each engine adds its lease renewals to commits per order.

// benchEngines are the engine counts the PostgreSQL benchmarks compare.
var benchEngines = []int{1, 2, 4}

// pgBench opens handles on one fresh PostgreSQL schema, counting Writes.
type pgBench struct {
	b       *testing.B
	url     string
	commits atomic.Int64
}

func newPGBench(b *testing.B) *pgBench {
	b.Helper()
	return &pgBench{b: b, url: pgtest.Store(b)}
}

// open is one more handle on the schema (an engine's, or the rig's).
func (p *pgBench) open() *store.Store {
	p.b.Helper()
	st, err := store.Open(context.Background(), p.url, store.Options{WriteFault: func() error { p.commits.Add(1); return nil }})
	if err != nil {
		p.b.Fatal(err)
	}
	p.b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkPipelinePostgres takes orders from ingest to done with 1, 2
// and 4 engines on one PostgreSQL store, against simulators on loopback
// without faults, latency or rate limit, with pipelineMerchants merchants
// of pipelinePerMerchant orders each (a fresh schema and simulators per
// run). It reports orders/s (orders finished: done or in Errors) and store
// commits per finished order (every Write of the run: ingest, steps, HTTP
// log, leases, polls).
func BenchmarkPipelinePostgres(b *testing.B) {
	if !pgtest.Available() {
		b.Skip(pgtest.SkipLine)
	}
	const pipelineMerchants, pipelinePerMerchant = 8, 40
	for _, engines := range benchEngines {
		b.Run(fmt.Sprintf("engines-%d", engines), func(b *testing.B) {
			var orders int
			var used int64
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				p := newPGBench(b)
				ctx, cancel := context.WithCancel(context.Background())
				sims, err := sim.Start(ctx, sim.Options{Merchants: pipelineMerchants, Orders: pipelinePerMerchant, Seed: uint64(300 + i),
					RateLimit: -1, SIIDelay: 50 * time.Millisecond, OpenFacturaNoLimits: true})
				if err != nil {
					b.Fatal(err)
				}
				rig := p.open()
				if _, err := sim.Connect(ctx, rig, sims.Info.Multivende, store.KindLibreDTE); err != nil {
					b.Fatal(err)
				}
				var engs []*engine.Engine
				for range engines {
					engs = append(engs, benchPGEngine(b, p.open(), sims.Info, sims.LD.Emisor()))
				}
				before := p.commits.Load()
				start := time.Now()
				b.StartTimer()
				var wg sync.WaitGroup
				errs := make([]error, len(engs))
				for j, e := range engs {
					wg.Go(func() { errs[j] = e.Run(ctx) })
				}
				counts := pgDrained(b, rig, len(sims.MV.State().Checkouts), 5*time.Minute)
				b.StopTimer()
				elapsed += time.Since(start)
				n := counts[store.StateDone] + counts[store.StateAttention]
				orders += n
				run := p.commits.Load() - before
				used += run
				cancel()
				wg.Wait()
				for j, err := range errs {
					if err != nil && ctx.Err() == nil {
						b.Fatalf("engine %d: %v", j, err)
					}
				}
				sims.MV.Close()
				sims.LD.Close()
				sims.OF.Close()
				b.Logf("run %d: %d orders finished (%v) in %v, %d commits", i, n, counts, elapsed, run)
				b.StartTimer()
			}
			b.StopTimer()
			if orders == 0 {
				b.Fatal("no order finished")
			}
			b.ReportMetric(float64(orders)/elapsed.Seconds(), "orders/s")
			b.ReportMetric(float64(used)/float64(orders), "commits/order")
		})
	}
}

// benchPGEngine is an engine over st against the simulators of info, with the
// production timings of BenchmarkPipeline except a short lease, so that
// engines that start together share the connections within the run.
func benchPGEngine(b *testing.B, st *store.Store, info sim.Info, emisor dte.Emisor) *engine.Engine {
	b.Helper()
	inv, err := libredte.New(libredte.Config{BaseURL: info.LibreDTE, Hash: info.LibreDTEHash, Emisor: info.Emisor})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := engine.New(engine.Config{Store: st, Invoicer: inv, Emisor: emisor, Workers: 4,
		Markets: func(c store.Connection) (engine.Marketplace, error) {
			cl := multivende.New(multivende.Config{BaseURL: c.BaseURL, ClientID: info.ClientID, ClientSecret: info.ClientSecret, RateLimit: -1})
			cl.SetTokens(cl.NewTokenSource(multivende.Token{Token: c.AccessToken, ExpiresAt: c.AccessExpiresAt, RefreshToken: c.RefreshToken,
				RefreshTokenExpiresAt: c.RefreshExpiresAt, MerchantID: c.MerchantID}, 0, func(t multivende.Token) error {
				return st.Write(context.Background(), func(tx *store.Tx) error {
					return tx.SetTokens(context.Background(), c.ID, t.Token, t.RefreshToken, t.ExpiresAt, t.RefreshTokenExpiresAt)
				})
			}))
			return cl, nil
		},
		PollInterval: time.Second, SIIInterval: 30 * time.Second, LeaseTTL: 3 * time.Second, DrainTimeout: 5 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	return eng
}

// pgDrained waits until all want orders are in the store and none is
// queued, in flight or retrying, and returns the counts.
func pgDrained(b *testing.B, st *store.Store, want int, deadline time.Duration) map[store.State]int {
	b.Helper()
	var counts map[store.State]int
	waitUntil(b, deadline, "orders to drain", func() bool {
		counts, _ = st.CountByState(context.Background())
		total, busy := 0, 0
		for s, n := range counts {
			total += n
			if s.Busy() {
				busy += n
			}
		}
		return total >= want && busy == 0
	})
	return counts
}

// BenchmarkIngestPostgres measures Engine.Ingest on one PostgreSQL store
// with 1, 2 and 4 engines reading ingestMerchants merchants' new
// checkouts from memory ("feed": the engines and the store alone, pages
// of 50, each upserted and planned in one commit), each engine reading
// its share of the merchants one after another, as its poll loop does,
// all engines at once. It reports orders/s and store commits per order.
func BenchmarkIngestPostgres(b *testing.B) {
	if !pgtest.Available() {
		b.Skip(pgtest.SkipLine)
	}
	const ingestMerchants, perMerchant = 8, 1000
	for _, engines := range benchEngines {
		b.Run(fmt.Sprintf("engines-%d", engines), func(b *testing.B) {
			ctx := context.Background()
			p := newPGBench(b)
			rig := p.open()
			feeds := map[string]*feed{}
			err := rig.Write(ctx, func(tx *store.Tx) error {
				for m := range ingestMerchants {
					name := fmt.Sprintf("tienda-%d", m+1)
					feeds[name] = &feed{}
					if _, err := tx.SaveConnection(ctx, store.Connection{Name: name, Kind: store.KindMultivende, BaseURL: "http://127.0.0.1:1",
						MerchantID: fmt.Sprintf("m%d", m+1)}); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			inv := offlineInvoicer(b)
			// As in BenchmarkIngest: the engines' clock stands just after
			// the newest checkout, so each run's batch lies past the mark
			// the last one left.
			next := time.Now().UTC().Add(-6 * 24 * time.Hour).Truncate(time.Second)
			var clock atomic.Pointer[time.Time]
			clock.Store(&next)
			var engs []*engine.Engine
			for range engines {
				e, err := engine.New(engine.Config{Store: p.open(), Invoicer: inv, Overlap: time.Second,
					Now:     func() time.Time { return *clock.Load() },
					Markets: func(c store.Connection) (engine.Marketplace, error) { return feeds[c.Name], nil }})
				if err != nil {
					b.Fatal(err)
				}
				engs = append(engs, e)
			}
			total := 0
			var used int64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				var last time.Time
				for name, f := range feeds {
					last = f.addAs(name+"-", perMerchant, next, 100*time.Millisecond)
				}
				next = last
				now := last.Add(time.Second)
				clock.Store(&now)
				conns, err := rig.Connections(ctx)
				if err != nil {
					b.Fatal(err)
				}
				before := p.commits.Load()
				b.StartTimer()
				var wg sync.WaitGroup
				got := make([]int, len(engs))
				errs := make([]error, len(engs))
				for j, e := range engs {
					wg.Go(func() {
						for k := j; k < len(conns); k += len(engs) {
							n, err := e.Ingest(ctx, conns[k])
							got[j] += n
							if err != nil {
								errs[j] = err
								return
							}
						}
					})
				}
				wg.Wait()
				b.StopTimer()
				used += p.commits.Load() - before
				n := 0
				for j := range engs {
					if errs[j] != nil {
						b.Fatalf("engine %d: %v", j, errs[j])
					}
					n += got[j]
				}
				if n != ingestMerchants*perMerchant {
					b.Fatalf("ingested %d, want %d", n, ingestMerchants*perMerchant)
				}
				total += n
				b.StartTimer()
			}
			b.StopTimer()
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "orders/s")
			b.ReportMetric(float64(used)/float64(total), "commits/order")
		})
	}
}

// addAs is feed.add with ids of a merchant's own (prefix), so that the
// feeds of several merchants can share one store.
func (f *feed) addAs(prefix string, n int, first time.Time, step time.Duration) time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	at := first
	for i := range n {
		k := len(f.entries)
		f.entries = append(f.entries, multivende.LightCheckout{ID: fmt.Sprintf("%schk-%08d", prefix, k), Code: fmt.Sprintf("2000%09d", k),
			Origin: "mercadolibre", PaymentStatus: "completed", Status: "confirmed", SoldAt: at.Add(-time.Minute), UpdatedAt: at,
			Total: multivende.Amount(12990 + i%7*1000)})
		at = at.Add(step)
	}
	return at
}
