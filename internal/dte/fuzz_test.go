package dte

import (
	"math"
	"math/big"
	"testing"
)

func FuzzBuild(f *testing.F) {
	f.Add(int64(2), int64(12990), int64(0), int64(3990), int64(0), false, false, uint8(0))
	f.Add(int64(1), int64(49990), int64(5000), int64(0), int64(0), false, true, uint8(1))
	f.Add(int64(3), int64(1), int64(1), int64(1), int64(1), true, false, uint8(2))
	f.Add(int64(1), int64(100), int64(0), int64(0), int64(150), true, true, uint8(0))
	f.Add(int64(4), int64(4611686018427397904), int64(0), int64(0), int64(0), false, false, uint8(0))
	f.Add(int64(2), int64(math.MaxInt64), int64(0), int64(0), int64(0), false, false, uint8(0))
	f.Add(int64(2147483647), int64(1), int64(0), int64(0), int64(0), false, false, uint8(0))
	f.Add(int64(1_000_000), int64(999_999_999_999), int64(0), int64(999_999_999_999), int64(1), false, false, uint8(4))
	f.Fuzz(func(t *testing.T, qty, price, disc, ship, coupon int64, exempt, factura bool, extra uint8) {
		// Any int64 goes: Build checks its arithmetic and the SII's limits.
		s := Sale{Date: "2026-11-24", Shipping: ship, Buyer: Buyer{RUT: "76354771-K", BusinessName: "X", Giro: "g", Address: "a", Comuna: "c"}}
		s.Items = append(s.Items, Item{Name: "A", Qty: qty, UnitGross: price, Discount: disc, Exempt: exempt})
		for i := 0; i < int(extra%5); i++ {
			s.Items = append(s.Items, Item{Name: "B", Qty: 1, UnitGross: price / 3, Exempt: i%2 == 0})
		}
		if coupon != 0 {
			s.Coupons = []int64{coupon}
		}
		if factura {
			s.Requested = RequestFactura
		}
		// What the buyer paid, in big integers; unknown (0) when it does not fit.
		bigPaid := new(big.Int)
		for _, it := range s.Items {
			l := new(big.Int).Mul(big.NewInt(it.UnitGross), big.NewInt(it.Qty))
			bigPaid.Add(bigPaid, l.Sub(l, big.NewInt(it.Discount)))
		}
		bigPaid.Add(bigPaid, big.NewInt(ship)).Sub(bigPaid, big.NewInt(coupon))
		var paid int64
		if bigPaid.IsInt64() {
			paid = bigPaid.Int64()
		}
		s.Paid = paid
		doc, _, err := Build(s, Options{})
		if err != nil {
			if _, ok := AsValidation(err); !ok {
				t.Fatalf("non-validation error %T: %v", err, err)
			}
			return
		}
		tot := doc.Encabezado.Totales
		if tot.MntNeto+tot.IVA+tot.MntExe != tot.MntTotal {
			t.Fatalf("neto %d + IVA %d + exento %d != total %d", tot.MntNeto, tot.IVA, tot.MntExe, tot.MntTotal)
		}
		if tot.MntTotal <= 0 || tot.MntNeto < 0 || tot.IVA < 0 || tot.MntExe < 0 {
			t.Fatalf("bad totals %+v", tot)
		}
		if tot.MntTotal > MaxMonto || bigPaid.Cmp(big.NewInt(tot.MntTotal)) != 0 && doc.Encabezado.IdDoc.TipoDTE.IsBoleta() {
			t.Fatalf("total %d (%s) beyond the limit or not what was paid (%s)", tot.MntTotal, doc.Encabezado.IdDoc.TipoDTE.Name(), bigPaid)
		}
		if d := tot.MntTotal - paid; doc.Encabezado.IdDoc.TipoDTE.IsFactura() && (d > 1 || d < -1) {
			t.Fatalf("factura total %d differs from paid %d by more than a peso", tot.MntTotal, paid)
		}
		_ = Preview(doc, nil, paid, ES, 40)
	})
}

func BenchmarkBuild(b *testing.B) {
	s := Sale{Date: "2026-11-24", Shipping: 3990, Coupons: []int64{1000}, Paid: 40940,
		Items: []Item{{SKU: "A", Name: "Taza de cerámica esmaltada", Qty: 2, UnitGross: 12990}, {SKU: "B", Name: "Plato", Qty: 1, UnitGross: 12000, Discount: 1000}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Build(s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "builds/s")
}
