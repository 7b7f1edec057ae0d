// Package safetext makes text that came from outside folio (buyer and item
// names, addresses, order codes, SII reasons, error texts and bodies from
// Multivende or LibreDTE) safe to write to a terminal.
//
// A terminal obeys control characters: ESC starts sequences that set the
// window title (OSC 0/2), write the clipboard (OSC 52), clear the screen
// or colour text; CR and LF let a name fake a line of its own; C1 CSI
// (U+009B, or a lone 0x9B byte) is an ESC [ on some terminals; bidi
// controls reorder what a person reads. Text shows every such character
// in one readable form, Go's string-literal escapes:
//
//	TAB LF CR          \t \n \r
//	other C0, DEL      \x00 … \x1f, \x7f   (ESC is \x1b)
//	C1 U+0080–U+009F   \u0080 … \u009f
//	bidi controls      \u061c \u200e \u200f \u202a–\u202e \u2066–\u2069
//	line separators    \u2028 \u2029
//	invalid UTF-8      \xNN for each byte
//
// A backslash is left as it is: the escapes are for a person to read,
// not to be decoded back. Text that holds none of these comes back
// unchanged (and unallocated), so folio's own catalog text passes through
// it untouched and calling it twice changes nothing.
//
// Clean is for text that goes into a document rather than onto a screen:
// it drops the same characters (tabs and line breaks become a space).
package safetext

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r is a character a terminal could act on or that
// reorders text: C0, DEL, C1, bidi controls and the Unicode line and
// paragraph separators.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20, r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
		r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// clean reports whether s is valid UTF-8 with no Unsafe character.
func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || Unsafe(r) {
			return false
		}
		i += n
	}
	return true
}

// Text is s with every Unsafe character and invalid UTF-8 byte shown as
// its escape (see the package comment).
func Text(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteString(`\x`)
			hex2(&b, s[i])
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x`)
			hex2(&b, byte(r))
		case Unsafe(r):
			u := strconv.FormatInt(int64(r), 16)
			b.WriteString(`\u`)
			b.WriteString(strings.Repeat("0", 4-len(u)))
			b.WriteString(u)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Lines is Text for a block of lines, such as a reply body shown as it
// came: each line is made safe on its own and LF still ends a line (a CR
// is shown). Use it only where every line is drawn on its own, never for
// a value that should stay on one line.
func Lines(s string) string {
	if clean(s) || !strings.Contains(s, "\n") {
		return Text(s)
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Text(p)
	}
	return strings.Join(parts, "\n")
}

// Clean is s for a document: tabs, CR and LF become a space, the other
// Unsafe characters and invalid UTF-8 bytes are dropped. It reports
// whether anything changed.
func Clean(s string) (string, bool) {
	if clean(s) {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case Unsafe(r):
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String(), true
}

func hex2(b *strings.Builder, c byte) {
	const digits = "0123456789abcdef"
	b.WriteByte(digits[c>>4])
	b.WriteByte(digits[c&0xf])
}

// JSON is encoded JSON with the Unsafe characters that encoding/json
// leaves raw inside strings (DEL, C1, bidi controls) written as \uXXXX
// escapes: the same values decode, and none reaches a terminal raw.
// Outside strings JSON is ASCII, so every such rune is in a string.
func JSON(b []byte) []byte {
	if clean(string(b)) || !utf8.Valid(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r >= 0x7f && Unsafe(r) {
			u := strconv.FormatInt(int64(r), 16)
			out = append(out, `\u`...)
			out = append(out, strings.Repeat("0", 4-len(u))...)
			out = append(out, u...)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}
