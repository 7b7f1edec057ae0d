package tui

import (
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/mattn/go-runewidth"
)

// A frame measures thousands of cells; ansi.StringWidth segments every
// string into grapheme clusters, which costs more than the rest of the
// frame. textWidth walks bytes instead: ASCII counts one, SGR sequences
// nothing, other runes their own width. Text from orders (names, codes,
// comunas) holds no multi-rune emoji, where the two could differ.
var narrow = &runewidth.Condition{StrictEmojiNeutral: true}

func textWidth(s string) int {
	w := 0
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			if i+1 >= len(s) || s[i+1] != '[' {
				return ansi.StringWidth(s) // not an SGR: let ansi decide
			}
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j + 1
		case c < 0x80:
			w++
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			w += narrow.RuneWidth(r)
			i += n
		}
	}
	return w
}

// paint is a style reduced to the escape codes around its text, so that
// drawing a cell is two concatenations instead of a lipgloss render.
type paint struct{ open, close string }

func newPaint(st lipgloss.Style) paint {
	r := st.Render("\x00")
	before, after, ok := strings.Cut(r, "\x00")
	if !ok {
		return paint{}
	}
	return paint{before, after}
}

// Render wraps s (one line) in the style's codes.
func (p paint) Render(s string) string {
	if p.open == "" || s == "" {
		return s
	}
	return p.open + s + p.close
}
