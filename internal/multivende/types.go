// Package multivende is the HTTP client for the Multivende API: OAuth2 tokens,
// checkouts, billing documents and the catalog. The wire types in types.go
// follow ../shared/docs/multivende-api.md; uncertain facts live in uncertain.go.
//
// One Client serves one merchant. It paces itself with a token bucket
// (5 req/s by default) and, on a 429, pauses every request of that merchant
// for the Retry-After it was given, returning the 429 to the caller (no
// retries inside: the engine decides). Failures are *Error values with an
// MV-* code naming the call and the object; Uncertain marks a request that
// was sent without a usable reply. A TokenSource refreshes ahead of expiry,
// once for all callers, and hands each new token to a callback; a refused
// refresh is MV-NEEDS-RECONNECT. Config.Hook sees every exchange with
// secrets redacted.
package multivende

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Amount is a whole number of Chilean pesos. It decodes a plain decimal
// integer, written with or without a fraction of zeros (12990 or 12990.0),
// as a JSON number or a numeric string, and refuses anything else with an
// *AmountError (see parseAmount) instead of guessing.
type Amount int64

// UnmarshalJSON implements json.Unmarshaler.
func (a *Amount) UnmarshalJSON(b []byte) error {
	n, err := parseAmount(b)
	if err != nil {
		return err
	}
	*a = Amount(n)
	return nil
}

// Quantity is an item count: a whole number, read as strictly as an Amount.
type Quantity int64

// UnmarshalJSON implements json.Unmarshaler.
func (q *Quantity) UnmarshalJSON(b []byte) error {
	n, err := parseAmount(b)
	if err != nil {
		return err
	}
	*q = Quantity(n)
	return nil
}

// Text is a text field folio only copies or shows (names, addresses, codes):
// it takes a string, a number, a boolean or null, and an object or array
// becomes empty text, so that an unexpected type never refuses the order.
type Text string

// UnmarshalJSON implements json.Unmarshaler.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*t = ""
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	case 'n', '{', '[': // null, or a shape folio does not read
	default: // a number or a boolean, as written
		*t = Text(b)
	}
	return nil
}

// String returns the text, trimmed of surrounding spaces.
func (t Text) String() string { return strings.TrimSpace(string(t)) }

// looseTime is a timestamp that never fails to decode (zero when unreadable).
type looseTime time.Time

// timeLayouts are the timestamp forms read, most likely first.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05"}

// UnmarshalJSON implements json.Unmarshaler.
func (t *looseTime) UnmarshalJSON(b []byte) error {
	*t = looseTime{}
	var s string
	if json.Unmarshal(b, &s) != nil {
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			*t = looseTime(v)
			return nil
		}
	}
	return nil
}

// Token is the reply of POST /oauth/access-token.
type Token struct {
	ID                    string    `json:"_id"`
	Token                 string    `json:"token"`
	ExpiresAt             time.Time `json:"expiresAt"`
	RefreshToken          string    `json:"refreshToken"`
	RefreshTokenExpiresAt time.Time `json:"refreshTokenExpiresAt"`
	Scopes                []string  `json:"scopes"`
	MerchantID            string    `json:"MerchantId"`
	OauthClientID         string    `json:"OauthClientId"`
	MerchantAppID         string    `json:"MerchantAppId"`
}

