package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// holding is who works the store: the live engines and which one holds
// each connection. On PostgreSQL several engines each lease some
// connections (connection_leases); on SQLite the one engine leases them
// all (or, from a folio before several engines, holds the store-wide lease
// and leases none). One engine holding every connection is said once.
type holding struct {
	engines []store.EngineInfo              // live, the newest first
	leases  map[int64]store.ConnectionLease // by connection id
	known   map[string]store.Holder         // every registered engine, live or not, by id
	all     *store.EngineInfo               // the one engine that holds every connection
}

// holding reads the engines and the leases of conns (the connections
// shown); nil when the store cannot say (the rest of the read goes on).
func (s source) holding(ctx context.Context, conns []store.Connection) *holding {
	live, err := engine.LiveEngines(ctx, s.st)
	if err != nil {
		return nil
	}
	h := &holding{engines: live, known: map[string]store.Holder{}}
	leases, err := s.st.ConnectionLeases(ctx)
	if err != nil {
		return nil
	}
	registered, err := s.st.Engines(ctx)
	if err != nil {
		return nil
	}
	for _, e := range append(registered, live...) {
		h.known[e.ID] = e.Holder
	}
	if len(leases) == 0 && len(live) == 1 && (!store.IsPostgres(s.st.Path()) || len(registered) == 0) {
		h.all = &h.engines[0]
		return h
	}
	h.leases = make(map[int64]store.ConnectionLease, len(leases))
	for _, l := range leases {
		h.leases[l.ConnectionID] = l
	}
	if len(live) == 1 && h.holdsAll(live[0].ID, conns) {
		h.all = &h.engines[0]
	}
	return h
}

// holdsAll says whether engine id holds every merchant of conns, live,
// and no other engine holds any of conns.
func (h *holding) holdsAll(id string, conns []store.Connection) bool {
	for _, c := range conns {
		l, ok := h.leases[c.ID]
		if ok && (!l.Live || l.Engine != id) || !ok && !store.IsInvoicerKind(c.Kind) {
			return false
		}
	}
	return true
}

// holderName is an engine as a person tells it apart: "host · pid". An
// engine no longer registered is named from its id (host/pid/started).
func (h *holding) holderName(lang i18n.Lang, id string) string {
	if e, ok := h.known[id]; ok {
		return lang.T("engine.holder", safetext.Text(e.Host), e.PID)
	}
	rest, _, _ := cutLast(id, "/")
	host, pid, ok := cutLast(rest, "/")
	if n, err := strconv.Atoi(pid); ok && err == nil {
		return lang.T("engine.holder", safetext.Text(host), n)
	}
	return safetext.Text(id)
}

