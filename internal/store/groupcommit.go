package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Group commit (SQLite). On SQLite only one transaction writes at a time:
// workers' steps queued behind each other's commits. Here one goroutine
// takes the writes that are waiting when it is free and runs them one
// after another in one transaction, each in a savepoint of its own, then
// commits them together; walsync.go makes the commit durable while this
// goroutine goes on with the next writes. Each Write still returns only
// once its writes are durable (or not made at all), so a step is on disk
// before the call it guards, as before; writes are applied in the order
// they were taken, each seeing the ones before it. A write that fails is
// rolled back to its savepoint and fails alone; a commit that fails fails
// every write in it.

// maxGroup bounds how many writes share one commit (a few engines' worth
// of workers, loops and console controls).
const maxGroup = 64

type committer struct {
	s     *Store
	queue chan *pendingWrite // unbuffered: a write is either taken or still its caller's
	stop  chan struct{}
	done  chan struct{}
	once  sync.Once
	// syncer answers the committed writes once the WAL is synced
	// (walsync.go).
	syncer *walSyncer
}

type pendingWrite struct {
	ctx context.Context
	fn  func(*Tx) error
	err chan error // buffered: the committer never waits on a caller
	// durable: answered once synced (Write), else once committed
	// (WriteRecoverable).
	durable bool
}

// errStoreClosed is a write's error once Close has begun.
var errStoreClosed = errors.New("store closed")

func newCommitter(s *Store) *committer {
	c := &committer{s: s, queue: make(chan *pendingWrite), stop: make(chan struct{}), done: make(chan struct{}),
		syncer: newWALSyncer(s.path)}
	if s.opts.SyncWAL != nil {
		c.syncer.sync = s.opts.SyncWAL
	}
	c.syncer.start()
	go c.run()
	return c
}

// write hands fn to the committer and waits for its outcome. Once taken,
// a write is always waited for: returning early on ctx would report as
// failed a write that may yet commit.
func (c *committer) write(ctx context.Context, fn func(*Tx) error, durable bool) error {
	p := &pendingWrite{ctx: ctx, fn: fn, err: make(chan error, 1), durable: durable}
	select {
	case c.queue <- p:
	case <-ctx.Done():
		return fmt.Errorf("store %s: write: %w", c.s.path, ctx.Err())
	case <-c.stop:
		return fmt.Errorf("store %s: write: %w", c.s.path, errStoreClosed)
	case <-c.done:
		return fmt.Errorf("store %s: write: the writer stopped before answering", c.s.path)
	}
	select {
	case err := <-p.err:
		return err
	case <-c.done:
		// The committer ended with this write unanswered: a write called
		// runtime.Goexit (a test's t.FailNow), which no recover stops.
		select {
		case err := <-p.err:
			return err
		default:
			return fmt.Errorf("store %s: write: the writer stopped before answering", c.s.path)
		}
	}
}

// close stops the committer after the group it is committing.
func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.done
}

func (c *committer) run() {
	defer close(c.done)
	defer c.syncer.close() // before done: every write handed over is answered
	group := make([]*pendingWrite, 0, maxGroup)
	for {
		select {
		case <-c.stop:
			return
		case p := <-c.queue:
			group = append(group[:0], p)
		}
	gather:
		for len(group) < maxGroup {
			select {
			case p := <-c.queue:
				group = append(group, p)
			default:
				break gather
			}
		}
		c.commit(group)
		clear(group) // no caller's closure is kept past its write
	}
}

// commit runs a group of writes as one transaction. A write alone runs as
// Write always did, in a transaction of its own under its own context.
func (c *committer) commit(group []*pendingWrite) {
	s := c.s
	fail := func(err error) {
		for _, p := range group {
			p.err <- err
		}
	}
	if err := c.syncer.failed(); err != nil {
		fail(err)
		return
	}
	if len(group) == 1 {
		p := group[0]
		if err := s.writeAlone(p.ctx, p.fn); err != nil {
			p.err <- err
			return
		}
		c.syncer.add(group)
		return
	}
	errs := make([]error, len(group))
	// The transaction is no one write's: database/sql would roll it back
	// when that write's context ended. Each write's statements still run
	// under its own context.
	bg := context.Background()
	tx, err := s.w.BeginTx(bg, nil)
	if err != nil {
		fail(fmt.Errorf("store %s: begin write: %w", s.path, classify(err)))
		return
	}
	defer tx.Rollback() // a no-op once committed; frees the connection however the group ends
	for i, p := range group {
		if err := p.ctx.Err(); err != nil {
			errs[i] = fmt.Errorf("store %s: write: %w", s.path, err)
			continue
		}
		if _, err := tx.ExecContext(bg, "SAVEPOINT one_write"); err != nil {
			fail(fmt.Errorf("store %s: savepoint: %w", s.path, classify(err)))
			return
		}
		errs[i] = s.writeIn(p.ctx, tx, p.fn)
		if errs[i] != nil {
			// Some failures (an interrupted statement, a full disk) end
			// SQLite's whole transaction: then no savepoint is left, and
			// no write of the group can be committed.
			if _, err := tx.ExecContext(bg, "ROLLBACK TO one_write"); err != nil {
				fail(fmt.Errorf("store %s: a write of the group failed (%v) and took the transaction with it: %w", s.path, errs[i], classify(err)))
				return
			}
		}
		if _, err := tx.ExecContext(bg, "RELEASE one_write"); err != nil {
			fail(fmt.Errorf("store %s: release savepoint: %w", s.path, classify(err)))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		err = fmt.Errorf("store %s: commit: %w", s.path, classify(err))
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	committed := make([]*pendingWrite, 0, len(group))
	for i, p := range group {
		if errs[i] != nil {
			p.err <- errs[i] // nothing of it to make durable
		} else {
			committed = append(committed, p)
		}
	}
	c.syncer.add(committed)
}

// writeAlone runs fn in a transaction of its own and commits it.
func (s *Store) writeAlone(ctx context.Context, fn func(*Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store %s: begin write: %w", s.path, classify(err))
	}
	defer tx.Rollback() // a no-op once committed; frees the connection however fn ends
	if err := s.writeIn(ctx, tx, fn); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store %s: commit: %w", s.path, classify(err))
	}
	return nil
}

// writeIn runs one write's checks and fn inside tx: the fence first, then
// the test fault, then fn. A panic in fn fails that write alone: fn runs
// on the committer's goroutine, where it would take the process down with
// it instead of reaching its caller's recover.
func (s *Store) writeIn(ctx context.Context, tx *sql.Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store %s: a write panicked: %v", s.path, p)
		}
	}()
	t := &Tx{tx: tx, s: s, now: ms(s.now())}
	if err := t.checkFence(ctx); err != nil {
		return err
	}
	if s.opts.WriteFault != nil {
		// After the fence, as SQLite fails a full disk's write: reading
		// the lease still works, so a stale generation is still caught.
		if err := s.opts.WriteFault(); err != nil {
			return fmt.Errorf("store %s: commit: %w", s.path, classify(err))
		}
	}
	return fn(t)
}
