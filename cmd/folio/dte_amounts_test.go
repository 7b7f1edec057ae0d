package main

import (
	"strings"
	"testing"
)

// Issue 20: hostile amounts on folio dte build. count 4 × 4 611 686 018 427 397 904
// printed a $40.000 document and exited 0; fractions and hex were read as
// 12990. Each is refused on one line naming the field (and the limit or
// the value).
func TestDTEBuildHostileAmounts(t *testing.T) {
	checkout := fixture(t, "multivende-checkout.json")
	item := func(fromTo ...string) string { // pairs of from, to
		s := checkout
		for i := 0; i+1 < len(fromTo); i += 2 {
			if !strings.Contains(s, fromTo[i]) {
				t.Fatalf("fixture lacks %s", fromTo[i])
			}
			s = strings.Replace(s, fromTo[i], fromTo[i+1], 1)
		}
		return s
	}
	tests := map[string]struct {
		stdin string
		want  []string
	}{
		"product wraps": {item(`"count": 2`, `"count": 4`, `"gross": 12990`, `"gross": 4611686018427397904`),
			[]string{"CheckoutItems[0].gross", "999.999.999.999"}},
		"2 × (2⁶³−1)":         {item(`"gross": 12990`, `"gross": 9223372036854775807`), []string{"CheckoutItems[0].gross", "999.999.999.999", "PrcItem"}},
		"count 2 147 483 647": {item(`"count": 2`, `"count": 2147483647`), []string{"CheckoutItems[0].count", "1.000.000"}},
		"fraction":            {item(`"gross": 12990`, `"gross": "25980/2"`), []string{"CheckoutItems[0].gross", `"25980/2"`}},
		"hex":                 {item(`"gross": 12990`, `"gross": "0x32BE"`), []string{"CheckoutItems[0].gross", `"0x32BE"`}},
		"NaN":                 {item(`"gross": 12990`, `"gross": "NaN"`), []string{"CheckoutItems[0].gross", `"NaN"`}},
		"huge exponent":       {item(`"gross": 12990`, `"gross": 1e999999`), []string{"CheckoutItems[0].gross", "1e999999"}},
		"negative paid":       {item(`"amount": 29970`, `"amount": -29970`), []string{"CheckoutPayments.amount", "-29970"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runFolio(t, tt.stdin, "dte", "build", "--lang", "en")
			if err == nil {
				t.Fatalf("accepted: %s", out)
			}
			msg := err.Error()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) || strings.Contains(msg, "\n") {
					t.Errorf("error %q lacks %q or is not one line", msg, w)
				}
			}
		})
	}
}
