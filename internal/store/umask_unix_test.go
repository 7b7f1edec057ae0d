//go:build unix

package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Not parallel: the umask belongs to the whole process. Parallel tests
// start only after every sequential one has finished.
func TestModesDoNotDependOnTheUmask(t *testing.T) {
	for _, mask := range []int{0o000, 0o022, 0o277} {
		t.Run(fmt.Sprintf("umask %03o", mask), func(t *testing.T) {
			old := syscall.Umask(mask)
			defer syscall.Umask(old)
			dir := filepath.Join(t.TempDir(), "data", "folio")
			path := filepath.Join(dir, "folio.db")
			st, err := Open(context.Background(), path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Write(context.Background(), func(tx *Tx) error { return tx.SetSetting(context.Background(), "k", "v") }); err != nil {
				t.Fatal(err)
			}
			for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600, path + "-wal": 0o600, path + "-shm": 0o600} {
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode().Perm(); got != want {
					t.Errorf("%s: mode %03o, want %03o", filepath.Base(p), got, want)
				}
			}
		})
	}
}
