package multivende

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
)

// CodeBadAmount is a checkout whose amount or quantity is not a whole
// number (MV-BAD-AMOUNT): not transient, a person must look.
const CodeBadAmount = "MV-BAD-AMOUNT"

// AmountError is an amount or quantity folio cannot read: which field (a
// JSON path such as CheckoutItems[0].gross, once known), the value as
// written, and why.
type AmountError struct {
	Field  string
	Value  string
	Reason string
}

func (e *AmountError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("amount %s %s", e.Value, e.Reason)
	}
	return fmt.Sprintf("%s: %s %s", e.Field, e.Value, e.Reason)
}

// parseAmount reads an amount strictly: a plain decimal integer, with an
// optional minus and an optional fraction of zeros (12990, 12990.0, -5),
// as a JSON number or the same inside a string (spaces around allowed);
// null is 0. Fractions ("25980/2"), hex, octal or binary ("0x32BE"),
// exponents (1e3), leading zeros, "+", underscores, NaN and Infinity are
// refused: big.Rat, which read amounts before, accepted most of them.
func parseAmount(b []byte) (int64, error) {
	b = bytes.TrimSpace(b)
	value := string(b)
	if len(value) > 40 { // a value, not a page of it, in messages
		value = value[:40] + "…"
	}
	fail := func(reason string) (int64, error) { return 0, &AmountError{Value: value, Reason: reason} }
	if string(b) == "null" {
		return 0, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fail("is not a number")
		}
		b = []byte(strings.TrimSpace(s))
	}
	s := string(b)
	digits := strings.TrimPrefix(s, "-")
	if i := strings.IndexByte(digits, '.'); i >= 0 {
		frac := digits[i+1:]
		if frac == "" || strings.Trim(frac, "0123456789") != "" {
			return fail("is not a whole number of pesos")
		}
		if strings.Trim(frac, "0") != "" {
			return fail("has decimals; CLP amounts are whole pesos")
		}
		s, digits = s[:len(s)-len(frac)-1], digits[:i]
	}
	if digits == "" || strings.Trim(digits, "0123456789") != "" || (len(digits) > 1 && digits[0] == '0') {
		return fail("is not a whole number of pesos")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fail("is out of range")
	}
	return n, nil
}

// locateAmount finds the field of an AmountError: it walks raw along t (a
// struct type decoded by encoding/json) and returns the first Amount or
// Quantity that does not parse, with its JSON path; nil if none does.
func locateAmount(t reflect.Type, raw json.RawMessage, path string) *AmountError {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case reflect.TypeFor[Amount](), reflect.TypeFor[Quantity]():
		if _, err := parseAmount(raw); err != nil {
			var ae *AmountError
			if errors.As(err, &ae) {
				ae.Field = path
				return ae
			}
		}
		return nil
	}
	switch t.Kind() {
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return nil
		}
		for i, it := range items {
			if ae := locateAmount(t.Elem(), it, fmt.Sprintf("%s[%d]", path, i)); ae != nil {
				return ae
			}
		}
	case reflect.Struct:
		// Keys in order, duplicates included, as encoding/json meets them.
		d := json.NewDecoder(bytes.NewReader(raw))
		if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
			return nil
		}
		for d.More() {
			tok, err := d.Token()
			if err != nil {
				return nil
			}
			k, _ := tok.(string)
			var v json.RawMessage
			if d.Decode(&v) != nil {
				return nil
			}
			f, ok := fieldOf(t, k)
			if !ok {
				continue
			}
			p := k
			if path != "" {
				p = path + "." + k
			}
			if ae := locateAmount(f.Type, v, p); ae != nil {
				return ae
			}
		}
	}
	return nil
}

// fieldOf is the field of struct t that encoding/json fills from key k:
// the exact name first, else one equal under case folding.
func fieldOf(t reflect.Type, k string) (reflect.StructField, bool) {
	var folded reflect.StructField
	found := false
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if name == k {
			return f, true
		}
		if !found && strings.EqualFold(name, k) {
			folded, found = f, true
		}
	}
	return folded, found
}

// withAmountPath completes err's AmountError with its JSON path in raw, read
// as a T; other errors pass unchanged.
func withAmountPath[T any](err error, raw []byte) error {
	var ae *AmountError
	if !errors.As(err, &ae) || ae.Field != "" {
		return err
	}
	if found := locateAmount(reflect.TypeFor[T](), raw, ""); found != nil {
		return found
	}
	return err
}
