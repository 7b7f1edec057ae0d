package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// fakeFlow answers Wait once something is pasted (or at once when err or
// ready is set up front).
type fakeFlow struct {
	link   string
	pasted chan string
	err    error
	closed bool
}

func (f *fakeFlow) AuthorizeURL() string { return f.link }
func (f *fakeFlow) RedirectURI() string  { return "http://127.0.0.1:8765/callback" }
func (f *fakeFlow) Paste(text string) error {
	if !strings.Contains(text, "code=") {
		return errors.New("not a redirect URL or an authorization code")
	}
	f.pasted <- text
	return nil
}
func (f *fakeFlow) Close() error { f.closed = true; return nil }
func (f *fakeFlow) Wait(ctx context.Context) (Connected, error) {
	if f.err != nil {
		return Connected{}, f.err
	}
	select {
	case <-f.pasted:
		return Connected{Name: "tienda", Merchant: "m-1", Expires: fixedNow.Add(6 * 60 * 60 * 1e9)}, nil
	case <-ctx.Done():
		return Connected{}, ctx.Err()
	}
}

func TestConnectFromTheConsole(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 1})
	flow := &fakeFlow{link: "http://mv.test/apps/authorize?" + strings.Repeat("scope=read%3Acheckouts&", 12) + "state=xyz", pasted: make(chan string, 1)}
	var asked string
	b.m.opt.Connect = func(_ context.Context, name string) (ConnectFlow, error) { asked = name; return flow, nil }
	b.keys("1")
	cmd := b.m.startConnect()
	if b.m.mode() != modeConnect || asked != "tienda" {
		t.Fatalf("c on the tienda connection: mode %d, asked %q", b.m.mode(), asked)
	}
	screen := b.screen()
	checkFits(t, screen, 80, 24)
	// The link is shown whole, over as many lines as it takes.
	var joined strings.Builder
	for _, l := range strings.Split(ansi.Strip(screen), "\n") {
		joined.WriteString(strings.TrimRight(l, " "))
	}
	if !strings.Contains(joined.String(), flow.link) {
		t.Errorf("the link is not all on screen:\n%s", ansi.Strip(screen))
	}
	b.typeText("not-a-url")
	b.keys("enter")
	if !strings.Contains(b.screen(), "not a redirect URL") {
		t.Errorf("a bad paste is not explained:\n%s", ansi.Strip(b.screen()))
	}
	b.send(pasteMsg("http://127.0.0.1:8765/callback?code=abc&state=xyz"))
	b.keys("enter")
	for _, msg := range run(t, cmd) {
		if _, ok := msg.(spinMsg); !ok { // the spinner turns until the consent ends
			b.send(msg)
		}
	}
	if b.m.mode() != modePanes || !strings.Contains(b.screen(), "Connection OK") || !flow.closed {
		t.Errorf("after the consent: mode %d, closed %v\n%s", b.m.mode(), flow.closed, ansi.Strip(b.screen()))
	}

	// A failure says why and goes back.
	b.m.opt.Connect = func(context.Context, string) (ConnectFlow, error) {
		return &fakeFlow{err: errors.New("Multivende refused the client secret")}, nil
	}
	b.keys("c")
	if b.m.mode() != modePanes || !strings.Contains(b.screen(), "refused the client secret") {
		t.Errorf("a failed consent:\n%s", ansi.Strip(b.screen()))
	}

	// Read-only: no connecting.
	ro := setup(t, setupOpts{orders: 1, readOnly: true})
	ro.m.opt.Connect = b.m.opt.Connect
	ro.keys("1", "c")
	if ro.m.mode() == modeConnect {
		t.Error("read-only console started a consent")
	}
}

func pasteMsg(s string) tea.PasteMsg { return tea.PasteMsg{Content: s} }
