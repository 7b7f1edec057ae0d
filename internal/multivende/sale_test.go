package multivende

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
)

func loadCheckout(t *testing.T, name string) *Checkout {
	t.Helper()
	var c Checkout
	if err := json.Unmarshal(readFixture(t, name), &c); err != nil {
		t.Fatal(err)
	}
	return &c
}

// variant is a fixture with a change applied to its generic JSON.
func variant(t *testing.T, name string, change func(m map[string]any)) *Checkout {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var c Checkout
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatalf("the variant does not decode: %v\n%s", err, b)
	}
	return &c
}

func obj(m map[string]any, path ...any) map[string]any {
	var cur any = m
	for _, p := range path {
		switch k := p.(type) {
		case string:
			cur = cur.(map[string]any)[k]
		case int:
			cur = cur.([]any)[k]
		}
	}
	return cur.(map[string]any)
}

func build(t *testing.T, s dte.Sale) (dte.Document, []dte.Warning) {
	t.Helper()
	s.Date = "2026-11-21"
	doc, warns, err := dte.Build(s, dte.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return doc, warns
}

// The shared fixtures (the real checkout shape) decode to the sale and the
// document dte.md works out.
func TestSaleFromFixtures(t *testing.T) {
	t.Parallel()
	co := loadCheckout(t, "multivende-checkout.json")
	if co.UpdatedAt.Nanosecond() != 208_000_000 || co.SoldAt.IsZero() {
		t.Fatalf("timestamps: sold %v, updated %v", co.SoldAt, co.UpdatedAt)
	}
	bol := co.Sale()
	if bol.Requested != dte.RequestBoleta || bol.Rule.ID != RuleNone || bol.Shipping != 3990 || bol.Paid != 29970 ||
		bol.OrderTotal != 29970 || len(bol.Items) != 1 || bol.Items[0].Qty != 2 || bol.Items[0].UnitGross != 12990 ||
		bol.Items[0].SKU != "TAZA-CER-01" || bol.Items[0].Name != "Taza de cerámica esmaltada 350 ml, azul" ||
		bol.Buyer.Name != "Camila Rojas Pérez" || len(bol.Coupons) != 0 {
		t.Fatalf("boleta sale = %+v", bol)
	}
	doc, warns := build(t, bol)
	tot := doc.Encabezado.Totales
	if doc.Encabezado.IdDoc.TipoDTE != dte.Boleta || tot.MntTotal != 29970 || tot.MntNeto != 25185 || tot.IVA != 4785 ||
		len(doc.Detalle) != 2 || doc.Detalle[1].NmbItem != dte.ShippingLineName || doc.Detalle[1].MontoItem != 3990 ||
		len(doc.DscRcgGlobal) != 0 || len(warns) != 0 {
		t.Fatalf("boleta document %+v, warnings %v", doc, warns)
	}

	fac := loadCheckout(t, "multivende-checkout-factura.json").Sale()
	b := fac.Buyer
	if fac.Requested != dte.RequestFactura || fac.Rule.ID != RuleIdentity || fac.Rule.Args[0] != "76.354.771-K" ||
		b.RUT != "76.354.771-K" || b.BusinessName != "Comercial Los Aromos SpA" ||
		b.Giro != "Venta al por menor de artículos de ferretería" || b.Address != "Av. Providencia 1234, oficina 56" ||
		b.Comuna != "Providencia" || b.Email != "compras@losaromos.example.cl" || fac.Shipping != 0 ||
		fac.Items[0].Discount != 5000 || fac.Items[0].Name != "Taladro percutor inalámbrico 18V con 2 baterías" ||
		fac.Items[1].SKU != "BRO-SET" || fac.Paid != 45980 {
		t.Fatalf("factura sale = %+v", fac)
	}
	doc, _ = build(t, fac)
	h := doc.Encabezado
	if h.IdDoc.TipoDTE != dte.Factura || h.Totales.MntTotal != 45980 || h.Totales.MntNeto != 38639 || h.Totales.IVA != 7341 ||
		h.Receptor.RUTRecep != "76354771-K" || h.Receptor.CmnaRecep != "Providencia" || h.Receptor.DirRecep != "Av. Providencia 1234, oficina 56" {
		t.Fatalf("factura document %+v", h)
	}
}

// Payload shapes seen in public integrations and in the earlier guessed
// docs: each decodes, and the sale keeps what folio needs.
func TestCheckoutPayloadVariants(t *testing.T) {
	t.Parallel()
	const bol, fac = "multivende-checkout.json", "multivende-checkout-factura.json"
	tests := map[string]struct {
		file   string
		change func(m map[string]any)
		check  func(s dte.Sale) bool
	}{
		"PaymentMethod as an object": {bol, func(m map[string]any) {}, func(s dte.Sale) bool { return s.Paid == 29970 }},
		"PaymentMethod as a string": {bol, func(m map[string]any) {
			obj(m, "CheckoutPayments", 0)["PaymentMethod"] = "mercadopago"
			obj(m, "CheckoutPayments", 0)["paymentMethod"] = "mercadopago"
		}, func(s dte.Sale) bool { return s.Paid == 29970 }},
		"PaymentMethod null": {bol, func(m map[string]any) { obj(m, "CheckoutPayments", 0)["PaymentMethod"] = nil },
			func(s dte.Sale) bool { return s.Paid == 29970 }},
		"numbers as strings": {bol, func(m map[string]any) {
			it := obj(m, "CheckoutItems", 0)
			it["gross"], it["count"], it["discount"] = "12990", "2", "0"
			m["total"] = "29970"
			obj(m, "DeliveryOrderInCheckouts", 0, "DeliveryOrder")["cost"] = "3990"
		}, func(s dte.Sale) bool {
			return s.Items[0].UnitGross == 12990 && s.Items[0].Qty == 2 && s.Shipping == 3990 && s.OrderTotal == 29970
		}},
		"amounts written with a fractional zero": {bol, func(m map[string]any) { obj(m, "CheckoutItems", 0)["gross"] = json.Number("12990.0") },
			func(s dte.Sale) bool { return s.Items[0].UnitGross == 12990 }},
		"null fields": {bol, func(m map[string]any) {
			c := obj(m, "Client")
			c["fullName"], c["email"], c["BillingAddresses"] = nil, nil, nil
			m["CheckoutBillingClients"], m["updatedAt"], m["deliveryStatus"] = nil, nil, nil
			obj(m, "CheckoutItems", 0, "ProductVersion")["internalCode"] = nil
		}, func(s dte.Sale) bool {
			return s.Buyer.Name == "Camila Rojas Pérez" && s.Requested == dte.RequestBoleta
		}},
		"extra unknown fields": {bol, func(m map[string]any) {
			m["isMultiwarehouse"], m["courierName"], m["shippingMode"] = false, "Chilexpress", "me2"
			m["CheckoutLink"] = map[string]any{"CheckoutId": "x", "externalOrderNumber": "1", "nested": map[string]any{"a": []any{1, 2}}}
			obj(m, "CheckoutItems", 0)["CheckoutItemDiscounts"] = []any{map[string]any{"amount": 1, "name": "x"}}
		}, func(s dte.Sale) bool { return s.Items[0].UnitGross == 12990 }},
		"wrong types in fields folio does not need": {bol, func(m map[string]any) {
			m["tags"], m["comment"], m["net"] = "promo", map[string]any{"text": "x"}, "25.185,0"
			m["origin"], m["deliveryStatus"], m["verificationStatus"] = 7, []any{"pending"}, false
			m["CheckoutLink"] = "2000009876543"
			c := obj(m, "Client")
			c["phoneNumber"], c["email"], c["type"], c["documentType"] = 56987654321, false, []any{"person"}, 7
			obj(m, "CheckoutItems", 0)["code"] = 12345
			obj(m, "CheckoutItems", 0, "ProductVersion")["internalCode"] = map[string]any{}
			obj(m, "CheckoutPayments", 0)["datePaid"] = 1763647410000
		}, func(s dte.Sale) bool { return s.Items[0].SKU == "12345" && s.Buyer.Email == "false" && s.Paid == 29970 }},
		"timestamp without a zone": {bol, func(m map[string]any) { m["updatedAt"] = "2026-11-20T14:05:42" },
			func(s dte.Sale) bool { return true }},
		"SKU only on the product version": {bol, func(m map[string]any) { delete(obj(m, "CheckoutItems", 0), "code") },
			func(s dte.Sale) bool { return s.Items[0].SKU == "TAZA-CER-01" }},
		"legacy item name": {bol, func(m map[string]any) {
			it := obj(m, "CheckoutItems", 0)
			delete(it, "ProductVersion")
			it["name"] = "Taza azul"
		}, func(s dte.Sale) bool { return s.Items[0].Name == "Taza azul" && s.Items[0].SKU == "TAZA-CER-01" }},
		"legacy coupon on the payment": {bol, func(m map[string]any) {
			obj(m, "CheckoutPayments", 0)["couponAmount"] = 2000
			m["total"] = 27970
		}, func(s dte.Sale) bool { return len(s.Coupons) == 1 && s.Coupons[0] == 2000 }},
		"legacy billingDocumentType": {bol, func(m map[string]any) { m["billingDocumentType"] = "bill" },
			func(s dte.Sale) bool { return s.Requested == dte.RequestBoleta && s.Rule.ID == RuleLegacy }},
		"legacy factura fields": {fac, func(m map[string]any) {
			c := obj(m, "Client")
			c["fullName"], c["name"], c["type"], c["businessName"] = "Juan Soto", nil, nil, "Comercial Los Aromos SpA"
			c["BillingAddresses"] = []any{map[string]any{"address": "Av. Providencia 1234, oficina 56", "comune": "Providencia", "city": nil}}
			c["comune"] = nil
		}, func(s dte.Sale) bool {
			return s.Requested == dte.RequestFactura && s.Buyer.Address == "Av. Providencia 1234, oficina 56" && s.Buyer.Comuna == "Providencia"
		}},
		"street and number, comuna from the client": {fac, func(m map[string]any) {
			a := obj(m, "Client", "BillingAddresses", 0)
			a["address_1"], a["address_2"], a["city"] = nil, "", nil
		}, func(s dte.Sale) bool {
			return s.Buyer.Address == "Av. Providencia 1234" && s.Buyer.Comuna == "Providencia"
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := variant(t, tt.file, tt.change).Sale()
			if !tt.check(s) {
				t.Fatalf("sale = %+v", s)
			}
			if _, _, err := dte.Build(s, dte.Options{}); err != nil {
				t.Fatalf("build: %v", err)
			}
		})
	}
	// A fractional peso is still refused: money is never rounded silently.
	b := readFixture(t, bol)
	var c Checkout
	if err := json.Unmarshal([]byte(strings.Replace(string(b), `"gross": 12990`, `"gross": 12990.5`, 1)), &c); err == nil ||
		!strings.Contains(err.Error(), "decimals") {
		t.Fatalf("a fractional amount decoded: %v", err)
	}
}

// Boleta or factura is a rule folio owns: the buyer's billing identity, or
// a configured field; a factura with a bad RUT is refused naming the RUT.
func TestFacturaRule(t *testing.T) {
	t.Parallel()
	const bol, fac = "multivende-checkout.json", "multivende-checkout-factura.json"
	none := func(map[string]any) {}
	billing := func(doc string) func(m map[string]any) {
		return func(m map[string]any) { m["CheckoutBillingClients"] = []any{map[string]any{"documentType": doc}} }
	}
	tests := map[string]struct {
		file    string
		change  func(m map[string]any)
		mapping FacturaMapping
		want    dte.Requested
		rule    string
		errWant []string // dte.Build refuses with these words
	}{
		"no billing data":  {bol, none, FacturaMapping{}, dte.RequestBoleta, RuleNone, nil},
		"identity present": {fac, none, FacturaMapping{}, dte.RequestFactura, RuleIdentity, nil},
		"identity in CheckoutBillingClients": {bol, func(m map[string]any) {
			m["CheckoutBillingClients"] = []any{map[string]any{"taxId": "76086428-5", "fullName": "Tienda Uno SpA", "type": "company",
				"activity": "Comercio", "BillingAddresses": []any{map[string]any{"street": "Los Leones", "number": 100, "city": "Providencia"}}}}
		}, FacturaMapping{}, dte.RequestFactura, RuleIdentity, nil},
		"a person's RUT without giro": {bol, func(m map[string]any) { obj(m, "Client")["taxId"] = "12.345.678-5" },
			FacturaMapping{}, dte.RequestBoleta, RulePartial, nil},
		"the generic RUT is no identity": {bol, func(m map[string]any) { obj(m, "Client")["taxId"] = "66.666.666-6" },
			FacturaMapping{}, dte.RequestBoleta, RuleNone, nil},
		"a company without giro waits for its data": {fac, func(m map[string]any) { obj(m, "Client")["activity"] = nil },
			FacturaMapping{}, dte.RequestFactura, RuleCompany, []string{"GiroRecep"}},
		"a company RUT without type or giro": {bol, func(m map[string]any) { obj(m, "Client")["taxId"] = "76086428-5" },
			FacturaMapping{}, dte.RequestFactura, RuleCompany, []string{"GiroRecep"}},
		"identity with an invalid RUT": {fac, func(m map[string]any) { obj(m, "Client")["taxId"] = "76.354.771-2" },
			FacturaMapping{}, dte.RequestFactura, RuleIdentity, []string{"RUT", "76.354.771-2"}},
		"mapping matches": {fac, billing("Factura"), FacturaMapping{"CheckoutBillingClients.0.documentType", "factura"},
			dte.RequestFactura, RuleMapping, nil},
		"mapping matches, invalid RUT refused": {fac, func(m map[string]any) {
			billing("invoice")(m)
			c := obj(m, "Client")
			c["taxId"], c["activity"], c["type"] = "11.111.111-2", nil, "person"
		}, FacturaMapping{"CheckoutBillingClients.0.documentType", "invoice"}, dte.RequestFactura, RuleMapping, []string{"RUT", "11.111.111-2"}},
		"mapping without a value: any value present": {bol, func(m map[string]any) { m["invoiceRequested"] = true },
			FacturaMapping{Field: "invoiceRequested"}, dte.RequestFactura, RuleMapping, []string{"RUT"}},
		"mapping without a value: false is no": {bol, func(m map[string]any) { m["invoiceRequested"] = false },
			FacturaMapping{Field: "invoiceRequested"}, dte.RequestBoleta, RuleNone, nil},
		"mapping on a number": {bol, func(m map[string]any) { m["docKind"] = 33 },
			FacturaMapping{"docKind", "33"}, dte.RequestFactura, RuleMapping, []string{"RUT"}},
		"mapping does not match: the identity still decides": {fac, billing("RUT"), FacturaMapping{"CheckoutBillingClients.0.documentType", "factura"},
			dte.RequestFactura, RuleIdentity, nil},
		"legacy billingDocumentType asks for a factura": {bol, func(m map[string]any) { m["billingDocumentType"] = "invoice" },
			FacturaMapping{}, dte.RequestFactura, RuleLegacy, []string{"RUT"}},
		"mapping on a missing path": {bol, none, FacturaMapping{"CheckoutBillingClients.3.documentType", "factura"},
			dte.RequestBoleta, RuleNone, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := variant(t, tt.file, tt.change).SaleWith(tt.mapping)
			if s.Requested != tt.want || s.Rule.ID != tt.rule {
				t.Fatalf("requested %v by %+v, want %v by %s", s.Requested, s.Rule, tt.want, tt.rule)
			}
			s.Date = "2026-11-21"
			doc, _, err := dte.Build(s, dte.Options{})
			if tt.errWant == nil {
				wantType := dte.Boleta
				if tt.want == dte.RequestFactura {
					wantType = dte.Factura
				}
				if err != nil || doc.Encabezado.IdDoc.TipoDTE != wantType {
					t.Fatalf("build: %v, type %d", err, doc.Encabezado.IdDoc.TipoDTE)
				}
				return
			}
			if _, ok := dte.AsValidation(err); !ok {
				t.Fatalf("want a validation error, got %v (type %d)", err, doc.Encabezado.IdDoc.TipoDTE)
			}
			for _, w := range tt.errWant {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// A coupon has no public field: the difference between the lines (with
// shipping) and the checkout's total is a global discount, named as
// derived on the preview; a total above the lines is warned, not charged.
func TestCouponDerivedFromTotal(t *testing.T) {
	t.Parallel()
	s := variant(t, "multivende-checkout.json", func(m map[string]any) {
		m["total"] = 27970
		obj(m, "CheckoutPayments", 0)["amount"] = 27970
	}).Sale()
	doc, warns := build(t, s)
	tot := doc.Encabezado.Totales
	if len(doc.DscRcgGlobal) != 1 || doc.DscRcgGlobal[0].ValorDR != 2000 || doc.DscRcgGlobal[0].TpoMov != "D" ||
		tot.MntTotal != 27970 || tot.MntNeto != 23504 || tot.IVA != 4466 || len(warns) != 0 {
		t.Fatalf("document %+v %+v, warnings %v", tot, doc.DscRcgGlobal, warns)
	}
	for lang, want := range map[dte.Lang]string{dte.ES: "Descuento global derivado del total", dte.EN: "Global discount derived from the total"} {
		if p := dte.Preview(doc, warns, s.Paid, lang, 60); !strings.Contains(p, want) || !strings.Contains(p, "−$2.000") {
			t.Errorf("%s preview lacks %q:\n%s", lang, want, p)
		}
	}

	s = variant(t, "multivende-checkout.json", func(m map[string]any) { m["total"] = 31000 }).Sale()
	doc, warns = build(t, s)
	if len(doc.DscRcgGlobal) != 0 || doc.Encabezado.Totales.MntTotal != 29970 || len(warns) != 1 || warns[0].Code != "DTE-TOTAL-ABOVE-LINES" {
		t.Fatalf("total above the lines: %+v, warnings %v", doc.Encabezado.Totales, warns)
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

func TestTextDecoding(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Text{`"a b"`: "a b", "12": "12", "true": "true", "null": "", `{"a":1}`: "", `[1]`: "", "-1.5": "-1.5"} {
		var x Text
		if err := json.Unmarshal([]byte(in), &x); err != nil || x != want {
			t.Errorf("Text(%s) = %q, %v; want %q", in, x, err, want)
		}
	}
}
