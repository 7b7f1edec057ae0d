package multivende

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"slices"
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

// pageInfo is a list reply's paging block as sent: page numbers
// (next_page, total_pages) or offset/limit, either may be missing.
type pageInfo struct {
	TotalItems *int `json:"total_items"`
	TotalPages *int `json:"total_pages"`
	NextPage   *int `json:"next_page"`
	Offset     *int `json:"offset"`
	Limit      *int `json:"limit"`
}

// after is the page to read after cur (0: none), from whichever paging the
// reply carries: next_page, else total_pages, else offset+entries against
// total_items (or a full page against limit).
func (p pageInfo) after(cur, got int) int {
	switch {
	case p.NextPage != nil:
		if *p.NextPage > cur {
			return *p.NextPage
		}
		return 0
	case p.TotalPages != nil:
		if cur < *p.TotalPages {
			return cur + 1
		}
		return 0
	case got == 0:
		return 0
	case p.Offset != nil && p.TotalItems != nil:
		if *p.Offset+got < *p.TotalItems {
			return cur + 1
		}
		return 0
	case p.Limit != nil:
		if got >= *p.Limit {
			return cur + 1
		}
	}
	return 0
}

// pages reads every page of a list (a path with "{page}"); a path without
// it is one request.
func pages[T any](ctx context.Context, c *Client, op, object, path string, q url.Values) ([]T, error) {
	var out []T
	for page := 1; page > 0; {
		var p struct {
			Entries    []T      `json:"entries"`
			Pagination pageInfo `json:"pagination"`
		}
		if _, err := c.getJSON(ctx, op, object, pathPage(path, page), q, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Entries...)
		if !strings.Contains(path, "{page}") {
			break
		}
		page = p.Pagination.after(page, len(p.Entries))
		if page > maxPages {
			return nil, &Error{Code: CodeDecode, Op: op, Object: object, Message: fmt.Sprintf("more than %d pages", maxPages)}
		}
	}
	return out, nil
}

// oneOrMany decodes a JSON object or a list of them (null: none).
type oneOrMany[T any] []T

// UnmarshalJSON implements json.Unmarshaler.
func (o *oneOrMany[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*o = nil
		return nil
	case b[0] == '[':
		var many []T
		if err := json.Unmarshal(b, &many); err != nil {
			return err
		}
		*o = many
		return nil
	}
	var one T
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}

// Products lists a merchant's products (the light list: ids, names, codes).
func (c *Client) Products(ctx context.Context, merchantID string) ([]Product, error) {
	if err := need("list products", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[Product](ctx, c, "list products", "merchant "+merchantID, productsPath(merchantID), nil)
}

// ProductVersions lists a merchant's product versions (the SKUs). With a
// warehouse id, each version also carries its stock there (HasStock).
func (c *Client) ProductVersions(ctx context.Context, merchantID, warehouseID string) ([]ProductVersion, error) {
	const op = "list product versions"
	if err := need(op, "the merchant id", merchantID); err != nil {
		return nil, err
	}
	var q url.Values
	if warehouseID != "" {
		q = url.Values{includeStockParam: {"true"}, warehouseParam: {warehouseID}}
	}
	ws, err := pages[versionWire](ctx, c, op, "merchant "+merchantID, productVersionsPath(merchantID), q)
	if err != nil {
		return nil, err
	}
	out := make([]ProductVersion, len(ws))
	for i, w := range ws {
		out[i] = w.ProductVersion
		if warehouseID != "" && len(w.ProductStocks) > 0 {
			out[i].Stock, out[i].HasStock = int64(w.ProductStocks[0].Amount), true
		}
	}
	return out, nil
}

// Warehouses lists a merchant's stores and warehouses.
func (c *Client) Warehouses(ctx context.Context, merchantID string) ([]Warehouse, error) {
	if err := need("list warehouses", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[Warehouse](ctx, c, "list warehouses", "merchant "+merchantID, warehousesPath(merchantID), nil)
}

// Stock reads the stock of the given SKUs in one warehouse, asking for at
// most maxCodesPerRequest SKUs per request. A SKU Multivende does not
// return is left out.
func (c *Client) Stock(ctx context.Context, warehouseID string, codes []string) ([]StockEntry, error) {
	const op = "read stock"
	if err := need(op, "the warehouse id", warehouseID); err != nil {
		return nil, err
	}
	var out []StockEntry
	err := byCodes(ctx, c, op, "warehouse "+warehouseID, stockByCodePath(warehouseID), codes, func(w versionWire) {
		if len(w.ProductStocks) > 0 {
			out = append(out, StockEntry{Code: w.Code, Amount: int64(w.ProductStocks[0].Amount)})
		}
	})
	return out, err
}

// PriceLists lists a merchant's price lists.
func (c *Client) PriceLists(ctx context.Context, merchantID string) ([]PriceList, error) {
	if err := need("list price lists", "the merchant id", merchantID); err != nil {
		return nil, err
	}
	return pages[PriceList](ctx, c, "list price lists", "merchant "+merchantID, priceListsPath(merchantID), nil)
}

// Prices reads the gross prices of the given SKUs in one price list, at
// most maxCodesPerRequest SKUs per request. A SKU without a price is left
// out.
func (c *Client) Prices(ctx context.Context, priceListID string, codes []string) ([]Price, error) {
	const op = "read prices"
	if err := need(op, "the price list id", priceListID); err != nil {
		return nil, err
	}
	var out []Price
	err := byCodes(ctx, c, op, "price list "+priceListID, pricesByCodePath(priceListID), codes, func(w versionWire) {
		if len(w.ProductPrices) > 0 {
			out = append(out, Price{Code: w.Code, Gross: w.ProductPrices[0].Gross})
		}
	})
	return out, err
}

// byCodes reads a by-SKU list in chunks of maxCodesPerRequest distinct,
// non-empty codes (a code with a comma cannot be asked for and is skipped).
func byCodes(ctx context.Context, c *Client, op, object, path string, codes []string, each func(versionWire)) error {
	seen := make(map[string]bool, len(codes))
	var clean []string
	for _, code := range codes {
		code = strings.TrimSpace(code)
		if code == "" || strings.Contains(code, ",") || seen[code] {
			continue
		}
		seen[code] = true
		clean = append(clean, code)
	}
	for chunk := range slices.Chunk(clean, maxCodesPerRequest) {
		q := url.Values{codeParam: {strings.Join(chunk, ",")}}
		ws, err := pages[versionWire](ctx, c, op, object, path, q)
		if err != nil {
			return err
		}
		for _, w := range ws {
			w.Code = strings.TrimSpace(w.Code)
			if seen[w.Code] {
				each(w)
			}
		}
	}
	return nil
}
