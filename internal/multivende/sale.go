package multivende

import (
	"math"

	"github.com/folio-cl/folio/internal/dte"
)

// Sale maps a checkout to the tax domain's neutral input with no factura
// mapping configured. The emission date and the emisor are the caller's.
func (c *Checkout) Sale() dte.Sale { return c.SaleWith(FacturaMapping{}) }

// SaleWith maps a checkout to the tax domain's neutral input, deciding
// boleta or factura by DocumentRule with the connection's mapping.
func (c *Checkout) SaleWith(m FacturaMapping) dte.Sale {
	s := dte.Sale{}
	s.Requested, s.Rule = c.DocumentRule(m)
	cl := c.Client
	if s.Requested == dte.RequestFactura {
		cl, _ = c.BillingIdentity()
	}
	s.Buyer = dte.Buyer{Name: cl.DisplayName(), RUT: cl.TaxID.String(), BusinessName: cl.RazonSocial(),
		Giro: cl.Activity.String(), City: cl.City.String(), Email: cl.Email.String()}
	if s.Buyer.Name == "" {
		s.Buyer.Name = c.Client.DisplayName()
	}
	if len(cl.BillingAddresses) > 0 {
		a := cl.BillingAddresses[0]
		s.Buyer.Address = a.Line()
		s.Buyer.Comuna = Comuna(cl, a)
	} else {
		s.Buyer.Comuna = Comuna(cl, BillingAddress{})
	}
	for _, it := range c.CheckoutItems {
		s.Items = append(s.Items, dte.Item{SKU: ItemSKU(it), Name: ItemName(it), Qty: int64(it.Count),
			UnitGross: int64(it.Gross), Discount: lineDiscount(it)})
	}
	for _, d := range c.DeliveryOrderInCheckouts {
		s.Shipping = addSat(s.Shipping, int64(d.DeliveryOrder.Cost))
	}
	var paid int64
	for _, p := range c.CheckoutPayments {
		if p.CouponAmount > 0 { // the earlier guess, when a reply has it
			s.Coupons = append(s.Coupons, int64(p.CouponAmount))
		}
		paid = addSat(paid, int64(p.Amount))
	}
	s.OrderTotal = int64(c.Total)
	if paid == 0 {
		paid = int64(c.Total)
	}
	s.Paid = paid
	return s
}

// lineDiscount returns the discount of the whole line. The documentation
// calls `discount` the line discount; when totalWithDiscount shows it was
// per unit instead, the per-unit reading wins so the line adds up.
// Products that do not fit an int64 never match the total.
func lineDiscount(it CheckoutItem) int64 {
	qty, gross, disc, total := int64(it.Count), int64(it.Gross), int64(it.Discount), int64(it.TotalWithDiscount)
	if total <= 0 || qty <= 1 {
		return disc
	}
	line, ok1 := dte.MulChecked(qty, gross)
	net, ok2 := dte.AddChecked(gross, -disc)
	perUnit, ok3 := dte.MulChecked(qty, net)
	whole, ok4 := dte.MulChecked(qty, disc)
	if ok2 && ok3 && ok4 && perUnit == total && (!ok1 || line-disc != total) {
		return whole
	}
	return disc
}

// addSat adds two amounts of a checkout; a sum that would not fit an int64
// sticks at the end of the range, where dte.Build refuses it naming the
// field (every SII limit is far below), instead of wrapping into a
// plausible amount.
func addSat(a, b int64) int64 {
	if c, ok := dte.AddChecked(a, b); ok {
		return c
	}
	if a > 0 {
		return math.MaxInt64
	}
	return math.MinInt64
}
