package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
)

// heldDisk stands in for the WAL's fdatasync: each sync waits until the
// test ends it, through the handle it finds in begun, in the order they
// began.
type heldDisk struct {
	syncs atomic.Int32
	begun chan chan error
}

func holdSyncs(st *Store) *heldDisk {
	d := &heldDisk{begun: make(chan chan error, 16)}
	// Set before any write: the syncer reads it only after a write is
	// handed to it.
	st.commits.syncer.sync = func() error {
		d.syncs.Add(1)
		end := make(chan error)
		d.begun <- end
		return <-end
	}
	return d
}

// next is the sync that began next; none began when it is not there yet.
func (d *heldDisk) next(t *testing.T) chan error {
	t.Helper()
	select {
	case end := <-d.begun:
		return end
	default:
		t.Fatal("no sync began")
		return nil
	}
}

// setSoon writes key in the background; its outcome lands on the channel.
func setSoon(st *Store, key string) <-chan error {
	done := make(chan error, 1)
	ctx := context.Background()
	go func() { done <- st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, key, "v") }) }()
	return done
}

func openSQLite(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A Write returns only once the WAL holding its commit is synced; while
// the disk syncs, the next writes are already committed (they no longer
// queue behind the sync), and one sync then covers all of them.
func TestWriteReturnsOnceItsCommitIsSynced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openSQLite(t)
		disk := holdSyncs(st)
		ctx := context.Background()
		var wg sync.WaitGroup
		var returned [3]atomic.Bool
		write := func(i int, key string) {
			wg.Go(func() {
				if err := st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, key, "v") }); err != nil {
					t.Errorf("write %s: %v", key, err)
				}
				returned[i].Store(true)
			})
		}
		stored := func(key string) bool {
			v, err := st.Setting(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return v != ""
		}
		write(0, "first")
		synctest.Wait() // committed; its sync is on the disk
		first := disk.next(t)
		if returned[0].Load() {
			t.Fatal("the write returned before its commit was synced")
		}
		write(1, "second")
		write(2, "third")
		synctest.Wait()
		if !stored("second") || !stored("third") {
			t.Fatal("the writes after it waited for its sync before committing")
		}
		first <- nil
		synctest.Wait()
		if !returned[0].Load() || returned[1].Load() || returned[2].Load() {
			t.Fatalf("after the first sync: returned = %v %v %v, want only the first", returned[0].Load(), returned[1].Load(), returned[2].Load())
		}
		disk.next(t) <- nil
		wg.Wait()
		if n := disk.syncs.Load(); n != 2 {
			t.Fatalf("%d syncs for three writes, two of them committed during the first: want 2", n)
		}
	})
}

// A sync that fails fails the writes it covered, and every write after
// it without running: after a failed fsync the kernel may have dropped
// the pages, so a later sync that succeeds would prove nothing.
func TestFailedSyncFailsItsWritesAndLaterOnes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openSQLite(t)
		disk := holdSyncs(st)
		ctx := context.Background()
		done := setSoon(st, "k")
		synctest.Wait()
		disk.next(t) <- syscall.EIO
		err := <-done
		if err == nil || !errors.Is(err, syscall.EIO) || !strings.Contains(err.Error(), "did not confirm") {
			t.Fatalf("the write whose sync failed: %v", err)
		}
		ran := false
		err = st.Write(ctx, func(*Tx) error { ran = true; return nil })
		if err == nil || ran || disk.syncs.Load() != 1 {
			t.Fatalf("a write after the failed sync: err = %v, ran = %v, syncs = %d", err, ran, disk.syncs.Load())
		}
	})
}

// Close answers the writes waiting on a sync once it ends.
func TestCloseWaitsForTheSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openSQLite(t)
		disk := holdSyncs(st)
		written := setSoon(st, "k")
		synctest.Wait()
		closed := make(chan error, 1)
		go func() { closed <- st.Close() }()
		synctest.Wait()
		select {
		case err := <-written:
			t.Fatalf("the write returned (%v) while its sync was on the disk", err)
		case err := <-closed:
			t.Fatalf("Close returned (%v) while a write waited on its sync", err)
		default:
		}
		disk.next(t) <- nil
		if err := <-written; err != nil {
			t.Fatal(err)
		}
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
	})
}

// The writer commits at synchronous=NORMAL (the store syncs), and the
// real sync keeps the WAL open between syncs.
func TestTheStoreSyncsTheWALItself(t *testing.T) {
	st := openSQLite(t)
	ctx := context.Background()
	var level int
	if err := st.w.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&level); err != nil || level != 1 {
		t.Fatalf("writer's synchronous = %d (%v), want 1 (NORMAL)", level, err)
	}
	if err := st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	open := st.commits.syncer.f // answered after the sync: no sync runs now
	fi, err := os.Stat(st.Path() + "-wal")
	if err != nil || open == nil {
		t.Fatalf("WAL: %v; open for syncing: %v", err, open != nil)
	}
	if ofi, err := open.Stat(); err != nil || !os.SameFile(ofi, fi) {
		t.Fatalf("the file kept open is not the WAL (%v)", err)
	}
}

