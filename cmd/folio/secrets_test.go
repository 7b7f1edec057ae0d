package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/testutil"
)

// TestTokenLifecycleAndNoSecretShown runs the engine with access tokens
// that expire every second (so they are refreshed and rotated many
// times), then lets the refresh token expire: the connection must become
// "needs reconnect", paused, with the exact command. Every token the
// simulator issued, the client secret and the LibreDTE key are then
// looked for in the engine's log, the HTTP log and every console screen.
func TestTokenLifecycleAndNoSecretShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	logs := &syncBuf{}
	r := startEngine(t, engineOpts{orders: 12, seed: 11, faults: faults.Spec{TokenExpire: time.Second},
		log: slog.New(slog.NewJSONHandler(logs, nil))})
	sims, st := r.sims, r.st
	r.settle(t, 60*time.Second, "did not settle")
	// Keep polling across a few token lifetimes, then expire the refresh.
	time.Sleep(2500 * time.Millisecond)
	sims.MV.ExpireRefreshTokens()
	var conn store.Connection
	if !testutil.Until(20*time.Second, 50*time.Millisecond, func() bool {
		conn, _ = st.Connection(ctx, "simulador")
		return conn.Status == store.ConnNeedsReconnect
	}) {
		t.Fatalf("an expired refresh token did not ask for a reconnect: %s %q", conn.Status, conn.LastError)
	}
	// The last error is the refusal as the client said it; the reconnect
	// command is the readers' (the console's is checked below).
	if !conn.Paused || !strings.Contains(conn.LastError, "refresh token") {
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
	check("the connection's last error", conn.LastError)
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
		m, d := r.console(t, lang, 200, 60)
		check("the console's panes", m.Render())
		for _, k := range []string{"1", "3", "4", "2"} {
			d.Keys(k)
			check("the console's pane "+k, m.Render())
			if k == "1" && !strings.Contains(ansi.Strip(m.Render()), "folio connect multivende --name simulador") {
				t.Errorf("the console (%s) does not show the reconnect command:\n%s", lang, ansi.Strip(m.Render()))
			}
		}
		// Inspect the newest orders, every section.
		for i := 0; i < 4; i++ {
			d.Keys("enter")
			for s := 0; s < 5; s++ {
				check("the console's inspect view", m.Render())
				d.Keys("tab")
			}
			d.Keys("esc", "down")
		}
		m.Close()
	}
	if len(where) > 0 {
		t.Errorf("a secret appears in: %s", strings.Join(where, "; "))
	}
}
