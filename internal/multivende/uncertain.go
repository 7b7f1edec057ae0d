package multivende

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Everything the documentation marks as uncertain about Multivende's API lives
// in this file, so that a correction is a one-file change. The simulator in
// internal/sim serves exactly what this file says.

// Scopes is the list of OAuth scopes folio asks for (uncertain: exact list).
var Scopes = []string{
	"read:checkouts", "write:checkouts",
	"read:products", "write:products",
	"read:stocks", "write:stocks",
	"read:prices", "write:prices",
}

// Payment status values seen on checkouts (uncertain: only "completed" is
// confirmed; it is what Multivende's screens call "pago recibido").
const (
	PaymentCompleted = "completed"
	PaymentPending   = "pending"
	PaymentCancelled = "cancelled"
	PaymentRefunded  = "refunded"
)

// StatusCancelled is the checkout status of a cancelled order.
const StatusCancelled = "cancelled"

// Values of billingDocumentType, an earlier guess at a field asking for a
// boleta or a factura (not confirmed anywhere public; read as a fallback).
const (
	BillingBill    = "bill"    // boleta
	BillingInvoice = "invoice" // factura
)

// Electronic billing document types sent when attaching a DTE to a checkout.
// The boleta value is documented; the factura value is uncertain.
const (
	DocTypeBoleta  = "electronic_billing_electronic_bill"
	DocTypeFactura = "electronic_billing_electronic_invoice" // uncertain
	// DocTypeCreditNote is a guess patterned on the two above: no public
	// source names the value for a nota de crédito (dte.md "Credit notes",
	// uncertain); a connection sets its own with DocTypes["61"].
	DocTypeCreditNote = "electronic_billing_credit_note" // uncertain
)

// Attach settings. The emitter id and the provider code are per merchant
// (uncertain: the one production integration found sends fixed values of
// its own), so each connection may set them; these are the defaults.
// DefaultEmitterID is empty: no value is known to work for every merchant.
const (
	DefaultProvider  = "libredte"
	DefaultEmitterID = ""
)

// DefaultDocTypes maps a DTE type (SII code) to the attach "type" used when
// the connection sets none. Only the boleta's value is confirmed.
var DefaultDocTypes = map[int]string{
	39: DocTypeBoleta,
	41: DocTypeBoleta,     // boleta exenta (uncertain)
	33: DocTypeFactura,    // uncertain
	34: DocTypeFactura,    // factura exenta (uncertain)
	61: DocTypeCreditNote, // nota de crédito (uncertain)
}

// AttachType is the attach "type" for a DTE type: the connection's own value
// (keyed by the SII code as text), else the default, else the boleta's.
func AttachType(dteType int, own map[string]string) string {
	if v := strings.TrimSpace(own[strconv.Itoa(dteType)]); v != "" {
		return v
	}
	if v, ok := DefaultDocTypes[dteType]; ok {
		return v
	}
	return DocTypeBoleta
}

// Values of ElectronicBillingDocumentFiles[].synchronizationStatus. Only
// "Pendiente" is confirmed (the merchant did not switch on automatic
// sending); other values are shown as Multivende sends them.
const SyncPending = "Pendiente"

// CheckoutClient is the buyer of a checkout (Client), and the shape read
// for an entry of CheckoutBillingClients (uncertain: which fields that one
// carries; public integrations only read its documentType).
type CheckoutClient struct {
	ID               string           `json:"_id"`
	Name             Text             `json:"name"`
	LastName         Text             `json:"lastName"`
	FullName         Text             `json:"fullName"`
	BusinessName     Text             `json:"businessName,omitempty"` // an earlier guess, read as a fallback
	Type             Text             `json:"type"`                   // "person" or "company"
	TaxID            Text             `json:"taxId"`
	Activity         Text             `json:"activity"` // giro
	Comune           Text             `json:"comune"`
	City             Text             `json:"city"`
	Email            Text             `json:"email,omitempty"`
	BillingAddresses []BillingAddress `json:"BillingAddresses"`
}

// BillingAddress is one of a client's billing addresses. Address and
// Comune are earlier guesses, read as fallbacks.
type BillingAddress struct {
	Address1 Text `json:"address_1"`
	Address2 Text `json:"address_2"`
	Street   Text `json:"street"`
	Number   Text `json:"number"`
	City     Text `json:"city"`
	Address  Text `json:"address,omitempty"`
	Comune   Text `json:"comune,omitempty"`
}

// ClientTypeCompany is Client.type for a company.
const ClientTypeCompany = "company"

// DisplayName is the buyer's name: fullName, else name and lastName.
func (cl CheckoutClient) DisplayName() string {
	if n := cl.FullName.String(); n != "" {
		return n
	}
	return strings.TrimSpace(cl.Name.String() + " " + cl.LastName.String())
}

