package tui

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/pgtest"
)

// hrig is a console over a store of the test's own, a SQLite file or a
// PostgreSQL schema, holding the connections the console tests know
// (tienda on Multivende, libredte); keys and messages are delivered and
// the commands they return run in turn, as the program would.
type hrig struct {
	t  *testing.T
	st *store.Store
	m  *Model
}

func newHrig(t *testing.T, addr string, lang i18n.Lang, w, h int) *hrig {
	t.Helper()
	ctx := context.Background()
	if addr == "" {
		addr = t.TempDir() + "/folio.db"
	}
	st, err := store.Open(ctx, addr, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m-1",
			AccessToken: "secret-access-token", AccessExpiresAt: fixedNow.Add(5 * time.Hour), RefreshExpiresAt: fixedNow.Add(48 * time.Hour)}); err != nil {
			return err
		}
		_, err := tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: "http://ld", EmisorRUT: "76086428-5", APIKey: "secret-api-key"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if lang == "" {
		lang = i18n.EN
	}
	m, err := New(Options{Store: st, Lang: lang, By: "test", Now: func() time.Time { return fixedNow }})
	if err != nil {
		t.Fatal(err)
	}
	r := &hrig{t: t, st: st, m: m}
	r.send(tea.WindowSizeMsg{Width: w, Height: h})
	return r
}

func (r *hrig) send(msg tea.Msg) {
	r.t.Helper()
	queue := []tea.Msg{msg}
	for n := 0; len(queue) > 0; n++ {
		if n > 1000 {
			r.t.Fatal("the console keeps sending itself messages")
		}
		msg, queue = queue[0], queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			continue
		}
		_, cmd := r.m.Update(msg)
		queue = append(queue, r.run(cmd)...)
	}
}

func (r *hrig) run(cmd tea.Cmd) []tea.Msg {
	r.t.Helper()
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(5 * time.Second):
		r.t.Fatal("a command did not return: the console waits on something in a test")
	}
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, r.run(c)...)
		}
		return out
	}
	if msg == nil {
		return nil
	}
	return []tea.Msg{msg}
}

// keys types each key: esc, enter, down, or one character.
func (r *hrig) keys(names ...string) {
	r.t.Helper()
	for _, k := range names {
		switch k {
		case "esc":
			r.send(tea.KeyPressMsg{Code: tea.KeyEscape})
		case "enter":
			r.send(tea.KeyPressMsg{Code: tea.KeyEnter})
		case "down":
			r.send(tea.KeyPressMsg{Code: tea.KeyDown})
		default:
			r.send(tea.KeyPressMsg{Code: []rune(k)[0], Text: k})
		}
	}
}

func (r *hrig) typeText(s string) {
	for _, c := range s {
		r.keys(string(c))
	}
}

func (r *hrig) screen() string { return r.m.Render() }

