package catalog

import (
	"context"
	"fmt"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Lists is a Source that also lists the merchant's price lists and
// warehouses, for the defaults; *multivende.Client is one.
type Lists interface {
	Source
	PriceLists(ctx context.Context, merchantID string) ([]multivende.PriceList, error)
	Warehouses(ctx context.Context, merchantID string) ([]multivende.Warehouse, error)
}

// Sides are the two ends of a sync: one Multivende merchant and the
// invoicer's catalog.
type Sides struct {
	Connection   string // the Multivende connection's name
	MerchantID   string
	Source       Lists
	Invoicer     invoicer.Catalog
	InvoicerName string // "LibreDTE"
	ImportURL    string // the invoicer's web import page, if any
}

// Default is a price list or warehouse a sync chose because none was given.
type Default struct {
	Kind     string // "price_list" or "warehouse"
	Name, ID string
}

// Prepared is a sync read and compared, before anything is written.
type Prepared struct {
	Selection Selection // with the defaults chosen
	Caps      invoicer.CatalogCaps
	Have      []invoicer.CatalogItem // the invoicer's items
	Plan      Plan
}

// Prepare is the reading half of every sync (folio catalog sync and the
// engine's periodic one): it fills in what sel leaves open (the first
// price list unless only stock is synced, the first warehouse when the
// invoicer keeps stock and stock is synced), telling chose about each,
// then reads both catalogs and compares them.
func Prepare(ctx context.Context, s Sides, sel Selection, chose func(Default)) (Prepared, error) {
	caps := s.Invoicer.CatalogCaps()
	p := Prepared{Caps: caps}
	sel.MerchantID = s.MerchantID
	if sel.Scope != Stock && sel.PriceList == "" {
		lists, err := s.Source.PriceLists(ctx, s.MerchantID)
		if err != nil {
			return p, fmt.Errorf("catalog: read the price lists: %w", err)
		}
		if len(lists) > 0 {
			sel.PriceList = lists[0].ID
			if chose != nil {
				chose(Default{Kind: "price_list", Name: lists[0].Name, ID: lists[0].ID})
			}
		}
	}
	if caps.HasStock && sel.Scope != Products && sel.Scope != Prices && sel.Warehouse == "" {
		whs, err := s.Source.Warehouses(ctx, s.MerchantID)
		if err != nil {
			return p, fmt.Errorf("catalog: read the warehouses: %w", err)
		}
		if len(whs) > 0 {
			sel.Warehouse = whs[0].ID
			if chose != nil {
				chose(Default{Kind: "warehouse", Name: whs[0].Name, ID: whs[0].ID})
			}
		}
	}
	p.Selection = sel
	want, err := Load(ctx, s.Source, sel, caps)
	if err != nil {
		return p, err
	}
	if p.Have, err = s.Invoicer.ListItems(ctx); err != nil {
		return p, fmt.Errorf("catalog: list %s's items: %w", s.InvoicerName, err)
	}
	p.Plan = Diff(want, p.Have, sel.Scope, caps)
	return p, nil
}

// PeriodicResult is what one unattended sync did.
type PeriodicResult struct {
	Counts          Counts
	Applied, Failed int
	// NoWriteAPI: there was something to write and the invoicer's API
	// cannot write items, so it was only counted.
	NoWriteAPI bool
}

// Periodic is the engine's unattended sync (catalog_sync_interval): every
// product, the first price list and warehouse, applied where the invoicer
// can write items, otherwise only counted. Its progress is kept in st
// under the connection's key, like folio catalog sync's.
func Periodic(ctx context.Context, st *store.Store, s Sides) (PeriodicResult, error) {
	var r PeriodicResult
	p, err := Prepare(ctx, s, Selection{Scope: All}, nil)
	if err != nil {
		return r, err
	}
	r.Counts = p.Plan.Counts
	switch {
	case r.Counts.Writes() == 0:
	case !p.Caps.WriteItems:
		r.NoWriteAPI = true
	default:
		rep, err := Apply(ctx, s.Invoicer, p.Plan, Options{Store: st, Key: ProgressKey(s.Connection)})
		r.Applied, r.Failed = rep.Applied, rep.Failed
		if err != nil {
			return r, err
		}
	}
	return r, nil
}
