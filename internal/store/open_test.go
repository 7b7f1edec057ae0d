package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestOpenTakesAwayOthersAccessToAnExistingStore(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.insert(t, 1, StateQueued)
	b.st.Close()
	// As if copied in with cp under a 022 umask.
	if err := os.Chmod(b.path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Open(context.Background(), b.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b.st = st
	b.insert(t, 2, StateQueued)
	for _, p := range []string{b.path, b.path + "-wal", b.path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %03o after reopening a 0644 store, want 600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

func TestOpenWhileAnotherProcessHoldsTheWriteLock(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "folio.db")
	holdWriteLock(t, path) // a fresh file: Open must migrate, so must write
	start := time.Now()
	_, err := Open(context.Background(), path, Options{BusyTimeout: 150 * time.Millisecond})
	var oe *OpenError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &oe) {
		t.Fatalf("open under a held lock: %v, want an OpenError of kind ErrLocked", err)
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("gave up after %v, before the busy timeout", waited)
	}
	for _, want := range []string{path, "another process", "stop it"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not mention %q", err, want)
		}
	}
}

func TestWriteUnderAHeldLockSaysWhoToStop(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "folio.db")
	st, err := Open(context.Background(), path, Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	holdWriteLock(t, path)
	err = st.Write(context.Background(), func(tx *Tx) error { return tx.SetSetting(context.Background(), "k", "v") })
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("write under a held lock: %v", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "stop it") {
		t.Errorf("message %q should name the store and say what to do", err)
	}
}

// A store at its size limit fails the way a full disk does (SQLITE_FULL
// from SQLite itself), so the real error travels the real path.
func TestDiskFullIsNamedWithItsFix(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	var pages int
	if err := b.st.w.QueryRow("PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := b.st.w.Exec(fmt.Sprintf("PRAGMA max_page_count = %d", pages+4)); err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("x", 64<<10)
	err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.AppendEvent(ctx, "o", Event{Kind: "k", Message: "m", Data: big})
	})
	if !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "free disk space") {
		t.Fatalf("write to a full store: %v", err)
	}
	var se *Error
	if !errors.As(err, &se) || sqliteCode(se.Err) != codeFull {
		t.Fatalf("the SQLite error is lost: %v", err)
	}
	oe := openError(b.path, OpMigrate, se.Err)
	if !errors.Is(oe, ErrDiskFull) || !strings.Contains(oe.Error(), "df -h") {
		t.Fatalf("open-time disk full: %v", oe)
	}
	// Once space is back, the store works again.
	if _, err := b.st.w.Exec("PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
}

func TestErrorMapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		kind error
		fix  string
	}{
		{errors.New("database or disk is full (13)"), ErrDiskFull, "free disk space"},
		{fmt.Errorf("write: %w", syscall.ENOSPC), ErrDiskFull, "free disk space"},
		{errors.New("file is not a database (26)"), ErrNotDatabase, "not a SQLite database"},
		{errors.New("database is locked (5) (SQLITE_BUSY)"), ErrLocked, "stop it"},
		{fmt.Errorf("open: %w", os.ErrPermission), ErrReadOnlyDir, "writable"},
		{fmt.Errorf("open: %w", syscall.EROFS), ErrReadOnlyDir, "writable"},
		{errors.New("something else"), ErrCannotOpen, "--store"},
	} {
		err := openError("/srv/folio.db", OpOpen, tc.err)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.fix) || !strings.Contains(err.Error(), "/srv/folio.db") {
			t.Errorf("%v: got %v, want kind %v with %q", tc.err, err, tc.kind, tc.fix)
		}
	}
	if err := classify(errors.New("no such table: x")); errors.Is(err, ErrLocked) || err.Error() != "no such table: x" {
		t.Errorf("an unknown error must pass through unchanged: %v", err)
	}
}

