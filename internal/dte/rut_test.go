package dte

import (
	"strings"
	"testing"
)

func TestParseRUT(t *testing.T) {
	t.Parallel()
	valid := map[string]string{
		"12345678-5":   "12345678-5",
		"12.345.678-5": "12345678-5",
		"123456785":    "12345678-5",
		" 12345678-5 ": "12345678-5",
		"76086428-5":   "76086428-5",
		"11111111-1":   "11111111-1",
		"76354771-K":   "76354771-K",
		"76.354.771-k": "76354771-K",
		"96790240-3":   "96790240-3",
		"66666666-6":   "66666666-6",
		"1-9":          "1-9",
	}
	for in, want := range valid {
		r, err := ParseRUT(in)
		if err != nil {
			t.Errorf("ParseRUT(%q): %v", in, err)
			continue
		}
		if r.String() != want {
			t.Errorf("ParseRUT(%q) = %s, want %s", in, r, want)
		}
	}
	invalid := []string{"", "   ", "12345678-4", "76354771-0", "1", "abc", "123456789-0", "12k45678-5", "0-0", "12345678-5x"}
	for _, in := range invalid {
		if r, err := ParseRUT(in); err == nil {
			t.Errorf("ParseRUT(%q) = %s, want an error", in, r)
		} else if !strings.Contains(err.Error(), "RUT") {
			t.Errorf("ParseRUT(%q) error %q does not say RUT", in, err)
		}
	}
}

func TestRUTDotted(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"12345678-5": "12.345.678-5", "1-9": "1-9", "76354771-K": "76.354.771-K", "111111-6": "111.111-6"} {
		r, err := ParseRUT(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Dotted(); got != want {
			t.Errorf("Dotted(%s) = %s, want %s", in, got, want)
		}
	}
}

func TestCheckDigitMatchesKnownRUTs(t *testing.T) {
	t.Parallel()
	for body, dv := range map[int]byte{12345678: '5', 76086428: '5', 11111111: '1', 76354771: 'K', 96790240: '3', 66666666: '6'} {
		if got := CheckDigit(body); got != dv {
			t.Errorf("CheckDigit(%d) = %c, want %c", body, got, dv)
		}
	}
}

func FuzzParseRUT(f *testing.F) {
	for _, s := range []string{"12345678-5", "12.345.678-5", "76354771-k", "1-9", "", "k", "--", "9999999999-9", "1.2.3-4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRUT(s)
		if err != nil {
			return
		}
		// A parsed RUT round-trips through both written forms.
		for _, form := range []string{r.String(), r.Dotted()} {
			r2, err := ParseRUT(form)
			if err != nil || r2 != r {
				t.Fatalf("ParseRUT(%q) = %v; re-parsing %q gave %v, %v", s, r, form, r2, err)
			}
		}
		if CheckDigit(r.Body) != r.DV {
			t.Fatalf("accepted %q with a wrong check digit", s)
		}
	})
}
