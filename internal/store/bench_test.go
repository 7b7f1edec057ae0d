package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/folio-cl/folio/internal/store/pgtest"
)

// BenchmarkStoreIngest measures batched upserts of checkouts as ingest
// sends them, 1000 per transaction, each with its list JSON: new orders,
// orders whose updatedAt moved, and the unchanged ones a poll's overlap
// brings again.
func BenchmarkStoreIngest(b *testing.B) {
	const batchSize = 1000
	for _, kind := range []string{"new", "changed", "unchanged"} {
		b.Run(kind, func(b *testing.B) {
			bu := setup(b)
			ctx := context.Background()
			base := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
			batch := make([]OrderUpsert, batchSize)
			fill := func(round, start int) {
				for i := range batch {
					n := start + i
					at := base.Add(time.Duration(n)*time.Second + time.Duration(round)*time.Hour)
					o := bu.order(n, StateQueued)
					o.Marketplace, o.Code = fakeCode(n)
					o.SoldAt, o.RemoteUpdatedAt, o.Light = at, at, fakeLight(o.ID, n, at)
					batch[i] = o
				}
			}
			upsert := func() int {
				var ups []Upserted
				err := bu.st.Write(ctx, func(tx *Tx) (err error) { ups, err = tx.UpsertOrders(ctx, batch); return })
				if err != nil {
					b.Fatal(err)
				}
				return len(ups)
			}
			const pool = 20 * batchSize // existing orders for changed/unchanged
			if kind != "new" {
				for start := 0; start < pool; start += batchSize {
					fill(0, start)
					upsert()
				}
			}
			n, round := 0, 1
			b.ResetTimer()
			for b.Loop() {
				b.StopTimer()
				switch kind {
				case "new":
					fill(0, pool+n)
				case "changed":
					fill(round, n%pool)
				case "unchanged":
					fill(0, n%pool)
				}
				b.StartTimer()
				got := upsert()
				if want := map[bool]int{true: 0, false: batchSize}[kind == "unchanged"]; got != want {
					b.Fatalf("%s: %d reported, want %d", kind, got, want)
				}
				n += batchSize
				if kind == "changed" && n%pool == 0 {
					round++
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}

// BenchmarkStoreDetail measures storing checkout details (about 1 KB of
// raw JSON and the buyer fields, which enter the search index): one per
// commit as the engine does, and 1000 per transaction.
func BenchmarkStoreDetail(b *testing.B) {
	for _, perTx := range []int{1, 1000} {
		b.Run(fmt.Sprintf("per-tx-%d", perTx), func(b *testing.B) {
			bu := setup(b)
			ctx := context.Background()
			const pool = 20000
			bu.insert(b, pool, StateQueued)
			raws := make([]string, pool)
			for i := range raws {
				raws[i] = fakeRaw(b, bu.order(i, "").ID, i)
			}
			n := 0
			b.ResetTimer()
			for b.Loop() {
				err := bu.st.Write(ctx, func(tx *Tx) error {
					for range perTx {
						k := n % pool
						o := bu.order(k, "")
						name, rut, _ := fakeBuyer(k + n/pool) // a new buyer each lap, so the index really changes
						if err := tx.SetDetail(ctx, o.ID, raws[k], name, rut, "bill", o.RemoteUpdatedAt, "completed", "confirmed"); err != nil {
							return err
						}
						n++
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "orders/s")
		})
	}
}

// BenchmarkStoreCommit measures one small durable transaction: a guarded
// transition plus its timeline event, the unit of the engine's work. Its
// commits/s is the ceiling the engine's throughput is read against.
func BenchmarkStoreCommit(b *testing.B) {
	bu := setup(b)
	ctx := context.Background()
	bu.insert(b, 1, StateQueued)
	id := bu.order(0, "").ID
	states := []State{StateQueued, StateBuilding}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		from, to := states[i%2], states[(i+1)%2]
		err := bu.st.Write(ctx, func(tx *Tx) error {
			return tx.MoveOrder(ctx, id, Move{From: []State{from}, To: to, Event: Event{Kind: "bench", Message: "step"}})
		})
		if err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commits/s")
}

// million is the shape of the one-million-order store: the state of the
// i-th order (0 oldest) out of n. Nearly all old orders are done; a few
// wait unpaid or need a person; the newest ones are still moving.
func millionState(i, n int) State {
	if i >= n-2000 { // the newest: in flight, queued, just seen
		switch r := (n - i) % 20; {
		case r < 8:
			return StateQueued
		case r < 9:
			return StateRetrying
		case r < 12:
			return StateWaiting
		case r < 13:
			return States()[2+(n-i)/20%4] // building .. attaching
		}
		return StateDone
	}
	switch r := uint32(i) * 2246822519 % 1000; {
	case r < 30:
		return StateWaiting
	case r < 34:
		return StateAttention
	case r < 35:
		return StateRetrying
	}
	return StateDone
}

var million struct {
	once sync.Once
	st   *Store
	err  error
}

// millionStore opens a store of one million realistic orders (raw JSON,
// buyers, folios), built on first use and kept in the temp directory
// for later runs: building it takes a few minutes. Only benchmarks call
// it, so `go test` without -bench never builds it.
func millionStore(b *testing.B) *Store {
	const n = 1_000_000
	million.once.Do(func() {
		path := filepath.Join(os.TempDir(), fmt.Sprintf("folio-store-bench-1m-s%d-d3.db", LatestSchema()))
		ctx := context.Background()
		_, statErr := os.Stat(path)
		st, err := Open(ctx, path, Options{})
		if err != nil {
			million.err = err
			return
		}
		million.st = st
		if statErr == nil {
			if c, _ := st.CountOrders(ctx, OrderQuery{}); c == n {
				return
			}
			million.err = fmt.Errorf("%s is incomplete: remove it and run again", path)
			return
		}
		million.err = buildMillion(ctx, b, st, n)
	})
	if million.err != nil {
		b.Fatal(million.err)
	}
	return million.st
}

func buildMillion(ctx context.Context, b *testing.B, st *Store, n int) error {
	var conn int64
	if err := st.Write(ctx, func(tx *Tx) (err error) {
		conn, err = tx.SaveConnection(ctx, Connection{Name: "bench", Kind: KindMultivende, MerchantID: "m-bench"})
		return
	}); err != nil {
		return err
	}
	boleta, factura := int64(0), int64(0)
	const chunk = 10000
	for start := 0; start < n; start += chunk {
		err := st.Write(ctx, func(tx *Tx) error {
			ins, err := tx.tx.PrepareContext(ctx, `INSERT INTO orders (id, connection_id, code, marketplace, buyer_name, buyer_rut,
				payment_status, status, requested_type, total, sold_at, remote_updated_at, light, detail_at, state, reason,
				reason_code, outcome, doc_type, folio, attempts, next_attempt_at, state_since, created_at, updated_at)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`)
			if err != nil {
				return err
			}
			defer ins.Close()
			insRaw, err := tx.tx.PrepareContext(ctx, `INSERT INTO order_raw (seq, raw) VALUES (?, ?)`)
			if err != nil {
				return err
			}
			defer insRaw.Close()
			for i := start; i < start+chunk && i < n; i++ {
				row, raw := millionRow(b, i, n, conn, &boleta, &factura)
				r, err := ins.ExecContext(ctx, row...)
				if err != nil {
					return err
				}
				if raw == "" {
					continue
				}
				seq, err := r.LastInsertId()
				if err != nil {
					return err
				}
				if _, err := insRaw.ExecContext(ctx, seq, raw); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	// Inserted here with their buyers at once, where UpsertOrders and
	// SetDetail would have kept the counters and the search index.
	return st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.tx.ExecContext(ctx, `UPDATE order_counts SET n = (SELECT count(*) FROM orders o WHERE o.state = order_counts.state)`); err != nil {
			return err
		}
		_, err := tx.tx.ExecContext(ctx, `INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut)
			SELECT seq, code, buyer_name, buyer_rut FROM orders WHERE buyer_name <> '' OR buyer_rut <> ''`)
		return err
	})
}

// millionCols are the columns millionRow fills, in its order.
var millionCols = []string{"id", "connection_id", "code", "marketplace", "buyer_name", "buyer_rut", "payment_status", "status",
	"requested_type", "total", "sold_at", "remote_updated_at", "light", "detail_at", "state", "reason", "reason_code",
	"outcome", "doc_type", "folio", "attempts", "next_attempt_at", "state_since", "created_at", "updated_at"}

// millionRow is the i-th of n orders of the million-order store, its
// values in millionCols' order, and its detail JSON ("" when not read);
// boleta and factura are the folios so far.
func millionRow(b *testing.B, i, n int, conn int64, boleta, factura *int64) ([]any, string) {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	id := fmt.Sprintf("co-%08d", i)
	at := base.Add(time.Duration(i) * 25 * time.Second)
	origin, code := fakeCode(i)
	state := millionState(i, n)
	name, rut, isFactura := fakeBuyer(i)
	raw, detailAt := fakeRaw(b, id, i), at.Add(time.Minute)
	if state == StateQueued && i%2 == 0 || state == StateWaiting && i >= n-2000 {
		name, rut, raw, detailAt = "", "", "", time.Time{} // listed, detail not read yet
	}
	reqType, docType := "bill", 39
	if isFactura {
		reqType, docType = "invoice", 33
	}
	var folio, next int64
	var outcome, reason, code2 string
	switch state {
	case StateDone:
		outcome = OutcomeIssued
		if docType == 33 {
			*factura++
			folio = *factura
		} else {
			*boleta++
			folio = *boleta
		}
	case StateAttention:
		reason, code2 = "el RUT del comprador no es válido", "DTE-RUT-INVALID"
	case StateRetrying:
		reason, code2, next = "Multivende no respondió a tiempo", "MV-TIMEOUT", ms(at.Add(time.Hour))
	}
	return []any{id, conn, code, origin, name, rut, "completed", "confirmed", reqType,
		int64(990 + i%300_000), ms(at), ms(at), fakeLight(id, i, at), ms(detailAt), string(state), reason, code2, outcome,
		docType, folio, 0, next, ms(at), ms(at), ms(at)}, raw
}

// BenchmarkStoreFilter1M measures the console's queries over one million
// orders: a page (50 rows) of each pane, with and without a filter, the
// counts, and the engine's due queue.
func BenchmarkStoreFilter1M(b *testing.B) {
	st := millionStore(b)
	filter1M(b, st, st.Path())
}

// BenchmarkStoreFilter1MPostgres is BenchmarkStoreFilter1M on a
// PostgreSQL store of the same million orders (a schema of its own, filled
// by COPY), after checking that each query's plan is index-driven.
func BenchmarkStoreFilter1MPostgres(b *testing.B) {
	addr := pgtest.Store(b)
	ctx := context.Background()
	st, err := Open(ctx, addr, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	start := time.Now()
	if err := buildMillionPG(ctx, b, st, addr, 1_000_000); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled 1 000 000 orders by COPY in %s", time.Since(start).Round(time.Second))
	explain1M(b, st)
	filter1M(b, st, addr)
}

// buildMillionPG fills a PostgreSQL store with millionRow's orders by
// COPY, one statement, then the counters and the planner's statistics.
func buildMillionPG(ctx context.Context, b *testing.B, st *Store, addr string, n int) error {
	var connID int64
	if err := st.Write(ctx, func(tx *Tx) (err error) {
		connID, err = tx.SaveConnection(ctx, Connection{Name: "bench", Kind: KindMultivende, MerchantID: "m-bench"})
		return
	}); err != nil {
		return err
	}
	conn, err := pgx.Connect(ctx, addr)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	boleta, factura, i := int64(0), int64(0), 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"orders"}, millionCols, pgx.CopyFromFunc(func() ([]any, error) {
		if i >= n {
			return nil, nil
		}
		i++
		row, _ := millionRow(b, i-1, n, connID, &boleta, &factura)
		return row, nil
	})); err != nil {
		return fmt.Errorf("copying the orders: %w", err)
	}
	// The detail JSON by order id, then to order_raw by the seq each got.
	if _, err := conn.Exec(ctx, `CREATE TEMP TABLE million_raw (id TEXT PRIMARY KEY, raw TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("million_raw: %w", err)
	}
	boleta, factura, i = 0, 0, 0
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"million_raw"}, []string{"id", "raw"}, pgx.CopyFromFunc(func() ([]any, error) {
		for i < n {
			i++
			row, raw := millionRow(b, i-1, n, connID, &boleta, &factura)
			if raw != "" {
				return []any{row[0], raw}, nil
			}
		}
		return nil, nil
	})); err != nil {
		return fmt.Errorf("copying the detail JSON: %w", err)
	}
	for _, q := range []string{`INSERT INTO order_raw (seq, raw) SELECT o.seq, m.raw FROM million_raw m JOIN orders o ON o.id = m.id`, `UPDATE order_counts SET n = (SELECT count(*) FROM orders o WHERE o.state = order_counts.state)`, `ANALYZE`} {
		if _, err := conn.Exec(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// explain1M checks, at a million orders and with the planner's own
// choices, that the console's queries walk indexes: no sequential scan of
// the orders, and the text filters through the trigram index.
func explain1M(b *testing.B, st *Store) {
	ctx := context.Background()
	var captured []string
	var capturedArgs [][]any
	st.trace = func(q string, args []any) { captured, capturedArgs = append(captured, q), append(capturedArgs, args) }
	defer func() { st.trace = nil }()
	conn, err := st.r.Conn(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	for _, c := range []struct {
		name    string
		q       OrderQuery
		trigram bool
	}{
		{"orders first page", OrderQuery{}, false},
		{"orders keyset page", OrderQuery{Before: 500_000}, false},
		{"errors page", OrderQuery{States: []State{StateAttention}}, false},
		{"queue page", OrderQuery{States: QueueStates()}, false},
		{"queue keyset page", OrderQuery{States: QueueStates(), Before: 999_000}, false},
		{"scoped orders page", OrderQuery{ConnectionIDs: []int64{1}}, false},
		{"filter", OrderQuery{Text: "rojas"}, true},
		{"filter keyset page", OrderQuery{Text: "rojas", Before: 500_000}, true},
		{"filter code prefix", OrderQuery{Text: "FAL-100001235"}, true},
		{"filter done", OrderQuery{Text: "rojas", States: []State{StateDone}}, true},
		{"filter no match", OrderQuery{Text: "zzqxw"}, true},
		{"short folio", OrderQuery{Text: "42"}, false},
	} {
		captured, capturedArgs = nil, nil
		if _, err := st.ListOrders(ctx, c.q); err != nil {
			b.Fatal(err)
		}
		if len(captured) == 0 {
			b.Fatalf("%s: no query traced", c.name)
		}
		last := len(captured) - 1
		rows, err := conn.QueryContext(ctx, "EXPLAIN "+captured[last], capturedArgs[last]...)
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		var plan []string
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				b.Fatal(err)
			}
			plan = append(plan, line)
		}
		rows.Close()
		p := strings.Join(plan, "\n")
		if strings.Contains(p, "Seq Scan on orders") || c.trigram && !strings.Contains(p, "orders_search") {
			b.Errorf("%s is not index-driven at 1M orders:\n%s", c.name, p)
		}
		b.Logf("%s: %s", c.name, plan[0])
	}
	for _, q := range []string{`SELECT state, n FROM order_counts`} {
		var plan string
		if err := conn.QueryRowContext(ctx, "EXPLAIN "+q).Scan(&plan); err != nil {
			b.Fatal(err)
		}
		b.Logf("counts: %s", plan)
	}
}

func filter1M(b *testing.B, st *Store, addr string) {
	ctx := context.Background()
	list := func(q OrderQuery) func() (int, error) {
		return func() (int, error) { rows, err := st.ListOrders(ctx, q); return len(rows), err }
	}
	for _, c := range []struct {
		name string
		run  func() (int, error)
		rows int // -1: any number
	}{
		{"orders/newest", list(OrderQuery{}), 50},
		{"orders/deep-page", list(OrderQuery{Before: 500_000}), 50},
		{"errors/page", list(OrderQuery{States: []State{StateAttention}}), 50},
		{"queue/page", list(OrderQuery{States: QueueStates()}), 50},
		{"done/page", list(OrderQuery{States: []State{StateDone}}), 50},
		{"text/common-name", list(OrderQuery{Text: "rojas"}), 50},
		{"text/company", list(OrderQuery{Text: "aromos"}), 50},
		{"text/accented-name", list(OrderQuery{Text: "Muñoz Pérez"}), -1},
		{"text/no-match", list(OrderQuery{Text: "zzqxw"}), 0},
		{"text/full-code", list(OrderQuery{Text: "FAL-100001235"}), 1},
		{"text/code-digits", list(OrderQuery{Text: "1234567"}), -1},
		{"text/rut-dotted", list(OrderQuery{Text: "76.000.000-3"}), -1},
		{"text/folio", list(OrderQuery{Text: "104821"}), -1},
		{"text/short-folio", list(OrderQuery{Text: "42"}), -1},
		{"text/short-none", list(OrderQuery{Text: "ab"}), 0},
		{"text/state-name", list(OrderQuery{Text: "attention"}), 50},
		{"errors/text", list(OrderQuery{States: []State{StateAttention}, Text: "rojas"}), -1},
		{"queue/text", list(OrderQuery{States: QueueStates(), Text: "rojas"}), -1},
		{"done/text", list(OrderQuery{States: []State{StateDone}, Text: "rojas"}), 50},
		{"counts", func() (int, error) { m, err := st.CountByState(ctx); return len(m), err }, 9},
		{"open+first-page", func() (int, error) { // a console starting: open, counts, the newest page
			s2, err := Open(ctx, addr, Options{ReadOnly: true})
			if err != nil {
				return 0, err
			}
			defer s2.Close()
			if _, err := s2.CountByState(ctx); err != nil {
				return 0, err
			}
			rows, err := s2.ListOrders(ctx, OrderQuery{})
			return len(rows), err
		}, 50},
		{"due/engine", func() (int, error) {
			rows, err := st.DueOrders(ctx, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), 24)
			return len(rows), err
		}, 24},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				got, err := c.run()
				if err != nil || (c.rows >= 0 && got != c.rows) {
					b.Fatalf("%d rows, %v; want %d", got, err, c.rows)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/query")
		})
	}
}
