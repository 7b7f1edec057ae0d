package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/testutil"
	"github.com/folio-cl/folio/internal/tui"
)

// person is a client key and the line the config holds for it.
type person struct {
	signer gossh.Signer
	line   string
	fp     string
}

func newPerson(t testing.TB) person {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	pk, _ := gossh.NewPublicKey(pub)
	return person{signer: signer, line: strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk))), fp: gossh.FingerprintSHA256(pk)}
}

// harness is a folio serve on a loopback port over a store holding two
// merchants' orders, each with one order in Errors.
type harness struct {
	t       testing.TB
	st      *store.Store
	srv     *Server
	addr    string
	cancel  context.CancelFunc
	done    chan error
	errIDs  map[string]string // connection → its order in Errors
	mu      sync.Mutex
	seen    map[string][]tea.Msg // user → sizes and profiles their console got
	hostKey gossh.PublicKey
}

func start(t testing.TB, users []config.User, orders int) *harness {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, errIDs: map[string]string{}, seen: map[string][]tea.Msg{}}
	now := time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)
	for ci, name := range []string{"tienda", "otra"} {
		var id int64
		err := st.Write(ctx, func(tx *store.Tx) (err error) {
			id, err = tx.SaveConnection(ctx, store.Connection{Name: name, Kind: store.KindMultivende, MerchantID: "m-" + name, AccessToken: "secret-" + name})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var ups []store.OrderUpsert
		for i := 0; i < orders; i++ {
			oid := fmt.Sprintf("%s-%06d", name, i)
			ups = append(ups, store.OrderUpsert{ID: oid, ConnectionID: id, Code: fmt.Sprintf("C%d-%06d", ci, i), PaymentStatus: "completed", Status: "completed",
				Total: 1990, SoldAt: now.Add(time.Duration(i) * time.Second), RemoteUpdatedAt: now, Light: `{"_id":"` + oid + `"}`, InitialState: store.StateQueued})
			if len(ups) == 1000 || i == orders-1 {
				if _, err := st.UpsertOrders(ctx, ups); err != nil {
					t.Fatal(err)
				}
				ups = ups[:0]
			}
		}
		errID := fmt.Sprintf("%s-%06d", name, orders-1)
		h.errIDs[name] = errID
		err = st.Write(ctx, func(tx *store.Tx) error {
			return tx.MoveOrder(ctx, errID, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention,
				Reason: "RUT inválido para factura", ReasonCode: "DTE-RUT-INVALID", Attempts: 1, Event: store.Event{Kind: "error", Message: "RUT inválido"}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	key, _, err := HostKey(filepath.Join(t.TempDir(), "host_ed25519"))
	if err != nil {
		t.Fatal(err)
	}
	h.hostKey = key.PublicKey()
	h.srv, err = New(Options{HostKey: key, Users: users, Console: tui.Options{Store: st, Lang: i18n.EN, By: "unused"}})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.seen = func(user string, msg tea.Msg) {
		h.mu.Lock()
		h.seen[user] = append(h.seen[user], msg)
		h.mu.Unlock()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.addr = ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.srv.Serve(sctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-h.done; err != nil {
			t.Errorf("serve: %v", err)
		}
		st.Close()
	})
	return h
}

func (h *harness) dial(p person) (*gossh.Client, error) {
	return gossh.Dial("tcp", h.addr, &gossh.ClientConfig{User: "folio", Auth: []gossh.AuthMethod{gossh.PublicKeys(p.signer)},
		HostKeyCallback: gossh.FixedHostKey(h.hostKey), Timeout: 10 * time.Second})
}

// screen is one console over SSH: keys in, the drawn bytes out.
type screen struct {
	t    testing.TB
	c    *gossh.Client
	s    *gossh.Session
	in   interface{ Write([]byte) (int, error) }
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
}

func (sc *screen) Write(b []byte) (int, error) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.Write(b)
}

func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return ansi.Strip(sc.out.String())
}

func (sc *screen) raw() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.String()
}

// open starts a console session with a terminal of w×h and env.
func (h *harness) open(p person, w, hgt int, env map[string]string) *screen {
	h.t.Helper()
	c, err := h.dial(p)
	if err != nil {
		h.t.Fatalf("dial: %v", err)
	}
	s, err := c.NewSession()
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range env {
		if err := s.Setenv(k, v); err != nil {
			h.t.Fatal(err)
		}
	}
	sc := &screen{t: h.t, c: c, s: s, done: make(chan struct{})}
	s.Stdout, s.Stderr = sc, sc
	in, err := s.StdinPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	sc.in = in
	if err := s.RequestPty("xterm-256color", hgt, w, gossh.TerminalModes{}); err != nil {
		h.t.Fatal(err)
	}
	if err := s.Shell(); err != nil {
		h.t.Fatal(err)
	}
	go func() { _ = s.Wait(); close(sc.done) }()
	h.t.Cleanup(func() { c.Close() })
	return sc
}

// waitFor waits, within 15 s, until cond holds (the tests' one wait).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, 15*time.Second, what, cond)
}

func (sc *screen) waitText(s string) {
	sc.t.Helper()
	waitFor(sc.t, fmt.Sprintf("%q on the screen", s), func() bool { return strings.Contains(sc.text(), s) })
}

// after sends keys and waits for s to be drawn after them (the output is
// a stream of changes, so only what is new counts).
func (sc *screen) after(keys, s string) {
	sc.t.Helper()
	sc.mu.Lock()
	from := sc.out.Len()
	sc.mu.Unlock()
	sc.keys(keys)
	waitFor(sc.t, fmt.Sprintf("%q on the screen after %q", s, keys), func() bool {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		return strings.Contains(ansi.Strip(sc.out.String()[from:]), s)
	})
}

// ended says whether the session is over.
func (sc *screen) ended() bool {
	select {
	case <-sc.done:
		return true
	default:
		return false
	}
}

func (sc *screen) keys(s string) {
	sc.t.Helper()
	if _, err := sc.in.Write([]byte(s)); err != nil {
		sc.t.Fatal(err)
	}
}

func (h *harness) audit() []store.Control {
	h.t.Helper()
	cs, err := h.st.Audit(context.Background(), 0, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return cs
}

func TestKeyAcceptedAndRefused(t *testing.T) {
	t.Parallel()
	ana, stranger := newPerson(t), newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}, Role: config.RoleOperator}}, 3)
	sc := h.open(ana, 100, 30, nil)
	sc.waitText("C0-000002")
	if _, err := h.dial(stranger); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("an unknown key: err = %v", err)
	}
	// A key whose session offers no terminal gets words, not a console.
	c, err := h.dial(ana)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, _ := c.NewSession()
	out, _ := s.CombinedOutput("")
	if !strings.Contains(string(out), "needs a terminal") {
		t.Errorf("a session without a terminal: %q", out)
	}
}