// RazonSocial is the name a factura goes to: for a company its fullName
// (or name), else the person's name; businessName is the earlier guess,
// read last.
func (cl CheckoutClient) RazonSocial() string {
	if strings.EqualFold(cl.Type.String(), ClientTypeCompany) {
		for _, v := range []Text{cl.FullName, cl.Name, cl.BusinessName} {
			if v.String() != "" {
				return v.String()
			}
		}
	}
	if n := cl.DisplayName(); n != "" {
		return n
	}
	return cl.BusinessName.String()
}

// Line is the address line of a factura (DirRecep): address_1 plus
// address_2, else street and number, else the earlier guess address.
func (a BillingAddress) Line() string {
	if l := a.Address1.String(); l != "" {
		if l2 := a.Address2.String(); l2 != "" {
			return l + ", " + l2
		}
		return l
	}
	if s := strings.TrimSpace(a.Street.String() + " " + a.Number.String()); s != "" {
		return s
	}
	return a.Address.String()
}

// Comuna is a factura's comuna (CmnaRecep), uncertain: which field
// Multivende fills depends on the marketplace. Read in this order: the
// address's city, the address's comune (an earlier guess), the client's
// comune.
func Comuna(cl CheckoutClient, a BillingAddress) string {
	for _, v := range []Text{a.City, a.Comune, cl.Comune} {
		if v.String() != "" {
			return v.String()
		}
	}
	return ""
}

// BillingIdentity is where the buyer's billing identity is read from:
// CheckoutBillingClients[0] when it carries a taxId, else Client
// (uncertain: the fields CheckoutBillingClients carries). The address,
// the comune and the email come from the identity, else from Client.
func (c *Checkout) BillingIdentity() (cl CheckoutClient, source string) {
	if len(c.CheckoutBillingClients) > 0 && c.CheckoutBillingClients[0].TaxID.String() != "" {
		bc := c.CheckoutBillingClients[0]
		if len(bc.BillingAddresses) == 0 {
			bc.BillingAddresses = c.Client.BillingAddresses
		}
		if bc.Email == "" {
			bc.Email = c.Client.Email
		}
		if bc.Comune == "" {
			bc.Comune = c.Client.Comune
		}
		return bc, "CheckoutBillingClients[0]"
	}
	return c.Client, "Client"
}

// ItemName is an item's name: ProductVersion.Product.name, else the earlier
// guess name on the item.
func ItemName(it CheckoutItem) string {
	if pv := it.ProductVersion; pv != nil && pv.Product != nil && pv.Product.Name.String() != "" {
		return pv.Product.Name.String()
	}
	return it.Name.String()
}

// ItemSKU is an item's SKU: the item's code, else ProductVersion.code.
func ItemSKU(it CheckoutItem) string {
	if c := it.Code.String(); c != "" {
		return c
	}
	if it.ProductVersion != nil {
		return it.ProductVersion.Code.String()
	}
	return ""
}

// Paid reports whether the checkout's payment was received (pago recibido).
func (c *Checkout) Paid() bool { return c.PaymentStatus == PaymentCompleted }

// Cancelled reports whether the checkout was cancelled or refunded.
func (c *Checkout) Cancelled() bool {
	return c.Status == StatusCancelled || c.PaymentStatus == PaymentCancelled || c.PaymentStatus == PaymentRefunded
}

// MaxPDFSize is the largest file Multivende accepts as a document upload.
// The docs say "1 MB" (uncertain: 10^6 or 2^20 bytes; the simulator takes
// 2^20). Real DTE PDFs are tens of KB, so the choice rarely matters.
const MaxPDFSize = 1 << 20

// Extra fields of the token request body beyond the documented client_id,
// client_secret, grant_type, code and refresh_token (uncertain): the PKCE
// code_verifier and the redirect_uri of the authorization request, sent
// only when the caller has them. Set to false to stop sending them.
const (
	sendCodeVerifier = true
	sendRedirectURI  = true
)

// errorKeys are the fields of an error reply that may carry Multivende's
// message, in order of preference (uncertain: {"message"} or {"error"}).
var errorKeys = []string{"message", "error"}

// Catalog paths, as public integrations call them (uncertain: none is in
// Multivende's public help text). "{page}" stands for the page number (from
// 1). The by-SKU reads take a comma-separated _code list and no page: the
// client asks for at most maxCodesPerRequest SKUs at a time, far below the
// 1000 in the path, so one request holds them all.
func productsPath(m string) string { return "/api/m/" + esc(m) + "/products/light/p/{page}" }
func productVersionsPath(m string) string {
	return "/api/m/" + esc(m) + "/product-versions/p/{page}"
}
func warehousesPath(m string) string { return "/api/m/" + esc(m) + "/stores-and-warehouses/p/{page}" }
func stockByCodePath(w string) string {
	return "/api/product-stocks/stores-and-warehouses/" + esc(w) + "/limit/1000"
}
func priceListsPath(m string) string { return "/api/m/" + esc(m) + "/product-price-lists/p/{page}" }
func pricesByCodePath(l string) string {
	return "/api/product-price/product-price-lists/" + esc(l) + "/limit/1000"
}

