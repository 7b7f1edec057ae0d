package tui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// common is what every component of the console reads. The model and its
// panes share one by pointer, so :lang and :theme change it in one place.
type common struct {
	opt    Options
	lang   i18n.Lang
	theme  Theme
	styles Styles
	keys   KeyMap
	loc    *time.Location // the merchant's zone (Options.Location)
}

// pane is what the root model needs of a pane: its title with its count,
// its size, the keys that move within it, its lines, what is selected in
// it, and its part of each read.
type pane interface {
	title() string
	setSize(w, h int)
	// update moves within the pane; read says the pane now stands on a
	// window it has no rows for.
	update(k tea.KeyPressMsg) (used, read bool)
	view(focused bool) []string
	// selected is the order under the cursor, if the rows shown were read
	// for the window the pane stands on.
	selected() (store.Order, bool)
	take(s *snapshot)
}

// orderPane lists orders in some states (Orders, Queue, Errors differ
// only by those, their name and their row renderer), a window at a time.
type orderPane struct {
	*common
	kind   paneKind
	name   i18n.ID
	states []store.State // nil: every state
	cols   func(i18n.Lang) []column
	row    func(c *common, o store.Order, now time.Time) []cell
	fix    func(i18n.Lang, store.Order) string // a line under the table for the selected row, or nil

	w, h   int
	win    window
	tops   []int64 // keyset cursors of earlier windows, for going back up
	cursor int
	list   listData // the rows shown, tagged with the window they were read for
	count  int
}

func newPanes(c *common) [paneCount]pane {
	var ps [paneCount]pane
	ps[paneConnections] = &connPane{common: c}
	ps[paneOrders] = &orderPane{common: c, kind: paneOrders, name: "pane.orders", cols: orderColumns, row: orderRow}
	ps[paneQueue] = &orderPane{common: c, kind: paneQueue, name: "pane.queue", states: store.QueueStates(), cols: queueColumns, row: queueRow}
	ps[paneErrors] = &orderPane{common: c, kind: paneErrors, name: "pane.errors", states: []store.State{store.StateAttention},
		cols: errorColumns, row: errorRow, fix: fixFor}
	return ps
}

func (p *orderPane) title() string {
	return p.lang.T(p.name) + " " + i18n.FormatCount(p.lang, int64(p.count))
}

func (p *orderPane) setSize(w, h int) {
	p.w, p.h = w, h
	p.win.limit = p.rows()
}

// rows is how many rows of data the pane shows.
func (p *orderPane) rows() int {
	n := p.h - 1 // table header
	if p.fix != nil {
		n-- // the selected row's fix
	}
	if p.win.filter != "" {
		n--
	}
	return max(n, 1)
}

// current says the rows shown were read for the window the pane is on.
func (p *orderPane) current() bool { return p.list.read && p.list.win == p.win }

func (p *orderPane) selected() (store.Order, bool) {
	if rows := p.list.rows; p.current() && p.cursor < len(rows) {
		return rows[p.cursor], true
	}
	return store.Order{}, false
}

func (p *orderPane) take(s *snapshot) {
	p.count = 0
	if p.states == nil {
		for _, n := range s.counts {
			p.count += n
		}
	} else {
		for _, st := range p.states {
			p.count += s.counts[st]
		}
	}
	if !s.lists[p.kind].read {
		return
	}
	p.list = s.lists[p.kind]
	if n := len(p.list.rows); p.cursor >= n {
		p.cursor = max(n-1, 0)
	}
}

// setFilter starts the pane over on a filter.
func (p *orderPane) setFilter(f string) {
	p.win.filter = f
	p.win.before, p.tops, p.cursor = 0, nil, 0
	p.win.limit = p.rows()
}

