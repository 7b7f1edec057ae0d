package multivende

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

// TimeFormat is how Multivende's list filters write times (always UTC).
const TimeFormat = "2006-01-02T15:04:05"

// Multivende's polling rules (help centre, confirmed): a query covers at
// most MaxWindow of updatedAt, and limit is between 50 and 1000.
const (
	MaxWindow = 2 * time.Hour
	ListLimit = 1000
)

// CheckoutPage is one page (or scroll batch) of the checkouts list: the
// entries decoded, and each as Multivende sent it (Raw[i] is Entries[i]).
// Entries come in no particular order.
type CheckoutPage struct {
	Entries    []LightCheckout
	Raw        []json.RawMessage
	Pagination Pagination
}

// Checkouts lists a merchant's checkouts updated in [from, to], one window
// of at most MaxWindow (UTC, whole seconds, limit=ListLimit). It reads the
// page form or the scroll form, as uncertain.go says; a wider or open range
// is refused before anything is sent. CheckoutWindows reads longer spans.
//
// The sequence yields one page at a time until the list ends. Stop ranging
// to stop early. An error is yielded once, with an empty page, and ends the
// sequence. Nothing about order may be assumed, within or across pages.
func (c *Client) Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[CheckoutPage, error] {
	const op = "list checkouts"
	return func(yield func(CheckoutPage, error) bool) {
		if err := need(op, i18n.M("mv.what.merchant_id"), merchantID); err != nil {
			yield(CheckoutPage{}, err)
			return
		}
		from, to = from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second)
		if from.IsZero() || to.IsZero() {
			yield(CheckoutPage{}, &Error{Code: CodeBadRequest, Op: op, Object: "merchant " + merchantID,
				Msg: i18n.M("mv.open_range")})
			return
		}
		if to.Before(from) || to.Sub(from) > MaxWindow {
			yield(CheckoutPage{}, &Error{Code: CodeBadRequest, Op: op, Object: "merchant " + merchantID,
				Msg: i18n.M("mv.range_too_long", from.Format(TimeFormat), to.Format(TimeFormat), MaxWindow.String())})
			return
		}
		q := url.Values{}
		q.Set("_updated_at_from", from.Format(TimeFormat))
		q.Set("_updated_at_to", to.Format(TimeFormat))
		q.Set("limit", strconv.Itoa(ListLimit))
		if c.form == listScroll {
			c.scrollCheckouts(ctx, op, merchantID, q, yield)
			return
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
			out, err := decodeEntries(op, object, p.Entries)
			if err != nil {
				yield(CheckoutPage{}, err)
				return
			}
			out.Pagination = p.Pagination
			if !yield(out, nil) {
				return
			}
			page = nextPage(p.Pagination, page)
			if page > maxPages {
				yield(CheckoutPage{}, &Error{Code: CodeDecode, Op: op, Object: object, Msg: i18n.M("mv.too_many_pages", maxPages)})
				return
			}
		}
	}
}

// scrollCheckouts reads the scroll form (uncertain.go): the cursor of each
// reply goes on the next request, until a batch is empty or has no cursor.
func (c *Client) scrollCheckouts(ctx context.Context, op, merchantID string, q url.Values, yield func(CheckoutPage, error) bool) {
	path := checkoutsScrollPath(merchantID)
	for n := 1; ; n++ {
		object := fmt.Sprintf("merchant %s scroll batch %d", merchantID, n)
		var p map[string]json.RawMessage
		if _, err := c.getJSON(ctx, op, object, path, q, &p); err != nil {
			yield(CheckoutPage{}, err)
			return
		}
		var raw []json.RawMessage
		var pg Pagination
		var cursor any
		_ = json.Unmarshal(p["entries"], &raw)
		_ = json.Unmarshal(p["pagination"], &pg)
		_ = json.Unmarshal(p[scrollCursorField], &cursor)
		out, err := decodeEntries(op, object, raw)
		if err != nil {
			yield(CheckoutPage{}, err)
			return
		}
		out.Pagination = pg
		if len(raw) > 0 && !yield(out, nil) {
			return
		}
		next := ""
		switch v := cursor.(type) {
		case string:
			next = v
		case float64:
			next = strconv.FormatFloat(v, 'f', -1, 64)
		}
		if len(raw) == 0 || next == "" || next == q.Get(scrollCursorParam) || n >= maxPages {
			return
		}
		q.Set(scrollCursorParam, next)
	}
}

func decodeEntries(op, object string, raws []json.RawMessage) (CheckoutPage, error) {
	out := CheckoutPage{Raw: raws, Entries: make([]LightCheckout, len(raws))}
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &out.Entries[i]); err != nil {
			return CheckoutPage{}, &Error{Code: CodeDecode, Op: op, Object: fmt.Sprintf("%s entry %d", object, i),
				Msg: i18n.M("mv.unexpected_entry"), Err: err}
		}
		if out.Entries[i].ID == "" {
			return CheckoutPage{}, &Error{Code: CodeDecode, Op: op, Object: fmt.Sprintf("%s entry %d", object, i),
				Msg: i18n.M("mv.entry_no_id")}
		}
	}
	return out, nil
}

// CheckoutLister lists one window of checkouts; *Client is one.
type CheckoutLister interface {
	Checkouts(ctx context.Context, merchantID string, from, to time.Time) iter.Seq2[CheckoutPage, error]
}

