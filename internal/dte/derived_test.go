package dte

import (
	"strings"
	"testing"
)

// The order's total, below the lines, yields one derived global discount
// after any explicit coupon; above them, a warning and no surcharge; a
// derived discount larger than the taxable amount is refused.
func TestDiscountDerivedFromOrderTotal(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		coupons          []int64
		orderTotal       int64
		exempt           bool
		derived, total   int64
		warn, err        string
		factura          bool
		neto, iva, exeAm int64
	}{
		"unknown total":            {orderTotal: 0, total: 10000},
		"equal":                    {orderTotal: 10000, total: 10000},
		"below: derived":           {orderTotal: 9000, derived: 1000, total: 9000},
		"after an explicit coupon": {coupons: []int64{500}, orderTotal: 9000, derived: 500, total: 9000},
		"above: warned":            {orderTotal: 10500, total: 10000, warn: "DTE-TOTAL-ABOVE-LINES"},
		"factura below":            {orderTotal: 9000, derived: 1000, factura: true, total: 9000, neto: 7563, iva: 1437},
		"exempt lines exceed":      {orderTotal: 100, exempt: true, err: "DTE-DISCOUNT-TOO-LARGE"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 6000}, Item{Name: "B", Qty: 1, UnitGross: 4000, Exempt: tt.exempt})
			s.Paid, s.Coupons, s.OrderTotal = 0, tt.coupons, tt.orderTotal
			if tt.factura {
				s.Requested, s.Buyer = RequestFactura, facturaBuyer()
			}
			doc, warns, err := Build(s, Options{})
			if tt.err != "" {
				if ve, ok := AsValidation(err); !ok || ve.Code != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var derived int64
			for _, g := range doc.DscRcgGlobal {
				if g.GlosaDR == GlosaDerived {
					derived += g.ValorDR
				}
			}
			tot := doc.Encabezado.Totales
			if derived != tt.derived || tot.MntTotal != tt.total || len(doc.DscRcgGlobal) != len(tt.coupons)+btoi(tt.derived > 0) {
				t.Fatalf("derived %d, totals %+v, discounts %+v", derived, tot, doc.DscRcgGlobal)
			}
			if tt.factura && (tot.MntNeto != tt.neto || tot.IVA != tt.iva) {
				t.Fatalf("factura totals %+v", tot)
			}
			if (tt.warn == "") != (len(warns) == 0) || (tt.warn != "" && warns[0].Code != tt.warn) {
				t.Fatalf("warnings %v, want %q", warns, tt.warn)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A difference from what was paid larger than a peso is not called IVA
// rounding on the preview.
func TestPreviewNamesAPaidDifference(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "A", Qty: 1, UnitGross: 10000})
	s.OrderTotal, s.Paid = 9000, 10000
	doc, warns, err := Build(s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p := Preview(doc, warns, s.Paid, EN, 60)
	if !strings.Contains(p, "Difference from what was paid: -$1.000") || strings.Contains(p, "rounding") {
		t.Fatalf("preview:\n%s", p)
	}
}