func cutLast(s, sep string) (before, after string, ok bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// column says whether the Connections pane has an engine column: when
// engines lease connections one by one. One engine holding every
// connection is said once, in the selected connection's line; with no
// engine at all the status bar says so.
func (h *holding) column() bool {
	return h != nil && h.all == nil && (len(h.leases) > 0 || len(h.engines) > 0)
}

// cell is the Connections pane's engine column for c.
func (h *holding) cell(s *Styles, lang i18n.Lang, c store.Connection) cell {
	if h == nil {
		return cell{}
	}
	if h.all != nil {
		return cell{text: h.holderName(lang, h.all.ID)}
	}
	l, ok := h.leases[c.ID]
	switch {
	case ok && l.Live:
		return cell{text: h.holderName(lang, l.Engine)}
	case ok:
		return cell{lang.T("engine.expired", h.holderName(lang, l.Engine)), &s.Warn}
	case store.IsInvoicerKind(c.Kind):
		// An invoicer is used by whichever engine works the merchant.
		return cell{lang.T("engine.na"), &s.Muted}
	}
	return cell{lang.T("engine.none"), &s.Warn}
}

// detail is the selected connection's engine line, and whether it is
// trouble (a lease expired, a merchant no engine works).
func (h *holding) detail(lang i18n.Lang, c store.Connection, now time.Time, loc *time.Location) (string, bool) {
	if h == nil {
		return "", false
	}
	if h.all != nil {
		return lang.T("conn.engine.one", h.holderName(lang, h.all.ID)), false
	}
	if !h.column() {
		return "", false
	}
	l, ok := h.leases[c.ID]
	switch {
	case ok && l.Live:
		return lang.T("conn.engine.held", h.holderName(lang, l.Engine), i18n.FormatTime(lang, l.AcquiredAt, loc),
			i18n.FormatAgo(lang, now.Sub(l.HeartbeatAt)), l.Generation), false
	case ok:
		return lang.T("conn.engine.expired", h.holderName(lang, l.Engine), i18n.FormatAgo(lang, now.Sub(l.ExpiresAt))), true
	case store.IsInvoicerKind(c.Kind):
		return "", false
	}
	return lang.T("conn.engine.none"), true
}

// held counts the connections (of those shown) each live engine holds,
// and those no engine holds or whose lease expired.
func (h *holding) held(conns []store.Connection) (by map[string]int, unheld, expired int) {
	by = map[string]int{}
	if h == nil {
		return by, 0, 0
	}
	if h.all != nil {
		by[h.all.ID] = len(conns)
		return by, 0, 0
	}
	for _, c := range conns {
		l, ok := h.leases[c.ID]
		switch {
		case ok && l.Live:
			by[l.Engine]++
		case ok:
			expired++
		case !store.IsInvoicerKind(c.Kind):
			unheld++
		}
	}
	return by, unheld, expired
}

// enginesLayer lists the live engines: host, pid, since, how many of the
// connections shown each holds, its last heartbeat.
type enginesLayer struct{ offset int }

func (*enginesLayer) kind() mode { return modeEngines }

func (l *enginesLayer) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	km := m.keys
	switch {
	case key.Matches(k, km.Back, km.Quit, km.named["engines"]):
		m.pop()
	case key.Matches(k, km.Down):
		l.offset++
	case key.Matches(k, km.Up):
		l.offset = max(l.offset-1, 0)
	}
	return nil
}

func (l *enginesLayer) hints(m *Model) string { return m.hintLine(hints(m.keys.Back)) }

func (l *enginesLayer) body(m *Model, h int) ([]string, bool) {
	s, lang, now, w := &m.styles, m.lang, m.opt.Now(), m.width
	hd := m.data.holding
	var engines []store.EngineInfo
	if hd != nil {
		engines = hd.engines
	}
	out := []string{s.Title.Render(" " + lang.T("engines.title", len(engines))), ""}
	if len(engines) == 0 {
		out = append(out, s.Muted.Render(" "+lang.T("engines.none")))
	} else {
		by, unheld, expired := hd.held(m.data.conns)
		cols := []column{
			{title: lang.T("col.host"), flex: true},
			{title: lang.T("col.pid"), width: 8, right: true},
			{title: lang.T("col.since"), width: 16},
			{title: lang.T("col.connections"), width: 11, right: true},
			{title: lang.T("col.heartbeat"), width: 12, minPane: 60},
		}
		rows := make([][]cell, len(engines))
		for i, e := range engines {
			beat := lang.T("engine.na")
			if !e.HeartbeatAt.IsZero() {
				beat = i18n.FormatAgo(lang, now.Sub(e.HeartbeatAt))
			}
			since := lang.T("engine.na")
			if !e.Holder.StartedAt.IsZero() {
				since = i18n.FormatTime(lang, e.Holder.StartedAt, m.loc)
			}
			rows[i] = []cell{{text: e.Holder.Host}, {text: strconv.Itoa(e.Holder.PID)}, {text: since},
				{text: i18n.FormatCount(lang, int64(by[e.ID]))}, {text: beat}}
		}
		tbl := table(*s, cols, rows, -1, w)
		l.offset = min(l.offset, max(len(rows)-1, 0))
		out = append(out, tbl[0])
		out = append(out, tbl[1+l.offset:]...)
		out = append(out, "")
		if hd.all != nil {
			out = append(out, s.Muted.Render(" "+lang.T("engines.one_holds")))
		}
		if unheld > 0 {
			out = append(out, s.Warn.Render(" "+lang.T("engines.unheld", unheld)))
		}
		if expired > 0 {
			out = append(out, s.Warn.Render(" "+lang.T("engines.expired", expired)))
		}
	}
	return fitHeight(out, h), true
}

// openEngines shows the engines over the current screen.
func (m *Model) openEngines(call) tea.Cmd {
	if m.mode() != modeEngines {
		m.push(&enginesLayer{})
	}
	return nil
}