func TestViewerCannotAct(t *testing.T) {
	t.Parallel()
	vera := newPerson(t)
	h := start(t, []config.User{{Name: "vera", Keys: []string{vera.line}, Role: config.RoleViewer}}, 3)
	sc := h.open(vera, 100, 30, nil)
	sc.waitText("C0-000002")
	sc.after("4", "→") // the Errors pane, with its fix line
	sc.after("r", "actions are not allowed")
	sc.keys(":retry\r")
	sc.keys("p")
	sc.keys(":pause\r")
	// The last refusal drawn means every key before it was handled.
	sc.keys("q")
	waitFor(t, "the session to end", sc.ended)
	if cs := h.audit(); len(cs) != 0 {
		t.Fatalf("a viewer wrote controls: %+v", cs)
	}
}

func TestOperatorLimitedToTheirConnectionsAndAudited(t *testing.T) {
	t.Parallel()
	ana := newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}, Role: config.RoleOperator, Connections: []string{"otra"}}}, 3)
	sc := h.open(ana, 100, 30, nil)
	sc.waitText("C1-000002")
	if strings.Contains(sc.text(), "C0-0000") {
		t.Fatalf("another merchant's orders shown:\n%s", sc.text())
	}
	sc.after("4", "→")
	sc.after("r", "requested")
	sc.after("2p", "not on all at once")
	// The refused pause is in the audit too, rejected; the retry is the
	// one control the engine will apply.
	cs := h.audit()
	if len(cs) != 2 || cs[0].Kind != store.CtlPause || cs[0].Status != store.CtlRejected || cs[0].User != "ana" {
		t.Fatalf("audit = %+v", cs)
	}
	cs = cs[1:]
	if len(cs) != 1 || cs[0].Kind != store.CtlRetry || cs[0].Target != h.errIDs["otra"] || cs[0].User != "ana" || cs[0].Fingerprint != ana.fp ||
		cs[0].Connection != "otra" || !strings.Contains(cs[0].By, "ana "+ana.fp) {
		t.Fatalf("audit = %+v", cs)
	}
}

