package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Actor is the person behind a console session: who they are, and what
// they may touch. Controls added with an Actor in their context are
// recorded with it and checked against it (AddControl).
type Actor struct {
	User        string
	Fingerprint string // the SSH key's SHA256 fingerprint ("" for a local console)
	// ReadOnly refuses every control (a viewer).
	ReadOnly bool
	// Connections are the connection names the actor may see and act on
	// (none: all of them).
	Connections []string
}

// InScope says whether the actor may act on connection ("": every
// connection at once, which an actor limited to some may not).
func (a Actor) InScope(connection string) bool {
	if len(a.Connections) == 0 {
		return true
	}
	return connection != "" && slices.Contains(a.Connections, connection)
}

type actorKey struct{}

// WithActor returns ctx carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the Actor ctx carries, if any.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok
}

// ErrActorReadOnly refuses a control asked for by a read-only actor.
var ErrActorReadOnly = errors.New("this user may only look (role viewer)")

// ScopeError refuses a control on a connection outside the actor's.
type ScopeError struct {
	User       string
	Connection string // "" for a control over every connection
}

func (e *ScopeError) Error() string {
	if e.Connection == "" {
		return fmt.Sprintf("user %s may act only on their own connections, not on all at once", e.User)
	}
	return fmt.Sprintf("user %s may not act on connection %s", e.User, e.Connection)
}

// controlConnection is the connection a control touches: its target for
// a pause or resume, the order's connection for an order's control, ""
// for one over every connection.
func (t *Tx) controlConnection(ctx context.Context, c Control) (string, error) {
	switch c.Kind {
	case CtlPause, CtlResume:
		return c.Target, nil
	case CtlRetryFilter:
		return "", nil
	}
	var name string
	err := t.tx.QueryRowContext(ctx, `SELECT c.name FROM orders o JOIN connections c ON c.id = o.connection_id WHERE o.id = ?`, c.Target).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("order %s: %w", c.Target, ErrNotFound)
	}
	if err != nil {
		return "", classify(err)
	}
	return name, nil
}

// Audit returns controls newest first, at most limit (default 100), from
// before the control with id before (0: the newest).
func (s *Store) Audit(ctx context.Context, before int64, limit int) ([]Control, error) {
	if limit <= 0 {
		limit = 100
	}
	if before <= 0 {
		return s.controls(ctx, `ORDER BY id DESC LIMIT ?`, limit)
	}
	return s.controls(ctx, `WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
}

// CountByStateIn counts the orders of the given connections in each state
// (the scoped console's figures; CountByState reads the global counters).
func (s *Store) CountByStateIn(ctx context.Context, connectionIDs []int64) (map[State]int, error) {
	out := make(map[State]int, 9)
	if len(connectionIDs) == 0 {
		return out, nil
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(connectionIDs)), ",")
	args := make([]any, len(connectionIDs))
	for i, id := range connectionIDs {
		args[i] = id
	}
	return s.stateCounts(ctx, `SELECT state, count(*) FROM orders INDEXED BY orders_connection_state WHERE connection_id IN (`+ph+`) GROUP BY state`, args...)
}
