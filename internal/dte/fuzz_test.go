package dte

import (
	"testing"
)

func FuzzBuild(f *testing.F) {
	f.Add(int64(2), int64(12990), int64(0), int64(3990), int64(0), false, false, uint8(0))
	f.Add(int64(1), int64(49990), int64(5000), int64(0), int64(0), false, true, uint8(1))
	f.Add(int64(3), int64(1), int64(1), int64(1), int64(1), true, false, uint8(2))
	f.Add(int64(1), int64(100), int64(0), int64(0), int64(150), true, true, uint8(0))
	f.Fuzz(func(t *testing.T, qty, price, disc, ship, coupon int64, exempt, factura bool, extra uint8) {
		// Keep amounts within what an order can hold so products do not overflow.
		const lim = 1 << 40
		if qty > 1<<20 || qty < -(1<<20) || price > lim || price < -lim || disc > lim || disc < -lim ||
			ship > lim || ship < -lim || coupon > lim || coupon < -lim {
			return
		}
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
		var paid int64
		for _, it := range s.Items {
			paid += it.UnitGross*it.Qty - it.Discount
		}
		paid += ship - coupon
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
		if doc.Encabezado.IdDoc.TipoDTE.IsBoleta() && tot.MntTotal != paid {
			t.Fatalf("boleta total %d != paid %d", tot.MntTotal, paid)
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