func TestResizeAndColourProfile(t *testing.T) {
	t.Parallel()
	ana, noColour := newPerson(t), newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}}, {Name: "nc", Keys: []string{noColour.line}}}, 3)
	sc := h.open(ana, 80, 24, nil)
	sc.waitText("C0-000002")
	if err := sc.s.WindowChange(40, 160); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the resize to reach the console", func() bool { return h.saw("ana", tea.WindowSizeMsg{Width: 160, Height: 40}) })
	if !h.saw("ana", tea.WindowSizeMsg{Width: 80, Height: 24}) || !h.saw("ana", tea.ColorProfileMsg{Profile: colorprofile.ANSI256}) {
		t.Errorf("ana's console saw %v", h.seen["ana"])
	}
	// A client that sends no size (ssh -tt from a pipe) gets 80×24.
	zero := h.open(ana, 0, 0, nil)
	zero.waitText("C0-000002")
	// Its 0×0 may also come as a window message after the start (seen
	// under load in CI): the screen must not go blank.
	if err := zero.s.WindowChange(0, 0); err != nil {
		t.Fatal(err)
	}
	zero.after("?", "esc")

	nc := h.open(noColour, 80, 24, map[string]string{"NO_COLOR": "1"})
	nc.waitText("C0-000002")
	if !h.saw("nc", tea.ColorProfileMsg{Profile: colorprofile.Ascii}) {
		t.Errorf("NO_COLOR's console saw %v", h.seen["nc"])
	}
	for _, sgr := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllStringSubmatch(nc.raw(), -1) {
		for p := range strings.SplitSeq(strings.ReplaceAll(sgr[1], ":", ";"), ";") {
			if len(p) == 2 && strings.ContainsAny(p[:1], "349") || p == "38" || p == "48" {
				t.Fatalf("colour drawn for a client with NO_COLOR: %q", sgr[0])
			}
		}
	}
	if !regexp.MustCompile(`\x1b\[[0-9;]*(3[0-7]|38;5;[0-9]+|9[0-7])m`).MatchString(sc.raw()) {
		t.Errorf("no colour for a 256-colour client: %q", sc.raw())
	}
}

func (h *harness) saw(user string, msg tea.Msg) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range h.seen[user] {
		if m == msg {
			return true
		}
	}
	return false
}

