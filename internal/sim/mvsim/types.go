// Package mvsim is a faithful Multivende simulator: the OAuth consent page
// and token endpoint, generated checkouts that change over time, billing
// documents, the catalog, a per-token rate limit and injected faults. Its
// wire types are its own reading of ../shared/docs/multivende-api.md, kept
// apart from internal/multivende so that each checks the other.
package mvsim

import (
	"encoding/json"
	"time"
)

// checkout is a checkout detail in the shape public integrations decode
// (multivende-api.md "Detail", and the fields other clients read). Its
// timestamps are written with exactly three fractional digits (MarshalJSON).
type checkout struct {
	ID                 string            `json:"_id"`
	Code               string            `json:"code"`
	Origin             string            `json:"origin"`
	Status             string            `json:"status"`
	PaymentStatus      string            `json:"paymentStatus"`
	VerificationStatus string            `json:"verificationStatus"`
	DeliveryStatus     string            `json:"deliveryStatus"`
	SoldAt             time.Time         `json:"-"`
	CreatedAt          time.Time         `json:"-"`
	UpdatedAt          time.Time         `json:"-"`
	Total              int64             `json:"total"`
	Net                int64             `json:"net"`
	Comment            *string           `json:"comment"`
	Tags               []string          `json:"tags"`
	IsMultiwarehouse   *bool             `json:"isMultiwarehouse,omitempty"`
	CourierName        *string           `json:"courierName,omitempty"`
	ShippingMode       string            `json:"shippingMode,omitempty"`
	ClientID           string            `json:"ClientId"`
	MerchantID         string            `json:"MerchantId"`
	CreatedByID        string            `json:"CreatedById,omitempty"`
	Client             client            `json:"Client"`
	BillingClients     []billingClient   `json:"CheckoutBillingClients"`
	Link               checkoutLink      `json:"CheckoutLink"`
	Items              []item            `json:"CheckoutItems"`
	Delivery           []deliveryOrderIn `json:"DeliveryOrderInCheckouts"`
	Payments           []payment         `json:"CheckoutPayments"`
	Documents          []*document       `json:"ElectronicBillingDocuments,omitempty"`

	payAt  time.Time // a pending order becomes paid then (zero: never)
	paidAt time.Time // when its payment completed and it showed as paid (zero: not paid)
}

// checkoutTimes are the checkout's timestamps on the wire.
type checkoutTimes struct {
	SoldAt    msTime `json:"soldAt"`
	CreatedAt msTime `json:"createdAt"`
	UpdatedAt msTime `json:"updatedAt"`
}

// MarshalJSON writes the checkout with JavaScript-style timestamps.
func (c *checkout) MarshalJSON() ([]byte, error) {
	type plain checkout
	return json.Marshal(struct {
		*plain
		checkoutTimes
	}{(*plain)(c), checkoutTimes{msTime(c.SoldAt), msTime(c.CreatedAt), msTime(c.UpdatedAt)}})
}

