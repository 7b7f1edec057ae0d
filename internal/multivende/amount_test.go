package multivende

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
)

// Issue 20: big.Rat read "25980/2" and "0x32BE" as 12990. Only a plain
// decimal integer is an amount (a fraction of zeros allowed), as a JSON
// number or a numeric string.
func TestAmountIsStrict(t *testing.T) {
	t.Parallel()
	good := map[string]Amount{"12990": 12990, "12990.0": 12990, "12990.000": 12990, `"12990"`: 12990, `"12990.0"`: 12990,
		`" 12990 "`: 12990, "-5": -5, `"-5"`: -5, "0": 0, "-0": 0, "null": 0,
		"9223372036854775807": math.MaxInt64, "-9223372036854775808": math.MinInt64}
	for in, want := range good {
		var a Amount
		if err := json.Unmarshal([]byte(in), &a); err != nil || a != want {
			t.Errorf("Amount(%s) = %d, %v; want %d", in, a, err, want)
		}
	}
	bad := []string{`"25980/2"`, `"0x32BE"`, `"0X32BE"`, `"0b101"`, `"0o17"`, `"017"`, `"1_000"`, `"+5"`, `"12 990"`, `"12.990"`,
		`"NaN"`, `"Infinity"`, `"-Inf"`, `""`, `"."`, `"12990."`, `".5"`, `"--5"`, `"١٢"`,
		"12990.5", "1e3", "1E3", "1e999999", "-1e999999", "12990.0001", "9223372036854775808", "-9223372036854775809",
		"true", "[1]", `{"v":1}`}
	for _, in := range bad {
		var a Amount
		err := json.Unmarshal([]byte(in), &a)
		if err == nil {
			t.Errorf("Amount(%s) = %d, want an error", in, a)
			continue
		}
		var ae *AmountError
		if !errors.As(err, &ae) || ae.Value == "" {
			t.Errorf("Amount(%s): %v is not an AmountError with the value", in, err)
		}
	}
	var q Quantity
	if err := json.Unmarshal([]byte(`"0x2"`), &q); err == nil {
		t.Errorf("Quantity(0x2) = %d, want an error", q)
	}
}

// An unreadable amount in a checkout names its JSON path and the value.
func TestCheckoutDecodeNamesTheAmount(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		change func(m map[string]any)
		field  string
		value  string
	}{
		"item price NaN": {func(m map[string]any) { obj(m, "CheckoutItems", 0)["gross"] = "NaN" }, "CheckoutItems[0].gross", `"NaN"`},
		"fraction":       {func(m map[string]any) { obj(m, "CheckoutItems", 0)["gross"] = "25980/2" }, "CheckoutItems[0].gross", `"25980/2"`},
		"hex count":      {func(m map[string]any) { obj(m, "CheckoutItems", 0)["count"] = "0x2" }, "CheckoutItems[0].count", `"0x2"`},
		"shipping decimals": {func(m map[string]any) {
			obj(m, "DeliveryOrderInCheckouts", 0, "DeliveryOrder")["cost"] = json.Number("3990.5")
		},
			"DeliveryOrderInCheckouts[0].DeliveryOrder.cost", "3990.5"},
		"payment exponent": {func(m map[string]any) { obj(m, "CheckoutPayments", 0)["amount"] = json.Number("1e999999") },
			"CheckoutPayments[0].amount", "1e999999"},
		"total": {func(m map[string]any) { m["total"] = "0x32BE" }, "total", `"0x32BE"`},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := variantBytes(t, "multivende-checkout.json", tt.change)
			var c Checkout
			err := json.Unmarshal(b, &c)
			var ae *AmountError
			if !errors.As(err, &ae) {
				t.Fatalf("decode = %v, want an AmountError", err)
			}
			if ae.Field != tt.field || ae.Value != tt.value {
				t.Fatalf("AmountError names %s = %s, want %s = %s", ae.Field, ae.Value, tt.field, tt.value)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.field) || !strings.Contains(msg, tt.value) {
				t.Fatalf("%q does not name %s and %s", msg, tt.field, tt.value)
			}
		})
	}
}