// A session that drops, even in the middle of an action, leaves nothing
// behind: its goroutines end, and the server goes on serving.
func TestDisconnectLeavesNothingBehind(t *testing.T) {
	ana := newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}, Role: config.RoleOperator}}, 3)
	// A first session warms up what stays for the process (pools, timers).
	first := h.open(ana, 80, 24, nil)
	first.waitText("C0-000002")
	first.c.Close()
	waitFor(t, "the first session to end", func() bool { return h.srv.Sessions() == 0 })
	baseline := settledGoroutines()

	var screens []*screen
	for range 3 {
		sc := h.open(ana, 100, 30, nil)
		sc.waitText("C0-000002")
		screens = append(screens, sc)
	}
	screens[0].keys("4s")   // a skip prompt open
	screens[1].keys("4r")   // a retry on its way
	screens[2].keys(":ret") // half a command
	for _, sc := range screens {
		sc.c.Close()
	}
	waitFor(t, "every session to end", func() bool { return h.srv.Sessions() == 0 })
	var n int
	waitFor(t, fmt.Sprintf("goroutines back to %d", baseline), func() bool { n = runtime.NumGoroutine(); return n <= baseline })

	// The store took the retry whole or not at all, and a new session works.
	for _, c := range h.audit() {
		if c.User != "ana" || c.Target != h.errIDs["tienda"] {
			t.Errorf("control %+v", c)
		}
	}
	sc := h.open(ana, 80, 24, nil)
	sc.waitText("C0-000002")
}

// settledGoroutines is the goroutine count once it stops falling.
func settledGoroutines() int {
	n := runtime.NumGoroutine()
	for range 100 {
		time.Sleep(30 * time.Millisecond)
		m := runtime.NumGoroutine()
		if m >= n {
			return m
		}
		n = m
	}
	return n
}

func TestHostKeyMadeOnceAndPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "state", "ssh_host_ed25519_key")
	k1, created, err := HostKey(path)
	if err != nil || !created || k1.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("first: %v, created %v", err, created)
	}
	if runtime.GOOS != "windows" {
		if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %04o", fi.Mode().Perm())
		}
	}
	k2, created, err := HostKey(path)
	if err != nil || created || gossh.FingerprintSHA256(k2.PublicKey()) != gossh.FingerprintSHA256(k1.PublicKey()) {
		t.Fatalf("second: %v, created %v", err, created)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, _, err := HostKey(path); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a key others can read: %v", err)
		}
	}
}

func TestAuthorizedKeysAreViewers(t *testing.T) {
	t.Parallel()
	ana, bob := newPerson(t), newPerson(t)
	path := filepath.Join(t.TempDir(), "authorized_keys")
	os.WriteFile(path, []byte("# team\n"+ana.line+" ana@laptop\n"+bob.line+" bob\n"), 0o600)
	accts, err := Accounts([]config.User{{Name: "ana", Keys: []string{ana.line}, Role: config.RoleOperator}}, path)
	if err != nil {
		t.Fatal(err)
	}
	if a := accts[ana.fp]; a.User != "ana" || a.ReadOnly {
		t.Errorf("ana (in both) = %+v", a)
	}
	if b := accts[bob.fp]; b.User != "bob" || !b.ReadOnly {
		t.Errorf("bob (authorized_keys only) = %+v", b)
	}
	os.WriteFile(path, []byte("nonsense\n"), 0o600)
	if _, err := Accounts(nil, path); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("a bad line: %v", err)
	}
}

func TestSessionLanguageFromTheClient(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]i18n.Lang{"LANG=es_CL.UTF-8": i18n.ES, "LANG=en_US.UTF-8": i18n.EN, "LC_ALL=en_GB": i18n.EN} {
		if l, ok := clientLang([]string{"TERM=xterm", env}); !ok || l != want {
			t.Errorf("%s: %s %v", env, l, ok)
		}
	}
	if _, ok := clientLang([]string{"LANG=C.UTF-8"}); ok {
		t.Error("C.UTF-8 chose a language")
	}
	ana := newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}}}, 3)
	sc := h.open(ana, 100, 30, map[string]string{"LANG": "es_CL.UTF-8"})
	sc.waitText("Pedidos")
}

// Stopping the server ends the sessions open on it.
func TestStopEndsOpenSessions(t *testing.T) {
	t.Parallel()
	ana := newPerson(t)
	h := start(t, []config.User{{Name: "ana", Keys: []string{ana.line}}}, 3)
	sc := h.open(ana, 80, 24, nil)
	sc.waitText("C0-000002")
	h.cancel()
	waitFor(t, "the session to end with the server", sc.ended)
}
