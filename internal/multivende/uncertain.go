package multivende

import "net/url"

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

// Billing document types a buyer may ask for (uncertain: the field's name and
// place; public integrations also read CheckoutBillingClients[].documentType).
const (
	BillingBill    = "bill"    // boleta
	BillingInvoice = "invoice" // factura
)

// Electronic billing document types sent when attaching a DTE to a checkout.
// The boleta value is documented; the factura value is uncertain.
const (
	DocTypeBoleta  = "electronic_billing_electronic_bill"
	DocTypeFactura = "electronic_billing_electronic_invoice" // uncertain
)

// CheckoutClient is the buyer of a checkout (uncertain: the address fields' names).
type CheckoutClient struct {
	ID               string           `json:"_id"`
	FullName         string           `json:"fullName"`
	Email            string           `json:"email,omitempty"`
	PhoneNumber      string           `json:"phoneNumber,omitempty"`
	TaxID            string           `json:"taxId"`
	BusinessName     string           `json:"businessName,omitempty"`
	Activity         string           `json:"activity,omitempty"`
	BillingAddresses []BillingAddress `json:"BillingAddresses"`
}

// BillingAddress is one of a client's billing addresses (uncertain names).
type BillingAddress struct {
	Address string `json:"address"`
	Comune  string `json:"comune"`
	City    string `json:"city"`
}

// CheckoutBillingClient is the alternative place where public integrations
// read the requested document type (uncertain).
type CheckoutBillingClient struct {
	DocumentType string `json:"documentType"`
}

// RequestedDocumentType returns "bill", "invoice" or "" (no request: a boleta),
// looking first at billingDocumentType and then at CheckoutBillingClients.
func (c *Checkout) RequestedDocumentType() string {
	if c.BillingDocumentType != "" {
		return c.BillingDocumentType
	}
	for _, bc := range c.CheckoutBillingClients {
		if bc.DocumentType != "" {
			return bc.DocumentType
		}
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

// Catalog paths (uncertain: only the products path is documented; the
// others are the shared contract in brief.md, which the simulator serves).
// "{page}" stands for the page number (from 1); a path without it is one
// request with no page parameter, since the contract gives none.
func productsPath(m string) string   { return "/api/m/" + esc(m) + "/products/p/{page}" }
func warehousesPath(m string) string { return "/api/m/" + esc(m) + "/stores-and-warehouses" }
func stockPath(m, w string) string {
	return "/api/m/" + esc(m) + "/stocks/stores-and-warehouses/" + esc(w) + "/p/{page}"
}
func priceListsPath(m string) string { return "/api/m/" + esc(m) + "/price-lists" }
func pricesPath(m, l string) string {
	return "/api/m/" + esc(m) + "/price-lists/" + esc(l) + "/prices/p/{page}"
}

// Product is a catalog product; its versions carry the SKUs.
type Product struct {
	ID              string           `json:"_id"`
	Name            string           `json:"name"`
	Code            string           `json:"code"`
	ProductVersions []ProductVersion `json:"ProductVersions"`
}

// ProductVersion is one SKU of a product (uncertain: the active flag's name).
type ProductVersion struct {
	ID     string `json:"_id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Active bool   `json:"active"`
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

var checkoutsForm = listPages

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
