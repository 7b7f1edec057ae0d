// Package serve is folio serve: the console over SSH. Each session gets
// its own console (a Bubble Tea program over internal/tui) on the one
// store and the one engine of the process, for the person its public key
// names in the config (users) or in an authorized_keys file: a viewer
// gets the read-only console, an operator acts on their connections, and
// every action is written with their name and key fingerprint.
package serve

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	charmlog "charm.land/log/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
)

// Options configure a server.
type Options struct {
	// HostKey is the server's key (HostKey reads or makes it).
	HostKey gossh.Signer
	// Users are the config's users; AuthorizedKeys, an OpenSSH
	// authorized_keys file ("" for none), adds keys with the viewer role
	// (a key in both is the config's user).
	Users          []config.User
	AuthorizedKeys string
	// Console is what every session's console starts from (store,
	// engine, language, theme, keymap…); the session sets who acts.
	Console tui.Options
	// Log receives session starts and ends and refused keys (nil: none).
	Log *slog.Logger
	// FixedLang keeps Console.Lang for every session (--lang or language
	// in the config); otherwise a client that sends LANG (or LC_ALL,
	// LC_MESSAGES) in es or en gets its own.
	FixedLang bool
}

// Server is folio serve's SSH server.
type Server struct {
	opt      Options
	srv      *ssh.Server
	keys     map[string]store.Actor // by key fingerprint
	hostFP   string
	base     context.Context
	sessions atomic.Int64
	// seen, when set (tests), hears each session's size and colour
	// profile as its console gets them.
	seen func(user string, msg tea.Msg)
}

// New checks the keys and builds the server; Serve starts it.
func New(opt Options) (*Server, error) {
	if opt.HostKey == nil || opt.Console.Store == nil {
		return nil, errors.New("serve: a host key and a store are required")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	// wish logs each session's end on charm's global logger, to stderr:
	// the server's own log says it (recheck), the screen stays clean.
	charmlog.SetOutput(io.Discard)
	keys, err := Accounts(opt.Users, opt.AuthorizedKeys)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, keys: keys, hostFP: gossh.FingerprintSHA256(opt.HostKey.PublicKey()), base: context.Background()}
	s.srv, err = wish.NewServer(
		func(srv *ssh.Server) error { srv.AddHostKey(opt.HostKey); return nil },
		wish.WithPublicKeyAuth(s.auth),
		// Applied last to first: recover → context → the key checked
		// again → a terminal required → the console.
		wish.WithMiddleware(recover.MiddlewareWithLogger(logAdapter{opt.Log},
			s.console, s.activeTerm, s.recheck, s.withContext)),
	)
	if err != nil {
		return nil, fmt.Errorf("serve: %w", err)
	}
	s.srv.HandshakeTimeout = 30 * time.Second
	return s, nil
}

// HostKeyFingerprint is the SHA256 fingerprint clients see on first
// connecting.
func (s *Server) HostKeyFingerprint() string { return s.hostFP }

// Sessions is how many sessions are open now.
func (s *Server) Sessions() int { return int(s.sessions.Load()) }

// Serve answers on ln until ctx ends, then closes every session.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.base = ctx
	stop := context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.srv.Shutdown(sctx); err != nil {
			_ = s.srv.Close()
		}
	})
	defer stop()
	err := s.srv.Serve(ln)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// auth lets in the keys the config or the authorized_keys file names;
// who the key is comes again from the session (recheck), not from here:
// a client may offer keys it does not hold before the one it proves.
func (s *Server) auth(ctx ssh.Context, key ssh.PublicKey) bool {
	fp := gossh.FingerprintSHA256(key)
	_, ok := s.keys[fp]
	if !ok {
		s.opt.Log.Info("ssh key refused", "fingerprint", fp, "remote", ctx.RemoteAddr().String())
	}
	return ok
}

type (
	ctxKey   struct{}
	actorKey struct{}
)

// withContext gives the session a context that ends with the session or
// with the server.
func (s *Server) withContext(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx, cancel := context.WithCancel(sess.Context())
		defer cancel()
		defer context.AfterFunc(s.base, cancel)()
		sess.Context().SetValue(ctxKey{}, ctx)
		next(sess)
	}
}

// recheck finds the person again from the key the session proved, and
// refuses a session without one the server knows.
func (s *Server) recheck(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		pk := sess.PublicKey()
		var a store.Actor
		ok := pk != nil
		if ok {
			a, ok = s.keys[gossh.FingerprintSHA256(pk)]
		}
		if !ok {
			s.refuse(sess, s.lang().T("serve.err.key"))
			return
		}
		sess.Context().SetValue(actorKey{}, a)
		n := s.sessions.Add(1)
		defer s.sessions.Add(-1)
		start := time.Now()
		s.opt.Log.Info("ssh session", "user", a.User, "fingerprint", a.Fingerprint, "viewer", a.ReadOnly, "remote", sess.RemoteAddr().String(), "sessions", n)
		next(sess)
		s.opt.Log.Info("ssh session ended", "user", a.User, "fingerprint", a.Fingerprint, "seconds", time.Since(start).Seconds())
	}
}

// activeTerm refuses a session without a terminal (ssh -T, a command):
// the console draws a screen.
func (s *Server) activeTerm(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		if _, _, ok := sess.Pty(); !ok {
			s.refuse(sess, s.lang().T("serve.err.pty"))
			return
		}
		next(sess)
	}
}

