package tui

import (
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/safetext"
)

// lineInput is a one-line text field. It is hand-made rather than
// bubbles' textinput because it must draw without colour codes under
// NO_COLOR and without a blinking cursor's timer, which keeps views
// deterministic for tests and SSH sessions calm.
type lineInput struct {
	value []rune
	limit int
}

// update edits the field; it reports whether the key was used.
func (in *lineInput) update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		in.insert(strings.ReplaceAll(msg.Content, "\n", " "))
		return true
	case tea.KeyPressMsg:
		switch msg.String() {
		case "backspace", "ctrl+h":
			if len(in.value) > 0 {
				in.value = in.value[:len(in.value)-1]
			}
			return true
		case "ctrl+u":
			in.value = nil
			return true
		case "ctrl+w":
			s := strings.TrimRight(string(in.value), " ")
			if i := strings.LastIndexByte(s, ' '); i >= 0 {
				in.value = []rune(s[:i+1])
			} else {
				in.value = nil
			}
			return true
		case "space":
			in.insert(" ")
			return true
		}
		if msg.Text != "" && msg.Mod == 0 || msg.Mod == tea.ModShift && msg.Text != "" {
			in.insert(msg.Text)
			return true
		}
	}
	return false
}

func (in *lineInput) insert(s string) {
	for _, r := range s {
		if safetext.Unsafe(r) || r == utf8.RuneError {
			continue
		}
		if in.limit > 0 && len(in.value) >= in.limit {
			return
		}
		in.value = append(in.value, r)
	}
}

func (in *lineInput) set(s string) { in.value = nil; in.insert(s) }

func (in lineInput) String() string { return string(in.value) }

// view draws the field with a block cursor, keeping its tail visible
// within w columns.
func (in lineInput) view(w int) string {
	s := string(in.value) + "█"
	if ansi.StringWidth(s) > w && w > 1 {
		s = ansi.TruncateLeft(s, ansi.StringWidth(s)-w+1, "…")
	}
	return s
}
