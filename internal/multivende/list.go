package multivende

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"time"
)

// timeFormat is how Multivende's list filters write times (UTC).
const timeFormat = "2006-01-02T15:04:05"

// CheckoutPage is one page of the checkouts list: the entries decoded and
// as Multivende sent them.
type CheckoutPage struct {
	Entries    []LightCheckout
	Raw        []json.RawMessage
	Pagination Pagination
}

// Checkouts lists a merchant's checkouts updated in [from, to], page by
// page, until next_page is 0. Stop ranging to stop early; an error ends
// the sequence.
func (c *Client) Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[CheckoutPage, error] {
	return func(yield func(CheckoutPage, error) bool) {
		q := url.Values{}
		if !from.IsZero() {
			q.Set("_updated_at_from", from.UTC().Format(timeFormat))
		}
		if !to.IsZero() {
			q.Set("_updated_at_to", to.UTC().Format(timeFormat))
		}
		for page := 1; page > 0; {
			var p struct {
				Entries    []json.RawMessage `json:"entries"`
				Pagination Pagination        `json:"pagination"`
			}
			_, err := c.getJSON(ctx, "list checkouts", fmt.Sprintf("merchant %s page %d", merchantID, page),
				fmt.Sprintf("/api/m/%s/checkouts/light/p/%d", url.PathEscape(merchantID), page), q, &p)
			if err != nil {
				yield(CheckoutPage{}, err)
				return
			}
			out := CheckoutPage{Raw: p.Entries, Pagination: p.Pagination, Entries: make([]LightCheckout, len(p.Entries))}
			for i, raw := range p.Entries {
				if err := json.Unmarshal(raw, &out.Entries[i]); err != nil {
					yield(CheckoutPage{}, &Error{Code: CodeDecode, Op: "list checkouts", Object: fmt.Sprintf("page %d entry %d", page, i), Message: "unexpected entry", Err: err})
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

// pages reads every page of a catalog list.
func pages[T any](ctx context.Context, c *Client, op, object, pathFmt string) ([]T, error) {
	var out []T
	for page := 1; page > 0; {
		var p Page[T]
		if _, err := c.getJSON(ctx, op, object, fmt.Sprintf(pathFmt, page), nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Entries...)
		page = nextPage(p.Pagination, page)
	}
	return out, nil
}

// Products lists a merchant's products with their versions (SKUs).
func (c *Client) Products(ctx context.Context, merchantID string) ([]Product, error) {
	return pages[Product](ctx, c, "list products", "merchant "+merchantID, productsPath(merchantID))
}

// Warehouses lists a merchant's stores and warehouses.
func (c *Client) Warehouses(ctx context.Context, merchantID string) ([]Warehouse, error) {
	return pages[Warehouse](ctx, c, "list warehouses", "merchant "+merchantID, warehousesPath(merchantID))
}

// Stock lists the stock per SKU in one warehouse.
func (c *Client) Stock(ctx context.Context, merchantID, warehouseID string) ([]StockEntry, error) {
	return pages[StockEntry](ctx, c, "list stock", "warehouse "+warehouseID, stockPath(merchantID, warehouseID))
}

// PriceLists lists a merchant's price lists.
func (c *Client) PriceLists(ctx context.Context, merchantID string) ([]PriceList, error) {
	return pages[PriceList](ctx, c, "list price lists", "merchant "+merchantID, priceListsPath(merchantID))
}

// Prices lists the gross prices per SKU of one price list.
func (c *Client) Prices(ctx context.Context, merchantID, priceListID string) ([]Price, error) {
	return pages[Price](ctx, c, "list prices", "price list "+priceListID, pricesPath(merchantID, priceListID))
}
