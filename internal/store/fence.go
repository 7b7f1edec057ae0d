package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Fence is a lease as its holder knows it: who holds it and the generation
// the store gave at AcquireLease. The generation grows at every takeover,
// so a holder that was frozen past its lease and woke up after another
// engine took over carries a stale one.
type Fence struct {
	Holder     Holder
	Generation int64
}

type fenceKey struct{}

type fenced struct {
	f      Fence
	onLost func()
}

// WithFence makes every Write under ctx check, in its own transaction,
// that f still holds the lease: a write from a stale generation fails with
// ErrLeaseLost and commits nothing, and onLost (if set) is called once, so
// the engine can stop at once. Reads are not fenced.
func WithFence(ctx context.Context, f Fence, onLost func()) context.Context {
	if onLost != nil {
		onLost = sync.OnceFunc(onLost)
	}
	return context.WithValue(ctx, fenceKey{}, &fenced{f: f, onLost: onLost})
}

// FenceFrom returns the fence ctx carries, if any.
func FenceFrom(ctx context.Context) (Fence, bool) {
	fc, ok := ctx.Value(fenceKey{}).(*fenced)
	if !ok {
		return Fence{}, false
	}
	return fc.f, true
}

// checkFence runs the fence check of ctx, if it carries one, inside t.
func (t *Tx) checkFence(ctx context.Context) error {
	fc, ok := ctx.Value(fenceKey{}).(*fenced)
	if !ok {
		return nil
	}
	err := t.holds(ctx, fc.f)
	if errors.Is(err, ErrLeaseLost) && fc.onLost != nil {
		fc.onLost()
	}
	return err
}

// CheckFence tells whether the fence ctx carries still holds the lease
// (nil without a fence), as a read: for the moment just before a call that
// cannot be undone, when there is nothing to commit.
func (s *Store) CheckFence(ctx context.Context) error {
	fc, ok := ctx.Value(fenceKey{}).(*fenced)
	if !ok {
		return nil
	}
	var gen int64
	f := fc.f
	err := s.reads.QueryRowContext(ctx, qHoldsLease, f.Holder.PID, f.Holder.Host, ms(f.Holder.StartedAt)).Scan(&gen)
	if err == nil && gen == f.Generation {
		return nil
	}
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: checking the lease: %w", classify(err))
	}
	if fc.onLost != nil {
		fc.onLost()
	}
	return fmt.Errorf("%w (generation %d)", ErrLeaseLost, f.Generation)
}