// UnmarshalJSON reads a checkout (the tests read the fixtures with it).
func (c *checkout) UnmarshalJSON(b []byte) error {
	type plain checkout
	w := struct {
		*plain
		checkoutTimes
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	t := w.checkoutTimes
	c.SoldAt, c.CreatedAt, c.UpdatedAt = time.Time(t.SoldAt), time.Time(t.CreatedAt), time.Time(t.UpdatedAt)
	return nil
}

// msTime is a timestamp as Multivende writes it: UTC with exactly three
// fractional digits; the zero time is null.
type msTime time.Time

// MarshalJSON implements json.Marshaler.
func (t msTime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *msTime) UnmarshalJSON(b []byte) error {
	var v *time.Time
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = msTime{}
	if v != nil {
		*t = msTime(*v)
	}
	return nil
}

// setPayment changes the payment status at a moment: a completed payment
// is paid then.
func (c *checkout) setPayment(status string, at time.Time) {
	c.PaymentStatus = status
	c.paidAt = time.Time{}
	if status == "completed" {
		c.paidAt = at
	}
	for i := range c.Payments {
		p := &c.Payments[i]
		p.PaymentStatus, p.UpdatedAt = status, msTime(at)
		p.DatePaid, p.AmountPaid = msTime{}, 0
		if status == "completed" {
			p.DatePaid, p.AmountPaid = msTime(at), p.Amount
		}
	}
}

// client is the buyer. A person has null taxId, activity and comune; a
// company buying with a factura carries its billing identity here, or in
// CheckoutBillingClients.
type client struct {
	ID               string           `json:"_id"`
	Name             *string          `json:"name"`
	LastName         *string          `json:"lastName"`
	FullName         string           `json:"fullName"`
	ContactName      string           `json:"contactName,omitempty"`
	DocumentType     *string          `json:"documentType"`
	TaxID            *string          `json:"taxId"`
	Type             string           `json:"type"`
	Activity         *string          `json:"activity"`
	Comune           *string          `json:"comune"`
	City             *string          `json:"city"`
	Email            string           `json:"email"`
	PhoneNumber      string           `json:"phoneNumber,omitempty"`
	MerchantID       string           `json:"MerchantId,omitempty"`
	BillingAddresses []billingAddress `json:"BillingAddresses"`
}

// billingClient is an entry of CheckoutBillingClients: documentType, and
// for some facturas the billing identity (the simulator's reading of an
// uncertain shape: the fields of Client).
type billingClient struct {
	DocumentType     string           `json:"documentType"`
	TaxID            string           `json:"taxId,omitempty"`
	FullName         string           `json:"fullName,omitempty"`
	Type             string           `json:"type,omitempty"`
	Activity         string           `json:"activity,omitempty"`
	BillingAddresses []billingAddress `json:"BillingAddresses,omitempty"`
}

type billingAddress struct {
	ID       string  `json:"_id"`
	Address1 string  `json:"address_1"`
	Address2 *string `json:"address_2"`
	Street   string  `json:"street"`
	Number   string  `json:"number"`
	City     *string `json:"city"`
	State    string  `json:"state"`
	Country  string  `json:"country"`
	ZipCode  *string `json:"zipCode"`
}

type checkoutLink struct {
	CheckoutID                  string                `json:"CheckoutId,omitempty"`
	ExternalOrderNumber         string                `json:"externalOrderNumber"`
	ExternalCustomerOrderNumber string                `json:"externalCustomerOrderNumber"`
	MarketplaceConnection       marketplaceConnection `json:"MarketplaceConnection"`
}

type marketplaceConnection struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Provider string `json:"provider"`
}

// item is a checkout line: gross, net and tax are per unit; the name is in
// ProductVersion.Product.name only.
type item struct {
	ID                    string      `json:"_id"`
	CheckoutID            string      `json:"CheckoutId,omitempty"`
	MerchantID            string      `json:"MerchantId,omitempty"`
	Code                  string      `json:"code"`
	Count                 int         `json:"count"`
	Gross                 int64       `json:"gross"`
	Net                   int64       `json:"net"`
	Tax                   int64       `json:"tax"`
	Total                 int64       `json:"total"`
	Discount              int64       `json:"discount"`
	TotalWithDiscount     int64       `json:"totalWithDiscount"`
	PaymentByItem         int64       `json:"paymentByItem"`
	CheckoutItemDiscounts []any       `json:"CheckoutItemDiscounts"`
	ProductVersionID      string      `json:"ProductVersionId"`
	ProductVersion        itemVersion `json:"ProductVersion"`
}

type itemVersion struct {
	ID           string      `json:"_id"`
	ProductID    string      `json:"ProductId,omitempty"`
	Code         string      `json:"code"`
	InternalCode *string     `json:"internalCode"`
	Product      itemProduct `json:"Product"`
}

type itemProduct struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

type deliveryOrderIn struct {
	DeliveryOrder deliveryOrder `json:"DeliveryOrder"`
	// Which items the delivery carries (the simulator's reading: the field
	// is named by public integrations, its entries are not).
	Items []deliveryItem `json:"DeliveryOrderInCheckoutItems,omitempty"`
}

