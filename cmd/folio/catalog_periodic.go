package main

import (
	"context"
	"fmt"

	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// periodicCatalog is the engine's catalog sync (catalog_sync_interval): the
// same reading and diff as `folio catalog sync` over every product, the
// first price list and warehouse, applied where the invoicer can write
// items, otherwise only counted, with the reason said once.
func periodicCatalog(st *store.Store, l i18n.Lang, rateLimit float64) func(context.Context) (engine.CatalogResult, error) {
	return func(ctx context.Context) (engine.CatalogResult, error) {
		var r engine.CatalogResult
		env, err := catalogClients(ctx, st, l, "", rateLimit)
		if err != nil {
			return r, err
		}
		r.Connection = env.conn
		caps := env.inv.CatalogCaps()
		sel := catalog.Selection{MerchantID: env.merchant, Scope: catalog.All}
		if lists, err := env.src.PriceLists(ctx, env.merchant); err != nil {
			return r, fmt.Errorf("catalog: read the price lists: %w", err)
		} else if len(lists) > 0 {
			sel.PriceList = lists[0].ID
		}
		if caps.HasStock {
			if whs, err := env.src.Warehouses(ctx, env.merchant); err != nil {
				return r, fmt.Errorf("catalog: read the warehouses: %w", err)
			} else if len(whs) > 0 {
				sel.Warehouse = whs[0].ID
			}
		}
		want, err := catalog.Load(ctx, env.src, sel, caps)
		if err != nil {
			return r, err
		}
		have, err := env.inv.ListItems(ctx)
		if err != nil {
			return r, fmt.Errorf("catalog: list %s's items: %w", env.invName, err)
		}
		plan := catalog.Diff(want, have, catalog.All, caps)
		c := plan.Counts
		r.Create, r.Update, r.Unchanged, r.Deactivate = c.Create, c.Update, c.Unchanged, c.Deactivate
		switch {
		case c.Writes() == 0:
		case !caps.WriteItems:
			r.Note = l.T("catalog.periodic_no_write", env.invName)
		default:
			rep, err := catalog.Apply(ctx, env.inv, plan, catalog.Options{Store: st, Key: catalog.ProgressKey(env.conn)})
			r.Applied, r.Failed = rep.Applied, rep.Failed
			if err != nil {
				return r, err
			}
		}
		return r, nil
	}
}
