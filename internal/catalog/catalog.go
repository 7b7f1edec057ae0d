// Package catalog keeps an invoicer's item catalog in step with a
// Multivende merchant's products (issue 8, for merchants who use their
// invoicer as a small ERP): it reads the products and their versions (SKUs),
// the prices of one price list and the stock of one warehouse, compares them
// with the invoicer's items (Diff), and applies the difference (Apply), paced,
// idempotent and resumable. Money is whole CLP, IVA included.
//
// What is compared depends on the scope (products: name and active flag;
// prices: price; stock: units on hand) and on what the invoicer's API offers
// (invoicer.CatalogCaps): stock is never compared with an invoicer that keeps
// none. Items only the invoicer has are left alone: folio cannot tell an item
// a person made by hand from one Multivende dropped.
package catalog

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
)

// Scope is what a sync looks at.
type Scope string

// The scopes of `folio catalog sync --only`.
const (
	All      Scope = ""
	Products Scope = "products"
	Stock    Scope = "stock"
	Prices   Scope = "prices"
)

// ParseScope reads --only's value ("" is every scope).
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(strings.ToLower(strings.TrimSpace(s))); sc {
	case All, Products, Stock, Prices:
		return sc, nil
	}
	return All, fmt.Errorf("scope %q: want products, stock or prices", s)
}

func (s Scope) has(x Scope) bool { return s == All || s == x }

// Source is where the catalog comes from; *multivende.Client is one.
// Stock and Prices read the given SKUs (the client asks in chunks).
type Source interface {
	ProductVersions(ctx context.Context, merchantID, warehouseID string) ([]multivende.ProductVersion, error)
	Stock(ctx context.Context, warehouseID string, codes []string) ([]multivende.StockEntry, error)
	Prices(ctx context.Context, priceListID string, codes []string) ([]multivende.Price, error)
}

// Selection says which merchant, price list and warehouse a sync reads.
type Selection struct {
	MerchantID string
	// PriceList is the price list whose gross prices the invoicer gets
	// ("" reads no prices).
	PriceList string
	// Warehouse is the warehouse whose stock the invoicer gets ("" reads
	// no stock).
	Warehouse string
	Scope     Scope
}

// Wanted is one SKU as Multivende has it.
type Wanted struct {
	Code     string
	Name     string
	Active   bool
	Price    int64
	HasPrice bool
	Stock    int64
	HasStock bool
}

