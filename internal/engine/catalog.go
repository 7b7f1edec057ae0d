package engine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

// CatalogResult is what one periodic catalog sync did, kept in the
// store's settings for the console (SettingCatalog).
type CatalogResult struct {
	At         time.Time `json:"at"`
	Connection string    `json:"connection,omitempty"`
	Create     int       `json:"create"`
	Update     int       `json:"update"`
	Unchanged  int       `json:"unchanged"`
	Deactivate int       `json:"deactivate"`
	Applied    int       `json:"applied"`
	Failed     int       `json:"failed"`
	// Note says in plain words what could not be done (an invoicer with no
	// item-writing API); Error why the sync failed.
	Note  string `json:"note,omitempty"`
	Error string `json:"error,omitempty"`
}

// SettingCatalog is the setting holding the last CatalogResult.
const SettingCatalog = "catalog.last"

// LastCatalogSync reads the last periodic catalog sync (ok false: none yet).
func LastCatalogSync(ctx context.Context, st *store.Store) (CatalogResult, bool) {
	var r CatalogResult
	v, err := st.Setting(ctx, SettingCatalog)
	if err != nil || v == "" || json.Unmarshal([]byte(v), &r) != nil {
		return r, false
	}
	return r, true
}

// catalogLoop runs Config.CatalogSync every CatalogInterval (off unless
// both are set), while the engine is not paused.
func (e *Engine) catalogLoop(ctx context.Context) {
	if e.cfg.CatalogInterval <= 0 || e.cfg.CatalogSync == nil {
		return
	}
	t := time.NewTicker(e.cfg.CatalogInterval)
	defer t.Stop()
	for {
		if !e.paused.Load() && !e.diskFull.Load() && e.catalogTurn(ctx) {
			e.syncCatalog(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (e *Engine) syncCatalog(ctx context.Context) {
	r, err := e.cfg.CatalogSync(ctx)
	if ctx.Err() != nil {
		return // stopping: no result to keep
	}
	r.At = e.cfg.Now()
	if err != nil {
		r.Error = err.Error()
		e.log.Warn("catalog sync", "err", err)
	} else {
		e.log.Info("catalog sync", "create", r.Create, "update", r.Update, "unchanged", r.Unchanged,
			"deactivate", r.Deactivate, "applied", r.Applied, "failed", r.Failed)
	}
	b, _ := json.Marshal(r)
	_ = e.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, SettingCatalog, string(b)) })
	e.notify(Change{Kind: ChangeConnections})
}
