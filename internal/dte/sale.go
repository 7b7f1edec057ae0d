package dte

// Requested says which document the buyer asked for.
type Requested int

// What a buyer may ask for. RequestNone issues a boleta.
const (
	RequestNone Requested = iota
	RequestBoleta
	RequestFactura
)

// Sale is the neutral input of the builder: what was sold, to whom, and what
// the buyer paid. Amounts are whole CLP and gross (IVA included), as
// Multivende gives them.
type Sale struct {
	Requested Requested
	// Rule is which rule chose Requested, for a person to read.
	Rule  Rule
	Buyer Buyer
	Items []Item
	// Shipping charged to the buyer (gross); 0 means none.
	Shipping int64
	// Coupons and order-level discounts (gross), each a DscRcgGlobal.
	Coupons []int64
	// OrderTotal is the order's total as the marketplace states it (0:
	// unknown). When the lines with shipping, less the coupons, exceed it,
	// the difference is a global discount derived from the total (no
	// public field carries coupons); when they fall short, a warning: no
	// surcharge is invented.
	OrderTotal int64
	// Paid is what the buyer paid, when known (0: unknown). A boleta's
	// total must equal it; a difference is reported as a warning.
	Paid int64
	// Date is the emission date, YYYY-MM-DD.
	Date   string
	Emisor Emisor
}

// Rule records which rule chose boleta or factura: ID is a message id of
// the internal/i18n catalog ("rule.identity", …) and Args its arguments.
type Rule struct {
	ID   string   `json:"id"`
	Args []string `json:"args,omitempty"`
}

// Buyer is the buyer as the order gives it. RUT is raw text in any format.
type Buyer struct {
	Name         string // person's name
	RUT          string
	BusinessName string // razón social, for a factura
	Giro         string
	Address      string
	Comuna       string
	City         string
	Email        string
}

// Item is one line sold.
type Item struct {
	SKU       string
	Name      string
	Qty       int64
	UnitGross int64
	// Discount is the line's discount in CLP (the whole line's, not per unit).
	Discount int64
	Exempt   bool
}
