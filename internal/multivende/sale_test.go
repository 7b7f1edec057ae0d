package multivende

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
)

func loadCheckout(t *testing.T, name string) *Checkout {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var c Checkout
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

func TestSaleFromFixtures(t *testing.T) {
	t.Parallel()
	bol := loadCheckout(t, "multivende-checkout.json").Sale()
	if bol.Requested != dte.RequestBoleta || bol.Shipping != 3990 || bol.Paid != 29970 || len(bol.Items) != 1 ||
		bol.Items[0].Qty != 2 || bol.Items[0].UnitGross != 12990 || bol.Buyer.Name != "Camila Rojas Pérez" {
		t.Fatalf("boleta sale = %+v", bol)
	}
	fac := loadCheckout(t, "multivende-checkout-factura.json").Sale()
	if fac.Requested != dte.RequestFactura || fac.Buyer.RUT != "76.354.771-K" || fac.Buyer.Comuna != "Providencia" ||
		fac.Buyer.Giro == "" || fac.Items[0].Discount != 5000 || fac.Paid != 45980 {
		t.Fatalf("factura sale = %+v", fac)
	}
	fac.Date = "2026-11-21"
	doc, _, err := dte.Build(fac, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Encabezado.Totales.MntTotal != 45980 {
		t.Fatalf("factura total %d", doc.Encabezado.Totales.MntTotal)
	}
}

func TestLineDiscountReading(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		it   CheckoutItem
		want int64
	}{
		"whole-line discount":             {CheckoutItem{Count: 2, Gross: 1000, Discount: 300, TotalWithDiscount: 1700}, 300},
		"per-unit discount by the totals": {CheckoutItem{Count: 2, Gross: 1000, Discount: 300, TotalWithDiscount: 1400}, 600},
		"no total given":                  {CheckoutItem{Count: 2, Gross: 1000, Discount: 300}, 300},
		"single unit":                     {CheckoutItem{Count: 1, Gross: 1000, Discount: 300, TotalWithDiscount: 700}, 300},
	}
	for name, tt := range tests {
		if got := lineDiscount(tt.it); got != tt.want {
			t.Errorf("%s: lineDiscount = %d, want %d", name, got, tt.want)
		}
	}
}

func TestAmountDecoding(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Amount{"12990": 12990, "12990.0": 12990, `"500"`: 500, "null": 0, "-5": -5} {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("Amount(%s) = %d, %v; want %d", in, a, err, want)
		}
	}
	for _, in := range []string{"12990.5", `"x"`, "1e30", "true"} {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err == nil {
			t.Errorf("Amount(%s) = %d, want an error", in, a)
		}
	}
}
