package multivende

import (
	"encoding/json"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
)

// FuzzCheckoutToDocument feeds checkout bytes through what the engine does
// with a detail reply — decode, Sale, dte.Build — and checks the document
// with big integers: every line is quantity × price − discount, the lines
// less the global discounts are the total, net + IVA + exempt = total, the
// net is round(gross / 1.19), shipping is the sum of the delivery costs,
// the total never exceeds the order's, and every amount is within the
// SII's limits. Nothing may panic; a refusal is a decode error naming the
// field, or a ValidationError from the catalog.
//
// Seeds: the real-shape fixtures, and the hostile values of issue 20.
// Soak: go test ./internal/multivende -run '^$' -fuzz FuzzCheckoutToDocument -fuzztime 1m
func FuzzCheckoutToDocument(f *testing.F) {
	for _, name := range []string{"multivende-checkout.json", "multivende-checkout-factura.json"} {
		b := readFixture(f, name)
		f.Add(b)
		s := string(b)
		for _, v := range []struct{ from, to string }{
			{`"gross": 12990`, `"gross": 4611686018427397904`},
			{`"count": 2`, `"count": 4`},
			{`"gross": 12990`, `"gross": "25980/2"`},
			{`"gross": 12990`, `"gross": "0x32BE"`},
			{`"gross": 12990`, `"gross": "NaN"`},
			{`"gross": 12990`, `"gross": 12990.5`},
			{`"gross": 12990`, `"gross": 1e999999`},
			{`"gross": 12990`, `"gross": 9223372036854775807`},
			{`"count": 2`, `"count": 2147483647`},
			{`"count": 2`, `"count": "2.0"`},
			{`"cost": 3990`, `"cost": 9223372036854775807`},
			{`"amount": 29970`, `"amount": -29970`},
			{`"total": 29970`, `"total": -29970`},
			{`"total": 29970`, `"total": 1`},
			{`"discount": 5000`, `"discount": 9223372036854775807`},
			{`"amount": 45980`, `"amount": 45980, "couponAmount": 9223372036854775807`},
		} {
			if strings.Contains(s, v.from) {
				f.Add([]byte(strings.Replace(s, v.from, v.to, 1)))
			}
		}
		// The issue's own case: 4 × 4 611 686 018 427 397 904 wrapped to $40.000.
		f.Add([]byte(strings.Replace(strings.Replace(s, `"count": 2`, `"count": 4`, 1), `"gross": 12990`, `"gross": 4611686018427397904`, 1)))
	}
	f.Add([]byte(`{"_id":"x","total":"12990.0","CheckoutItems":[{"count":"4","gross":4611686018427397904},{"count":2,"gross":9223372036854775807}]}`))
	f.Add([]byte(`{"_id":"x","CheckoutItems":[{"count":1,"gross":1}],"total":1,"total":"0x32BE"}`))
	f.Add([]byte(`{"_id":"x","CheckoutItems":[{"count":1000000,"gross":999999999999},{"count":1000000,"gross":999999999999}],"DeliveryOrderInCheckouts":[{"DeliveryOrder":{"cost":9223372036854775807}},{"DeliveryOrder":{"cost":9223372036854775807}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var co Checkout
		if err := json.Unmarshal(b, &co); err != nil {
			var ae *AmountError
			if errors.As(err, &ae) && (ae.Field == "" || ae.Value == "") {
				t.Fatalf("an unreadable amount without its field or value: %v", err)
			}
			return
		}
		for _, choice := range []dte.Choice{dte.ChoiceAuto, dte.ChoiceBoleta} {
			s := co.Sale()
			s.Date = "2026-11-24"
			doc, warns, err := dte.Build(s, dte.Options{Choice: choice})
			if err != nil {
				ve, ok := dte.AsValidation(err)
				if !ok {
					t.Fatalf("Build: %T %v, want a ValidationError", err, err)
				}
				if _, ok := dte.Lookup(ve.Code); !ok || ve.Field == "" || ve.Message.ES == "" || ve.Message.EN == "" || ve.Fix.ES == "" || ve.Fix.EN == "" {
					t.Fatalf("refusal without a catalog code, field or both languages: %+v", ve)
				}
				continue
			}
			checkDocument(t, &co, s, doc)
			_ = dte.Preview(doc, warns, s.Paid, dte.ES, 40)
			if _, err := json.Marshal(doc); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// checkDocument checks doc's arithmetic with big integers.
func checkDocument(t *testing.T, co *Checkout, s dte.Sale, doc dte.Document) {
	t.Helper()
	bi := func(v int64) *big.Int { return big.NewInt(v) }
	taxable, exempt, discounts := new(big.Int), new(big.Int), new(big.Int)
	for i, l := range doc.Detalle {
		want := new(big.Int).Mul(bi(l.QtyItem), bi(l.PrcItem))
		want.Sub(want, bi(l.DescuentoMonto))
		if want.Cmp(bi(l.MontoItem)) != 0 {
			t.Fatalf("line %d: %d × %d − %d = %s, MontoItem %d", i+1, l.QtyItem, l.PrcItem, l.DescuentoMonto, want, l.MontoItem)
		}
		if l.QtyItem <= 0 || l.QtyItem > dte.MaxQtyItem || l.PrcItem < 0 || l.PrcItem > dte.MaxPrcItem ||
			l.DescuentoMonto < 0 || l.MontoItem < 0 || l.MontoItem > dte.MaxMonto {
			t.Fatalf("line %d outside the SII's limits: %+v", i+1, l)
		}
		if l.IndExe == 1 {
			exempt.Add(exempt, bi(l.MontoItem))
		} else {
			taxable.Add(taxable, bi(l.MontoItem))
		}
	}
	for _, d := range doc.DscRcgGlobal {
		if d.ValorDR <= 0 || d.ValorDR > dte.MaxValorDR || d.TpoMov != "D" || d.TpoValor != "$" {
			t.Fatalf("global discount %+v", d)
		}
		discounts.Add(discounts, bi(d.ValorDR))
	}
	tot := doc.Encabezado.Totales
	gross := new(big.Int).Sub(taxable, discounts)
	if gross.Cmp(new(big.Int).Add(bi(tot.MntNeto), bi(tot.IVA))) != 0 {
		t.Fatalf("taxable lines %s − discounts %s = %s, neto %d + IVA %d", taxable, discounts, gross, tot.MntNeto, tot.IVA)
	}
	if exempt.Cmp(bi(tot.MntExe)) != 0 {
		t.Fatalf("exempt lines %s, MntExe %d", exempt, tot.MntExe)
	}
	sum := new(big.Int).Add(bi(tot.MntNeto), bi(tot.IVA))
	if sum.Add(sum, bi(tot.MntExe)).Cmp(bi(tot.MntTotal)) != 0 {
		t.Fatalf("neto %d + IVA %d + exento %d != total %d", tot.MntNeto, tot.IVA, tot.MntExe, tot.MntTotal)
	}
	if tot.MntTotal <= 0 || tot.MntTotal > dte.MaxMonto || tot.MntNeto < 0 || tot.IVA < 0 || tot.MntExe < 0 {
		t.Fatalf("totals %+v", tot)
	}
	// round(gross / 1.19) = ⌊(200 × gross + 119) / 238⌋ for gross ≥ 0.
	net := new(big.Int).Mul(gross, bi(200))
	net.Add(net, bi(119)).Quo(net, bi(238))
	if net.Cmp(bi(tot.MntNeto)) != 0 {
		t.Fatalf("net of %s is %s, MntNeto %d", gross, net, tot.MntNeto)
	}
	if s.OrderTotal > 0 && tot.MntTotal > s.OrderTotal {
		t.Fatalf("total %d above the order's %d", tot.MntTotal, s.OrderTotal)
	}
	// The mapping: shipping is the delivery costs' sum, computed apart.
	ship := new(big.Int)
	for _, d := range co.DeliveryOrderInCheckouts {
		ship.Add(ship, bi(int64(d.DeliveryOrder.Cost)))
	}
	lines := len(co.CheckoutItems)
	if ship.Sign() > 0 {
		lines++
	}
	if len(doc.Detalle) == lines { // not folded
		for i, it := range co.CheckoutItems {
			l := doc.Detalle[i]
			if l.QtyItem != int64(it.Count) || l.PrcItem != int64(it.Gross) {
				t.Fatalf("line %d is %d × %d, item %d × %d", i+1, l.QtyItem, l.PrcItem, it.Count, it.Gross)
			}
		}
		var got int64
		if n := len(co.CheckoutItems); len(doc.Detalle) > n {
			got = doc.Detalle[n].PrcItem
		}
		if ship.Cmp(bi(got)) != 0 {
			t.Fatalf("delivery costs add up to %s, shipping line %d", ship, got)
		}
	}
}

// amountSpec is what an amount may look like (the JSON number or the
// string's content, trimmed): a plain decimal integer, maybe with a
// fraction of zeros.
var amountSpec = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.0+)?$`)

// FuzzCheckoutAmounts writes fuzzed JSON values into the real-shape
// checkout's amounts and quantity: each is read only when it is a plain
// decimal integer that fits (checked against amountSpec and big integers),
// a refusal names its field, and what decodes goes through Sale and Build
// with the same checks as FuzzCheckoutToDocument.
// Soak: go test ./internal/multivende -run '^$' -fuzz FuzzCheckoutAmounts -fuzztime 1m
func FuzzCheckoutAmounts(f *testing.F) {
	f.Add("2", "12990", "0", "3990", "29970", "29970")
	f.Add("4", "4611686018427397904", "0", "0", "40000", "40000")
	f.Add("2", "9223372036854775807", "0", "0", "0", "0")
	f.Add("2147483647", "1", "0", "0", "0", "0")
	f.Add(`"2.0"`, `"25980/2"`, `"0x32BE"`, `"NaN"`, "12990.5", "1e999999")
	f.Add("1000000", "999999999999", "1", "999999999999", "-1", "9223372036854775807")
	f.Add(`" 3 "`, `"12990.000"`, "-0", "null", `"-5"`, "0.0")
	tmpl := readFixture(f, "multivende-checkout.json")
	// In the order they appear in the fixture: the first bad one is refused.
	fields := []struct{ from, path string }{
		{`"total": 29970`, "total"},
		{`"count": 2`, "CheckoutItems[0].count"}, {`"gross": 12990`, "CheckoutItems[0].gross"},
		{`"discount": 0`, "CheckoutItems[0].discount"}, {`"cost": 3990`, "DeliveryOrderInCheckouts[0].DeliveryOrder.cost"},
		{`"amount": 29970`, "CheckoutPayments[0].amount"},
	}
	for i := 1; i < len(fields); i++ {
		if strings.Index(string(tmpl), fields[i].from) < strings.Index(string(tmpl), fields[i-1].from) {
			f.Fatalf("%s comes before %s in the fixture", fields[i].from, fields[i-1].from)
		}
	}
	f.Fuzz(func(t *testing.T, count, gross, discount, cost, amount, total string) {
		vals := []string{total, count, gross, discount, cost, amount}
		s := string(tmpl)
		for i, fl := range fields {
			if !json.Valid([]byte(vals[i])) {
				return // not a JSON value: the reply would not be JSON at all
			}
			s = strings.Replace(s, fl.from, fl.from[:strings.Index(fl.from, ":")+2]+vals[i], 1)
		}
		// The spec: which values must be read, and as what.
		want := make([]*big.Int, len(vals))
		firstBad := -1
		for i, v := range vals {
			text := strings.TrimSpace(v)
			if text == "null" {
				want[i] = new(big.Int)
				continue
			}
			if strings.HasPrefix(text, `"`) {
				var str string
				if json.Unmarshal([]byte(text), &str) != nil {
					t.Fatalf("a valid JSON value that is not a string: %s", text)
				}
				text = strings.TrimSpace(str)
			}
			if amountSpec.MatchString(text) {
				n, _ := new(big.Int).SetString(strings.SplitN(text, ".", 2)[0], 10)
				if n.IsInt64() {
					want[i] = n
					continue
				}
			}
			if firstBad < 0 {
				firstBad = i
			}
		}
		var co Checkout
		err := json.Unmarshal([]byte(s), &co)
		if firstBad >= 0 {
			var ae *AmountError
			if !errors.As(err, &ae) {
				t.Fatalf("%s = %s was read (err %v)", fields[firstBad].path, vals[firstBad], err)
			}
			if ae.Field != fields[firstBad].path {
				t.Fatalf("the refusal names %s, want %s (%v)", ae.Field, fields[firstBad].path, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("plain amounts %v refused: %v", vals, err)
		}
		got := []int64{int64(co.Total), int64(co.CheckoutItems[0].Count), int64(co.CheckoutItems[0].Gross), int64(co.CheckoutItems[0].Discount),
			int64(co.DeliveryOrderInCheckouts[0].DeliveryOrder.Cost), int64(co.CheckoutPayments[0].Amount)}
		for i := range got {
			if want[i].Cmp(big.NewInt(got[i])) != 0 {
				t.Fatalf("%s = %s read as %d", fields[i].path, vals[i], got[i])
			}
		}
		sale := co.Sale()
		doc, _, err := dte.Build(sale, dte.Options{})
		if err != nil {
			if _, ok := dte.AsValidation(err); !ok {
				t.Fatalf("Build: %v", err)
			}
			return
		}
		checkDocument(t, &co, sale, doc)
	})
}
