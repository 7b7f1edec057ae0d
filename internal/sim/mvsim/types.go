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

type checkout struct {
	ID                  string            `json:"_id"`
	Code                string            `json:"code"`
	Origin              string            `json:"origin"`
	Status              string            `json:"status"`
	PaymentStatus       string            `json:"paymentStatus"`
	SoldAt              time.Time         `json:"soldAt"`
	UpdatedAt           time.Time         `json:"updatedAt"`
	Total               int64             `json:"total"`
	BillingDocumentType string            `json:"billingDocumentType"`
	Client              client            `json:"Client"`
	Items               []item            `json:"CheckoutItems"`
	Delivery            []deliveryOrderIn `json:"DeliveryOrderInCheckouts"`
	Payments            []payment         `json:"CheckoutPayments"`
	Documents           []*document       `json:"ElectronicBillingDocuments"`

	payAt time.Time // a pending order becomes paid then (zero: never)
}

func (c *checkout) setPayment(status string) {
	c.PaymentStatus = status
	for i := range c.Payments {
		c.Payments[i].PaymentStatus = status
	}
}

type client struct {
	ID               string           `json:"_id"`
	FullName         string           `json:"fullName"`
	BusinessName     string           `json:"businessName,omitempty"`
	Activity         string           `json:"activity,omitempty"`
	Email            string           `json:"email"`
	PhoneNumber      string           `json:"phoneNumber,omitempty"`
	TaxID            string           `json:"taxId"`
	BillingAddresses []billingAddress `json:"BillingAddresses"`
}

type billingAddress struct {
	Address string `json:"address"`
	Comune  string `json:"comune"`
	City    string `json:"city"`
}

type item struct {
	ID                string `json:"_id"`
	Code              string `json:"code"`
	Name              string `json:"name"`
	Count             int    `json:"count"`
	Gross             int64  `json:"gross"`
	Discount          int64  `json:"discount"`
	TotalWithDiscount int64  `json:"totalWithDiscount"`
}

type deliveryOrderIn struct {
	DeliveryOrder deliveryOrder `json:"DeliveryOrder"`
}

type deliveryOrder struct {
	ID      string `json:"_id"`
	Cost    int64  `json:"cost"`
	Courier string `json:"courier"`
}

type payment struct {
	ID            string `json:"_id"`
	Amount        int64  `json:"amount"`
	PaymentStatus string `json:"paymentStatus"`
	PaymentMethod string `json:"paymentMethod"`
	CouponAmount  int64  `json:"couponAmount"`
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

// msTime is a timestamp written as JavaScript writes it: UTC, exactly
// three fractional digits (2026-11-24T18:00:00.000Z).
type msTime time.Time

func (t msTime) MarshalJSON() ([]byte, error) {
	return []byte(`"` + time.Time(t).UTC().Format("2006-01-02T15:04:05.000Z") + `"`), nil
}

func (t *msTime) UnmarshalJSON(b []byte) error { return (*time.Time)(t).UnmarshalJSON(b) }

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
	ID            string          `json:"_id"`
	PaymentStatus string          `json:"paymentStatus"`
	Status        string          `json:"status"`
	Documents     []StateDocument `json:"documents"`
}

// StateDocument is one attached document in State.
type StateDocument struct {
	ID       string `json:"_id"`
	DocID    string `json:"id"`
	Type     string `json:"type"`
	Uploaded bool   `json:"uploaded"`
	// What the attach request carried.
	Provider  string `json:"provider"`
	EmitterID string `json:"ElectronicBillingDocumentEmitterId"`
	// SyncStatus is the file's synchronizationStatus once uploaded.
	SyncStatus string `json:"synchronizationStatus,omitempty"`
}
