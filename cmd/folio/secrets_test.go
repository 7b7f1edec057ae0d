package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
)

// TestTokenLifecycleAndNoSecretShown runs the engine with access tokens
// that expire every second (so they are refreshed and rotated many
// times), then lets the refresh token expire: the connection must become
// "needs reconnect", paused, with the exact command. Every token the
// simulator issued, the client secret and the LibreDTE key are then
// looked for in the engine's log, the HTTP log and every console screen.
func TestTokenLifecycleAndNoSecretShown(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sims, err := sim.Start(ctx, sim.Options{Orders: 12, Seed: 11, RateLimit: -1, SIIDelay: 50 * time.Millisecond,
		Faults: faults.Spec{TokenExpire: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	env := app.New(os.Getenv)
	if _, err := env.ConnectSim(ctx, st, sims.Info.Multivende, store.KindLibreDTE); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuf{}
	eng, err := env.NewEngine(ctx, st, app.EngineSpec{RateLimit: -1, Config: engine.Config{PollInterval: 200 * time.Millisecond, Workers: 2,
		Retry:  engine.RetryPolicy{MaxAttempts: 8, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Emisor: sims.LD.Emisor(), SIIInterval: 100 * time.Millisecond, Log: slog.New(slog.NewJSONHandler(logs, nil))}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() { stop(); <-done }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		counts, _ := st.CountByState(ctx)
		if isSettled(ctx, st, counts, len(sims.MV.State().Checkouts)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("did not settle: %v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Keep polling across a few token lifetimes, then expire the refresh.
	time.Sleep(2500 * time.Millisecond)
	sims.MV.ExpireRefreshTokens()
	var conn store.Connection
	for deadline := time.Now().Add(20 * time.Second); ; {
		conn, _ = st.Connection(ctx, "simulador")
		if conn.Status == store.ConnNeedsReconnect {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("an expired refresh token did not ask for a reconnect: %s %q", conn.Status, conn.LastError)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !conn.Paused || !strings.Contains(conn.LastError, "folio connect multivende --name simulador") {
		t.Errorf("needs reconnect, but paused=%v and the message is %q", conn.Paused, conn.LastError)
	}

	secrets := append([]string{sims.Info.ClientSecret, sims.Info.LibreDTEHash}, sims.MV.State().Tokens...)
	if n := len(sims.MV.State().Tokens); n < 6 {
		t.Fatalf("only %d tokens issued: the rotation was not exercised", n)
	}
	var where []string
	// A cut secret is still a leak: look for the first 10 characters.
	check := func(what, text string) {
		text = ansi.Strip(text)
		for _, s := range secrets {
			if len(s) >= 10 && strings.Contains(text, s[:10]) || s != "" && strings.Contains(text, s) {
				where = append(where, what)
				return
			}
		}
	}
	check("the engine's log", logs.String())
	ex, err := st.HTTPLog(ctx, "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) == 0 {
		t.Fatal("no HTTP exchange logged")
	}
	for _, e := range ex {
		check("the HTTP log ("+e.Method+" "+e.URL+")", e.URL+e.ReqBody+e.RespBody+e.Error)
	}
	for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
		m, err := tui.New(tui.Options{Store: st, Lang: lang, By: "test"})
		if err != nil {
			t.Fatal(err)
		}
		deliver(t, m, tea.WindowSizeMsg{Width: 200, Height: 60})
		check("the console's panes", m.Render())
		for _, k := range []string{"1", "3", "4", "2"} {
			deliver(t, m, tea.KeyPressMsg{Code: rune(k[0]), Text: k})
			check("the console's pane "+k, m.Render())
			if k == "1" && !strings.Contains(ansi.Strip(m.Render()), "folio connect multivende --name simulador") {
				t.Errorf("the console (%s) does not show the reconnect command:\n%s", lang, ansi.Strip(m.Render()))
			}
		}
		// Inspect the newest orders, every section.
		for i := 0; i < 4; i++ {
			deliver(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
			for s := 0; s < 5; s++ {
				check("the console's inspect view", m.Render())
				deliver(t, m, tea.KeyPressMsg{Code: tea.KeyTab})
			}
			deliver(t, m, tea.KeyPressMsg{Code: tea.KeyEscape})
			deliver(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
		}
		m.Close()
	}
	if len(where) > 0 {
		t.Errorf("a secret appears in: %s", strings.Join(where, "; "))
	}
}

// deliver runs one message through the console and the commands it
// returns, as the program would.
func deliver(t *testing.T, m *tui.Model, msg tea.Msg) {
	t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0 && n < 200; n++ {
		msg, queue = queue[0], queue[1:]
		_, cmd := m.Update(msg)
		queue = append(queue, runCmd(cmd)...)
	}
}

func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}
