package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// inScope keeps the connections an actor may see, with their ids for the
// store's reads; ids is nil when the actor sees every connection (and
// empty, never nil, when none of theirs exists).
func inScope(a *store.Actor, conns []store.Connection) (shown []store.Connection, ids []int64) {
	if a == nil || len(a.Connections) == 0 {
		return conns, nil
	}
	ids = []int64{}
	for _, c := range conns {
		if slices.Contains(a.Connections, c.Name) {
			shown, ids = append(shown, c), append(ids, c.ID)
		}
	}
	return shown, ids
}

// visible refuses an order outside the actor's connections as if it did
// not exist: a support agent learns nothing of another merchant's orders.
func visible(ctx context.Context, st *store.Store, a *store.Actor, o store.Order) error {
	if a == nil || len(a.Connections) == 0 {
		return nil
	}
	conns, err := st.Connections(ctx)
	if err != nil {
		return err
	}
	if _, ids := inScope(a, conns); slices.Contains(ids, o.ConnectionID) {
		return nil
	}
	return fmt.Errorf("order %s: %w", o.ID, store.ErrNotFound)
}

// actorRefusal words a control the store refused for who asked ("" for
// any other error).
func actorRefusal(l i18n.Lang, err error) string {
	if errors.Is(err, store.ErrActorReadOnly) {
		return l.T("serve.refused.viewer")
	}
	if se, ok := errors.AsType[*store.ScopeError](err); ok {
		if se.Connection == "" {
			return l.T("serve.refused.scope_all", se.User)
		}
		return l.T("serve.refused.scope", se.User, se.Connection)
	}
	return ""
}
