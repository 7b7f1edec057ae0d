package tui

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// benchOrders is the store size of the console benchmarks (FOLIO_BENCH_ORDERS
// overrides the million).
func benchOrders() int {
	if n, err := strconv.Atoi(os.Getenv("FOLIO_BENCH_ORDERS")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	bigOnce sync.Once
	bigPath string
	bigErr  error
)

// bigStore builds, once per run, a store of benchOrders orders: most done
// and read in detail (so the search index holds them), some in the queue,
// a few hundred in Errors.
func bigStore(b *testing.B) string {
	b.Helper()
	bigOnce.Do(func() {
		dir, err := os.MkdirTemp("", "folio-bench-")
		if err != nil {
			bigErr = err
			return
		}
		bigPath = filepath.Join(dir, "folio.db")
		bigErr = fillStore(bigPath, benchOrders())
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

func fillStore(path string, n int) error {
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	var connID int64
	if err := st.Write(ctx, func(tx *store.Tx) error {
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m"})
		return err
	}); err != nil {
		return err
	}
	names := []string{"Camila Rojas", "Matías Fuentes", "Sofía Contreras", "Benjamín Soto", "Comercial Los Aromos SpA"}
	markets := []string{"MercadoLibre", "Falabella", "Ripley", "Paris", "Shopify"}
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := i18n.M("event.seen_paid").Encode() // each order's first line, in its row as ingest keeps it
	const batch = 5000
	for start := 0; start < n; start += batch {
		end := min(start+batch, n)
		ups := make([]store.OrderUpsert, 0, end-start)
		for i := start; i < end; i++ {
			ups = append(ups, store.OrderUpsert{ID: fmt.Sprintf("o-%07d", i), ConnectionID: connID, Code: fmt.Sprintf("%d", 2000000000000+i),
				Marketplace: markets[i%5], PaymentStatus: "completed", Status: "completed", Total: int64(990 + i%300*1000),
				SoldAt: t0.Add(time.Duration(i) * time.Minute), RemoteUpdatedAt: t0.Add(time.Duration(i) * time.Minute), InitialState: store.StateQueued, SeenMsg: seen})
		}
		if _, err := st.UpsertOrders(ctx, ups); err != nil {
			return err
		}
		err := st.Write(ctx, func(tx *store.Tx) error {
			for i := start; i < end; i++ {
				id := fmt.Sprintf("o-%07d", i)
				if err := tx.SetDetail(ctx, id, `{}`, names[i%5], fmt.Sprintf("%d-%d", 10000000+i%9000000, i%10), "boleta", ups[i-start].RemoteUpdatedAt, "completed", "completed"); err != nil {
					return err
				}
				m := store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeIssued, DocType: 39, Folio: int64(i + 1)}
				switch {
				case i%5000 == 7:
					m = store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, Reason: "RUT inválido", ReasonCode: "DTE-RUT-INVALID", Attempts: 1}
				case i > n-200:
					continue // the newest stay queued
				}
				if err := tx.MoveOrder(ctx, id, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func openBig(b *testing.B) *store.Store {
	b.Helper()
	st, err := store.Open(context.Background(), bigStore(b), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkConsoleView is one frame of the four-pane grid at 200×60 over
// a million orders (the data already read).
func BenchmarkConsoleView(b *testing.B) { benchView(b, openBig(b)) }

func benchView(b *testing.B, st *store.Store) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(b *testing.B) {
			m := console(b, st, size[0], size[1])
			if !strings.Contains(ansi.Strip(m.Render()), "Pedidos") {
				b.Fatal("no orders pane")
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.Render()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/frame")
		})
	}
}

// BenchmarkConsoleStart is start to first frame: the console built, its
// first read of the store done, and drawn.
func BenchmarkConsoleStart(b *testing.B) { benchStart(b, openBig(b)) }

func benchStart(b *testing.B, st *store.Store) {
	for b.Loop() {
		m := console(b, st, 200, 60)
		_ = m.Render()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/first-frame")
}

// BenchmarkConsoleRefresh is one redraw after the engine says something
// changed: the read of every visible pane and the frame.
func BenchmarkConsoleRefresh(b *testing.B) { benchRefresh(b, openBig(b)) }

func benchRefresh(b *testing.B, st *store.Store) {
	m := console(b, st, 200, 60)
	for b.Loop() {
		deliver(b, m, changeMsg{})
		_ = m.Render()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/refresh")
}

// BenchmarkConsoleFilter types a filter on the orders pane and on the
// errors pane: the SQL query for the visible page and the frame.
func BenchmarkConsoleFilter(b *testing.B) { benchFilter(b, openBig(b)) }

func benchFilter(b *testing.B, st *store.Store) {
	for _, tc := range []struct {
		name string
		pane string
		text string
	}{
		{"orders-buyer", "2", "Aromos"},
		{"orders-code-prefix", "2", "20000000123"},
		{"orders-code-full", "2", "2000000123456"},
		{"orders-rut", "2", "10004567"},
		{"orders-state", "2", "attention"},
		{"orders-folio", "2", "42"},
		{"errors-buyer", "4", "Sofía"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			m := console(b, st, 200, 60)
			deliver(b, m, press(tc.pane))
			for b.Loop() {
				m.orderPane(m.active).win.filter = ""
				for _, msg := range run(b, m.setFilter(tc.text)) {
					deliver(b, m, msg)
				}
				_ = m.Render()
			}
			if len(m.orderPane(m.active).list.rows) == 0 {
				b.Fatalf("filter %q found nothing", tc.text)
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/filter")
		})
	}
}

// BenchmarkConsolePostgres is the console's frame, first frame, refresh
// and filter over the same orders in PostgreSQL (a schema of its own,
// filled by one INSERT … SELECT generate_series), to read against the
// SQLite benchmarks above. It skips without FOLIO_TEST_POSTGRES.
func BenchmarkConsolePostgres(b *testing.B) {
	addr := pgtest.Store(b)
	start := time.Now()
	if err := fillStorePG(addr, benchOrders()); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d orders in %s", benchOrders(), time.Since(start).Round(time.Second))
	st, err := store.Open(context.Background(), addr, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	b.Run("View", func(b *testing.B) { benchView(b, st) })
	b.Run("Start", func(b *testing.B) { benchStart(b, st) })
	b.Run("Refresh", func(b *testing.B) { benchRefresh(b, st) })
	b.Run("Filter", func(b *testing.B) { benchFilter(b, st) })
}

// fillStorePG writes fillStore's orders into a PostgreSQL store in one
// statement, then the per-state counters and the planner's statistics.
func fillStorePG(addr string, n int) error {
	ctx := context.Background()
	st, err := store.Open(ctx, addr, store.Options{})
	if err != nil {
		return err
	}
	var connID int64
	err = st.Write(ctx, func(tx *store.Tx) error {
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m"})
		return err
	})
	st.Close()
	if err != nil {
		return err
	}
	db, err := sql.Open("pgx", addr)
	if err != nil {
		return err
	}
	defer db.Close()
	t0, now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), time.Now().UnixMilli()
	// The same orders as fillStore: done, a few hundred in Errors, the
	// newest 200 queued.
	state := `CASE WHEN i % 5000 = 7 THEN 'attention' WHEN i > $2::bigint - 200 THEN 'queued' ELSE 'done' END`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO orders (id, connection_id, code, marketplace, buyer_name, buyer_rut, payment_status, status, requested_type,
			total, sold_at, remote_updated_at, raw, detail_at, state, reason, reason_code, outcome, doc_type, folio, attempts,
			state_since, created_at, updated_at)
		SELECT 'o-' || lpad(i::text, 7, '0'), $1, (2000000000000 + i)::text,
			(ARRAY['MercadoLibre', 'Falabella', 'Ripley', 'Paris', 'Shopify'])[i % 5 + 1],
			(ARRAY['Camila Rojas', 'Matías Fuentes', 'Sofía Contreras', 'Benjamín Soto', 'Comercial Los Aromos SpA'])[i % 5 + 1],
			(10000000 + i % 9000000)::text || '-' || (i % 10)::text, 'completed', 'completed', 'boleta',
			990 + i % 300 * 1000, $3::bigint + i * 60000, $3::bigint + i * 60000, '{}', $4::bigint, s.state,
			CASE WHEN s.state = 'attention' THEN 'RUT inválido' ELSE '' END,
			CASE WHEN s.state = 'attention' THEN 'DTE-RUT-INVALID' ELSE '' END,
			CASE WHEN s.state = 'done' THEN 'issued' ELSE '' END,
			CASE WHEN s.state = 'done' THEN 39 ELSE 0 END,
			CASE WHEN s.state = 'done' THEN i + 1 ELSE 0 END,
			CASE WHEN s.state = 'attention' THEN 1 ELSE 0 END, $4::bigint, $4::bigint, $4::bigint
		FROM generate_series(0::bigint, $2::bigint - 1) AS i, LATERAL (SELECT ` + state + ` AS state) s`, []any{connID, n, t0, now}},
		{`UPDATE order_counts SET n = (SELECT count(*) FROM orders o WHERE o.state = order_counts.state)`, nil},
		{`ANALYZE`, nil},
	} {
		if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
			return fmt.Errorf("filling the PostgreSQL store: %w", err)
		}
	}
	return nil
}

// BenchmarkConsoleMemory reports the resident memory of a console over a
// million orders after it has drawn, scrolled and filtered.
func BenchmarkConsoleMemory(b *testing.B) {
	st := openBig(b)
	for b.Loop() {
		m := console(b, st, 200, 60)
		for i := 0; i < 50; i++ {
			deliver(b, m, press("pgdown"))
		}
		for _, msg := range run(b, m.setFilter("Sofía")) {
			deliver(b, m, msg)
		}
		_ = m.Render()
	}
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
	if rss := residentMB(); rss > 0 {
		b.ReportMetric(rss, "rss-MB")
	}
}

// residentMB reads VmRSS where /proc has it (0 elsewhere).
func residentMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// TestMain removes the million-order store the benchmarks built.
func TestMain(m *testing.M) {
	code := m.Run()
	if bigPath != "" {
		os.RemoveAll(filepath.Dir(bigPath))
	}
	os.Exit(code)
}
