// Package tuitest is the one console driver of the tests: it plays
// messages into a console the way the Bubble Tea program would (a
// message, then what the commands it returned produce, until nothing is
// left), and names keys. The console's own tests and the command's tests
// (which drive a tui.Model over a live engine) both use it; it knows the
// console only through Update, so the console's internal tests can import
// it without a cycle. Imported by tests only.
package tuitest

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Model is what the driver needs of a console.
type Model interface {
	Update(tea.Msg) (tea.Model, tea.Cmd)
}

// Driver plays messages into one console.
type Driver struct {
	T    testing.TB
	M    Model
	Quit bool // the console asked to quit (a tea.QuitMsg came back)
}

// maxChain bounds the messages one Send may cause: a console that keeps
// sending itself messages fails the test instead of hanging it.
const maxChain = 1000

// Send delivers msg and then the results of the commands it returns, as
// the program would, until nothing is left to do.
func (d *Driver) Send(msg tea.Msg) {
	d.T.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > maxChain {
			d.T.Fatal("the console keeps sending itself messages")
		}
		msg, queue = queue[0], queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			d.Quit = true
			continue
		}
		_, cmd := d.M.Update(msg)
		queue = append(queue, Run(d.T, cmd)...)
	}
}

// Keys presses each key name: "tab", "enter", "ctrl+c", or one character.
func (d *Driver) Keys(names ...string) {
	d.T.Helper()
	for _, k := range names {
		d.Send(Press(k))
	}
}

// Type presses the characters of s one by one.
func (d *Driver) Type(s string) {
	d.T.Helper()
	for _, r := range s {
		d.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// cmdLimit is how long one command may take: the console must not wait on
// anything in a test.
const cmdLimit = 5 * time.Second

// Run runs cmd (a batch: each of its commands) and returns the messages
// it produced.
func Run(t testing.TB, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	timer := time.NewTimer(cmdLimit)
	defer timer.Stop()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-timer.C:
		t.Fatal("a command did not return: the console waits on something in a test")
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, Run(t, c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

var named = map[string]tea.KeyPressMsg{
	"tab":       {Code: tea.KeyTab},
	"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
	"enter":     {Code: tea.KeyEnter},
	"esc":       {Code: tea.KeyEscape},
	"down":      {Code: tea.KeyDown},
	"up":        {Code: tea.KeyUp},
	"pgdown":    {Code: tea.KeyPgDown},
	"pgup":      {Code: tea.KeyPgUp},
	"backspace": {Code: tea.KeyBackspace},
	"delete":    {Code: tea.KeyDelete},
	"left":      {Code: tea.KeyLeft},
	"right":     {Code: tea.KeyRight},
	"home":      {Code: tea.KeyHome},
	"end":       {Code: tea.KeyEnd},
	"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
}

// Press is the key press a name stands for: one of the named keys above,
// or else the first character of k, typed.
func Press(k string) tea.KeyPressMsg {
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}