// Load reads what the selection needs from src: the product versions
// always (they say which SKUs exist and are active), then, for those SKUs,
// the prices when the scope covers them or products (a new item needs a
// price) and a price list is chosen, and the stock likewise and only when
// the invoicer keeps stock. The result is sorted by code; a SKU that
// appears in more than one version keeps its first active version.
func Load(ctx context.Context, src Source, sel Selection, caps invoicer.CatalogCaps) ([]Wanted, error) {
	vers, err := src.ProductVersions(ctx, sel.MerchantID, "")
	if err != nil {
		return nil, fmt.Errorf("catalog: read the product versions: %w", err)
	}
	byCode := make(map[string]int)
	var out []Wanted
	for _, v := range vers {
		code := strings.TrimSpace(v.Code)
		if code == "" {
			continue
		}
		name := strings.TrimSpace(v.Product.Name)
		if name == "" {
			name = strings.TrimSpace(v.Name)
		}
		w := Wanted{Code: code, Name: name, Active: v.Active()}
		if i, ok := byCode[code]; ok {
			if !out[i].Active && w.Active {
				out[i] = w
			}
			continue
		}
		byCode[code] = len(out)
		out = append(out, w)
	}
	codes := make([]string, len(out))
	for i, w := range out {
		codes[i] = w.Code
	}
	if sel.Scope != Stock && sel.PriceList != "" && len(codes) > 0 { // products need a price to be created
		ps, err := src.Prices(ctx, sel.PriceList, codes)
		if err != nil {
			return nil, fmt.Errorf("catalog: read price list %s: %w", sel.PriceList, err)
		}
		for _, p := range ps {
			if i, ok := byCode[strings.TrimSpace(p.Code)]; ok {
				out[i].Price, out[i].HasPrice = int64(p.Gross), true
			}
		}
	}
	if sel.Scope.has(Stock) && caps.HasStock && sel.Warehouse != "" && len(codes) > 0 {
		ss, err := src.Stock(ctx, sel.Warehouse, codes)
		if err != nil {
			return nil, fmt.Errorf("catalog: read the stock of warehouse %s: %w", sel.Warehouse, err)
		}
		for _, s := range ss {
			if i, ok := byCode[strings.TrimSpace(s.Code)]; ok {
				out[i].Stock, out[i].HasStock = s.Amount, true
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

// Action is what a sync does to one item.
type Action string

// Actions. Unchanged items are counted, not listed.
const (
	Create     Action = "create"
	Update     Action = "update"
	Unchanged  Action = "unchanged"
	Deactivate Action = "deactivate"
	Skip       Action = "skip"
)

// Reasons a change is skipped (Change.Reason).
const (
	ReasonNoPrice       = "no price for this SKU in the chosen price list"
	ReasonNotInInvoicer = "not in the invoicer yet: sync products first"
)

// Change is one item to write, or one that cannot be (Skip, with Reason).
type Change struct {
	Action Action `json:"action"`
	Code   string `json:"code"`
	// Fields are what differs: name, active, price, stock.
	Fields []string `json:"fields,omitempty"`
	// Item is the item as it will be.
	Item   invoicer.CatalogItem `json:"item"`
	Reason string               `json:"reason,omitempty"`
}

// Counts are a plan's or a run's numbers.
type Counts struct {
	Create     int `json:"create"`
	Update     int `json:"update"`
	Unchanged  int `json:"unchanged"`
	Deactivate int `json:"deactivate"`
	Skip       int `json:"skip"`
	// OnlyInInvoicer are items Multivende does not have; they are left
	// alone.
	OnlyInInvoicer int `json:"only_in_invoicer"`
}

// Writes is how many items the plan writes.
func (c Counts) Writes() int { return c.Create + c.Update + c.Deactivate }

// Plan is the difference between Multivende and the invoicer, sorted by
// code.
type Plan struct {
	Changes []Change `json:"changes"`
	Counts  Counts   `json:"counts"`
}

// Diff compares what Multivende has with the invoicer's items:
//
//   - an active SKU the invoicer lacks is created when the scope covers
//     products; it needs a price (an invoicer item without one is useless),
//     so without one it is skipped with the reason;
//   - a SKU the invoicer has is updated in the fields the scope covers
//     (products: name, and active again if it was inactive; prices: the
//     price, in CLP; stock: units, only when caps.HasStock);
//   - a SKU inactive in Multivende whose item is active is deactivated
//     (products scope), never deleted;
//   - with a scope of prices or stock only, a SKU the invoicer lacks is
//     skipped: products come first.
//
// Names are compared trimmed and cut to caps.MaxName characters, so a second
// run over the same data finds nothing to do.
func Diff(want []Wanted, have []invoicer.CatalogItem, scope Scope, caps invoicer.CatalogCaps) Plan {
	idx := make(map[string]int, len(have))
	for i, h := range have {
		idx[h.Code] = i
	}
	seen := make(map[string]bool, len(want))
	var p Plan
	for _, w := range want {
		seen[w.Code] = true
		name := cut(w.Name, caps.MaxName)
		i, ok := idx[w.Code]
		if !ok {
			switch {
			case !w.Active:
				p.Counts.Unchanged++
			case !scope.has(Products):
				p.add(Change{Action: Skip, Code: w.Code, Reason: ReasonNotInInvoicer})
			case !w.HasPrice || w.Price <= 0:
				p.add(Change{Action: Skip, Code: w.Code, Reason: ReasonNoPrice})
			default:
				it := invoicer.CatalogItem{Code: w.Code, Name: name, Price: w.Price, Currency: "CLP", Active: true}
				if caps.HasStock && scope.has(Stock) && w.HasStock {
					it.Stock = w.Stock
				}
				p.add(Change{Action: Create, Code: w.Code, Item: it})
			}
			continue
		}
		h := have[i]
		it := h
		if scope.has(Products) && !w.Active {
			if h.Active {
				it.Active = false
				p.add(Change{Action: Deactivate, Code: w.Code, Fields: []string{"active"}, Item: it})
			} else {
				p.Counts.Unchanged++
			}
			continue
		}
		var fields []string
		if scope.has(Products) {
			if strings.TrimSpace(h.Name) != name {
				it.Name = name
				fields = append(fields, "name")
			}
			if !h.Active {
				it.Active = true
				fields = append(fields, "active")
			}
		}
		if scope.has(Prices) && w.HasPrice && w.Price > 0 && (h.Price != w.Price || (h.Currency != "" && h.Currency != "CLP")) {
			it.Price, it.Currency = w.Price, "CLP"
			fields = append(fields, "price")
		}
		if scope.has(Stock) && caps.HasStock && w.HasStock && h.Stock != w.Stock {
			it.Stock = w.Stock
			fields = append(fields, "stock")
		}
		if len(fields) == 0 {
			p.Counts.Unchanged++
			continue
		}
		p.add(Change{Action: Update, Code: w.Code, Fields: fields, Item: it})
	}
	for _, h := range have {
		if !seen[h.Code] {
			p.Counts.OnlyInInvoicer++
		}
	}
	sort.SliceStable(p.Changes, func(i, j int) bool { return p.Changes[i].Code < p.Changes[j].Code })
	return p
}

func (p *Plan) add(c Change) {
	p.Changes = append(p.Changes, c)
	switch c.Action {
	case Create:
		p.Counts.Create++
	case Update:
		p.Counts.Update++
	case Deactivate:
		p.Counts.Deactivate++
	case Skip:
		p.Counts.Skip++
	}
}

// cut trims s and keeps at most n characters (n <= 0: all).
func cut(s string, n int) string {
	s = strings.TrimSpace(s)
	if n <= 0 {
		return s
	}
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n]))
	}
	return s
}