// UnmarshalJSON reads a token reply tolerantly: ids as strings or numbers
// (client ids are 12-digit numbers), timestamps with or without
// milliseconds or zone, or as epoch milliseconds, scopes as a list or a
// space-separated string; fields folio does not use are ignored.
func (t *Token) UnmarshalJSON(b []byte) error {
	var r struct {
		ID                    json.RawMessage `json:"_id"`
		Token                 json.RawMessage `json:"token"`
		ExpiresAt             json.RawMessage `json:"expiresAt"`
		RefreshToken          json.RawMessage `json:"refreshToken"`
		RefreshTokenExpiresAt json.RawMessage `json:"refreshTokenExpiresAt"`
		Scopes                json.RawMessage `json:"scopes"`
		MerchantID            json.RawMessage `json:"MerchantId"`
		OauthClientID         json.RawMessage `json:"OauthClientId"`
		MerchantAppID         json.RawMessage `json:"MerchantAppId"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	var out Token
	var err error
	for _, f := range []struct {
		dst *string
		raw json.RawMessage
		key string
	}{{&out.ID, r.ID, "_id"}, {&out.Token, r.Token, "token"}, {&out.RefreshToken, r.RefreshToken, "refreshToken"},
		{&out.MerchantID, r.MerchantID, "MerchantId"}, {&out.OauthClientID, r.OauthClientID, "OauthClientId"},
		{&out.MerchantAppID, r.MerchantAppID, "MerchantAppId"}} {
		if *f.dst, err = flexString(f.raw); err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
	}
	if out.ExpiresAt, err = flexTime(r.ExpiresAt); err != nil {
		return fmt.Errorf("expiresAt: %w", err)
	}
	if out.RefreshTokenExpiresAt, err = flexTime(r.RefreshTokenExpiresAt); err != nil {
		return fmt.Errorf("refreshTokenExpiresAt: %w", err)
	}
	var one string
	if json.Unmarshal(r.Scopes, &out.Scopes) != nil && json.Unmarshal(r.Scopes, &one) == nil {
		out.Scopes = strings.Fields(one)
	}
	*t = out
	return nil
}

// flexString reads a JSON string or number as a string (absent or null: "").
func flexString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", errors.New("neither a string nor a number")
	}
	return n.String(), nil
}

// flexTime reads an ISO timestamp (with or without fraction; no zone is
// UTC) or a number of epoch milliseconds.
func flexTime(raw json.RawMessage) (time.Time, error) {
	s, err := flexString(raw)
	if err != nil || s == "" {
		return time.Time{}, err
	}
	if raw = bytes.TrimSpace(raw); raw[0] != '"' {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s is not a time", s)
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

// Pagination is the paging block of every list reply. NextPage is 0 on the
// last page.
type Pagination struct {
	TotalItems  int `json:"total_items"`
	TotalPages  int `json:"total_pages"`
	CurrentPage int `json:"current_page"`
	NextPage    int `json:"next_page"`
}

// Page is one page of a list reply.
type Page[T any] struct {
	Entries    []T        `json:"entries"`
	Pagination Pagination `json:"pagination"`
}

// LightCheckout is an entry of the checkouts list.
type LightCheckout struct {
	ID            string    `json:"_id"`
	Code          string    `json:"code"`
	Origin        string    `json:"origin"`
	PaymentStatus string    `json:"paymentStatus"`
	Status        string    `json:"status"`
	SoldAt        time.Time `json:"soldAt"`
	UpdatedAt     time.Time `json:"updatedAt"`
	Total         Amount    `json:"total"`
	// TotalErr says why total could not be read (Total is then 0). A bad
	// total does not refuse the entry: one order must not block the poll,
	// and its detail decides whether it goes to Errors.
	TotalErr error `json:"-"`
}

// UnmarshalJSON decodes a list entry, keeping it when its total is
// unreadable (see TotalErr).
func (l *LightCheckout) UnmarshalJSON(b []byte) error {
	type plain LightCheckout
	w := struct {
		*plain
		Total json.RawMessage `json:"total"`
	}{plain: (*plain)(l)}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	l.Total, l.TotalErr = 0, nil
	if len(w.Total) > 0 {
		n, err := parseAmount(w.Total)
		if ae, ok := err.(*AmountError); ok {
			ae.Field = "total"
		}
		l.Total, l.TotalErr = Amount(n), err
	}
	return nil
}

// Checkout is the detail of one order (GET /api/checkouts/{id}), as much of
// it as folio reads. It decodes tolerantly (see UnmarshalJSON): unknown
// fields are ignored, and text folio only shows takes any JSON scalar.
type Checkout struct {
	ID                         string                      `json:"_id"`
	Code                       string                      `json:"code"`
	Origin                     Text                        `json:"origin"`
	Status                     string                      `json:"status"`
	PaymentStatus              string                      `json:"paymentStatus"`
	DeliveryStatus             Text                        `json:"deliveryStatus,omitempty"`
	SoldAt                     time.Time                   `json:"soldAt"`
	UpdatedAt                  time.Time                   `json:"updatedAt"`
	Total                      Amount                      `json:"total"`
	BillingDocumentType        Text                        `json:"billingDocumentType,omitempty"` // an earlier guess, read as a fallback
	CheckoutBillingClients     []CheckoutClient            `json:"CheckoutBillingClients,omitempty"`
	Client                     CheckoutClient              `json:"Client"`
	CheckoutItems              []CheckoutItem              `json:"CheckoutItems"`
	DeliveryOrderInCheckouts   []DeliveryOrderInCheckout   `json:"DeliveryOrderInCheckouts"`
	CheckoutPayments           []CheckoutPayment           `json:"CheckoutPayments"`
	ElectronicBillingDocuments []ElectronicBillingDocument `json:"ElectronicBillingDocuments"`

	raw []byte // the JSON it was decoded from, for a configured factura field
}

// UnmarshalJSON decodes a checkout keeping its raw JSON, and reads the
// timestamps tolerantly: JavaScript ISO strings with milliseconds, RFC 3339,
// or Multivende's query form without a zone (UTC); anything else is the
// zero time rather than a refused order.
func (c *Checkout) UnmarshalJSON(b []byte) error {
	type plain Checkout
	w := struct {
		*plain
		SoldAt    looseTime `json:"soldAt"`
		UpdatedAt looseTime `json:"updatedAt"`
	}{plain: (*plain)(c)}
	if err := json.Unmarshal(b, &w); err != nil {
		return withAmountPath[Checkout](err, b)
	}
	c.SoldAt, c.UpdatedAt = time.Time(w.SoldAt), time.Time(w.UpdatedAt)
	c.raw = bytes.Clone(b)
	return nil
}

// CheckoutItem is one line of a checkout. Gross is the unit price with IVA.
// The name lives in ProductVersion.Product.name; Name is an earlier guess
// read as a fallback (see ItemName in uncertain.go).
type CheckoutItem struct {
	ID                string       `json:"_id,omitempty"`
	Code              Text         `json:"code"`
	Name              Text         `json:"name,omitempty"`
	Count             Quantity     `json:"count"`
	Gross             Amount       `json:"gross"`
	Discount          Amount       `json:"discount"`
	TotalWithDiscount Amount       `json:"totalWithDiscount"`
	ProductVersion    *ItemVersion `json:"ProductVersion,omitempty"`
}

// ItemVersion is the product version embedded in a checkout item: its code
// is the SKU and Product.name the item's name.
type ItemVersion struct {
	Code    Text         `json:"code"`
	Product *ItemProduct `json:"Product,omitempty"`
}

// ItemProduct is the product of an ItemVersion.
type ItemProduct struct {
	Name Text `json:"name"`
}

// DeliveryOrderInCheckout wraps the delivery order of a checkout.
type DeliveryOrderInCheckout struct {
	DeliveryOrder DeliveryOrder `json:"DeliveryOrder"`
}

// DeliveryOrder carries the shipping cost charged to the buyer (gross).
type DeliveryOrder struct {
	ID   string `json:"_id,omitempty"`
	Cost Amount `json:"cost"`
}

// CheckoutPayment is one payment of a checkout. No public integration reads
// a coupon field; CouponAmount is an earlier guess kept as a fallback (a
// coupon is otherwise derived from the checkout's total, see Sale).
// PaymentMethod ({code,name} on the wire) is not read: folio does not use it.
type CheckoutPayment struct {
	ID            string `json:"_id,omitempty"`
	Amount        Amount `json:"amount"`
	PaymentStatus string `json:"paymentStatus"`
	CouponAmount  Amount `json:"couponAmount,omitempty"`
}

// ElectronicBillingDocument is a document attached to a checkout.
type ElectronicBillingDocument struct {
	ID                                 string                          `json:"_id"`
	ClientID                           string                          `json:"ClientId,omitempty"`
	DocID                              string                          `json:"id,omitempty"`
	Code                               string                          `json:"code,omitempty"`
	Name                               string                          `json:"name,omitempty"`
	EmissionDate                       string                          `json:"emissionDate,omitempty"`
	Type                               string                          `json:"type,omitempty"`
	Provider                           string                          `json:"provider,omitempty"`
	ElectronicBillingDocumentEmitterID string                          `json:"ElectronicBillingDocumentEmitterId,omitempty"`
	ElectronicBillingDocumentFiles     []ElectronicBillingDocumentFile `json:"ElectronicBillingDocumentFiles,omitempty"`
}

// ElectronicBillingDocumentFile is an uploaded file of a billing document.
type ElectronicBillingDocumentFile struct {
	SynchronizationStatus string `json:"synchronizationStatus"`
	URL                   string `json:"url"`
}

// NewBillingDocument is the body of POST /api/checkouts/{id}/electronic-billing-documents.
type NewBillingDocument struct {
	ClientID                           string `json:"ClientId"`
	ID                                 string `json:"id"`
	Code                               string `json:"code"`
	Name                               string `json:"name"`
	EmissionDate                       string `json:"emissionDate"`
	Type                               string `json:"type"`
	Provider                           string `json:"provider"`
	ElectronicBillingDocumentEmitterID string `json:"ElectronicBillingDocumentEmitterId,omitempty"`
}