// A WAL that SQLite made anew (another file under the same name) is
// opened again, not synced through the old one's handle.
func TestSyncFollowsANewWALFile(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "folio.db")
	if err := os.WriteFile(db+"-wal", []byte("one"), 0o600); err != nil {
		t.Fatal(err)
	}
	w := newWALSyncer(db)
	defer func() {
		if w.f != nil {
			w.f.Close()
		}
	}()
	if err := w.syncFile(); err != nil {
		t.Fatal(err)
	}
	first := w.f
	if err := os.Remove(db + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db+"-wal", []byte("two"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := w.syncFile(); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(db + "-wal")
	if ofi, err := w.f.Stat(); w.f == first || err != nil || !os.SameFile(ofi, fi) {
		t.Fatal("the sync went on through the old WAL's handle")
	}
	if err := os.Remove(db + "-wal"); err != nil {
		t.Fatal(err)
	}
	if err := w.syncFile(); err == nil {
		t.Fatal("a sync with no WAL on disk succeeded")
	}
}

// A recoverable write returns once committed, without a sync of its
// own: it is synced lazySync later, or with the next durable write.
func TestRecoverableWriteDoesNotWaitForTheSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openSQLite(t)
		disk := holdSyncs(st)
		ctx := context.Background()
		set := func(write func(context.Context, func(*Tx) error) error, key string) error {
			return write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, key, "v") })
		}
		if err := set(st.WriteRecoverable, "k"); err != nil {
			t.Fatal(err)
		}
		synctest.Wait()
		if v, err := st.Setting(ctx, "k"); err != nil || v != "v" || disk.syncs.Load() != 0 {
			t.Fatalf("after a recoverable write: value %q (%v), %d syncs; want it stored and no sync yet", v, err, disk.syncs.Load())
		}
		time.Sleep(lazySync)
		synctest.Wait()
		disk.next(t) <- nil // synced lazySync later
		// A durable write takes the recoverable ones committed before it
		// along: no sync of their own follows.
		if err := set(st.WriteRecoverable, "r"); err != nil {
			t.Fatal(err)
		}
		durable := setSoon(st, "d")
		synctest.Wait()
		disk.next(t) <- nil
		if err := <-durable; err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * lazySync)
		synctest.Wait()
		if n := disk.syncs.Load(); n != 2 {
			t.Fatalf("%d syncs, want 2: the lazy one, then the durable write's, which covered the recoverable write before it", n)
		}
	})
}

// On both drivers a recoverable write is a write: committed, counted,
// rolled back whole when it fails. On PostgreSQL it commits with
// synchronous_commit off, and only it.
func TestRecoverableWriteCommits(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	before := b.st.Writes()
	syncCommit := func(tx *Tx) string {
		if !b.st.pg {
			return ""
		}
		var v string
		if err := tx.tx.QueryRowContext(withRawSQL(ctx), "SHOW synchronous_commit").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	var during string
	if err := b.st.WriteRecoverable(ctx, func(tx *Tx) error { during = syncCommit(tx); return tx.SetSetting(ctx, "k", "v") }); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	if err := b.st.WriteRecoverable(ctx, func(tx *Tx) error {
		if err := tx.SetSetting(ctx, "gone", "v"); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatalf("a failing recoverable write: %v", err)
	}
	var after string
	if err := b.st.Write(ctx, func(tx *Tx) error { after = syncCommit(tx); return nil }); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.st.Setting(ctx, "k"); v != "v" {
		t.Fatalf("the recoverable write's value: %q", v)
	}
	if v, _ := b.st.Setting(ctx, "gone"); v != "" {
		t.Fatal("a failed recoverable write left its value")
	}
	if n := b.st.Writes() - before; n != 2 {
		t.Fatalf("%d writes counted, want 2", n)
	}
	if b.st.pg && (during != "off" || after != "on") {
		t.Fatalf("synchronous_commit: %q in the recoverable write, %q in the next write; want off, then on", during, after)
	}
}

// Options.SyncWAL stands in for the WAL's fdatasync: a durable write is
// answered only after it ran, and its failure is the write's.
func TestSyncWALOption(t *testing.T) {
	ctx := context.Background()
	var calls atomic.Int32
	var fail atomic.Bool
	st, err := Open(ctx, filepath.Join(t.TempDir(), "folio.db"), Options{SyncWAL: func() error {
		calls.Add(1)
		if fail.Load() {
			return syscall.EIO
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "a", "v") }); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 {
		t.Fatalf("the hook ran %d times for one durable write, want 1", calls.Load())
	}
	fail.Store(true)
	if err := st.Write(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "b", "v") }); err == nil {
		t.Fatal("a write whose sync failed was answered as durable")
	}
}
