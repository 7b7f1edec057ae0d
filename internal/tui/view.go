package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
)

// View draws the whole screen: never wider or taller than the terminal.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.WindowTitle = "folio"
	return v
}

// Render is the screen as text, one line per terminal row.
func (m *Model) Render() string {
	body, ok := []string(nil), false
	for i := len(m.stack) - 1; i >= 0 && !ok; i-- {
		body, ok = m.stack[i].body(m, m.height-3)
	}
	switch {
	case ok:
	case m.grid():
		body = m.gridView()
	default:
		body = m.singleView()
	}
	lines := append([]string{m.statusLine()}, body...)
	lines = fitHeight(lines, m.height-2)
	lines = append(lines, m.flashLine(), m.helpLine())
	for i, l := range lines {
		lines[i] = fitLine(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// fitLine pads or cuts a styled line to exactly w columns.
func fitLine(l string, w int) string {
	n := textWidth(l)
	if n > w {
		return ansi.Truncate(l, w, "…")
	}
	return l + strings.Repeat(" ", w-n)
}

func fitHeight(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return lines
}

func (m *Model) statusLine() string {
	s, st := m.styles, m.data.status
	var parts []string
	parts = append(parts, s.Title.Render("folio"))
	switch {
	case st.running && st.attached && st.engines > 1:
		parts = append(parts, s.OK.Render(m.lang.T("status.engines", st.engines)))
	case st.running && st.attached:
		parts = append(parts, s.OK.Render(m.lang.T("status.attached", st.pid)))
	case st.running:
		parts = append(parts, s.OK.Render(m.lang.T("status.running")))
	default:
		parts = append(parts, s.Muted.Render(m.lang.T("status.stopped")))
	}
	if st.paused {
		parts = append(parts, s.Warn.Render(m.lang.T("status.paused")))
	}
	if st.diskFull {
		parts = append(parts, s.Error.Render(m.lang.T("status.disk_full")))
	}
	last := st.lastPoll
	for _, c := range m.data.conns {
		if c.LastPollAt.After(last) {
			last = c.LastPollAt
		}
	}
	if !last.IsZero() {
		parts = append(parts, m.lang.T("status.poll", i18n.FormatAgo(m.lang, m.opt.Now().Sub(last))))
	}
	parts = append(parts, m.lang.T("status.rates", st.ordersPM, st.docsPM))
	if m.opt.ReadOnly {
		parts = append(parts, s.Warn.Render(m.lang.T("status.readonly")))
	}
	return " " + strings.Join(parts, "  ")
}

func (m *Model) tabsLine() string {
	var parts []string
	for k := paneConnections; k < paneCount; k++ {
		t := m.panes[k].title()
		if k == m.active {
			parts = append(parts, m.styles.TabActive.Render(" "+t+" "))
		} else {
			parts = append(parts, m.styles.Tab.Render(" "+t+" "))
		}
	}
	return " " + strings.Join(parts, " ")
}

func (m *Model) singleView() []string {
	rule := m.styles.Border.Render(strings.Repeat("─", m.width))
	out := []string{m.tabsLine(), rule}
	return append(out, m.panes[m.active].view(true)...)
}

// gridView puts the four panes in a 2×2 grid: connections and queue on
// top, orders and errors below.
func (m *Model) gridView() []string {
	left := m.width / 2
	right := m.width - left
	top := m.boxHeight(paneConnections)
	bottom := m.boxHeight(paneOrders)
	join := func(a, b []string) []string {
		out := make([]string, len(a))
		for i := range a {
			out[i] = a[i] + b[i]
		}
		return out
	}
	out := join(m.box(paneConnections, left, top), m.box(paneQueue, right, top))
	return append(out, join(m.box(paneOrders, left, bottom), m.box(paneErrors, right, bottom))...)
}

// box draws pane k inside a border of w×h, its title in the top edge.
func (m *Model) box(k paneKind, w, h int) []string {
	b := m.styles.Border
	title := " " + m.panes[k].title() + " "
	tstyle := m.styles.Tab
	if k == m.active {
		tstyle = m.styles.TabActive
	}
	fill := max(w-2-ansi.StringWidth(title)-1, 0)
	out := []string{b.Render("┌─") + tstyle.Render(title) + b.Render(strings.Repeat("─", fill)+"┐")}
	for _, l := range fitHeight(m.panes[k].view(k == m.active), h-2) {
		out = append(out, b.Render("│")+fitLine(l, w-2)+b.Render("│"))
	}
	return append(out, b.Render("└"+strings.Repeat("─", max(w-2, 0))+"┘"))
}

func (m *Model) flashLine() string {
	if l, ok := m.top().(liner); ok {
		return l.line(m)
	}
	if m.flash == "" {
		return ""
	}
	if m.flashLvl == flashErr {
		return " " + m.styles.Error.Render(m.flash)
	}
	return " " + m.styles.OK.Render(m.flash)
}

// line is the prompt's label and field in the flash line.
func (p *promptState) line(m *Model) string {
	var label string
	switch p.pkind {
	case promptFilter:
		label = m.lang.T("prompt.filter")
		if m.width-ansi.StringWidth(label) < 40 { // the field needs the room more than the hint
			label = m.lang.T("prompt.filter_short")
		}
	case promptPalette:
		label = m.lang.T("prompt.palette")
	case promptSkip:
		label = m.lang.T("prompt.skip_reason", safetext.Text(p.order.Code))
	case promptSearch:
		label = m.lang.T("prompt.search")
	}
	room := m.width - ansi.StringWidth(label) - 2
	if p.pkind == promptPalette {
		room -= 30 // the suggestions follow the field
	}
	line := m.styles.Accent.Render(label) + p.in.view(max(room, 10))
	if p.pkind == promptPalette {
		word, _, _ := strings.Cut(strings.TrimSpace(p.in.String()), " ")
		var names []string
		for i, c := range matchCommands(word) {
			if i == 4 {
				break
			}
			names = append(names, c.name)
		}
		line += "  " + m.styles.Muted.Render(strings.Join(names, " · "))
	}
	return line
}

// keepAnswers fits a yes/no question in w columns by cutting its text, not
// the answers it ends with ("[y/N]"): a cut question is still answerable.
func keepAnswers(q string, w int) string {
	if ansi.StringWidth(q) <= w {
		return q
	}
	i := strings.LastIndex(q, " [")
	if i < 0 {
		return q
	}
	answers := q[i:]
	return ansi.Truncate(q[:i], max(w-ansi.StringWidth(answers), 1), "…") + answers
}

// helpLine is the short help: the keys that matter here, from the
// topmost layer that has its own.
func (m *Model) helpLine() string {
	for i := len(m.stack) - 1; i >= 0; i-- {
		if h, ok := m.stack[i].(hinter); ok {
			return h.hints(m)
		}
	}
	km := m.keys
	if m.active == paneConnections {
		return m.hintLine(hints(km.Connect, km.Pause, km.Palette, km.NextPane, km.Help, km.Quit))
	}
	return m.hintLine(hints(km.Inspect, km.Filter, km.Retry, km.Pause, km.Palette, km.NextPane, km.Help, km.Quit, km.Skip))
}

// hints is the inspect view's help line: what applies to its order.
func (in *inspectState) hints(m *Model) string {
	km := m.keys
	bs := append(hints(km.Back, km.NextPane), keyHint{"↑↓", m.lang.T("key.scroll")})
	if in.view != nil {
		bs = append(bs, hints(offered(km, m.lang, in.view.Order)...)...)
	}
	return m.hintLine(append(bs, hints(km.Quit)...))
}

// hintLine draws key hints in the help line, as many as fit.
func (m *Model) hintLine(bs []keyHint) string {
	var parts []string
	used := 1
	for _, b := range bs {
		p := m.styles.Key.Render(b.key) + " " + m.styles.Muted.Render(b.desc)
		n := ansi.StringWidth(b.key) + 1 + ansi.StringWidth(b.desc) + 2
		if used+n > m.width {
			break
		}
		used += n
		parts = append(parts, p)
	}
	return " " + strings.Join(parts, "  ")
}
