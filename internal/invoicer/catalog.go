package invoicer

import (
	"context"
	"errors"
)

// CatalogItem is one product or service in an invoicer's item catalog, as
// folio compares it with Multivende. Money is whole CLP.
type CatalogItem struct {
	// Code is the item's code: the Multivende SKU.
	Code string `json:"code"`
	Name string `json:"name"`
	// Price is the unit price with IVA included (gross), whole CLP.
	Price int64 `json:"price"`
	// Currency is "CLP" for every item folio writes; an item kept in
	// another currency is compared as different.
	Currency string `json:"currency,omitempty"`
	// Exempt: the item is exempt from IVA (LibreDTE: exento).
	Exempt bool `json:"exempt,omitempty"`
	Active bool `json:"active"`
	// Stock is the units on hand; meaningful only when the invoicer's
	// CatalogCaps say HasStock.
	Stock int64 `json:"stock,omitempty"`
	// Group is the invoicer's grouping of the item (LibreDTE:
	// clasificacion), kept as it is on updates.
	Group string `json:"group,omitempty"`
}

// CatalogCaps say which catalog functions an invoicer's API offers. What is
// false is absent from the provider's API; folio never imitates it.
type CatalogCaps struct {
	// ListItems: the API lists the items.
	ListItems bool `json:"list_items"`
	// WriteItems: the API creates, changes and deactivates items.
	WriteItems bool `json:"write_items"`
	// HasStock: the invoicer keeps stock per item and the API reads or
	// writes it.
	HasStock bool `json:"has_stock"`
	// HasPriceLists: the invoicer keeps more than one price per item.
	HasPriceLists bool `json:"has_price_lists"`
	// MaxName is the longest item name the invoicer keeps, in characters
	// (0: no limit); longer names are compared and written cut.
	MaxName int `json:"max_name,omitempty"`
}

// Catalog is an invoicer's item catalog. Implementations are safe for
// concurrent use. Errors are *Error values like the Invoicer's.
type Catalog interface {
	CatalogCaps() CatalogCaps
	// ListItems returns every item, active or not.
	ListItems(ctx context.Context) ([]CatalogItem, error)
	// UpsertItem creates the item with it.Code or replaces it: doing it
	// twice leaves one item, so a retried or resumed call never
	// duplicates.
	UpsertItem(ctx context.Context, it CatalogItem) error
	// DeactivateItem marks the item inactive (never deletes it: issued
	// documents may name it).
	DeactivateItem(ctx context.Context, code string) error
}

// ErrNotOffered is wrapped by a Catalog call the provider's API does not
// offer (see CatalogCaps).
var ErrNotOffered = errors.New("not offered by this invoicer's API")