// Two Store values on one file (two processes, in effect) both writing:
// the busy timeout queues them, nothing is lost and the file stays sound.
func TestTwoStoresWritingKeepTheFileSound(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other, err := Open(ctx, b.path, Options{BusyTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w, st := range []*Store{b.st, other} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 60; i++ {
				o := b.order(w*1000+i, StateQueued)
				err := st.Write(ctx, func(tx *Tx) error {
					if _, err := tx.UpsertOrders(ctx, []OrderUpsert{o}); err != nil {
						return err
					}
					return tx.AppendEvent(ctx, o.ID, Event{Kind: "seen", Message: "visto"})
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var check string
	if err := b.st.r.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	if n, _ := other.CountOrders(ctx, OrderQuery{}); n != 120 {
		t.Fatalf("%d orders, want 120", n)
	}
	var events int
	b.st.r.QueryRow("SELECT count(*) FROM events").Scan(&events)
	if events != 120 {
		t.Fatalf("%d events, want 120", events)
	}
}

// The second engine on a store is refused by the lease, naming the first.
func TestSecondEngineIsRefusedByTheLease(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	other, err := Open(ctx, b.path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := b.st.AcquireLease(ctx, Holder{PID: 4242, Host: "srv-1", StartedAt: time.Now()}, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = other.AcquireLease(ctx, Holder{PID: 5151, Host: "srv-1", StartedAt: time.Now()}, time.Minute)
	var le *LeaseError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "PID 4242") || !strings.Contains(err.Error(), "srv-1") {
		t.Fatalf("second engine: %v", err)
	}
	if err := other.Heartbeat(ctx, Fence{Holder: Holder{PID: 5151, Host: "srv-1"}}, time.Minute); !errors.Is(err, ErrLeaseLost) {
		t.Fatalf("heartbeat of a non-holder: %v", err)
	}
}

func TestBackupFromAReadOnlyStoreWhileWriting(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 40, StateQueued)
	ro, err := Open(ctx, b.path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// A write in progress on the main store does not stop the backup, and
	// the copy holds the last committed state only.
	dst := filepath.Join(t.TempDir(), "copy.db")
	err = b.st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.UpsertOrders(ctx, []OrderUpsert{b.order(999, StateQueued)}); err != nil {
			return err
		}
		return ro.Backup(ctx, dst)
	})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := Open(ctx, dst, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if n, _ := cp.CountOrders(ctx, OrderQuery{}); n != 40 {
		t.Fatalf("copy holds %d orders, want the 40 committed", n)
	}
	err = ro.Backup(ctx, filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("backup into a missing directory: %v", err)
	}
}

func TestReadOnlyOpenOfAMissingStore(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "none.db")
	_, err := Open(context.Background(), path, Options{ReadOnly: true})
	if !errors.Is(err, ErrCannotOpen) || !strings.Contains(err.Error(), path) {
		t.Fatalf("read-only open of a missing store: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a read-only open created the store")
	}
}

// Two engines starting on a new store at once: each Open migrates, and the
// loser must wait for the winner's migration instead of running it again
// ("table connections already exists").
func TestOpenRaceOnNewStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i := range 20 {
		path := filepath.Join(dir, fmt.Sprintf("race%d.db", i))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j := range 2 {
			wg.Go(func() {
				st, err := Open(context.Background(), path, Options{})
				if err == nil {
					err = st.Close()
				}
				errs[j] = err
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, ErrLocked) {
				t.Fatalf("try %d: %v", i, err)
			}
		}
		st, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if st.SchemaVersion() != LatestSchema() {
			t.Fatalf("try %d: schema %d", i, st.SchemaVersion())
		}
		st.Close()
	}
}

// A directory or a file that is not a store is refused before anything is
// created or chmod-ed, saying which.
func TestOpenRefusesWhatIsNotAStoreUntouched(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Open(ctx, dir, Options{}); !errors.Is(err, ErrCannotOpen) || !strings.Contains(err.Error(), "is a directory") ||
		!strings.Contains(err.Error(), filepath.Join(dir, "folio.db")) {
		t.Fatalf("a directory: %v", err)
	}
	// Read-only too (folio orders --store DIR said "disk I/O error").
	if _, err := Open(ctx, dir, Options{ReadOnly: true}); !errors.Is(err, ErrCannotOpen) || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("a directory, read-only: %v", err)
	}
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a database, and readable by all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, notes, Options{}); !errors.Is(err, ErrNotDatabase) {
		t.Fatalf("a text file: %v", err)
	}
	fi, err := os.Stat(notes)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Fatalf("the refused file was changed: %v %v", fi.Mode(), err)
	}
	if _, err := os.Stat(notes + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("a WAL was created beside the refused file: %v", err)
	}
}
