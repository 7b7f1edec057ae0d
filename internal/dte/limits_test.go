package dte

import (
	"math"
	"math/big"
	"strings"
	"testing"
)

// wantRefused asserts Build refuses s with code, naming field and the limit
// in both languages.
func wantRefused(t *testing.T, s Sale, code, field, limit string) {
	t.Helper()
	doc, _, err := Build(s, Options{})
	ve, ok := AsValidation(err)
	if !ok {
		t.Fatalf("Build = %+v, %v; want %s on %s", doc.Encabezado.Totales, err, code, field)
	}
	if ve.Code != code || ve.Field != field {
		t.Fatalf("refused with %s on %s (%v); want %s on %s", ve.Code, ve.Field, err, code, field)
	}
	for _, lang := range []Lang{ES, EN} {
		if line := ve.Line(lang); !strings.Contains(line, limit) || ve.Fix.In(lang) == "" {
			t.Fatalf("%s: %q does not name the limit %s, or has no fix", lang, line, limit)
		}
	}
	if _, ok := Lookup(code); !ok {
		t.Fatalf("%s is not in the catalog", code)
	}
}

// Issue 20: count × price wrapped int64 (4 × 4 611 686 018 427 397 904 was a
// $40.000 line), 2 × (2⁶³−1) read as a discount error, and a count of
// 2 147 483 647 was accepted.
func TestBuildRefusesAmountsBeyondLimits(t *testing.T) {
	t.Parallel()
	one := Item{Name: "A", Qty: 1, UnitGross: 1000}
	many := func(n int, it Item) []Item {
		out := make([]Item, n)
		for i := range out {
			out[i] = it
		}
		return out
	}
	tests := map[string]struct {
		sale               Sale
		code, field, limit string
	}{
		"product wraps to $40.000": {saleOf(Item{Name: "A", Qty: 4, UnitGross: 4611686018427397904}),
			"DTE-AMOUNT-LIMIT", "CheckoutItems[0].gross", "999.999.999.999"},
		"2 × (2⁶³−1) is a price, not a discount": {Sale{Items: []Item{{Name: "A", Qty: 2, UnitGross: math.MaxInt64}}},
			"DTE-AMOUNT-LIMIT", "CheckoutItems[0].gross", "999.999.999.999"},
		"count of 2 147 483 647": {saleOf(Item{Name: "A", Qty: 2147483647, UnitGross: 1}),
			"DTE-QTY-LIMIT", "CheckoutItems[0].count", "1.000.000"},
		"count of 2⁶³−1": {Sale{Items: []Item{{Name: "A", Qty: math.MaxInt64, UnitGross: 2}}},
			"DTE-QTY-LIMIT", "CheckoutItems[0].count", "1.000.000"},
		"discount beyond 18 digits": {Sale{Items: []Item{{Name: "A", Qty: 1, UnitGross: 1000, Discount: math.MaxInt64}}},
			"DTE-DISCOUNT-TOO-LARGE", "CheckoutItems[0].discount", "1.000"},
		"lines whose sum wraps": {Sale{Items: many(10, Item{Name: "A", Qty: 1_000_000, UnitGross: 999_999_999_999})},
			"DTE-AMOUNT-LIMIT", "Totales.MntTotal", "999.999.999.999.999.999"},
		"exempt lines whose sum wraps": {Sale{Items: many(10, Item{Name: "A", Qty: 1_000_000, UnitGross: 999_999_999_999, Exempt: true})},
			"DTE-AMOUNT-LIMIT", "Totales.MntTotal", "999.999.999.999.999.999"},
		"two lines above MntTotal": {Sale{Items: many(2, Item{Name: "A", Qty: 1_000_000, UnitGross: 999_999_999_999})},
			"DTE-AMOUNT-LIMIT", "Totales.MntTotal", "999.999.999.999.999.999"},
		"shipping beyond PrcItem": {Sale{Items: []Item{one}, Shipping: math.MaxInt64},
			"DTE-AMOUNT-LIMIT", "DeliveryOrder.cost", "999.999.999.999"},
		"coupon beyond ValorDR": {Sale{Items: []Item{one}, Coupons: []int64{math.MaxInt64}},
			"DTE-AMOUNT-LIMIT", "CheckoutPayments.couponAmount", "9.999.999.999.999.999"},
		"payments beyond MntTotal": {Sale{Items: []Item{one}, Paid: math.MaxInt64},
			"DTE-AMOUNT-LIMIT", "CheckoutPayments.amount", "999.999.999.999.999.999"},
		"order total beyond MntTotal": {Sale{Items: []Item{one}, OrderTotal: math.MaxInt64},
			"DTE-AMOUNT-LIMIT", "total", "999.999.999.999.999.999"},
		"folded lines beyond PrcItem": {Sale{Items: many(1010, Item{Name: "A", Qty: 1000, UnitGross: 999_999_999})},
			"DTE-AMOUNT-LIMIT", "Detalle[1000].PrcItem", "999.999.999.999"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			wantRefused(t, tt.sale, tt.code, tt.field, tt.limit)
		})
	}
}