func (p *orderPane) update(k tea.KeyPressMsg) (used, read bool) {
	km := p.keys
	switch {
	case key.Matches(k, km.Up):
		return true, p.move(-1)
	case key.Matches(k, km.Down):
		return true, p.move(1)
	case key.Matches(k, km.PageUp):
		return true, p.page(-1)
	case key.Matches(k, km.PageDown):
		return true, p.page(1)
	case key.Matches(k, km.Top):
		return true, p.home()
	case key.Matches(k, km.Bottom):
		return true, p.end()
	}
	return false, false
}

// back steps the window back to the one the last move down started from.
func (p *orderPane) back() bool {
	n := len(p.tops)
	if n == 0 {
		return false
	}
	p.win.before, p.tops = p.tops[n-1], p.tops[:n-1]
	return true
}

// move steps the cursor; past the window's edge the window slides by one
// row along the keyset.
func (p *orderPane) move(d int) bool {
	rows := p.list.rows
	next := p.cursor + d
	switch {
	case next < 0:
		if p.back() {
			return true
		}
		next = 0
	case next >= len(rows):
		if p.list.more && len(rows) > 0 {
			p.tops = append(p.tops, p.win.before)
			p.win.before = rows[0].Seq
			p.cursor = len(rows) - 1
			return true
		}
		next = max(len(rows)-1, 0)
	}
	p.cursor = next
	return false
}

// page moves a window at a time.
func (p *orderPane) page(d int) bool {
	rows := p.list.rows
	if d > 0 {
		if !p.list.more || len(rows) == 0 {
			p.cursor = max(len(rows)-1, 0)
			return false
		}
		p.tops = append(p.tops, p.win.before)
		p.win.before = rows[len(rows)-1].Seq
		return true
	}
	if p.back() {
		return true
	}
	p.cursor = 0
	return false
}

func (p *orderPane) home() bool {
	p.cursor = 0
	if p.win.before == 0 && len(p.tops) == 0 {
		return false
	}
	p.win.before, p.tops = 0, nil
	return true
}

// end goes to the last loaded row; the oldest of a million orders is a
// filter away, not a scroll.
func (p *orderPane) end() bool {
	if p.list.more {
		return p.page(1)
	}
	p.cursor = max(len(p.list.rows)-1, 0)
	return false
}

func (p *orderPane) view(focused bool) []string {
	s, lang, now := &p.styles, p.lang, p.opt.Now()
	sel := p.cursor
	if !focused {
		sel = -1
	}
	var out []string
	if p.win.filter != "" {
		out = append(out, s.Accent.Render(lang.T("pane.filter", p.win.filter)))
	}
	data := p.list
	rows := make([][]cell, len(data.rows))
	for i, o := range data.rows {
		rows[i] = p.row(p.common, o, now)
	}
	out = append(out, table(*s, p.cols(lang), rows, sel, p.w)...)
	if len(data.rows) == 0 && data.read {
		empty := lang.T("pane.empty")
		if p.win.filter != "" {
			empty = lang.T("pane.empty_filter", p.win.filter)
		}
		out = append(out, s.Muted.Render("  "+empty))
	}
	if p.fix != nil && sel >= 0 && sel < len(data.rows) {
		if fix := p.fix(lang, data.rows[sel]); fix != "" {
			out = fitHeight(out, p.h-1)
			out = append(out, s.Accent.Render(lang.T("pane.fix", fix)))
		}
	}
	return out
}

// connPane lists the connections, with the selected one's trouble in
// full, the last catalog sync and the webhook listener's health.
type connPane struct {
	*common
	w, h    int
	cursor  int
	conns   []store.Connection
	waiting map[int64]int
	catalog *engine.CatalogResult
	webhook *webhookView
	holding *holding
}

func (p *connPane) title() string {
	return p.lang.T("pane.connections") + " " + i18n.FormatCount(p.lang, int64(len(p.conns)))
}

func (p *connPane) setSize(w, h int) { p.w, p.h = w, h }

func (p *connPane) selected() (store.Order, bool) { return store.Order{}, false }

