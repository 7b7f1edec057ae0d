package tui

import (
	"context"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// action is one thing a person can do. Its key (from the keymap) and the
// palette's :name run the same function; help, the help line and the
// Problem section list actions from the same table.
type action struct {
	name    string  // the palette's word
	binding string  // the keymap's action ("" when only the palette has it)
	help    i18n.ID // what it does, for a palette-only action
	group   i18n.ID // the help screen's column
	changes bool    // writes a control: refused in read-only mode
	// applies says why the action does not apply to an order ("" when it
	// does; nil: it acts on no order).
	applies func(i18n.Lang, store.Order) string
	run     func(m *Model, c call) tea.Cmd
}

// call is how an action was asked for: its key, or the palette with the
// rest of the line.
type call struct {
	palette bool
	arg     string
}

func appliesTo(a act) func(i18n.Lang, store.Order) string {
	return func(l i18n.Lang, o store.Order) string { return unavailable(l, o, a) }
}

func goTo(k paneKind) func(*Model, call) tea.Cmd {
	return func(m *Model, _ call) tea.Cmd { return m.setPane(k) }
}

// actions is the table, in the order help lists them; the order actions
// in the order the inspect view offers them.
func actions() []action {
	const panes, acts, general = i18n.ID("help.panes"), i18n.ID("help.actions"), i18n.ID("help.general")
	return []action{
		{name: "connections", binding: "pane1", group: panes, run: goTo(paneConnections)},
		{name: "orders", binding: "pane2", group: panes, run: goTo(paneOrders)},
		{name: "queue", binding: "pane3", group: panes, run: goTo(paneQueue)},
		{name: "errors", binding: "pane4", group: panes, run: goTo(paneErrors)},
		{name: "retry", binding: "retry", group: acts, changes: true, applies: appliesTo(actRetry), run: (*Model).retry},
		{name: "reissue", binding: "reissue", group: acts, changes: true, applies: appliesTo(actReissue), run: (*Model).reissue},
		{name: "credit", binding: "credit", group: acts, changes: true, applies: appliesTo(actCredit), run: (*Model).credit},
		{name: "skip", binding: "skip", group: acts, changes: true, applies: appliesTo(actSkip), run: (*Model).skip},
		{name: "buyer", binding: "buyer", group: acts, changes: true, applies: appliesTo(actBuyer), run: (*Model).buyer},
		{name: "boleta", binding: "boleta", group: acts, changes: true, applies: appliesTo(actBoleta), run: (*Model).boleta},
		{name: "retry-all", binding: "retry_all", group: acts, changes: true, run: func(m *Model, c call) tea.Cmd {
			if c.palette {
				m.active = paneErrors
			}
			return m.retryAll()
		}},
		{name: "pause", binding: "pause", group: acts, changes: true, run: func(m *Model, c call) tea.Cmd {
			if c.palette { // :pause [name] pauses; its key toggles what is selected
				return m.pause(c.arg, true)
			}
			return m.togglePause()
		}},
		{name: "resume", help: "cmd.resume", group: acts, changes: true, run: func(m *Model, c call) tea.Cmd { return m.pause(c.arg, false) }},
		{name: "connect", binding: "connect", group: acts, changes: true, run: (*Model).connect},
		{name: "help", binding: "help", group: general, run: func(m *Model, _ call) tea.Cmd { m.openHelp(); return nil }},
		{name: "engines", binding: "engines", group: general, run: (*Model).openEngines},
		{name: "lang", help: "cmd.lang", group: general, run: (*Model).langCmd},
		{name: "theme", help: "cmd.theme", group: general, run: (*Model).themeCmd},
		{name: "quit", binding: "quit", group: general, run: func(*Model, call) tea.Cmd { return tea.Quit }},
	}
}

// key is the action's binding in km (disabled when it has none).
func (a action) key(km KeyMap) key.Binding {
	if b, ok := km.named[a.binding]; ok {
		return b
	}
	return key.NewBinding(key.WithDisabled())
}

// runAction runs a, or says why not in read-only mode.
func (m *Model) runAction(a action, c call) tea.Cmd {
	if a.changes && m.opt.ReadOnly {
		m.setFlash(flashErr, m.lang.T("flash.readonly"))
		return nil
	}
	return a.run(m, c)
}

// actionKey runs the action bound to k, in the panes and in inspect
// alike. Read-only mode disabled the bindings of those that change
// anything, so they do not match; a person pressing one still hears why
// nothing happens.
func (m *Model) actionKey(k tea.KeyPressMsg) tea.Cmd {
	for _, a := range m.actions {
		if a.binding != "" && key.Matches(k, a.key(m.keys)) {
			return m.runAction(a, call{})
		}
	}
	if m.opt.ReadOnly && isActionKey(k.String()) {
		m.setFlash(flashErr, m.lang.T("flash.readonly"))
	}
	return nil
}

// offered are the order actions that apply to o and have an enabled key.
func offered(km KeyMap, lang i18n.Lang, o store.Order) []key.Binding {
	var out []key.Binding
	for _, a := range actions() {
		if b := a.key(km); a.applies != nil && b.Enabled() && a.applies(lang, o) == "" {
			out = append(out, b)
		}
	}
	return out
}

// isActionKey says whether k is one of the default action keys, to explain
// read-only mode when one is pressed.
func isActionKey(k string) bool {
	for _, b := range defaultBindings() {
		if b.dangerous && slices.Contains(b.keys, k) {
			return true
		}
	}
	return false
}

func (m *Model) skip(call) tea.Cmd {
	return m.withApplicable(actSkip, func(o store.Order) tea.Cmd {
		m.openPrompt(promptSkip, "").order = o
		return nil
	})
}

func (m *Model) buyer(call) tea.Cmd {
	return m.withApplicable(actBuyer, func(o store.Order) tea.Cmd {
		m.openForm(o)
		return nil
	})
}

func (m *Model) boleta(call) tea.Cmd {
	return m.withApplicable(actBoleta, func(o store.Order) tea.Cmd {
		m.ask(m.lang.T("confirm.boleta", o.Code), func() tea.Cmd {
			return m.request("key.boleta", o.Code, func(ctx context.Context, st *store.Store, by string) (int64, error) {
				return engine.RequestIssueAsBoleta(ctx, st, o.ID, by)
			})
		})
		return nil
	})
}

func (m *Model) connect(call) tea.Cmd {
	if m.mode() != modePanes || m.active != paneConnections {
		return m.setPane(paneConnections)
	}
	return m.startConnect()
}

func (m *Model) langCmd(c call) tea.Cmd {
	l, err := i18n.ParseLang(c.arg)
	if err != nil {
		m.setFlash(flashErr, m.lang.T("flash.error", m.lang.T("lang.bad_palette", c.arg)))
		return nil
	}
	return m.setLang(l)
}

func (m *Model) themeCmd(c call) tea.Cmd {
	t, err := LoadTheme(c.arg)
	if err != nil {
		msg := err.Error() // a built-in theme that does not load: a bug, said as it is
		if !slices.Contains(ThemeNames(), c.arg) {
			msg = m.lang.T("theme.bad", c.arg, strings.Join(ThemeNames(), ", "))
		}
		m.setFlash(flashErr, m.lang.T("flash.error", msg))
		return nil
	}
	m.theme, m.styles = t, NewStyles(t, m.opt.NoColor)
	m.setFlash(flashInfo, m.lang.T("flash.theme", t.Name))
	return nil
}
