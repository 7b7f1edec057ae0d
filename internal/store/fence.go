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
	// Shared marks an engine on a shared store (Store.Shared), which holds
	// no store-wide lease: only its connection fences (WithConnFence) are
	// checked.
	Shared bool
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

// checkFence runs the fence checks of ctx, if it carries any, inside t:
// the store-wide lease, then the connection's.
func (t *Tx) checkFence(ctx context.Context) error {
	if fc, ok := ctx.Value(fenceKey{}).(*fenced); ok && !fc.f.Shared {
		err := t.holds(ctx, fc.f)
		if errors.Is(err, ErrLeaseLost) && fc.onLost != nil {
			fc.onLost()
		}
		if err != nil {
			return err
		}
	}
	cf, ok := ctx.Value(connFenceKey{}).(*connFenced)
	if !ok {
		return nil
	}
	var gen int64
	err := t.queryRow(ctx, qHoldsConnection, cf.f.ConnectionID, cf.f.Engine).Scan(&gen)
	return cf.verdict(gen, err)
}

type connFenceKey struct{}

type connFenced struct {
	f      ConnFence
	onLost func()
}

// WithConnFence makes every Write under ctx also check, in its own
// transaction, that f's engine still holds f's connection at f's
// generation: once another engine took the connection over, the write
// fails with ErrConnectionLost and commits nothing, and onLost (if set) is
// called once. The engine puts it on the context of all its work about
// one connection's orders.
func WithConnFence(ctx context.Context, f ConnFence, onLost func()) context.Context {
	if onLost != nil {
		onLost = sync.OnceFunc(onLost)
	}
	return context.WithValue(ctx, connFenceKey{}, &connFenced{f: f, onLost: onLost})
}

// ConnFenceFrom returns the connection fence ctx carries, if any.
func ConnFenceFrom(ctx context.Context) (ConnFence, bool) {
	cf, ok := ctx.Value(connFenceKey{}).(*connFenced)
	if !ok {
		return ConnFence{}, false
	}
	return cf.f, true
}

const qHoldsConnection = `SELECT generation FROM connection_leases WHERE connection_id=? AND engine=?`

// verdict turns the generation read for cf (or the read's error) into
// nil or ErrConnectionLost, telling onLost.
func (cf *connFenced) verdict(gen int64, err error) error {
	switch {
	case err == nil && gen == cf.f.Generation:
		return nil
	case err != nil && !errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: checking the lease of connection %d: %w", cf.f.ConnectionID, classify(err))
	}
	if cf.onLost != nil {
		cf.onLost()
	}
	return fmt.Errorf("%w (connection %d, generation %d)", ErrConnectionLost, cf.f.ConnectionID, cf.f.Generation)
}

// CheckFence tells whether the fences ctx carries still hold their leases
// (nil without a fence), as a read: for the moment just before a call that
// cannot be undone, when there is nothing to commit.
func (s *Store) CheckFence(ctx context.Context) error {
	if cf, ok := ctx.Value(connFenceKey{}).(*connFenced); ok {
		var gen int64
		err := s.r.QueryRowContext(ctx, qHoldsConnection, cf.f.ConnectionID, cf.f.Engine).Scan(&gen)
		if err := cf.verdict(gen, err); err != nil {
			return err
		}
	}
	fc, ok := ctx.Value(fenceKey{}).(*fenced)
	if !ok || fc.f.Shared {
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
