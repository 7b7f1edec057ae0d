package tui

import (
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/safetext"
)

// lineInput is a one-line text field. bubbles' textinput edits it (the
// cursor moves: left/right, home/end, delete in the middle, word keys);
// it is drawn here, without colour codes under NO_COLOR and without a
// blinking cursor's timer, which keeps views deterministic for tests and
// SSH sessions calm.
type lineInput struct {
	ti textinput.Model
}

func newInput(limit int) lineInput {
	ti := textinput.New()
	ti.Prompt, ti.CharLimit = "", limit
	ti.SetVirtualCursor(false) // drawn by view: no blink ticks
	km := textinput.DefaultKeyMap()
	// ctrl+v would read the clipboard of the machine folio runs on, not
	// the person's (SSH): a terminal's paste arrives as a PasteMsg. Tab and
	// the arrows belong to the form.
	for _, b := range []*key.Binding{&km.Paste, &km.AcceptSuggestion, &km.NextSuggestion, &km.PrevSuggestion} {
		b.SetEnabled(false)
	}
	ti.KeyMap = km
	ti.Focus()
	return lineInput{ti: ti}
}

// update edits the field; it reports whether its text changed. Text from
// outside (a paste, a key's text) loses what is unsafe on a terminal first.
func (in *lineInput) update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		msg.Content = clean(strings.ReplaceAll(msg.Content, "\n", " "))
		if msg.Content == "" {
			return false
		}
		return in.apply(msg)
	case tea.KeyPressMsg:
		if msg.Text != "" {
			if msg.Text = clean(msg.Text); msg.Text == "" {
				return false
			}
		}
		return in.apply(msg)
	}
	return false
}

func (in *lineInput) apply(msg tea.Msg) bool {
	before := in.ti.Value()
	in.ti, _ = in.ti.Update(msg)
	return in.ti.Value() != before
}

// clean drops what safetext calls unsafe (escapes, bidi controls) and
// broken UTF-8.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if safetext.Unsafe(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
}

// set replaces the text (cut to the limit), the cursor at its end.
func (in *lineInput) set(s string) {
	in.ti.SetValue(clean(s))
	in.ti.CursorEnd()
}

func (in lineInput) String() string { return in.ti.Value() }

// reverse marks the character under a cursor that is not at the end
// (reverse video: no colour, so NO_COLOR keeps it).
const reverseOn, reverseOff = "\x1b[7m", "\x1b[27m"

// view draws the field in w columns with a block cursor: at the end, the
// tail stays visible; within the text, the cursor does.
func (in lineInput) view(w int) string {
	v, pos := []rune(in.ti.Value()), in.ti.Position()
	if pos >= len(v) {
		s := string(v) + "█"
		if ansi.StringWidth(s) > w && w > 1 {
			s = ansi.TruncateLeft(s, ansi.StringWidth(s)-w+1, "…")
		}
		return s
	}
	before, at, after := string(v[:pos]), string(v[pos]), string(v[pos+1:])
	if room := w - 1 - ansi.StringWidth(at); ansi.StringWidth(before) > room && room > 1 {
		before = ansi.TruncateLeft(before, ansi.StringWidth(before)-room+1, "…")
	}
	s := before + reverseOn + at + reverseOff + after
	if ansi.StringWidth(s) > w && w > 1 {
		s = ansi.Truncate(s, w, "…")
	}
	return s
}