// Query parameters of the catalog reads (uncertain names, from public code).
const (
	codeParam          = "_code"          // comma-separated SKUs
	includeStockParam  = "_include_stock" // "true": versions carry their stock
	warehouseParam     = "_warehouse_id"  // whose stock _include_stock reads
	maxCodesPerRequest = 100              // keeps a URL well under common 8 KB limits
)

// inactiveStatuses are the product-version status values that mean "not
// for sale" (uncertain: the values are not published; anything else, and an
// absent status, counts as active).
var inactiveStatuses = []string{"inactive", "disabled", "deleted", "archived", "paused"}

// Product is an entry of the light products list.
type Product struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
	Code string `json:"code"`
}

// ProductVersion is one SKU (GET …/product-versions/p/{page}): Code is the
// SKU, Product.Name its name. Stock is set when the list was read with a
// warehouse (HasStock says so).
type ProductVersion struct {
	ID       string       `json:"_id"`
	Code     string       `json:"code"`
	Name     string       `json:"name"` // a version's own name, when it has one (uncertain)
	Status   string       `json:"status"`
	Product  VersionOwner `json:"Product"`
	Stock    int64        `json:"-"`
	HasStock bool         `json:"-"`
}

// VersionOwner is the product a version belongs to.
type VersionOwner struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

// Active reports whether the version is for sale (see inactiveStatuses).
func (v ProductVersion) Active() bool {
	st := strings.ToLower(strings.TrimSpace(v.Status))
	return !slices.Contains(inactiveStatuses, st)
}

// versionWire is a product version as the lists send it. The stock and price
// reads by SKU answer versions too, with ProductStocks.amount and
// ProductPrices.gross (public code reads them as objects; a list of one is
// read as well, uncertain).
type versionWire struct {
	ProductVersion
	ProductStocks oneOrMany[stockWire] `json:"ProductStocks"`
	ProductPrices oneOrMany[priceWire] `json:"ProductPrices"`
}

type stockWire struct {
	Amount Amount `json:"amount"`
}

type priceWire struct {
	Gross Amount `json:"gross"`
}

// Warehouse is a store or warehouse.
type Warehouse struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

// StockEntry is the stock of one SKU.
type StockEntry struct {
	Code   string `json:"code"`
	Amount int64  `json:"amount"`
}

// PriceList is a named list of prices.
type PriceList struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
}

// Price is the gross price of one SKU in a price list.
type Price struct {
	Code  string `json:"code"`
	Gross Amount `json:"gross"`
}

func esc(s string) string { return url.PathEscape(s) }

// How the checkouts list is read. Multivende's help centre names the polling
// endpoint "Get checkouts light with scroll" (paged by scroll); public
// integrations call the page form, GET /api/m/{merchant}/checkouts/light/p/{page}.
// Both sit behind Client.Checkouts; the page form is the default because it
// is the one seen working in public code. The help centre gives limit
// (50..1000) for the scroll endpoint; it is assumed the page form takes it
// too (the public page-form calls found send none).
type listForm int

const (
	listPages  listForm = iota // /checkouts/light/p/{page}, next_page 0 at the end
	listScroll                 // the scroll variant (uncertain, see below)
)

const checkoutsForm = listPages

// The scroll variant, ASSUMED (no public call found): its path, the query
// parameter that carries the cursor, and the reply field it is read from;
// its reply is assumed to carry "entries" like the page form. The first
// request has no cursor; the scroll ends on an empty batch or a reply
// without a cursor. The simulator does not serve it (it would be invented).
func checkoutsScrollPath(m string) string { return "/api/m/" + esc(m) + "/checkouts/light/scroll" }

const (
	scrollCursorParam = "_scroll_id" // assumed
	scrollCursorField = "scrollId"   // assumed
)

// sendClientIDAsNumber: Multivende client ids are 12-digit numbers and most
// public integrations post client_id as a JSON number (some as a string;
// Multivende takes both, per the docs). A client id that is not all digits
// is always sent as a string.
const sendClientIDAsNumber = true

// Webhook notifications ("Checkouts"): the payload shape is not published.
// Public integrations read the checkout id and the app's client id from
// these fields (inferred from public code); nothing else is read.
const (
	notifyCheckoutField = "CheckoutId"
	notifyClientObject  = "OauthClient"
	notifyClientField   = "client_id"
)
