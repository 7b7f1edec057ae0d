package multivende

import (
	"net/url"
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
)

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
