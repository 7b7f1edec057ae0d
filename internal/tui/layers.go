package tui

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// mode names what a layer is (for the few places that ask, and tests).
type mode int

const (
	modePanes mode = iota
	modeInspect
	modeHelp
	modePrompt
	modeConfirm
	modeForm
	modeConnect
	modeEngines
)

// layer is one screen over the panes: inspect, help, a prompt (filter,
// palette, skip reason, search), a confirmation, the buyer form, a
// consent under way. Layers stack; esc (or an answer) pops the top one and
// shows what was under it.
type layer interface {
	kind() mode
	key(m *Model, k tea.KeyPressMsg) tea.Cmd
	// body draws the screen under the status line; ok false leaves the
	// layer below drawn (a prompt and a confirmation live in the flash
	// line).
	body(m *Model, h int) (lines []string, ok bool)
}

// Optional parts of a layer.
type (
	// liner takes the flash line (a prompt's field, a question).
	liner interface{ line(m *Model) string }
	// hinter writes the help line.
	hinter interface{ hints(m *Model) string }
	// paster takes pasted text.
	paster interface {
		paste(m *Model, p tea.PasteMsg) tea.Cmd
	}
)

// push puts l on top.
func (m *Model) push(l layer) { m.stack = append(m.stack, l) }

// pop removes the top layer.
func (m *Model) pop() {
	if n := len(m.stack); n > 0 {
		m.stack[n-1] = nil
		m.stack = m.stack[:n-1]
	}
}

// remove takes l out wherever it is (a consent that ended under help).
func (m *Model) remove(l layer) {
	if i := slices.Index(m.stack, l); i >= 0 {
		m.stack = slices.Delete(m.stack, i, i+1)
	}
}

// top is the layer on top, nil over the panes.
func (m *Model) top() layer {
	if n := len(m.stack); n > 0 {
		return m.stack[n-1]
	}
	return nil
}

// mode is what the top layer is.
func (m *Model) mode() mode {
	if l := m.top(); l != nil {
		return l.kind()
	}
	return modePanes
}

// find is the topmost layer of type T.
func find[T layer](m *Model) (T, bool) {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if l, ok := m.stack[i].(T); ok {
			return l, true
		}
	}
	var zero T
	return zero, false
}

// inspecting is the inspect view on the stack, if any.
func (m *Model) inspecting() *inspectState {
	in, _ := find[*inspectState](m)
	return in
}

// helpLayer is the help screen, scrolled to offset.
type helpLayer struct{ offset int }

func (*helpLayer) kind() mode { return modeHelp }

func (l *helpLayer) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Back, km.Help, km.Quit):
		m.pop()
	case key.Matches(k, km.Down):
		l.offset++
	case key.Matches(k, km.Up):
		l.offset = max(l.offset-1, 0)
	case key.Matches(k, km.PageDown):
		l.offset += max(m.height-5, 1)
	case key.Matches(k, km.PageUp):
		l.offset = max(l.offset-max(m.height-5, 1), 0)
	}
	return nil
}

func (l *helpLayer) body(m *Model, h int) ([]string, bool) { return l.view(m, h), true }

func (l *helpLayer) hints(m *Model) string { return m.hintLine(hints(m.keys.Back)) }

// openHelp shows the help over the current screen, from its top.
func (m *Model) openHelp() {
	if m.mode() != modeHelp {
		m.push(&helpLayer{})
	}
}