// A negative paid total or order total cannot be right for a sale: the
// buyer did not pay less than nothing. It is refused, not ignored.
func TestBuildRefusesNegativePaid(t *testing.T) {
	t.Parallel()
	one := Item{Name: "A", Qty: 1, UnitGross: 1000}
	wantRefused(t, Sale{Items: []Item{one}, Paid: -1000}, "DTE-PAID-NEGATIVE", "CheckoutPayments.amount", "-1000")
	wantRefused(t, Sale{Items: []Item{one}, OrderTotal: -1000}, "DTE-PAID-NEGATIVE", "total", "-1000")
}

// The largest document the SII's schema allows is built exactly: line
// amounts, net and IVA are computed without wrapping (gross × 100 alone
// would overflow int64).
func TestBuildAtTheLimits(t *testing.T) {
	t.Parallel()
	// MntTotal exactly 999 999 999 999 999 999: one line of 999 999 × 999 999 999 999 (= 999 998 999 999 000 001)
	// plus lines making up the rest.
	it := Item{Name: "A", Qty: 999_999, UnitGross: 999_999_999_999}
	rest := int64(MaxMonto - 999_999*999_999_999_999)
	s := Sale{Items: []Item{it, {Name: "B", Qty: 1_000, UnitGross: rest / 1_000}, {Name: "C", Qty: 1, UnitGross: rest % 1_000}}}
	s.Paid = MaxMonto
	doc, _ := mustBuild(t, s, Options{})
	tot := doc.Encabezado.Totales
	if tot.MntTotal != MaxMonto {
		t.Fatalf("MntTotal = %d, want %d", tot.MntTotal, int64(MaxMonto))
	}
	// Net = round(total / 1.19), computed with big integers.
	n := new(big.Int).Mul(big.NewInt(MaxMonto), big.NewInt(200))
	n.Add(n, big.NewInt(119))
	n.Quo(n, big.NewInt(238))
	if tot.MntNeto != n.Int64() || tot.IVA != MaxMonto-n.Int64() {
		t.Fatalf("neto %d IVA %d, want %s and the rest", tot.MntNeto, tot.IVA, n)
	}
}

func TestNetAndIVAWithoutOverflow(t *testing.T) {
	t.Parallel()
	round := func(num, den *big.Int) int64 { // half away from zero
		q, r := new(big.Int).QuoRem(num, den, new(big.Int))
		if r.Sign() != 0 && new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2)).Cmp(den) >= 0 {
			q.Add(q, big.NewInt(int64(num.Sign())))
		}
		return q.Int64()
	}
	for _, g := range []int64{0, 1, 59, 60, 119, 29970, MaxMonto, math.MaxInt64 / 2, math.MaxInt64, -1, -60, -MaxMonto, math.MinInt64 + 1} {
		want := round(new(big.Int).Mul(big.NewInt(g), big.NewInt(100)), big.NewInt(119))
		if got := NetFromGross(g); got != want {
			t.Errorf("NetFromGross(%d) = %d, want %d", g, got, want)
		}
		want = round(new(big.Int).Mul(big.NewInt(g), big.NewInt(19)), big.NewInt(100))
		if got := IVAOf(g); got != want {
			t.Errorf("IVAOf(%d) = %d, want %d", g, got, want)
		}
	}
}

func TestCheckedArithmetic(t *testing.T) {
	t.Parallel()
	muls := []struct {
		a, b int64
		ok   bool
	}{
		{4, 4611686018427397904, false}, {2, math.MaxInt64, false}, {-1, math.MinInt64, false}, {math.MinInt64, -1, false},
		{3037000499, 3037000499, true}, {3037000500, 3037000500, false}, {-2, math.MinInt64 / 2, false}, {2, math.MinInt64 / 2, true},
		{0, math.MinInt64, true}, {1_000_000, 999_999_999_999, true},
	}
	for _, m := range muls {
		got, ok := MulChecked(m.a, m.b)
		want := new(big.Int).Mul(big.NewInt(m.a), big.NewInt(m.b))
		if ok != m.ok || ok && got != want.Int64() {
			t.Errorf("MulChecked(%d, %d) = %d, %v; want %s, %v", m.a, m.b, got, ok, want, m.ok)
		}
	}
	adds := []struct {
		a, b int64
		ok   bool
	}{{math.MaxInt64, 1, false}, {math.MinInt64, -1, false}, {math.MaxInt64, math.MinInt64, true}, {-5, 3, true}}
	for _, a := range adds {
		got, ok := AddChecked(a.a, a.b)
		if ok != a.ok || ok && got != a.a+a.b {
			t.Errorf("AddChecked(%d, %d) = %d, %v; want ok %v", a.a, a.b, got, ok, a.ok)
		}
	}
}

func TestFormatCLPExtremes(t *testing.T) {
	t.Parallel()
	if got := FormatCLP(math.MinInt64); got != "-$9.223.372.036.854.775.808" {
		t.Errorf("FormatCLP(MinInt64) = %s", got)
	}
}