// variantBytes is a fixture with a change applied, as JSON bytes.
func variantBytes(t *testing.T, name string, change func(m map[string]any)) []byte {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(string(readFixture(t, name))))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A checkout detail with an unreadable amount is not a transient failure:
// the client says MV-BAD-AMOUNT, not retryable, naming field and value.
func TestCheckoutWithBadAmountIsNotRetryable(t *testing.T) {
	t.Parallel()
	for _, v := range []any{"NaN", json.Number("12990.5"), json.Number("1e999999"), "25980/2"} {
		body := variantBytes(t, "multivende-checkout.json", func(m map[string]any) { obj(m, "CheckoutItems", 0)["gross"] = v })
		c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
		_, raw, err := c.Checkout(context.Background(), "4f1c")
		e := mustCode(t, err, CodeBadAmount)
		if e.Retryable() {
			t.Errorf("%v: a bad amount is retryable", v)
		}
		var ae *AmountError
		if !errors.As(err, &ae) || ae.Field != "CheckoutItems[0].gross" || !strings.Contains(err.Error(), "CheckoutItems[0].gross") {
			t.Errorf("%v: %v does not name the field", v, err)
		}
		if len(raw) == 0 {
			t.Errorf("%v: the raw reply is not returned", v)
		}
		if _, ok := dte.Lookup(CodeBadAmount); !ok {
			t.Errorf("%s is not in the catalog", CodeBadAmount)
		}
	}
}

// A bad total on one entry of the checkouts list does not block the poll:
// the entry is kept (total 0, the problem recorded) so the order is not
// lost; its detail decides whether it goes to Errors.
func TestListEntryWithBadTotalIsKept(t *testing.T) {
	t.Parallel()
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"entries":[{"_id":"a","total":"0x32BE"},{"_id":"b","total":29970},{"_id":"c","total":1e999999}],"pagination":{}}`)
	}))
	to := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	var got []LightCheckout
	for p, err := range c.Checkouts(context.Background(), "m", to.Add(-MaxWindow), to) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p.Entries...)
	}
	if len(got) != 3 || got[0].ID != "a" || got[1].Total != 29970 || got[2].ID != "c" {
		t.Fatalf("entries %+v", got)
	}
	if got[0].Total != 0 || got[0].TotalErr == nil || !strings.Contains(got[0].TotalErr.Error(), "0x32BE") || got[1].TotalErr != nil {
		t.Fatalf("bad total kept as %d, %v", got[0].Total, got[0].TotalErr)
	}
}

// Sums across a checkout's deliveries and payments are checked: a sum that
// would wrap becomes a value Build refuses, naming the field.
func TestSaleSumsDoNotWrap(t *testing.T) {
	t.Parallel()
	huge := json.Number("9223372036854775807")
	tests := map[string]struct {
		change func(m map[string]any)
		field  string
	}{
		"two shipping costs": {func(m map[string]any) {
			d := m["DeliveryOrderInCheckouts"].([]any)
			obj(m, "DeliveryOrderInCheckouts", 0, "DeliveryOrder")["cost"] = huge
			m["DeliveryOrderInCheckouts"] = append(d, map[string]any{"DeliveryOrder": map[string]any{"cost": huge}})
		}, "DeliveryOrder.cost"},
		"two payments": {func(m map[string]any) {
			p := m["CheckoutPayments"].([]any)
			obj(m, "CheckoutPayments", 0)["amount"] = huge
			m["CheckoutPayments"] = append(p, map[string]any{"amount": huge})
		}, "CheckoutPayments.amount"},
		"negative payments wrapping": {func(m map[string]any) {
			p := m["CheckoutPayments"].([]any)
			obj(m, "CheckoutPayments", 0)["amount"] = json.Number("-9223372036854775808")
			m["CheckoutPayments"] = append(p, map[string]any{"amount": -1})
		}, "CheckoutPayments.amount"},
		"per-unit discount reading wraps": {func(m map[string]any) {
			it := obj(m, "CheckoutItems", 0)
			it["count"], it["gross"], it["discount"], it["totalWithDiscount"] = 2, json.Number("4611686018427387904"), json.Number("4611686018427387903"), 2
		}, "CheckoutItems[0].gross"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var c Checkout
			if err := json.Unmarshal(variantBytes(t, "multivende-checkout.json", tt.change), &c); err != nil {
				t.Fatal(err)
			}
			_, _, err := dte.Build(c.Sale(), dte.Options{})
			ve, ok := dte.AsValidation(err)
			if !ok || ve.Field != tt.field {
				t.Fatalf("Build = %v, want a refusal on %s", err, tt.field)
			}
		})
	}
}