// Window is one range of the checkouts list, read whole: every page, each
// checkout once (by _id; the entry with the latest updatedAt, or the last
// read on a tie).
type Window struct {
	From, To time.Time
	Entries  []LightCheckout
	Raw      []json.RawMessage
	// Walks is how many times the window was walked (more than 1 when the
	// list changed under the walk).
	Walks int
}

// Windows splits [from, to] into consecutive windows of at most MaxWindow,
// at whole seconds, oldest first. Consecutive windows share their boundary
// second (both ends are inclusive at Multivende), so nothing falls between.
func Windows(from, to time.Time) [][2]time.Time {
	from, to = from.UTC().Truncate(time.Second), to.UTC().Truncate(time.Second)
	var out [][2]time.Time
	for from.Before(to) {
		end := from.Add(MaxWindow)
		if end.After(to) {
			end = to
		}
		out = append(out, [2]time.Time{from, end})
		from = end
	}
	return out
}

// maxWalks bounds how often a window is walked again because its list
// changed during the walk.
const maxWalks = 4

// CheckoutWindows reads [from, to] as consecutive windows of at most
// MaxWindow, oldest first, and yields each window only once all of it was
// read: a caller may move its high-water mark to Window.To on each yield,
// and only then. An error ends the sequence; the window it hit was not
// yielded, so the next poll reads it again whole.
//
// The list is not sorted, and an order updated during the walk leaves the
// window (it shows in a later one), which can shift an unread entry onto a
// page already read. A walk whose total_items changed from page to page is
// therefore walked again, keeping what it had seen, until one walk is
// steady.
func CheckoutWindows(ctx context.Context, l CheckoutLister, merchantID string, from, to time.Time) iter.Seq2[Window, error] {
	return func(yield func(Window, error) bool) {
		for _, w := range Windows(from, to) {
			win := Window{From: w[0], To: w[1]}
			byID := map[string]int{}
			for steady := false; !steady; {
				if win.Walks == maxWalks {
					yield(Window{}, &Error{Code: CodeServer, Op: "list checkouts", Object: "merchant " + merchantID,
						Msg: i18n.M("mv.window_changing", w[0].Format(TimeFormat), w[1].Format(TimeFormat), maxWalks)})
					return
				}
				win.Walks++
				steady = true
				total, first := 0, true
				for p, err := range l.Checkouts(ctx, merchantID, w[0], w[1]) {
					if err != nil {
						yield(Window{}, err)
						return
					}
					if first {
						total, first = p.Pagination.TotalItems, false
					} else if p.Pagination.TotalItems != total {
						steady = false
					}
					for i, e := range p.Entries {
						var raw json.RawMessage
						if i < len(p.Raw) {
							raw = p.Raw[i]
						}
						if j, ok := byID[e.ID]; ok {
							if !e.UpdatedAt.Before(win.Entries[j].UpdatedAt) {
								win.Entries[j], win.Raw[j] = e, raw
							}
							continue
						}
						byID[e.ID] = len(win.Entries)
						win.Entries = append(win.Entries, e)
						win.Raw = append(win.Raw, raw)
					}
				}
			}
			if !yield(win, nil) {
				return
			}
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
			return nil, &Error{Code: CodeDecode, Op: op, Object: object, Msg: i18n.M("mv.too_many_pages", maxPages)}
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
	if err := need("list products", i18n.M("mv.what.merchant_id"), merchantID); err != nil {
		return nil, err
	}
	return pages[Product](ctx, c, "list products", "merchant "+merchantID, productsPath(merchantID), nil)
}

// ProductVersions lists a merchant's product versions (the SKUs). With a
// warehouse id, each version also carries its stock there (HasStock).
func (c *Client) ProductVersions(ctx context.Context, merchantID, warehouseID string) ([]ProductVersion, error) {
	const op = "list product versions"
	if err := need(op, i18n.M("mv.what.merchant_id"), merchantID); err != nil {
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
	if err := need("list warehouses", i18n.M("mv.what.merchant_id"), merchantID); err != nil {
		return nil, err
	}
	return pages[Warehouse](ctx, c, "list warehouses", "merchant "+merchantID, warehousesPath(merchantID), nil)
}

// Stock reads the stock of the given SKUs in one warehouse, asking for at
// most maxCodesPerRequest SKUs per request. A SKU Multivende does not
// return is left out.
func (c *Client) Stock(ctx context.Context, warehouseID string, codes []string) ([]StockEntry, error) {
	const op = "read stock"
	if err := need(op, i18n.M("mv.what.warehouse_id"), warehouseID); err != nil {
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
	if err := need("list price lists", i18n.M("mv.what.merchant_id"), merchantID); err != nil {
		return nil, err
	}
	return pages[PriceList](ctx, c, "list price lists", "merchant "+merchantID, priceListsPath(merchantID), nil)
}

// Prices reads the gross prices of the given SKUs in one price list, at
// most maxCodesPerRequest SKUs per request. A SKU without a price is left
// out.
func (c *Client) Prices(ctx context.Context, priceListID string, codes []string) ([]Price, error) {
	const op = "read prices"
	if err := need(op, i18n.M("mv.what.price_list_id"), priceListID); err != nil {
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
