package store

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Durability apart from the commit (SQLite). With synchronous=FULL SQLite
// fsyncs the WAL inside the commit, holding the write lock: a worker's
// statements waited behind another worker's fsync, and two workers spent
// a third of each write queued. The writer connection runs
// synchronous=NORMAL instead (the commit appends to the WAL without an
// fsync; still atomic and consistent after a power loss) and the store
// makes commits durable itself: walSyncer fdatasyncs the WAL and only then
// answers the writes it covers, while the committer already runs the
// next ones. The WAL is appended in commit order and SQLite syncs it
// before every checkpoint, so one sync covers every commit made before it
// began. (Syncs side by side were tried: no gain measured in the
// pipeline.) Should the writer's connection ever be reopened it comes back
// at synchronous=FULL (its DSN): slower, never less durable.
//
// A recoverable write (WriteRecoverable) is answered once committed and
// asks for no sync of its own: it rides on the next durable write's, or
// is synced lazySync after it, as PostgreSQL's WAL writer does an
// asynchronous commit. Syncing it at once kept the disk busy with syncs
// no one waited for, and the durable writes behind them waited longer.

// lazySync is the longest a recoverable commit waits for a sync.
const lazySync = 100 * time.Millisecond

// walSyncer answers committed writes once the WAL holding them is on disk.
type walSyncer struct {
	wal  string // the WAL file's path
	sync func() error

	mu      sync.Mutex
	waiting []*pendingWrite // committed, not yet synced
	dirty   bool            // commits since the last sync began
	broken  error           // a sync failed: nothing later is trusted
	kick    chan struct{}   // cap 1: a durable write waits for a sync
	soon    chan struct{}   // cap 1: a recoverable commit is not synced yet
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	f *os.File // the WAL, open for syncing (the syncer's goroutine only)

	synced atomic.Int64 // syncs made
}

func newWALSyncer(dbPath string) *walSyncer {
	w := &walSyncer{wal: dbPath + "-wal", kick: make(chan struct{}, 1), soon: make(chan struct{}, 1),
		stop: make(chan struct{}), done: make(chan struct{})}
	w.sync = w.syncFile
	return w
}

func (w *walSyncer) start() { go w.run() }

// add hands over committed writes: a durable one is answered once the
// WAL is synced, a recoverable one at once (synced within lazySync).
func (w *walSyncer) add(ps []*pendingWrite) {
	if len(ps) == 0 {
		return
	}
	urgent := false
	w.mu.Lock()
	for _, p := range ps {
		if p.durable {
			w.waiting = append(w.waiting, p)
			urgent = true
		} else {
			p.err <- nil
		}
	}
	w.dirty = true
	w.mu.Unlock()
	signal := w.soon
	if urgent {
		signal = w.kick
	}
	select {
	case signal <- struct{}{}:
	default: // already signalled; the sync takes these too
	}
}

// failed is the error of an earlier sync that failed, if any: a write
// made after it cannot be promised durable either.
func (w *walSyncer) failed() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.broken
}

func (w *walSyncer) run() {
	defer close(w.done)
	defer func() {
		if w.f != nil {
			_ = w.f.Close()
		}
	}()
	var later <-chan time.Time // armed while only recoverable commits wait
	for {
		select {
		case <-w.kick:
			w.flush()
		case <-w.soon:
			if later == nil {
				later = time.After(lazySync)
			}
		case <-later:
			later = nil
			w.flush() // nothing to do if a durable write's sync took them
		case <-w.stop:
			w.flush() // what was committed before the stop is answered
			return
		}
	}
}

// flush syncs the WAL once for every commit made so far, and answers the
// writes waiting.
func (w *walSyncer) flush() {
	w.mu.Lock()
	ps, dirty, broken := w.waiting, w.dirty, w.broken
	w.waiting, w.dirty = nil, false
	w.mu.Unlock()
	if !dirty {
		return
	}
	err := broken
	if err == nil {
		if err = w.sync(); err == nil {
			w.synced.Add(1)
		} else {
			// After a failed fsync the kernel may have dropped the pages
			// it could not write: a later sync that succeeds proves
			// nothing about these. Every later write fails too.
			err = fmt.Errorf("store: the disk did not confirm the write of %s (%w); later writes are refused: check the disk, then restart folio", w.wal, classify(err))
			w.mu.Lock()
			w.broken = err
			w.mu.Unlock()
		}
	}
	for _, p := range ps {
		p.err <- err
	}
}

// close answers what is waiting and stops the syncer.
func (w *walSyncer) close() {
	w.once.Do(func() { close(w.stop) })
	<-w.done
}

// syncFile fdatasyncs the WAL.
func (w *walSyncer) syncFile() error {
	f, err := w.file()
	if err != nil {
		return err
	}
	if err := datasync(f); err != nil {
		return fmt.Errorf("syncing the WAL: %w", err)
	}
	return nil
}

// file is the WAL, kept open between syncs. A WAL file that is not the
// one open (first sync, or SQLite made a new one) also has its directory
// synced, as SQLite does for a file it creates: else its name could be
// lost with the power.
func (w *walSyncer) file() (*os.File, error) {
	fi, err := os.Stat(w.wal)
	if err != nil {
		return nil, fmt.Errorf("reading the WAL: %w", err)
	}
	if w.f != nil {
		if open, err := w.f.Stat(); err == nil && os.SameFile(open, fi) {
			return w.f, nil
		}
		_ = w.f.Close()
		w.f = nil
	}
	f, err := os.OpenFile(w.wal, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the WAL to sync it: %w", err)
	}
	if err := syncDir(filepath.Dir(w.wal)); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("syncing the store's directory: %w", err)
	}
	w.f = f
	return f, nil
}
