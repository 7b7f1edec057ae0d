// Package tui is folio's console: four live panes (connections, orders,
// the emission queue, errors) over the store, an inspect view per order,
// and the actions a person takes, written as controls that the engine
// applies. It knows the store and the engine's public control API, never
// Multivende or an invoicer.
package tui

import (
	"context"
	"regexp"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
)

// Options configure a console.
type Options struct {
	Store *store.Store
	// Engine is the engine running in this process, if any: its
	// notifications drive redraws. Without it the console polls the
	// store's change counter (attached to a daemon, or no engine at all).
	Engine   *engine.Engine
	Lang     i18n.Lang
	Theme    string
	NoColor  bool
	ReadOnly bool
	Keymap   map[string][]string
	// MaxAttempts is the retry cap shown as "attempt n/N".
	MaxAttempts int
	// By names who acts, recorded with every control.
	By  string
	Now func() time.Time
	// Location is the merchant's zone, the one every time is shown in
	// (default America/Santiago, whatever the host's zone).
	Location *time.Location
	// Connect starts a Multivende consent from the Connections pane (nil:
	// the console cannot connect, e.g. attached read-only).
	Connect Connector
	// Actor is the person at this console (folio serve's SSH user, or the
	// local one): every control is written with it and checked against
	// it, a read-only actor gets the read-only console, and one limited
	// to some connections sees only their orders. Nil: no one named.
	Actor *store.Actor
}

// flashLevel colours a flash line.
type flashLevel int

const (
	flashInfo flashLevel = iota
	flashErr
)

const flashFor = 6 * time.Second

// Model is the console. Build it with New and run it with tea.NewProgram.
type Model struct {
	*common
	src source

	width, height int
	stack         []layer // what is over the panes, the top last
	active        paneKind
	actions       []action
	panes         [paneCount]pane
	data          snapshot // the last read shown (its rows went to the panes)

	inspectOnLoad bool // enter came before the rows: inspect once they arrive
	fetching      bool // a fetch is out
	dirty         bool // something changed while it was out
	changes       <-chan engine.Change
	unsub         func()

	flash    string
	flashLvl flashLevel
	flashAt  time.Time
	pending  map[int64]string // controls sent, not yet applied
}

// inspectState is the inspect view of one order, a layer.
type inspectState struct {
	id string
	// buyer and rut are who the document names (a person's correction
	// wins over the order's data), worked out once per read.
	buyer, rut string
	view       *store.OrderView
	sections   []section
	sec        int
	offset     int
	search     string         // text to find within the section (/, then n)
	find       *regexp.Regexp // search, compiled once for the highlight
	lines      []string       // the section's lines, for linesKey
	linesKey   linesKey
	err        error
}

// Messages, each beside its owner.
type (
	dataMsg    snapshot
	tickMsg    time.Time
	changeMsg  struct{}
	inspectMsg struct {
		id   string // the order it was read for
		view store.OrderView
		err  error
	}
	controlMsg struct {
		id   int64
		what string
		err  error
	}
	controlDoneMsg struct {
		id         int64
		status     string
		outcome    string
		outcomeMsg string // the outcome as a catalog message (JSON), or ""
	}
)

// New builds a console over opt.Store. A bad theme or keymap is an error.
func New(opt Options) (*Model, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxAttempts <= 0 {
		opt.MaxAttempts = 8
	}
	if opt.Lang == "" {
		opt.Lang = i18n.ES
	}
	if opt.Location == nil {
		opt.Location = config.Default().Location()
	}
	if opt.Actor != nil && opt.Actor.ReadOnly {
		opt.ReadOnly = true
	}
	c := &common{opt: opt, lang: opt.Lang, loc: opt.Location}
	m := &Model{common: c, src: source{st: opt.Store, eng: opt.Engine, now: opt.Now, actor: opt.Actor},
		width: 80, height: 24, active: paneOrders, actions: actions(), panes: newPanes(c), pending: map[int64]string{}}
	t, err := LoadTheme(opt.Theme)
	if err != nil {
		return nil, err
	}
	m.theme, m.styles = t, NewStyles(t, opt.NoColor)
	if m.keys, err = NewKeyMap(m.lang, opt.Keymap, opt.ReadOnly); err != nil {
		return nil, err
	}
	if opt.Engine != nil {
		m.changes, m.unsub = opt.Engine.Subscribe()
	}
	m.resize(m.width, m.height)
	return m, nil
}

// Close stops the engine notifications.
func (m *Model) Close() {
	if m.unsub != nil {
		m.unsub()
	}
}

// Init starts the first read, the clock and the change watch.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(m.fetch(), tick(), m.waitChange())
}

func tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// waitChange delivers the engine's next "something changed".
func (m *Model) waitChange() tea.Cmd {
	if m.changes == nil {
		return nil
	}
	ch := m.changes
	return func() tea.Msg {
		if _, ok := <-ch; !ok {
			return nil
		}
		return changeMsg{}
	}
}

