package multivende

import (
	"github.com/folio-cl/folio/internal/dte"
)

// Sale maps a checkout to the tax domain's neutral input. The emission date
// and the emisor are the caller's to set.
func (c *Checkout) Sale() dte.Sale {
	s := dte.Sale{}
	switch c.RequestedDocumentType() {
	case BillingInvoice:
		s.Requested = dte.RequestFactura
	case BillingBill:
		s.Requested = dte.RequestBoleta
	}
	cl := c.Client
	s.Buyer = dte.Buyer{Name: cl.FullName, RUT: cl.TaxID, BusinessName: cl.BusinessName, Giro: cl.Activity, Email: cl.Email}
	if len(cl.BillingAddresses) > 0 {
		a := cl.BillingAddresses[0]
		s.Buyer.Address, s.Buyer.Comuna, s.Buyer.City = a.Address, a.Comune, a.City
	}
	for _, it := range c.CheckoutItems {
		s.Items = append(s.Items, dte.Item{SKU: it.Code, Name: it.Name, Qty: int64(it.Count),
			UnitGross: int64(it.Gross), Discount: lineDiscount(it)})
	}
	for _, d := range c.DeliveryOrderInCheckouts {
		s.Shipping += int64(d.DeliveryOrder.Cost)
	}
	var paid int64
	for _, p := range c.CheckoutPayments {
		if p.CouponAmount > 0 {
			s.Coupons = append(s.Coupons, int64(p.CouponAmount))
		}
		paid += int64(p.Amount)
	}
	if paid == 0 {
		paid = int64(c.Total)
	}
	s.Paid = paid
	return s
}

// lineDiscount returns the discount of the whole line. The documentation
// calls `discount` the line discount; when totalWithDiscount shows it was
// per unit instead, the per-unit reading wins so the line adds up.
func lineDiscount(it CheckoutItem) int64 {
	qty, gross, disc, total := int64(it.Count), int64(it.Gross), int64(it.Discount), int64(it.TotalWithDiscount)
	if total > 0 && qty > 1 && qty*gross-disc != total && qty*(gross-disc) == total {
		return qty * disc
	}
	return disc
}
