package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"testing"
	"time"
)

// The store tests' one rig: a fresh store with a connection (setup, or
// setupAt a given path), realistic orders (order, insert), a second
// merchant (actorBundle), a store with some of everything (seededStore),
// and another process's writer holding the lock (holdWriteLock).

type bundle struct {
	st   *Store
	path string
	conn int64
}

// setup is a fresh store for t (a SQLite file; under TestPostgres a
// PostgreSQL schema of its own) with one Multivende connection.
func setup(t testing.TB) *bundle { t.Helper(); return setupAt(t, storePathFor(t)) }

// setupAt is setup on the store at path.
func setupAt(t testing.TB, path string) *bundle { t.Helper(); return setupWith(t, path, Options{}) }

// setupWith is setupAt with the store opened with opts.
func setupWith(t testing.TB, path string, opts Options) *bundle {
	t.Helper()
	st, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var id int64
	err = st.Write(context.Background(), func(tx *Tx) error {
		id, err = tx.SaveConnection(context.Background(), Connection{Name: "tienda", Kind: KindMultivende, MerchantID: "m1", AccessToken: "secret"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{st: st, path: path, conn: id}
}

// order is a test factory: a realistic order upsert with the given id.
func (b *bundle) order(i int, state State) OrderUpsert {
	return OrderUpsert{ID: fmt.Sprintf("co-%06d", i), ConnectionID: b.conn, Code: fmt.Sprintf("2000%09d", i),
		Marketplace: "mercadolibre", PaymentStatus: "completed", Status: "confirmed", Total: 29970,
		SoldAt: time.UnixMilli(int64(1_700_000_000_000 + i)), RemoteUpdatedAt: time.UnixMilli(int64(1_700_000_000_000 + i)),
		Light: `{"_id":"x"}`, InitialState: state}
}

func (b *bundle) insert(t testing.TB, n int, state State) {
	t.Helper()
	ctx := context.Background()
	for start := 0; start < n; start += 1000 {
		var batch []OrderUpsert
		for i := start; i < n && i < start+1000; i++ {
			batch = append(batch, b.order(i, state))
		}
		if err := b.st.Write(ctx, func(tx *Tx) error { _, err := tx.UpsertOrders(ctx, batch); return err }); err != nil {
			t.Fatal(err)
		}
	}
}

// actorBundle is a store with two merchants' connections, one order each.
func actorBundle(t *testing.T) (*bundle, int64) {
	t.Helper()
	b := setup(t)
	ctx := context.Background()
	var other int64
	err := b.st.Write(ctx, func(tx *Tx) (err error) {
		other, err = tx.SaveConnection(ctx, Connection{Name: "otra", Kind: KindMultivende, MerchantID: "m2", AccessToken: "secret2"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	o2 := b.order(2, StateAttention)
	o2.ConnectionID = other
	if _, err := b.st.UpsertOrders(ctx, []OrderUpsert{b.order(1, StateAttention), o2}); err != nil {
		t.Fatal(err)
	}
	return b, other
}

// seededStore is a SQLite store with some of everything a store holds.
func seededStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	b := setupAt(t, filepath.Join(t.TempDir(), "src.db"))
	st := b.st
	b.insert(t, 30, StateQueued)
	for i := 20; i < 30; i++ {
		err := st.Write(ctx, func(tx *Tx) error {
			return tx.MoveOrder(ctx, b.order(i, "").ID, Finish(StateQueued, OutcomeIssued, "", Event{Kind: "done", Message: "listo"}))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	first := b.order(0, "").ID
	err := st.Write(ctx, func(tx *Tx) error {
		if err := tx.SetDetail(ctx, first, `{"_id":"x","Client":{"fullName":"Comercial Los Aromos SpA"}}`, "Comercial Los Aromos SpA",
			"77173075-2", "factura", time.UnixMilli(1_700_000_000_500), "completed", "confirmed"); err != nil {
			return err
		}
		for i := range 10 {
			if err := tx.AppendEvent(ctx, first, Event{Kind: "seen", Message: "visto", MsgID: "event.seen", MsgArgs: []string{string(rune('a' + i))}}); err != nil {
				return err
			}
		}
		if err := tx.SaveEmission(ctx, Emission{OrderID: first, ExtRef: "folio:" + first, DocType: 33, Document: `{"x":1}`}); err != nil {
			return err
		}
		for folio := int64(1); folio <= 2; folio++ {
			if err := tx.AddDocument(ctx, Document{OrderID: b.order(int(20+folio), "").ID, Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: folio, Total: 100, Fecha: "2026-11-24"}); err != nil {
				return err
			}
		}
		return tx.SetSetting(ctx, "webhook_secret", "s3cr3t")
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddControl(ctx, Control{Kind: CtlPause, By: "ana"}); err != nil {
		t.Fatal(err)
	}
	return st
}

// holdWriteLock opens path with a plain connection and takes the write
// lock until the test ends, as another process's writer would.
func holdWriteLock(t *testing.T, path string) {
	t.Helper()
	db, err := openWriterForTest(path)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.ExecContext(context.Background(), "ROLLBACK")
		conn.Close()
		db.Close()
	})
}

func openWriterForTest(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// oldStore builds a store at schema version by hand, through the
// migrations up to it: a SQLite file in a temporary directory, or with
// pg a PostgreSQL schema of its own (skipped without FOLIO_TEST_POSTGRES).
// It returns the raw connection, for rows the way that folio wrote them,
// and reopen, which closes it and opens the store as folio does (running
// the migrations after version).
func oldStore(t *testing.T, pg bool, version int) (db *sql.DB, reopen func() (*Store, error)) {
	t.Helper()
	ctx := context.Background()
	var addr string
	old := &Store{opts: Options{Now: time.Now}, pg: pg}
	var err error
	if pg {
		addr = pgTestStore(t)
		old.path = RedactAddress(addr)
		old.w, err = sql.Open("pgx", addr)
	} else {
		addr = filepath.Join(t.TempDir(), "old.db")
		if err := createFile(addr); err != nil {
			t.Fatal(err)
		}
		old.path = addr
		old.w, err = openWriterForTest(addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := old.migrateTo(ctx, version); err != nil {
		t.Fatal(err)
	}
	return old.w, func() (*Store, error) { old.w.Close(); return Open(ctx, addr, Options{}) }
}