type deliveryItem struct {
	CheckoutItemID string `json:"CheckoutItemId"`
}

type deliveryOrder struct {
	ID              string           `json:"_id"`
	Code            string           `json:"code"`
	Cost            int64            `json:"cost"`
	IsDeliveryPaid  string           `json:"isDeliveryPaid"`
	CourierName     string           `json:"courierName"`
	ShippingAddress *shippingAddress `json:"ShippingAddress"`
}

type shippingAddress struct {
	Address1 string `json:"address_1"`
	Street   string `json:"street"`
	Number   string `json:"number"`
	City     string `json:"city"`
	State    string `json:"state"`
}

type payment struct {
	ID            string        `json:"_id"`
	Amount        int64         `json:"amount"`
	AmountPaid    int64         `json:"amountPaid"`
	PaymentStatus string        `json:"paymentStatus"`
	Status        string        `json:"status"`
	DatePaid      msTime        `json:"datePaid"`
	UpdatedAt     msTime        `json:"updatedAt"`
	PaymentMethod paymentMethod `json:"PaymentMethod"`
}

type paymentMethod struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type document struct {
	ID           string `json:"_id"`
	ClientID     string `json:"ClientId"`
	DocID        string `json:"id"`
	Code         string `json:"code"`
	Name         string `json:"name"`
	EmissionDate string `json:"emissionDate"`
	Type         string `json:"type"`
	Provider     string `json:"provider"`
	EmitterID    string `json:"ElectronicBillingDocumentEmitterId,omitempty"`
	Files        []file `json:"ElectronicBillingDocumentFiles"`

	checkoutID string
	pdf        []byte
	uploads    int       // PDFs received (each replaces the one before)
	attachedAt time.Time // created on the checkout
	uploadedAt time.Time // its PDF uploaded
}

type file struct {
	SynchronizationStatus string `json:"synchronizationStatus"`
	URL                   string `json:"url"`
}

