package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestConnectionsRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	exp := time.UnixMilli(1_800_000_000_000)
	write := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := b.st.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var ld int64
	write(func(tx *Tx) (err error) {
		ld, err = tx.SaveConnection(ctx, Connection{Name: "libredte", Kind: KindLibreDTE, EmisorRUT: "76086428-5", APIKey: "k-secret", BaseURL: "https://libredte.cl/api"})
		return
	})
	// Saving by the same name updates, keeping the id.
	var again int64
	write(func(tx *Tx) (err error) {
		again, err = tx.SaveConnection(ctx, Connection{Name: "libredte", Kind: KindLibreDTE, EmisorRUT: "76086428-5", APIKey: "k-new", Scopes: []string{"a", "b"}})
		return
	})
	if again != ld {
		t.Fatalf("re-save changed the id: %d → %d", ld, again)
	}
	write(func(tx *Tx) error { return tx.SetTokens(ctx, b.conn, "at-2", "rt-2", exp, exp.Add(time.Hour)) })
	write(func(tx *Tx) error { return tx.SetPolled(ctx, b.conn, exp, "") })
	write(func(tx *Tx) error { return tx.SetPolled(ctx, b.conn, exp.Add(-time.Hour), "timeout") }) // high water never goes back
	c, err := b.st.ConnectionByID(ctx, b.conn)
	if err != nil {
		t.Fatal(err)
	}
	if c.AccessToken != "at-2" || !c.AccessExpiresAt.Equal(exp) || !c.HighWater.Equal(exp) || c.LastError != "timeout" || c.LastPollAt.IsZero() {
		t.Fatalf("connection = %#v / %v %v %v", c, c.AccessExpiresAt, c.HighWater, c.LastError)
	}
	write(func(tx *Tx) error {
		return tx.SetConnectionStatus(ctx, b.conn, ConnNeedsReconnect, "refresh token rejected")
	})
	c, _ = b.st.Connection(ctx, "tienda")
	if c.Status != ConnNeedsReconnect || !c.Paused {
		t.Fatalf("needs_reconnect must pause: %v paused=%v", c.Status, c.Paused)
	}
	write(func(tx *Tx) error { return tx.SetTokens(ctx, b.conn, "at-3", "rt-3", exp, exp) })
	write(func(tx *Tx) error { return tx.SetConnectionPaused(ctx, "tienda", false) })
	c, _ = b.st.Connection(ctx, "tienda")
	if c.Status != ConnOK || c.Paused || c.LastError != "" {
		t.Fatalf("after reconnect: %v paused=%v %q", c.Status, c.Paused, c.LastError)
	}
	all, err := b.st.Connections(ctx)
	if err != nil || len(all) != 2 || all[1].Scopes[1] != "b" {
		t.Fatalf("connections = %v %v", all, err)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetConnectionPaused(ctx, "nope", true) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("pausing a missing connection: %v", err)
	}
	b.insert(t, 1, StateQueued)
	err = b.st.Write(ctx, func(tx *Tx) error { return tx.DeleteConnection(ctx, "tienda") })
	if err == nil || !strings.Contains(err.Error(), "still has orders") {
		t.Fatalf("deleting a connection with orders: %v", err)
	}
	write(func(tx *Tx) error { return tx.DeleteConnection(ctx, "libredte") })
	if _, err := b.st.Connection(ctx, "libredte"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted connection: %v", err)
	}
	err = b.st.Write(ctx, func(tx *Tx) error {
		_, err := tx.SaveConnection(ctx, Connection{Name: "x", Kind: "shopify"})
		return err
	})
	if err == nil {
		t.Fatal("an unknown kind was accepted")
	}
}

func TestConnectionsNeverPrintSecrets(t *testing.T) {
	t.Parallel()
	c := Connection{ID: 3, Name: "tienda", Kind: KindMultivende, AccessToken: "at-SECRET", RefreshToken: "rt-SECRET", APIKey: "k-SECRET", Status: ConnOK}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("poll", "conn", c)
	for _, out := range []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%v", []Connection{c}), buf.String()} {
		if strings.Contains(out, "SECRET") || !strings.Contains(out, "tienda") {
			t.Errorf("printed connection: %s", out)
		}
	}
}

// With deferred transactions, a write that first reads and then writes
// fails at once (SQLITE_BUSY_SNAPSHOT) when another writer committed in
// between; immediate ones take the write lock at BEGIN, so the other
// writer waits and both succeed, in order.
func TestWritesAreImmediate(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other, err := Open(ctx, b.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	began := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	var otherErr error
	go func() {
		defer wg.Done()
		<-began
		otherErr = other.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "last", "other") })
	}()
	err = b.st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.GetOrder(ctx, id); err != nil {
			return err
		}
		close(began)
		time.Sleep(100 * time.Millisecond) // the other writer tries now
		return tx.SetSetting(ctx, "last", "first")
	})
	wg.Wait()
	if err != nil || otherErr != nil {
		t.Fatalf("first: %v, other: %v", err, otherErr)
	}
	if v, _ := b.st.Setting(ctx, "last"); v != "other" {
		t.Fatalf("the other writer did not wait for the first: last = %q", v)
	}
}

func TestBackupFileWhateverTheSchema(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 3, StateQueued)
	if _, err := b.st.w.Exec(fmt.Sprintf("PRAGMA user_version = %d", LatestSchema()+5)); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy.db")
	if err := BackupFile(ctx, b.path, dst); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v %v", fi, err)
	}
	if _, err := Open(ctx, dst, Options{}); !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("the copy keeps its version: %v", err)
	}
	if err := BackupFile(ctx, b.path, dst); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("overwrite: %v", err)
	}
	garbage := filepath.Join(t.TempDir(), "g.db")
	os.WriteFile(garbage, bytes.Repeat([]byte("not sqlite "), 500), 0o600)
	if err := BackupFile(ctx, garbage, filepath.Join(t.TempDir(), "x.db")); !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("backup of a non-database: %v", err)
	}
	if err := BackupFile(ctx, filepath.Join(t.TempDir(), "none.db"), filepath.Join(t.TempDir(), "y.db")); !errors.Is(err, ErrCannotOpen) {
		t.Fatalf("backup of a missing store: %v", err)
	}
}

func TestConnectionSettingsRoundTrip(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	want := ConnSettings{EmitterID: "em-1", Provider: "libredte", DocTypes: map[string]string{"33": "electronic_billing_invoice"},
		FacturaField: "CheckoutBillingClients.0.documentType", FacturaValue: "RUT"}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetConnectionSettings(ctx, "tienda", want) }); err != nil {
		t.Fatal(err)
	}
	c, err := b.st.Connection(ctx, "tienda")
	if err != nil {
		t.Fatal(err)
	}
	if c.Settings.EmitterID != "em-1" || c.Settings.DocTypes["33"] != "electronic_billing_invoice" || c.Settings.FacturaValue != "RUT" {
		t.Fatalf("settings = %+v", c.Settings)
	}
	// A re-save (a reconnect) writes what it is given.
	c.Settings.Provider = "other"
	if err := b.st.Write(ctx, func(tx *Tx) error { _, err := tx.SaveConnection(ctx, c); return err }); err != nil {
		t.Fatal(err)
	}
	if c, _ = b.st.Connection(ctx, "tienda"); c.Settings.Provider != "other" || c.Settings.EmitterID != "em-1" {
		t.Fatalf("after re-save: %+v", c.Settings)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetConnectionSettings(ctx, "nope", want) }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown connection: %v", err)
	}
}
