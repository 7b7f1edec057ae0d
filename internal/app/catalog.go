package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/store"
)

// CatalogSides are the two ends of a catalog sync from the store's
// connections: the Multivende connection called name (the only one when
// name is empty) and the LibreDTE account's catalog.
func (e *Env) CatalogSides(ctx context.Context, st *store.Store, l i18n.Lang, name string, rateLimit float64) (catalog.Sides, error) {
	var s catalog.Sides
	conns, err := st.Connections(ctx)
	if err != nil {
		return s, err
	}
	var mvs []store.Connection
	var inv store.Connection
	for _, c := range conns {
		switch c.Kind {
		case store.KindMultivende:
			if name == "" || c.Name == name {
				mvs = append(mvs, c)
			}
		case store.KindLibreDTE:
			inv = c
		}
	}
	switch {
	case len(mvs) == 0 && name != "":
		return s, errors.New(l.T("catalog.no_connection", name))
	case len(mvs) == 0:
		return s, errors.New(l.T("catalog.no_multivende"))
	case len(mvs) > 1:
		names := make([]string, len(mvs))
		for i, c := range mvs {
			names[i] = c.Name
		}
		return s, errors.New(l.T("catalog.choose_connection", strings.Join(names, ", ")))
	case inv.ID == 0:
		return s, errors.New(l.T("catalog.no_invoicer"))
	}
	c := mvs[0]
	ld, err := libredte.New(libredte.Config{BaseURL: inv.BaseURL, Hash: inv.APIKey, Emisor: inv.EmisorRUT, Timeout: 2 * time.Minute})
	if err != nil {
		return s, fmt.Errorf("invoicer connection %q: %w", inv.Name, err)
	}
	return catalog.Sides{Connection: c.Name, MerchantID: c.MerchantID, Source: e.Multivende(st, c, ClientOptions{RateLimit: rateLimit}),
		Invoicer: ld, InvoicerName: "LibreDTE", ImportURL: ld.ImportURL()}, nil
}

// PeriodicCatalog is the engine's catalog sync (catalog_sync_interval):
// catalog.Periodic over the store's connections, the reason said once
// when the invoicer cannot write items.
func (e *Env) PeriodicCatalog(st *store.Store, l i18n.Lang, rateLimit float64) func(context.Context) (engine.CatalogResult, error) {
	return func(ctx context.Context) (engine.CatalogResult, error) {
		var r engine.CatalogResult
		sides, err := e.CatalogSides(ctx, st, l, "", rateLimit)
		if err != nil {
			return r, err
		}
		r.Connection = sides.Connection
		res, err := catalog.Periodic(ctx, st, sides)
		c := res.Counts
		r.Create, r.Update, r.Unchanged, r.Deactivate = c.Create, c.Update, c.Unchanged, c.Deactivate
		r.Applied, r.Failed = res.Applied, res.Failed
		if res.NoWriteAPI {
			r.Note = l.T("catalog.periodic_no_write", sides.InvoicerName)
		}
		return r, err
	}
}
