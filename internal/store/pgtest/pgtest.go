// Package pgtest gives tests a PostgreSQL store of their own: a fresh
// schema of the database FOLIO_TEST_POSTGRES names (.ci/run starts a
// server and sets it), dropped when the test ends. Without the variable
// the test is skipped with a line saying how to run it.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the rig's own statements
)

// Env names the database the PostgreSQL tests use.
const Env = "FOLIO_TEST_POSTGRES"

// SkipLine is what a PostgreSQL test says when it is skipped.
const SkipLine = "PostgreSQL tests skipped: " + Env + " is unset (set it to postgres://USER:PASSWORD@HOST/DB; .ci/run starts a server and sets it)"

// Available reports whether PostgreSQL tests can run.
func Available() bool { return os.Getenv(Env) != "" }

// admin is the rig's own connection. It makes sure pg_trgm lives in
// public: created by a test's first migration it would live in that
// test's schema, and dropping the schema would drop it from under the
// others.
var admin = sync.OnceValues(func() (*sql.DB, error) {
	db, err := sql.Open("pgx", os.Getenv(Env))
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public`); err != nil {
		return nil, fmt.Errorf("%s: pg_trgm in public (the database's owner may create it): %w", redacted(os.Getenv(Env)), err)
	}
	return db, nil
})

// Store makes a schema for t, dropped when t ends, and returns the address
// of a store in it (pg_trgm is looked for in public too). It skips t when
// FOLIO_TEST_POSTGRES is unset.
func Store(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(Env)
	if dsn == "" {
		t.Skip(SkipLine)
	}
	db, err := admin()
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "folio_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: %v", redacted(dsn), err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping the test schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s must be a postgres:// URL", Env)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// redacted is dsn without its password, for a failure's message.
func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "FOLIO_TEST_POSTGRES"
	}
	return u.Redacted()
}