// fetch reads the visible panes; a fetch already out marks the data dirty
// instead, so a busy engine costs one read at a time.
func (m *Model) fetch() tea.Cmd {
	if m.fetching {
		m.dirty = true
		return nil
	}
	m.fetching, m.dirty = true, false
	var reads []paneRead
	for k, p := range m.panes {
		if op, ok := p.(*orderPane); ok && (m.grid() || m.active == paneKind(k)) {
			reads = append(reads, paneRead{kind: op.kind, states: op.states, win: op.win})
		}
	}
	src := m.src
	return func() tea.Msg { return dataMsg(src.load(context.Background(), reads)) }
}

// Update dispatches; each kind of message has its handler.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, m.fetch()
	case dataMsg:
		return m, m.handleData(snapshot(msg))
	case changeMsg:
		return m, tea.Batch(m.fetch(), m.waitChange())
	case tickMsg:
		return m, m.handleTick(time.Time(msg))
	case inspectMsg:
		m.handleInspect(msg)
		return m, nil
	case controlMsg:
		m.handleControl(msg)
		return m, nil
	case controlDoneMsg:
		m.handleControlDone(msg)
		return m, m.fetch()
	case connectDoneMsg:
		return m, m.handleConnectDone(msg)
	case spinMsg:
		c, ok := find[*connectState](m)
		if !ok {
			return m, nil
		}
		c.frame++
		return m, spin()
	case tea.PasteMsg:
		return m, m.handlePaste(msg)
	case tea.KeyPressMsg:
		return m, m.handleKey(msg)
	}
	return m, nil
}

func (m *Model) handleData(s snapshot) tea.Cmd {
	m.fetching = false
	if s.err == nil && m.left(s) {
		// Read for a page or filter the person has left while it was out:
		// showing it would put other rows under the cursor.
		return m.fetch()
	}
	if s.err != nil {
		m.setFlash(flashErr, m.lang.T("flash.store", m.lang.T("quote", s.err.Error())))
	} else {
		for _, p := range m.panes {
			p.take(&s)
		}
		s.lists = [paneCount]listData{}
		m.data = s
	}
	var cmds []tea.Cmd
	if m.inspectOnLoad && m.mode() == modePanes {
		m.inspectOnLoad = false
		if o, ok := m.selected(); ok {
			cmds = append(cmds, m.openInspect(o.ID))
		}
	}
	if m.dirty {
		cmds = append(cmds, m.fetch())
	}
	if in := m.inspecting(); m.mode() == modeInspect && in.view != nil {
		cmds = append(cmds, m.loadInspect(in)) // the order moves on while inspected
	}
	return tea.Batch(cmds...)
}

// handleTick clears an old flash, asks about pending controls, and, with
// no engine in this process, redraws when the store changed.
func (m *Model) handleTick(now time.Time) tea.Cmd {
	if m.flash != "" && now.Sub(m.flashAt) > flashFor {
		m.flash = ""
	}
	cmds := []tea.Cmd{tick(), m.checkControls()}
	if m.changes == nil {
		st, last := m.opt.Store, m.data.change
		cmds = append(cmds, func() tea.Msg {
			if c, err := st.ChangeCounter(context.Background()); err == nil && c == last {
				return nil
			}
			return changeMsg{}
		})
	} else {
		cmds = append(cmds, m.fetch()) // countdowns and rates move each second
	}
	return tea.Batch(cmds...)
}

func (m *Model) setFlash(l flashLevel, s string) {
	// A flash is one line, often quoting a reason or a service's error.
	m.flash, m.flashLvl, m.flashAt = safetext.Text(s), l, m.opt.Now()
}

// left says a read holds rows for a window a pane has left since: the one
// test of a reply's age (one read is out at a time).
func (m *Model) left(s snapshot) bool {
	for k, l := range s.lists {
		if op, ok := m.panes[k].(*orderPane); ok && l.read && l.win != op.win {
			return true
		}
	}
	return false
}

// orderPane is order pane k.
func (m *Model) orderPane(k paneKind) *orderPane {
	op, _ := m.panes[k].(*orderPane)
	return op
}

// connPane is the Connections pane.
func (m *Model) connPane() *connPane { return m.panes[paneConnections].(*connPane) }

// grid says whether the four panes fit together.
func (m *Model) grid() bool { return m.width >= 120 && m.height >= 36 }

// resize sets the size and each pane's.
func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 8)
	left := m.width / 2
	for k, p := range m.panes {
		switch {
		case !m.grid():
			p.setSize(m.width, m.height-5) // status, tabs, rule, flash, help
		case k == int(paneConnections) || k == int(paneOrders):
			p.setSize(left-2, m.boxHeight(paneKind(k))-2) // borders
		default:
			p.setSize(m.width-left-2, m.boxHeight(paneKind(k))-2)
		}
	}
	if in := m.inspecting(); in != nil {
		in.offset = 0
	}
}

func (m *Model) boxHeight(k paneKind) int {
	avail := m.height - 3 // status, flash, help
	top := avail / 2
	if k == paneOrders || k == paneErrors {
		return avail - top
	}
	return top
}
