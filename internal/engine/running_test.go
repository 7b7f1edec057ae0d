package engine

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// Running counts the live engines a store lists; with none registered, the
// store-wide lease is the one engine.
func TestRunning(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "folio.db") }},
		{"postgres", func(t *testing.T) string { return pgtest.Store(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			addr := tc.addr(t)
			st, err := store.Open(ctx, addr, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			count := func(want int) {
				t.Helper()
				if n, err := Running(ctx, st); err != nil || n != want {
					t.Fatalf("Running = %d, %v; want %d", n, err, want)
				}
			}
			count(0)
			if !store.IsPostgres(addr) { // engines on PostgreSQL register; none counts on the store-wide lease there
				if _, err := st.AcquireLease(ctx, store.Holder{PID: 7, Host: "elsewhere", StartedAt: time.Now()}, time.Hour); err != nil {
					t.Fatal(err)
				}
				count(1) // SQLite's one engine, by the store-wide lease
			}
			driver, dsn := "sqlite", "file:"+addr+"?_pragma=busy_timeout(5000)"
			if store.IsPostgres(addr) {
				driver, dsn = "pgx", addr
			}
			db, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			now := time.Now().UnixMilli()
			for i, exp := range []int64{now + 3600_000, now + 3600_000, now - 1000} {
				if _, err := db.ExecContext(ctx, fmt.Sprintf(`INSERT INTO engines VALUES ('h%d/%d/%d', %d, 'h%d', %d, %d, %d)`,
					i, 100+i, now, 100+i, i, now, now, exp)); err != nil {
					t.Fatal(err)
				}
			}
			count(2) // the registered live ones (the expired one does not count)
		})
	}
}