// console runs the session's own console until the person quits or the
// session ends.
func (s *Server) console(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		ctx, _ := sess.Context().Value(ctxKey{}).(context.Context)
		a, ok := sess.Context().Value(actorKey{}).(store.Actor)
		if ctx == nil || !ok {
			s.refuse(sess, s.lang().T("serve.err.key"))
			return
		}
		opt := s.opt.Console
		opt.Actor = &a
		opt.By = a.User + " " + a.Fingerprint + " (ssh)"
		opt.Connect = nil // a consent opens a browser on this host, not the person's
		// The client's NO_COLOR (ssh -o SetEnv=NO_COLOR=1, or SendEnv).
		opt.NoColor = opt.NoColor || hasEnv(sess.Environ(), "NO_COLOR")
		if l, ok := clientLang(sess.Environ()); ok && !s.opt.FixedLang {
			opt.Lang = l
		}
		m, err := tui.New(opt)
		if err != nil {
			s.refuse(sess, err.Error())
			return
		}
		defer m.Close()
		program := func(sess ssh.Session) *tea.Program {
			// MakeOptions: the session's input and output, its TERM and
			// environment (the colour profile, NO_COLOR) and window size.
			opts := append(bubbletea.MakeOptions(sess), tea.WithContext(ctx), tea.WithFilter(noZeroSize))
			if pty, _, _ := sess.Pty(); pty.Window.Width <= 0 || pty.Window.Height <= 0 {
				// A client without a terminal of its own (ssh -tt from a
				// pipe) sends 0×0, on which nothing would be drawn.
				opts = append(opts, tea.WithWindowSize(80, 24))
			}
			return tea.NewProgram(sessionModel{Model: m, user: a.User, seen: s.seen}, opts...)
		}
		bubbletea.MiddlewareWithProgramHandler(program)(next)(sess)
	}
}

func (s *Server) lang() i18n.Lang {
	if s.opt.Console.Lang == "" {
		return i18n.ES
	}
	return s.opt.Console.Lang
}

func (s *Server) refuse(sess ssh.Session, msg string) {
	fmt.Fprintln(sess.Stderr(), "folio: "+safetext.Text(msg))
	_ = sess.Exit(1)
}

func hasEnv(env []string, name string) bool {
	return slices.ContainsFunc(env, func(kv string) bool {
		k, v, _ := strings.Cut(kv, "=")
		return k == name && v != ""
	})
}

// clientLang is the language the client's locale names, if es or en.
func clientLang(env []string) (i18n.Lang, bool) {
	get := func(name string) string {
		for _, kv := range env {
			if k, v, _ := strings.Cut(kv, "="); k == name {
				return v
			}
		}
		return ""
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := strings.ToLower(get(name)); v != "" {
			if strings.HasPrefix(v, "en") || strings.HasPrefix(v, "es") {
				return i18n.Detect("", "", get), true
			}
			return "", false
		}
	}
	return "", false
}

// Accounts are the people who may connect, by key fingerprint: the
// config's users, then the keys of an authorized_keys file (viewers,
// named by the key's comment).
func Accounts(users []config.User, authorizedKeys string) (map[string]store.Actor, error) {
	out := map[string]store.Actor{}
	for _, u := range users {
		for i, line := range u.Keys {
			k, err := config.ParseUserKey(line)
			if err != nil {
				return nil, fmt.Errorf("users: %s, key %d: %w", u.Name, i+1, err)
			}
			fp := gossh.FingerprintSHA256(k)
			if other, dup := out[fp]; dup && other.User != u.Name {
				return nil, fmt.Errorf("users: key %s is given to both %s and %s", fp, other.User, u.Name)
			}
			out[fp] = store.Actor{User: u.Name, Fingerprint: fp, ReadOnly: !u.Operator(), Connections: u.Connections}
		}
	}
	if authorizedKeys == "" {
		return out, nil
	}
	b, err := os.ReadFile(authorizedKeys)
	if err != nil {
		return nil, fmt.Errorf("--authorized-keys: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, comment, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("--authorized-keys %s line %d: not an OpenSSH public key", authorizedKeys, n)
		}
		fp := gossh.FingerprintSHA256(k)
		if _, known := out[fp]; known {
			continue // the config's user, with the config's role
		}
		name := strings.TrimSpace(comment)
		if name == "" || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
			name = "key-" + strings.TrimPrefix(fp, "SHA256:")[:8]
		}
		out[fp] = store.Actor{User: name, Fingerprint: fp, ReadOnly: true}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("--authorized-keys %s: %w", authorizedKeys, err)
	}
	return out, nil
}

// logAdapter gives the recover middleware the server's log.
type logAdapter struct{ log *slog.Logger }

func (l logAdapter) Printf(format string, v ...any) {
	l.log.Error("ssh session panicked", "panic", fmt.Sprintf(format, v...))
}

// sessionModel is a session's console. The program delivers the client's
// window size (and each resize) and its colour profile, worked out from
// the client's TERM and NO_COLOR, and draws each frame down to it.
// noZeroSize turns the 0×0 size of a client without a terminal into
// 80×24 wherever it comes from: the start (WithWindowSize above) or, under
// load, a window message that arrives after it and would blank the screen.
// A filter sees the message before the renderer is resized by it.
func noZeroSize(_ tea.Model, msg tea.Msg) tea.Msg {
	if ws, ok := msg.(tea.WindowSizeMsg); ok && (ws.Width <= 0 || ws.Height <= 0) {
		return tea.WindowSizeMsg{Width: 80, Height: 24}
	}
	return msg
}

type sessionModel struct {
	*tui.Model
	user string
	seen func(string, tea.Msg)
}

func (m sessionModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg.(type) {
	case tea.WindowSizeMsg, tea.ColorProfileMsg:
		if m.seen != nil {
			m.seen(m.user, msg)
		}
	}
	_, cmd := m.Model.Update(msg)
	return m, cmd
}
