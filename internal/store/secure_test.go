package store

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A rotated or deleted token must not stay readable in the store's
// files: secure_delete zeroes what SQLite frees, and the TRUNCATE
// checkpoint on Close empties the WAL, which holds the old page images.
func TestOldTokensLeaveNoBytes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "folio.db")
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var v int
	if err := st.w.QueryRowContext(ctx, "PRAGMA secure_delete").Scan(&v); err != nil || v != 1 {
		t.Fatalf("secure_delete = %d (%v), want 1", v, err)
	}
	oldAccess := "OLDACCESS" + strings.Repeat("a", 40)
	oldRefresh := "OLDREFRESH" + strings.Repeat("r", 40)
	gone := "GONEAPIKEY" + strings.Repeat("k", 40)
	var id int64
	err = st.Write(ctx, func(tx *Tx) error {
		id, err = tx.SaveConnection(ctx, Connection{Name: "mv", Kind: KindMultivende, BaseURL: "http://mv", AccessToken: oldAccess,
			RefreshToken: oldRefresh})
		if err != nil {
			return err
		}
		_, err = tx.SaveConnection(ctx, Connection{Name: "ld", Kind: KindLibreDTE, BaseURL: "http://ld", APIKey: gone})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A checkpoint puts the old tokens in the database file itself.
	if _, err := st.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		t.Fatal(err)
	}
	err = st.Write(ctx, func(tx *Tx) error {
		if err := tx.SetTokens(ctx, id, "NEWACCESS", "NEWREFRESH", time.Now(), time.Now()); err != nil {
			return err
		}
		return tx.DeleteConnection(ctx, "ld")
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{oldAccess, oldRefresh, gone} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s still holds %.12s…", filepath.Base(f), secret)
			}
		}
	}
}
