// Package safetexttest holds hostile strings and a check that output
// holds none of their raw control characters, for the tests of every
// printer and screen that shows text from outside.
package safetexttest

import (
	"strings"
	"unicode/utf8"
)

// Hostile are strings a marketplace, a buyer or a service could send,
// each naming what it tries.
var Hostile = map[string]string{
	"osc0 title":   "Ana\x1b]0;pwned\x07Pérez",
	"osc2 title":   "Ana\x1b]2;pwned\x1b\\Pérez",
	"osc52 clip":   "Ana\x1b]52;c;cm0gLXJmIH4=\x07",
	"csi clear":    "\x1b[2J\x1b[HAna",
	"colour":       "\x1b[31mRED\x1b[0m Ana",
	"cr fake line": "Ana\r✔ done  folio 99",
	"lf fake line": "Ana\n2026-01-01 done",
	"crlf":         "Ana\r\nBob",
	"tab":          "Ana\tPérez",
	"bel nul del":  "A\x07n\x00a\x7f",
	"rlo":          "Ana \u202egnp.exe",
	"bidi isolate": "\u2066Ana\u2069 \u200f\u061c",
	"c1 csi rune":  "Ana\u009b2J",
	"c1 csi byte":  "Ana\x9b2J",
	"invalid utf8": "Ana\xff\xfe\xc3",
	"line sep":     "Ana\u2028Bob",
	"long":         strings.Repeat("\x1b[2JÁ", 5000),
}

// Raw returns a description of the first raw control character in out
// other than LF (and ESC when allowEsc: a theme's own styling, which a
// test compares against the NO_COLOR rendering instead), or "" when there
// is none.
func Raw(out string, allowEsc bool) string {
	for i := 0; i < len(out); {
		r, n := utf8.DecodeRuneInString(out[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			return "invalid UTF-8 byte at " + itoa(i)
		case r == '\n':
		case r == 0x1b && allowEsc:
		case r < 0x20 || r >= 0x7f && r <= 0x9f,
			r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x2028, r == 0x2029:
			return "raw " + quote(r) + " at " + itoa(i)
		}
		i += n
	}
	return ""
}

func quote(r rune) string {
	const digits = "0123456789abcdef"
	return "U+" + string([]byte{digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf]})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
