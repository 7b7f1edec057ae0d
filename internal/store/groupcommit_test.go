package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
)

// groupRig opens a SQLite store and holds its committer in a first write
// until release is called, while the writes started meanwhile queue up:
// they are then committed together, as one group.
type groupRig struct {
	st      *Store
	release func()
	wg      sync.WaitGroup
}

func newGroupRig(t *testing.T) *groupRig {
	t.Helper()
	st := openSQLite(t)
	r := &groupRig{st: st}
	hold := make(chan struct{})
	r.release = sync.OnceFunc(func() { close(hold) })
	r.wg.Go(func() {
		if err := st.Write(context.Background(), func(*Tx) error { <-hold; return nil }); err != nil {
			t.Error(err)
		}
	})
	synctest.Wait() // the committer is in the first write
	return r
}

// write starts a write that sets key, through fn's error; its outcome and
// transaction land in out.
func (r *groupRig) write(ctx context.Context, key string, out *writeOutcome, fn func(*Tx) error) {
	r.wg.Go(func() {
		out.err = r.st.Write(ctx, func(t *Tx) error {
			out.tx = t.tx
			if err := t.SetSetting(ctx, key, "v"); err != nil {
				return err
			}
			if fn != nil {
				return fn(t)
			}
			return nil
		})
	})
}

type writeOutcome struct {
	err error
	tx  *sql.Tx
}

// settled releases the first write and waits for every write to return.
func (r *groupRig) settled() {
	synctest.Wait() // every write is queued
	r.release()
	r.wg.Wait()
}

func (r *groupRig) has(t *testing.T, key string) bool {
	t.Helper()
	v, err := r.st.Setting(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	return v != ""
}

// Writes that wait while another commits share one transaction and one
// commit; one that fails is rolled back alone and reports its own error,
// and the others are durable.
func TestWritesWaitingTogetherShareOneCommit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGroupRig(t)
		ctx := context.Background()
		boom := errors.New("boom")
		outs := make([]writeOutcome, 5)
		for i := range outs {
			var fn func(*Tx) error
			if i == 2 {
				fn = func(*Tx) error { return boom }
			}
			r.write(ctx, fmt.Sprint("k", i), &outs[i], fn)
		}
		r.settled()
		for i, o := range outs {
			if o.tx != outs[0].tx {
				t.Fatalf("write %d ran in another transaction: the waiting writes were not committed together", i)
			}
			want := i != 2
			if (o.err == nil) != want || (i == 2 && !errors.Is(o.err, boom)) {
				t.Fatalf("write %d: err = %v", i, o.err)
			}
			if r.has(t, fmt.Sprint("k", i)) != want {
				t.Fatalf("write %d: its setting stored = %v, want %v", i, !want, want)
			}
		}
	})
}

// A write that panics fails alone, with an error, instead of taking the
// process down from the committer's goroutine.
func TestPanickingWriteFailsAlone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGroupRig(t)
		ctx := context.Background()
		var bad, good writeOutcome
		r.write(ctx, "bad", &bad, func(*Tx) error { panic("a bug") })
		r.write(ctx, "good", &good, nil)
		r.settled()
		if bad.err == nil || !strings.Contains(bad.err.Error(), "a bug") || r.has(t, "bad") {
			t.Fatalf("panicking write: err = %v, stored = %v", bad.err, r.has(t, "bad"))
		}
		if good.err != nil || !r.has(t, "good") {
			t.Fatalf("the other write: err = %v, stored = %v", good.err, r.has(t, "good"))
		}
	})
}

// A write that ends the committer's goroutine (runtime.Goexit: a test's
// t.FailNow inside a write; no recover stops it) leaves its caller, and
// every later writer, an error instead of a wait that never ends.
func TestWriterThatStopsLeavesErrorsNotAHang(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		st := openSQLite(t)
		ctx := context.Background()
		if err := st.Write(ctx, func(*Tx) error { runtime.Goexit(); return nil }); err == nil || !strings.Contains(err.Error(), "writer stopped") {
			t.Fatalf("the write that stopped the writer: %v", err)
		}
		if err := st.Write(ctx, func(*Tx) error { return nil }); err == nil {
			t.Fatal("a write after the writer stopped succeeded")
		}
	})
}

// A write whose caller gave up before its turn writes nothing and says
// so; the group goes on without it.
func TestCancelledWriteInAGroupWritesNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGroupRig(t)
		ctx, cancel := context.WithCancel(context.Background())
		var gone, kept writeOutcome
		r.write(ctx, "gone", &gone, nil)
		r.write(context.Background(), "kept", &kept, nil)
		synctest.Wait()
		cancel()
		r.settled()
		if !errors.Is(gone.err, context.Canceled) || r.has(t, "gone") {
			t.Fatalf("cancelled write: err = %v, stored = %v", gone.err, r.has(t, "gone"))
		}
		if kept.err != nil || !r.has(t, "kept") {
			t.Fatalf("the other write: err = %v, stored = %v", kept.err, r.has(t, "kept"))
		}
	})
}

// A write whose failure ends SQLite's whole transaction takes its group
// with it: every write of the group fails and none is stored, so no
// caller is told a write is durable when it is not.
func TestWriteThatEndsTheTransactionFailsItsGroup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGroupRig(t)
		ctx := context.Background()
		outs := make([]writeOutcome, 3)
		for i := range outs {
			var fn func(*Tx) error
			if i == 1 {
				fn = func(t *Tx) error {
					if _, err := t.tx.ExecContext(ctx, "ROLLBACK"); err != nil {
						return err
					}
					return errors.New("the transaction is gone")
				}
			}
			r.write(ctx, fmt.Sprint("k", i), &outs[i], fn)
		}
		r.settled()
		for i, o := range outs {
			if o.err == nil || r.has(t, fmt.Sprint("k", i)) {
				t.Fatalf("write %d: err = %v, stored = %v; want every write of the group failed and absent", i, o.err, r.has(t, fmt.Sprint("k", i)))
			}
		}
		// The store goes on writing.
		if err := r.st.Write(ctx, func(t *Tx) error { return t.SetSetting(ctx, "after", "v") }); err != nil || !r.has(t, "after") {
			t.Fatalf("a write after the failed group: %v", err)
		}
	})
}

// Close lets the group being committed finish; a write after it fails
// and says the store is closed.
func TestWriteAfterCloseIsRefused(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newGroupRig(t)
		ctx := context.Background()
		var queued writeOutcome
		r.write(ctx, "queued", &queued, nil)
		synctest.Wait()
		closed := make(chan error, 1)
		go func() { closed <- r.st.Close() }()
		synctest.Wait() // Close waits for the group being committed
		r.release()
		r.wg.Wait()
		if err := <-closed; err != nil {
			t.Fatal(err)
		}
		if queued.err != nil && !errors.Is(queued.err, errStoreClosed) {
			t.Fatalf("a write queued at Close: %v", queued.err)
		}
		if err := r.st.Write(ctx, func(*Tx) error { return nil }); err == nil {
			t.Fatal("a write after Close succeeded")
		}
	})
}