// lightCheckout is an entry of the checkouts list.
type lightCheckout struct {
	ID            string    `json:"_id"`
	Code          string    `json:"code"`
	Origin        string    `json:"origin"`
	PaymentStatus string    `json:"paymentStatus"`
	Status        string    `json:"status"`
	SoldAt        time.Time `json:"soldAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Total         int64     `json:"total"`
}

type pagination struct {
	TotalItems  int `json:"total_items"`
	TotalPages  int `json:"total_pages"`
	CurrentPage int `json:"current_page"`
	NextPage    int `json:"next_page"`
	Offset      int `json:"offset"`
	Limit       int `json:"limit"`
}

// catalogPage is a catalog list page: page numbers and offset/limit (public
// integrations read both).
type catalogPage struct {
	Entries    []json.RawMessage `json:"entries"`
	Pagination catalogPagination `json:"pagination"`
}

type catalogPagination struct {
	pagination
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
}

type page[T any] struct {
	Entries    []T        `json:"entries"`
	Pagination pagination `json:"pagination"`
}

type tokenReply struct {
	ID                    string   `json:"_id"`
	Token                 string   `json:"token"`
	ExpiresAt             msTime   `json:"expiresAt"`
	RefreshToken          string   `json:"refreshToken"`
	RefreshTokenExpiresAt msTime   `json:"refreshTokenExpiresAt"`
	Scopes                []string `json:"scopes"`
	MerchantID            string   `json:"MerchantId"`
	OauthClientID         string   `json:"OauthClientId"`
	MerchantAppID         string   `json:"MerchantAppId"`
	// What else Multivende's reply carries (folio ignores it; other clients read it).
	Status      string `json:"status"`
	CreatedAt   msTime `json:"createdAt"`
	UpdatedAt   msTime `json:"updatedAt"`
	CreatedByID string `json:"CreatedById"`
	UpdatedByID string `json:"UpdatedById"`
	OwnerID     string `json:"OwnerId"`
}

// Catalog types.
type product struct {
	ID       string           `json:"_id"`
	Name     string           `json:"name"`
	Code     string           `json:"code"`
	Versions []productVersion `json:"-"`
}

// productVersion is a SKU as …/product-versions and the by-SKU reads send
// it: code, status and its product.
type productVersion struct {
	ID        string         `json:"_id"`
	Code      string         `json:"code"`
	Status    string         `json:"status"`
	ProductID string         `json:"ProductId"`
	Product   versionProduct `json:"Product"`
}

type versionProduct struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
}

func (v productVersion) active() bool { return v.Status == "active" }

// versionStock is a version with its stock in one warehouse.
type versionStock struct {
	productVersion
	ProductStocks stockOf `json:"ProductStocks"`
}

type stockOf struct {
	Amount            int64  `json:"amount"`
	StoreAndWarehouse string `json:"StoreAndWarehouseId"`
}

// versionPrice is a version with its price in one list.
type versionPrice struct {
	productVersion
	ProductPrices priceOf `json:"ProductPrices"`
}

type priceOf struct {
	Gross             int64  `json:"gross"`
	Net               int64  `json:"net"`
	PriceWithDiscount int64  `json:"priceWithDiscount"`
	ProductPriceList  string `json:"ProductPriceListId"`
}

type warehouse struct {
	ID   string `json:"_id"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type stockEntry struct {
	Code   string
	Amount int64
}

type priceList struct {
	ID       string `json:"_id"`
	Name     string `json:"name"`
	Currency string `json:"currency"`
}

type price struct {
	Code  string
	Gross int64
}

// State is what GET /_sim/state shows: every checkout with its documents,
// and every token the simulator issued.
type State struct {
	Checkouts []StateCheckout `json:"checkouts"`
	Tokens    []string        `json:"tokens"`
	Catalog   StateCatalog    `json:"catalog"`
}

// StateCatalog is the merchant's catalog in State: every product version,
// the gross price of each code per price list, the stock of each code per
// warehouse.
type StateCatalog struct {
	Versions []StateVersion              `json:"versions"`
	Prices   map[string]map[string]int64 `json:"prices"`
	Stock    map[string]map[string]int64 `json:"stock"`
}

// StateVersion is one product version in StateCatalog.
type StateVersion struct {
	Product string `json:"product"`
	Code    string `json:"code"`
	Name    string `json:"name"`
	Active  bool   `json:"active"`
}

// StateCheckout is one checkout in State.
type StateCheckout struct {
	ID string `json:"_id"`
	// MerchantID is the checkout's merchant, on a server of several.
	MerchantID    string          `json:"MerchantId,omitempty"`
	PaymentStatus string          `json:"paymentStatus"`
	Status        string          `json:"status"`
	Documents     []StateDocument `json:"documents"`
	// PaidAt is when the order showed as paid (RFC 3339, milliseconds;
	// absent while it is not paid): latency is measured from it.
	PaidAt msTime `json:"paidAt,omitzero"`
	// Notified counts the webhook notifications sent for it.
	Notified int `json:"webhookNotifications,omitempty"`
}

// StateDocument is one attached document in State.
type StateDocument struct {
	ID       string `json:"_id"`
	DocID    string `json:"id"`
	Type     string `json:"type"`
	Uploaded bool   `json:"uploaded"`
	// Uploads is how many times a PDF was sent for it: more than one is a
	// client that uploaded again what was already there.
	Uploads int `json:"uploads"`
	// What the attach request carried.
	Provider  string `json:"provider"`
	EmitterID string `json:"ElectronicBillingDocumentEmitterId"`
	// SyncStatus is the file's synchronizationStatus once uploaded.
	SyncStatus string `json:"synchronizationStatus,omitempty"`
	// AttachedAt is when the document was created on the order, UploadedAt
	// when its PDF arrived (RFC 3339, milliseconds).
	AttachedAt msTime `json:"attachedAt,omitzero"`
	UploadedAt msTime `json:"uploadedAt,omitzero"`
}
