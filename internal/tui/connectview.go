package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
)

// ConnectFlow is one Multivende consent under way, as the console drives
// it: the link to open, the callback's address, a pasted redirect URL as
// the fallback, and the wait. cmd/folio provides it, so that the console
// knows neither Multivende nor OAuth.
type ConnectFlow interface {
	AuthorizeURL() string
	RedirectURI() string
	Paste(text string) error
	// Wait returns once the connection is saved (or failed, in plain
	// words).
	Wait(ctx context.Context) (Connected, error)
	Close() error
}

// Connected is what the console says once a connection is made.
type Connected struct {
	Name, Merchant string
	Expires        time.Time
}

// Connector starts a consent for a connection name.
type Connector func(ctx context.Context, name string) (ConnectFlow, error)

// connectState is a consent under way, a layer.
type connectState struct {
	flow   ConnectFlow
	cancel context.CancelFunc
	name   string
	in     lineInput
	frame  int
	err    string
}

type (
	connectDoneMsg struct {
		flow ConnectFlow
		conn Connected
		err  error
	}
	spinMsg struct{}
)

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func spin() tea.Cmd {
	return tea.Tick(120*time.Millisecond, func(time.Time) tea.Msg { return spinMsg{} })
}

// startConnect opens the consent for the selected Multivende connection
// (to reconnect it) or a new one named "multivende".
func (m *Model) startConnect() tea.Cmd {
	if m.opt.Connect == nil {
		m.setFlash(flashErr, m.lang.T("connectui.unavailable"))
		return nil
	}
	name := "multivende"
	if c, ok := m.connPane().conn(); ok && c.Kind == "multivende" {
		name = c.Name
	}
	ctx, cancel := context.WithCancel(context.Background())
	flow, err := m.opt.Connect(ctx, name)
	if err != nil {
		cancel()
		m.setFlash(flashErr, m.lang.T("flash.error", err.Error()))
		return nil
	}
	m.push(&connectState{flow: flow, cancel: cancel, name: name, in: newInput(2048)})
	return tea.Batch(spin(), func() tea.Msg {
		c, err := flow.Wait(ctx)
		return connectDoneMsg{flow: flow, conn: c, err: err}
	})
}

// closeFlow stops a consent's callback server off the UI goroutine (it
// may take a moment to let the browser's page finish).
func closeFlow(f ConnectFlow) tea.Cmd {
	return func() tea.Msg {
		_ = f.Close()
		return nil
	}
}

func (m *Model) handleConnectDone(msg connectDoneMsg) tea.Cmd {
	c, ok := find[*connectState](m)
	if !ok || msg.flow != c.flow {
		return closeFlow(msg.flow) // a consent the person gave up on
	}
	c.cancel()
	c.flow = nil
	closing := closeFlow(msg.flow)
	m.remove(c)
	if msg.err != nil {
		m.setFlash(flashErr, m.lang.T("flash.error", msg.err.Error()))
		return closing
	}
	m.setFlash(flashInfo, m.lang.T("connectui.ok", m.lang.T("conn.ok"), msg.conn.Name, msg.conn.Merchant,
		i18n.FormatTime(m.lang, msg.conn.Expires, m.loc)))
	if m.opt.Engine != nil {
		m.opt.Engine.Kick()
	}
	return tea.Batch(closing, m.fetch())
}

func (*connectState) kind() mode { return modeConnect }

func (c *connectState) key(m *Model, k tea.KeyPressMsg) tea.Cmd {
	switch k.String() {
	case "esc":
		c.cancel() // Wait ends as cancelled; its message closes the flow
		m.remove(c)
		c.flow = nil
		m.setFlash(flashInfo, m.lang.T("flash.cancelled"))
		return nil
	case "ctrl+y":
		// OSC 52: the terminal copies the link, even over SSH.
		c.err = ""
		m.setFlash(flashInfo, m.lang.T("connectui.copied"))
		return tea.SetClipboard(c.flow.AuthorizeURL())
	case "enter":
		text := strings.TrimSpace(c.in.String())
		if text == "" {
			return nil
		}
		if err := c.flow.Paste(text); err != nil {
			c.err = err.Error()
			return nil
		}
		c.err = ""
		c.in.set("")
		return nil
	}
	c.in.update(k)
	return nil
}

func (c *connectState) paste(_ *Model, p tea.PasteMsg) tea.Cmd {
	c.in.update(p)
	return nil
}

func (c *connectState) hints(m *Model) string {
	return " " + m.styles.Muted.Render(m.lang.T("connectui.help"))
}

func (c *connectState) body(m *Model, h int) ([]string, bool) {
	s, lang := m.styles, m.lang
	if c.flow == nil {
		return nil, true
	}
	w := m.width - 2
	out := []string{s.Title.Render(" " + lang.T("connectui.title", c.name)), ""}
	for _, l := range wrapLines(lang.T("connectui.open"), w) {
		out = append(out, " "+l)
	}
	out = append(out, "")
	// The link is never cut: a terminal wraps it and it still works when
	// copied, where a cut one would not.
	link := c.flow.AuthorizeURL()
	for len(link) > 0 {
		n := min(len(link), m.width)
		out = append(out, s.Accent.Render(link[:n]))
		link = link[n:]
	}
	out = append(out, "")
	for _, l := range wrapLines(lang.T("connectui.ssh", c.flow.RedirectURI()), w) {
		out = append(out, " "+l)
	}
	out = append(out, "", " "+s.Info.Render(spinner[c.frame%len(spinner)])+" "+lang.T("connectui.waiting"), "",
		" "+lang.T("connectui.paste"), " "+c.in.view(w))
	if c.err != "" {
		out = append(out, " "+s.Error.Render(safetext.Text(c.err)))
	}
	return fitHeight(out, h), true
}

// String hides the flow's link in debug output; it carries a state.
func (c connectState) String() string { return fmt.Sprintf("connect %s", c.name) }
