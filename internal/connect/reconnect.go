package connect

import (
	"context"
	"errors"
	"maps"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// The reconnect rules: what a Multivende connection keeps when it is
// connected again, when it needs a person, and what that person runs.

// SaveMultivende stores a new or renewed Multivende connection in st,
// whichever way the consent was given (folio connect, the console). A
// reconnect keeps the connection's place in time (its high-water mark),
// a pause the person chose (not the one a needed reconnect made) and the
// attach settings c leaves unset; it must be the same merchant, and the
// name must not be another kind's. Refusals are in l.
func SaveMultivende(ctx context.Context, l i18n.Lang, st *store.Store, c store.Connection) error {
	path := st.Path()
	prev, err := st.Connection(ctx, c.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	case prev.Kind != store.KindMultivende:
		return errors.New(l.T("connect.err.name_kind", c.Name, prev.Kind, c.Name))
	case prev.MerchantID != "" && prev.MerchantID != c.MerchantID:
		return errors.New(l.T("connect.err.other_merchant", c.Name, prev.MerchantID, c.MerchantID))
	default:
		c.Paused = prev.Paused && prev.Status != store.ConnNeedsReconnect
		c.Settings = MergeSettings(prev.Settings, c.Settings)
	}
	err = st.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveConnection(ctx, c)
		return err
	})
	if err != nil {
		return errors.New(l.T("connect.err.store", store.RedactAddress(path), err.Error()))
	}
	return nil
}

// MergeSettings keeps prev's settings where next leaves them unset.
func MergeSettings(prev, next store.ConnSettings) store.ConnSettings {
	out := prev
	if next.EmitterID != "" {
		out.EmitterID = next.EmitterID
	}
	if next.Provider != "" {
		out.Provider = next.Provider
	}
	if next.FacturaField != "" {
		out.FacturaField, out.FacturaValue = next.FacturaField, next.FacturaValue
	}
	if len(next.DocTypes) > 0 {
		out.DocTypes = maps.Clone(prev.DocTypes)
		if out.DocTypes == nil {
			out.DocTypes = map[string]string{}
		}
		maps.Copy(out.DocTypes, next.DocTypes)
	}
	return out
}

// NeedsReconnect says whether a connection needs a person to connect it
// again at now: the engine found so, or (Multivende) its refresh token
// has expired, even before the engine finds out.
func NeedsReconnect(c store.Connection, now time.Time) bool {
	if c.Status == store.ConnNeedsReconnect {
		return true
	}
	return c.Kind == store.KindMultivende && !c.RefreshExpiresAt.IsZero() && !now.Before(c.RefreshExpiresAt)
}

// ReconnectCommand is what a person runs to connect c again.
func ReconnectCommand(c store.Connection) string {
	return "folio connect " + c.Kind + " --name " + c.Name
}
