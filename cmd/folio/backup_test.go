package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
)

func TestBackupCommand(t *testing.T) {
	dir := isolate(t)
	ctx := context.Background()
	// The configured store: $XDG_DATA_HOME/folio/folio.db.
	def := filepath.Join(dir, "data", "folio", "folio.db")
	if _, _, err := runFolio(t, "", "backup", filepath.Join(dir, "early.db"), "--lang", "en"); err == nil || !strings.Contains(err.Error(), "no store at "+def) {
		t.Fatalf("backup without a store: %v", err)
	}
	st, err := store.Open(ctx, def, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "marca", "antes del respaldo") }); err != nil {
		t.Fatal(err)
	}

	dst := filepath.Join(dir, "copy.db")
	out, _, err := runFolio(t, "", "backup", dst, "--lang", "en") // while the store is open, as under a running engine
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "written to "+dst) {
		t.Errorf("output %q", out)
	}
	if fi, err := os.Stat(dst); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("copy: %v, %v", fi, err)
	}
	cp, err := store.Open(ctx, dst, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := cp.Setting(ctx, "marca"); v != "antes del respaldo" {
		t.Errorf("copy lacks the data: %q", v)
	}
	cp.Close()

	if _, _, err := runFolio(t, "", "backup", dst, "--lang", "en"); err == nil || !strings.Contains(err.Error(), "the file exists") {
		t.Errorf("overwriting a backup: %v", err)
	}
	other := filepath.Join(dir, "other.db")
	if _, _, err := runFolio(t, "", "backup", filepath.Join(dir, "copy2.db"), "--store", other); err == nil || !strings.Contains(err.Error(), other) {
		t.Errorf("--store naming a missing store: %v", err)
	}
	if _, _, err := runFolio(t, "", "backup", filepath.Join(dir, "copy3.db"), "--store", dst); err != nil {
		t.Errorf("--store: %v", err)
	}
	if _, _, err := runFolio(t, "", "backup", "--lang", "en"); err == nil || !strings.Contains(err.Error(), "folio backup PATH") {
		t.Errorf("no argument: %v", err)
	}
}
