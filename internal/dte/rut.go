package dte

import (
	"fmt"
	"strconv"
	"strings"
)

// RUT is a Chilean tax id: a body of 1–8 digits and a mod-11 check digit.
type RUT struct {
	Body int  // 1..99_999_999
	DV   byte // '0'..'9' or 'K'
}

// GenericRUT is the receptor of a boleta sold to an anonymous consumer.
var GenericRUT = RUT{Body: 66666666, DV: '6'}

// String writes the RUT as 12345678-5, the form LibreDTE and the SII expect.
func (r RUT) String() string {
	if r.Body == 0 {
		return ""
	}
	return strconv.Itoa(r.Body) + "-" + string(r.DV)
}

// Dotted writes the RUT as 12.345.678-5, the form people read.
func (r RUT) Dotted() string {
	if r.Body == 0 {
		return ""
	}
	s := strconv.Itoa(r.Body)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String() + "-" + string(r.DV)
}

// IsZero reports whether r is the zero RUT (none given).
func (r RUT) IsZero() bool { return r.Body == 0 }

// CheckDigit computes the mod-11 check digit of a RUT body: multiply the
// digits from the right by 2, 3, 4, 5, 6, 7, 2, 3, …; 11 − (sum mod 11);
// 11 → '0', 10 → 'K'.
func CheckDigit(body int) byte {
	sum, factor := 0, 2
	for n := body; n > 0; n /= 10 {
		sum += (n % 10) * factor
		factor++
		if factor > 7 {
			factor = 2
		}
	}
	switch d := 11 - sum%11; d {
	case 11:
		return '0'
	case 10:
		return 'K'
	default:
		return byte('0' + d)
	}
}

// RUTError says why a text is not a valid RUT.
type RUTError struct {
	Input  string
	Reason string // short English reason
	// Code names the reason for a catalog (RUTCode…): the same whatever
	// the words.
	Code string
	// WantDV is the check digit the body calls for, when only the check
	// digit was wrong (0 otherwise): the fix people need.
	WantDV byte
}

func (e *RUTError) Error() string {
	return fmt.Sprintf("RUT %q is not valid: %s", e.Input, e.Reason)
}

// The codes of RUTError.
const (
	RUTEmpty      = "empty"
	RUTKPosition  = "k_position"
	RUTChar       = "char"
	RUTShort      = "short"
	RUTLong       = "long"
	RUTNotNumber  = "not_number"
	RUTCheckDigit = "check_digit"
)

// ParseRUT reads a RUT in any common format (12.345.678-5, 12345678-5,
// 123456785, lower-case k, surrounding spaces) and validates its check digit.
func ParseRUT(s string) (RUT, error) {
	in := s
	s = strings.TrimSpace(s)
	if s == "" {
		return RUT{}, &RUTError{Input: in, Reason: "empty", Code: RUTEmpty}
	}
	var digits []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == 'k' || c == 'K':
			if i != len(s)-1 {
				return RUT{}, &RUTError{Input: in, Reason: "K can only be the check digit", Code: RUTKPosition}
			}
			digits = append(digits, 'K')
		case c == '.' || c == '-' || c == ' ':
			// Separators: accepted anywhere people put them.
		default:
			return RUT{}, &RUTError{Input: in, Reason: fmt.Sprintf("unexpected character %q", c), Code: RUTChar}
		}
	}
	if len(digits) < 2 {
		return RUT{}, &RUTError{Input: in, Reason: "too short", Code: RUTShort}
	}
	bodyDigits, dv := digits[:len(digits)-1], digits[len(digits)-1]
	if len(bodyDigits) > 8 {
		return RUT{}, &RUTError{Input: in, Reason: "body longer than 8 digits", Code: RUTLong}
	}
	body, err := strconv.Atoi(string(bodyDigits))
	if err != nil || body == 0 {
		return RUT{}, &RUTError{Input: in, Reason: "body is not a positive number", Code: RUTNotNumber}
	}
	if want := CheckDigit(body); want != dv {
		return RUT{}, &RUTError{Input: in, Reason: fmt.Sprintf("check digit should be %c", want), WantDV: want, Code: RUTCheckDigit}
	}
	return RUT{Body: body, DV: dv}, nil
}
