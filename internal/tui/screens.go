package tui

import (
	"regexp"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
)

type keyHint struct{ key, desc string }

// hints lists the enabled bindings' help, so read-only mode shows none of
// the actions.
func hints(bs ...key.Binding) []keyHint {
	var out []keyHint
	for _, b := range bs {
		if b.Enabled() {
			out = append(out, keyHint{b.Help().Key, b.Help().Desc})
		}
	}
	return out
}

// allKeys is every key of each binding ("↑/k"), for the help screen.
func allKeys(bs ...key.Binding) []keyHint {
	var out []keyHint
	for _, b := range bs {
		if b.Enabled() {
			var ks []string
			for _, k := range b.Keys() {
				ks = append(ks, keyLabel(k))
			}
			out = append(out, keyHint{strings.Join(ks, "/"), b.Help().Desc})
		}
	}
	return out
}

// view is generated from the keymap's moves and the action table (a
// palette-only action as its :name), one group per column (or one after
// another when narrow).
func (l *helpLayer) view(m *Model, h int) []string {
	out := []string{m.styles.Title.Render(" " + m.lang.T("help.title")), ""}
	moves := m.keys.moves()
	var blocks [][]string
	for _, title := range []i18n.ID{"key.navigation", "help.panes", "help.general", "help.actions"} {
		hs := allKeys(moves[title]...)
		for _, a := range m.actions {
			switch {
			case a.group != title:
			case a.binding != "":
				hs = append(hs, allKeys(a.key(m.keys))...)
			case !a.changes || !m.opt.ReadOnly:
				hs = append(hs, keyHint{":" + a.name, m.lang.T(a.help)})
			}
		}
		if len(hs) == 0 {
			continue
		}
		b := []string{m.styles.Header.Render(m.lang.T(title))}
		for _, k := range hs {
			b = append(b, m.styles.Key.Render(fitLine(k.key, 17))+" "+k.desc)
		}
		blocks = append(blocks, b)
	}
	perRow := max((m.width-1)/36, 1)
	colW := min((m.width-1)/perRow, 48)
	for i := 0; i < len(blocks); i += perRow {
		row := blocks[i:min(i+perRow, len(blocks))]
		n := 0
		for _, b := range row {
			n = max(n, len(b))
		}
		for l := 0; l < n; l++ {
			var line strings.Builder
			line.WriteString(" ")
			for _, b := range row {
				cell := ""
				if l < len(b) {
					cell = b[l]
				}
				line.WriteString(fitLine(cell, colW))
			}
			out = append(out, line.String())
		}
		out = append(out, "")
	}
	// On a small screen the keys go past the bottom: the title stays, the
	// rest scrolls (↑↓, pgup/pgdn).
	if body := out[2:]; len(out) > h && h > 3 {
		l.offset = min(l.offset, len(body)-(h-2))
		out = append(out[:2:2], body[l.offset:]...)
	}
	return fitHeight(out, h)
}

// inspectRows is how many content lines the inspect view shows.
func (m *Model) inspectRows() int { return max(m.height-3-3, 1) }

func (in *inspectState) body(m *Model, h int) ([]string, bool) {
	s, lang := m.styles, m.lang
	if in.err != nil {
		return []string{s.Error.Render(lang.T("flash.error", safetext.Text(in.err.Error())))}, true
	}
	v := in.view
	if v == nil {
		return []string{s.Muted.Render(lang.T("inspect.loading"))}, true
	}
	o := v.Order
	head := s.Title.Render(lang.T("inspect.header", safetext.Text(o.Code), safetext.Text(marketShort(o.Marketplace)), i18n.FormatCLP(o.Total))) + "  " +
		stateStyle(&s, o.State).Render(stateText(lang, o)) + "  " + s.Muted.Render(lang.T("inspect.buyer", safetext.Text(in.buyer), safetext.Text(in.rut)))
	var tabs []string
	for i, sec := range in.sections {
		t := " " + string(rune('1'+i)) + " " + lang.T(sectionTitles[sec]) + " "
		if i == in.sec {
			tabs = append(tabs, s.TabActive.Render(t))
		} else {
			tabs = append(tabs, s.Tab.Render(t))
		}
	}
	out := []string{head, strings.Join(tabs, " "), s.Border.Render(strings.Repeat("─", m.width))}
	content := in.content(m)
	rows := max(h-len(out), 1)
	if in.offset > len(content)-rows {
		in.offset = max(len(content)-rows, 0)
	}
	end := min(in.offset+rows, len(content))
	for _, l := range content[in.offset:end] {
		if in.find != nil {
			l = highlight(l, in.find, s.Selected)
		}
		out = append(out, " "+l)
	}
	return out, true
}

// highlight marks what find matches in a line (the visible ones only: a
// screenful per frame). A line with a match loses its other styling.
func highlight(line string, find *regexp.Regexp, mark paint) string {
	plain := ansi.Strip(line)
	spans := find.FindAllStringIndex(plain, -1)
	if spans == nil {
		return line
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		b.WriteString(plain[last:sp[0]])
		b.WriteString(mark.Render(plain[sp[0]:sp[1]]))
		last = sp[1]
	}
	b.WriteString(plain[last:])
	return b.String()
}

func (f *buyerForm) body(m *Model, h int) ([]string, bool) {
	s, lang := m.styles, m.lang
	out := []string{s.Title.Render(" " + lang.T("form.title", safetext.Text(f.order.Code))), ""}
	w := max(m.width-20, 10)
	for i, in := range f.fields {
		label := fitLine(lang.T(formLabels[i]), 14)
		val := in.String()
		if i == f.focus {
			val = in.view(w) + " " + s.Muted.Render(lang.T("form.count", len([]rune(in.String())), formLimits[i]))
			label = s.Accent.Render(label)
		}
		out = append(out, " "+label+" "+val)
		if i == 0 {
			if msg, ok := f.rutCheck(lang); msg != "" {
				st := s.Error
				if ok {
					st = s.OK
				}
				out = append(out, " "+strings.Repeat(" ", 15)+st.Render(ansi.Truncate(msg, w, "…")))
			} else {
				out = append(out, "")
			}
		}
	}
	for _, c := range f.cut {
		out = append(out, " "+s.Warn.Render(ansi.Truncate(safetext.Text(c), max(m.width-2, 10), "…")))
	}
	if f.err != "" {
		out = append(out, "", " "+s.Error.Render(safetext.Text(f.err)))
	}
	return fitHeight(out, h), true
}