// conn is the connection under the cursor.
func (p *connPane) conn() (store.Connection, bool) {
	if p.cursor < len(p.conns) {
		return p.conns[p.cursor], true
	}
	return store.Connection{}, false
}

func (p *connPane) take(s *snapshot) {
	p.conns, p.waiting, p.catalog, p.webhook, p.holding = s.conns, s.waiting, s.catalog, s.webhook, s.holding
	if n := len(p.conns); p.cursor >= n {
		p.cursor = max(n-1, 0)
	}
}

func (p *connPane) update(k tea.KeyPressMsg) (used, read bool) {
	km, last := p.keys, max(len(p.conns)-1, 0)
	switch {
	case key.Matches(k, km.Up):
		p.cursor = max(p.cursor-1, 0)
	case key.Matches(k, km.Down):
		p.cursor = min(p.cursor+1, last)
	case key.Matches(k, km.PageUp, km.Top):
		p.cursor = 0
	case key.Matches(k, km.PageDown, km.Bottom):
		p.cursor = last
	default:
		return false, false
	}
	return true, false
}

func (p *connPane) view(focused bool) []string {
	s, lang, now, w, h := &p.styles, p.lang, p.opt.Now(), p.w, p.h
	if len(p.conns) == 0 {
		return []string{s.Muted.Render(lang.T("conn.none"))}
	}
	sel := p.cursor
	if !focused {
		sel = -1
	}
	rows := make([][]cell, len(p.conns))
	for i, c := range p.conns {
		rows[i] = connRow(s, lang, c, p.holding, now)
	}
	out := table(*s, connColumns(lang, p.holding.column()), rows, sel, w)
	// The selected connection's trouble in full: its column is narrow,
	// and the reconnect command must be readable.
	c := p.conns[min(p.cursor, len(p.conns)-1)]
	detail := ""
	if c.LastError != "" { // a client's own words, as written
		detail = lang.T("quote", safetext.Text(c.LastError))
	}
	if c.Status == store.ConnNeedsReconnect {
		detail = lang.T("conn.reconnect_cmd", safetext.Text(c.Name))
		if n := p.waiting[c.ID]; n > 0 {
			detail += " · " + lang.T("conn.waiting_orders", n)
		}
		if p.opt.Connect != nil && p.keys.Connect.Enabled() {
			detail += " · " + p.keys.Connect.Help().Key + " " + lang.T("action.reconnect")
		}
	}
	var foot []string
	if detail != "" {
		for _, l := range wrapLines(lang.T("pane.fix", detail), w) {
			foot = append(foot, s.Error.Render(l))
		}
	}
	if line, trouble := p.holding.detail(lang, c, now, p.loc); line != "" {
		style := s.Muted
		if trouble {
			style = s.Warn
		}
		for _, l := range wrapLines(line, w) {
			foot = append(foot, style.Render(l))
		}
	}
	for _, l := range p.catalogLines(w) {
		foot = append(foot, s.Muted.Render(l))
	}
	for _, l := range p.webhookLines(w) {
		foot = append(foot, s.Muted.Render(l))
	}
	out = fitHeight(out, max(h-len(foot), len(out)))
	return append(out, foot...)
}

// catalogLines says what the last periodic catalog sync found.
func (p *connPane) catalogLines(w int) []string {
	r := p.catalog
	if r == nil {
		return nil
	}
	lang := p.lang
	when := i18n.FormatAgo(lang, p.opt.Now().Sub(r.At))
	if r.Error != "" {
		return wrapLines(lang.T("catalogui.error", when, safetext.Text(r.Error)), w)
	}
	line := lang.T("catalogui.line", when, r.Create, r.Update, r.Unchanged, r.Deactivate)
	if r.Applied+r.Failed > 0 {
		line += lang.T("catalogui.applied", r.Applied, r.Failed)
	}
	if r.Note != "" {
		line += " · " + safetext.Text(r.Note)
	}
	return wrapLines(line, w)
}
