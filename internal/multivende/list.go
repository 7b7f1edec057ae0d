package multivende

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"
)

// TimeFormat is how Multivende's list filters write times (always UTC).
const TimeFormat = "2006-01-02T15:04:05"

// CheckoutPage is one page of the checkouts list: the entries decoded, and
// each as Multivende sent it (Raw[i] is Entries[i]).
type CheckoutPage struct {
	Entries    []LightCheckout
	Raw        []json.RawMessage
	Pagination Pagination
}

// Checkouts lists a merchant's checkouts updated in [from, to]
// (GET /api/m/{merchant}/checkouts/light/p/{page} with _updated_at_from and
// _updated_at_to, UTC, whole seconds; a zero time leaves that end open).
//
// The sequence yields one page at a time, from page 1 until next_page is 0.
// Stop ranging to stop early. An error is yielded once, with an empty page,
// and ends the sequence. Multivende orders the list by updatedAt, so an order
// that changes during the walk moves to a later page and may show twice:
// de-duplicate by _id.
func (c *Client) Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[CheckoutPage, error] {
	const op = "list checkouts"
	return func(yield func(CheckoutPage, error) bool) {
		if err := need(op, "the merchant id", merchantID); err != nil {
			yield(CheckoutPage{}, err)
			return
		}
		q := url.Values{}
		if !from.IsZero() {
			q.Set("_updated_at_from", from.UTC().Format(TimeFormat))
		}
		if !to.IsZero() {
			q.Set("_updated_at_to", to.UTC().Format(TimeFormat))
		}
		path := "/api/m/" + esc(merchantID) + "/checkouts/light/p/{page}"
		for page := 1; page > 0; {
			object := fmt.Sprintf("merchant %s page %d", merchantID, page)
			var p struct {
				Entries    []json.RawMessage `json:"entries"`
				Pagination Pagination        `json:"pagination"`
			}
			if _, err := c.getJSON(ctx, op, object, pathPage(path, page), q, &p); err != nil {
				yield(CheckoutPage{}, err)
				return
			}
			out := CheckoutPage{Raw: p.Entries, Pagination: p.Pagination, Entries: make([]LightCheckout, len(p.Entries))}
			for i, raw := range p.Entries {
				if err := json.Unmarshal(raw, &out.Entries[i]); err != nil {
					yield(CheckoutPage{}, &Error{Code: CodeDecode, Op: op, Object: fmt.Sprintf("%s entry %d", object, i),
						Message: "unexpected entry", Err: err})
					return
				}
				if out.Entries[i].ID == "" {
					yield(CheckoutPage{}, &Error{Code: CodeDecode, Op: op, Object: fmt.Sprintf("%s entry %d", object, i),
						Message: "an entry has no _id"})
					return
				}
			}
			if !yield(out, nil) {
				return
			}
			page = nextPage(p.Pagination, page)
		}
	}
}

// maxPages stops a catalog walk that never ends (a server bug).
const maxPages = 10000

// pages reads every page of a list. A path without "{page}" is one request.
func pages[T any](ctx context.Context, c *Client, op, object, path string) ([]T, error) {
	var out []T
	for page := 1; page > 0; {
		var p Page[T]
		if _, err := c.getJSON(ctx, op, object, pathPage(path, page), nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Entries...)
		if !strings.Contains(path, "{page}") {
			break
		}
		page = nextPage(p.Pagination, page)
		if page > maxPages {
			return nil, &Error{Code: CodeDecode, Op: op, Object: object, Message: fmt.Sprintf("more than %d pages", maxPages)}
		}
	}
	return out, nil
}

// Products lists a merchant's products with their versions (SKUs).
func (c *Client) Products(ctx context.Context, merchantID string) ([]Product, error) {
	if err := need("list products", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[Product](ctx, c, "list products", "merchant "+merchantID, productsPath(merchantID))
}

// Warehouses lists a merchant's stores and warehouses.
func (c *Client) Warehouses(ctx context.Context, merchantID string) ([]Warehouse, error) {
	if err := need("list warehouses", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[Warehouse](ctx, c, "list warehouses", "merchant "+merchantID, warehousesPath(merchantID))
}

// Stock lists the stock per SKU in one warehouse.
func (c *Client) Stock(ctx context.Context, merchantID, warehouseID string) ([]StockEntry, error) {
	if err := need("list stock", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	if err := need("list stock", "the warehouse id", warehouseID); err != nil {
		return nil, err
	}
	return pages[StockEntry](ctx, c, "list stock", "warehouse "+warehouseID, stockPath(merchantID, warehouseID))
}

// PriceLists lists a merchant's price lists.
func (c *Client) PriceLists(ctx context.Context, merchantID string) ([]PriceList, error) {
	if err := need("list price lists", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[PriceList](ctx, c, "list price lists", "merchant "+merchantID, priceListsPath(merchantID))
}

// Prices lists the gross prices per SKU of one price list.
func (c *Client) Prices(ctx context.Context, merchantID, priceListID string) ([]Price, error) {
	if err := need("list prices", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	if err := need("list prices", "the price list id", priceListID); err != nil {
		return nil, err
	}
	return pages[Price](ctx, c, "list prices", "price list "+priceListID, pricesPath(merchantID, priceListID))
}