// execStore runs statements on the store's database beside the store, as
// another engine would write its rows (the write side is the engine's).
func execStore(t *testing.T, addr string, stmts ...string) {
	t.Helper()
	driver, dsn := "sqlite", "file:"+addr+"?_pragma=busy_timeout(5000)"
	if store.IsPostgres(addr) {
		driver, dsn = "pgx", addr
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// shareStore puts three engines on the store (alpha and beta live, gamma
// gone quiet) and leases: tienda to alpha, tienda2 to gamma (expired);
// tienda3 is no engine's; the invoicer is leased by none.
func shareStore(t *testing.T, b *hrig, addr string) {
	t.Helper()
	ctx := context.Background()
	var ids [2]int64
	err := b.st.Write(ctx, func(tx *store.Tx) (err error) {
		for i, n := range []string{"tienda2", "tienda3"} {
			if ids[i], err = tx.SaveConnection(ctx, store.Connection{Name: n, Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m-" + n}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tienda, err := b.st.Connection(ctx, "tienda")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	live, gone, started := now+time.Hour.Milliseconds(), now-time.Minute.Milliseconds(), now-2*time.Hour.Milliseconds()
	eng := func(host string, pid int, exp int64) string {
		return fmt.Sprintf(`INSERT INTO engines (id, pid, host, started_at, heartbeat_at, expires_at) VALUES ('%s/%d/%d', %d, '%s', %d, %d, %d)`,
			host, pid, started, pid, host, started, now, exp)
	}
	lease := func(conn int64, host string, pid int, exp int64) string {
		return fmt.Sprintf(`INSERT INTO connection_leases (connection_id, engine, acquired_at, heartbeat_at, expires_at, generation) VALUES (%d, '%s/%d/%d', %d, %d, %d, 3)`,
			conn, host, pid, started, started, now, exp)
	}
	execStore(t, addr, eng("alpha", 101, live), eng("beta", 202, live), eng("gamma", 303, gone),
		lease(tienda.ID, "alpha", 101, live), lease(ids[0], "gamma", 303, gone))
	b.send(changeMsg{})
}

// holders drives the console over a store several engines share and
// checks what it says of them: the status bar, the engine column, the
// selected connection's line, the engines overlay by key and by palette.
func holders(t *testing.T, addr string) {
	b := newHrig(t, addr, i18n.EN, 80, 24)
	shareStore(t, b, addr)
	b.keys("1")
	s := ansi.Strip(b.screen())
	if !strings.Contains(s, "● 2 engines running") {
		t.Errorf("the status bar does not count the two live engines:\n%s", s)
	}
	for _, want := range []string{"ENGINE", "alpha · 101", "expired: gamma · 303", "— no engine",
		"Engine: alpha · 101 · since", "generation 3"} {
		if !strings.Contains(s, want) {
			t.Errorf("connections pane lacks %q:\n%s", want, s)
		}
	}
	row := func(name string) string {
		for _, l := range strings.Split(s, "\n") {
			if strings.Contains(l, " "+name+" ") {
				return l
			}
		}
		return ""
	}
	if r := row("tienda"); !strings.Contains(r, "alpha · 101") {
		t.Errorf("tienda's row does not name alpha: %q", r)
	}
	if r := row("tienda2"); !strings.Contains(r, "expired: gamma") {
		t.Errorf("tienda2's row does not show gamma's lease expired: %q", r)
	}
	if r := row("libredte"); strings.Contains(r, "no engine") {
		t.Errorf("the invoicer is no merchant an engine leases: %q", r)
	}
	// The selected connection's line follows the cursor (tienda2: expired).
	b.keys("down")
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "Engine: gamma · 303's lease expired") {
		t.Errorf("the expired lease's line:\n%s", s)
	}

	b.keys("E")
	s = ansi.Strip(b.screen())
	if b.m.mode() != modeEngines {
		t.Fatalf("E did not open the engines view:\n%s", s)
	}
	for _, want := range []string{"Engines running: 2", "HOST", "CONNECTIONS", "alpha", "beta", "Connections with no engine: 1", "Expired leases: 1"} {
		if !strings.Contains(s, want) {
			t.Errorf("engines view lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "gamma") {
		t.Errorf("an engine gone quiet is listed as running:\n%s", s)
	}
	for _, l := range strings.Split(s, "\n") {
		// alpha holds one connection (tienda), beta none.
		if f := strings.Fields(l); len(f) > 3 && (f[0] == "alpha" && (f[1] != "101" || !strings.Contains(l, " 1 ")) || f[0] == "beta" && !strings.Contains(l, " 0 ")) {
			t.Errorf("an engine's line miscounts its connections: %q", l)
		}
	}
	b.keys("esc")
	if b.m.mode() != modePanes {
		t.Errorf("esc left mode %d", b.m.mode())
	}
	b.keys(":")
	b.typeText("engines")
	b.keys("enter")
	if b.m.mode() != modeEngines {
		t.Errorf(":engines did not open the engines view:\n%s", ansi.Strip(b.screen()))
	}
}

func TestConsoleShowsConnectionHoldersSQLite(t *testing.T) {
	t.Parallel()
	holders(t, t.TempDir()+"/folio.db")
}

func TestConsoleShowsConnectionHoldersPostgres(t *testing.T) {
	t.Parallel()
	holders(t, pgtest.Store(t))
}

// One engine on SQLite holds every connection: no column repeating it,
// one line saying so, the overlay counting them all.
func TestConsoleOneEngineHoldsEveryConnection(t *testing.T) {
	t.Parallel()
	b := newHrig(t, "", i18n.ES, 80, 24)
	ctx := context.Background()
	h := store.Holder{PID: 4242, Host: "solo", StartedAt: time.Now().Add(-time.Hour)}
	if _, err := b.st.AcquireLease(ctx, h, time.Hour); err != nil {
		t.Fatal(err)
	}
	b.send(changeMsg{})
	b.keys("1")
	s := ansi.Strip(b.screen())
	for _, want := range []string{"● en marcha (PID 4242)", "Motor: solo · 4242 (trabaja todas las conexiones)"} {
		if !strings.Contains(s, want) {
			t.Errorf("lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "MOTOR ") {
		t.Errorf("an engine column for the one engine:\n%s", s)
	}
	b.keys("E")
	s = ansi.Strip(b.screen())
	for _, want := range []string{"Motores en marcha: 1", "solo", "4242", "Un solo motor trabaja todas las conexiones"} {
		if !strings.Contains(s, want) {
			t.Errorf("engines view lacks %q:\n%s", want, s)
		}
	}
	var line string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "4242") {
			line = l
		}
	}
	if f := strings.Fields(line); len(f) < 4 || !strings.Contains(line, " 2 ") {
		t.Errorf("the one engine's line does not count the store's 2 connections: %q", line)
	}
}

// No engine: nothing about holders but the status bar's word.
func TestConsoleNoEngineNoHolders(t *testing.T) {
	t.Parallel()
	b := newHrig(t, "", i18n.EN, 80, 24)
	b.keys("1")
	s := ansi.Strip(b.screen())
	if !strings.Contains(s, "engine stopped") || strings.Contains(s, "ENGINE") || strings.Contains(s, "Engine:") {
		t.Errorf("no engine runs:\n%s", s)
	}
	b.keys("E")
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "No engine running: start one with folio run") {
		t.Errorf("engines view with none:\n%s", s)
	}
}

// A host name comes from another machine: it reaches the screen safe.
func TestConsoleEngineHostIsSafe(t *testing.T) {
	t.Parallel()
	addr := t.TempDir() + "/folio.db"
	b := newHrig(t, addr, i18n.EN, 80, 24)
	now := time.Now().UnixMilli()
	tienda, err := b.st.Connection(context.Background(), "tienda")
	if err != nil {
		t.Fatal(err)
	}
	host := "evil\x1b]0;pwned\x07\x1b[2Jhost"
	id := fmt.Sprintf("%s/9/%d", host, now)
	execStore(t, addr,
		fmt.Sprintf(`INSERT INTO engines VALUES ('%s', 9, '%s', %d, %d, %d)`, id, host, now, now, now+3600_000),
		fmt.Sprintf(`INSERT INTO connection_leases VALUES (%d, '%s', %d, %d, %d, 1)`, tienda.ID, id, now, now, now+3600_000))
	// A second live engine, so the column shows.
	execStore(t, addr, fmt.Sprintf(`INSERT INTO engines VALUES ('b/8/%d', 8, 'b', %d, %d, %d)`, now, now, now, now+3600_000))
	b.send(changeMsg{})
	b.keys("1")
	for _, screen := range []string{b.screen(), func() string { b.keys("E"); return b.screen() }()} {
		if strings.Contains(screen, "\x07") || strings.Contains(screen, "\x1b]0;") || strings.Contains(screen, "\x1b[2J") {
			t.Errorf("a host's control sequence reached the screen: %q", screen)
		}
	}
}

// The holders fit every terminal and speak one language: the pane with its
// engine column, the selected connection's line, the engines view.
func TestConsoleHoldersFitAndSpeakOneLanguage(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {160, 45}, {60, 15}} {
		for _, lang := range i18n.Langs() {
			addr := t.TempDir() + "/folio.db"
			b := newHrig(t, addr, lang, size[0], size[1])
			shareStore(t, b, addr)
			what := fmt.Sprintf("%s %dx%d", lang, size[0], size[1])
			b.keys("1")
			for _, k := range []string{"", "down", "down", "down"} {
				if k != "" {
					b.keys(k)
				}
				checkFits(t, b.screen(), size[0], size[1])
				checkOneLanguage(t, lang, what+" connections", b.screen())
			}
			b.keys("E")
			checkFits(t, b.screen(), size[0], size[1])
			checkOneLanguage(t, lang, what+" engines", b.screen())
		}
	}
}

// An engine that registers and leases every merchant itself (SQLite's, or
// the only one on PostgreSQL) holds every connection: no column, one line.
func TestConsoleOneRegisteredEngineLeasesEveryConnection(t *testing.T) {
	t.Parallel()
	addr := t.TempDir() + "/folio.db"
	b := newHrig(t, addr, i18n.EN, 80, 24)
	tienda, err := b.st.Connection(context.Background(), "tienda")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	execStore(t, addr,
		fmt.Sprintf(`INSERT INTO engines VALUES ('solo/77/%d', 77, 'solo', %d, %d, %d)`, now, now, now, now+3600_000),
		fmt.Sprintf(`INSERT INTO connection_leases VALUES (%d, 'solo/77/%d', %d, %d, %d, 1)`, tienda.ID, now, now, now, now+3600_000))
	b.send(changeMsg{})
	b.keys("1")
	s := ansi.Strip(b.screen())
	if strings.Contains(s, "ENGINE") || !strings.Contains(s, "Engine: solo · 77 (works every connection)") || !strings.Contains(s, "running (PID 77)") {
		t.Errorf("one engine leasing every merchant:\n%s", s)
	}
	// A second engine joins and takes nothing yet: now the column shows.
	execStore(t, addr, fmt.Sprintf(`INSERT INTO engines VALUES ('duo/78/%d', 78, 'duo', %d, %d, %d)`, now+1, now+1, now, now+3600_000))
	b.send(changeMsg{})
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "ENGINE") || !strings.Contains(s, "solo · 77") || !strings.Contains(s, "2 engines running") {
		t.Errorf("two engines:\n%s", s)
	}
}
