package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/safetext"
	"github.com/folio-cl/folio/internal/serve"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
)

// serveFlags are folio serve's flags (also folio demo --serve's address).
type serveFlags struct {
	addr, hostKey, authorizedKeys string
}

func (cl *cli) newServeCmd() *cobra.Command {
	var storeFlag string
	var sf serveFlags
	var f consoleFlags
	cmd := &cobra.Command{
		Use:  "serve [--ssh-addr ADDR] [--host-key PATH] [--authorized-keys PATH] [--store PATH]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			if err := f.check(cl.lang(cmd)); err != nil {
				return err
			}
			cfg, st, err := cl.env.ConfigAndStore(ctx, storeFlag, app.Create)
			if err != nil {
				return err
			}
			defer st.Close()
			lang := cl.env.LangFor(f.lang)
			if len(cfg.Users) == 0 && sf.authorizedKeys == "" {
				return errors.New(lang.T("serve.err.no_users", cfg.Paths.ConfigFile))
			}
			ce, err := cl.startConsoleEngine(ctx, cfg, st, f.lang, false)
			if err != nil {
				return err
			}
			defer ce.wait()
			defer cancel()
			log := slog.New(slog.NewJSONHandler(jsonLines{cmd.ErrOrStderr()}, nil))
			return serveConsole(ctx, cmd.OutOrStdout(), cfg, st, ce, f, sf, log)
		},
	}
	addStoreFlag(cmd, &storeFlag)
	sf.add(cmd)
	cmd.Flags().StringVar(&f.lang, "lang", "", "")
	f.add(cmd, false)
	return cmd
}

func (sf *serveFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&sf.addr, "ssh-addr", ":2222", "")
	cmd.Flags().StringVar(&sf.hostKey, "host-key", "", "")
	cmd.Flags().StringVar(&sf.authorizedKeys, "authorized-keys", "", "")
}

// serveConsole runs the SSH server until ctx ends, printing where it
// listens and its host key's fingerprint first.
func serveConsole(ctx context.Context, out io.Writer, cfg config.Loaded, st *store.Store, ce *consoleEngine, f consoleFlags, sf serveFlags, log *slog.Logger) error {
	lang := i18n.Detect(f.lang, cfg.Language, os.Getenv)
	keyPath := sf.hostKey
	if keyPath == "" {
		keyPath = filepath.Join(cfg.Paths.StateDir, "ssh_host_ed25519_key")
	}
	key, created, err := serve.HostKey(keyPath)
	if err != nil {
		return err
	}
	opt, err := consoleOptions(cfg, f, st, ce.eng)
	if err != nil {
		return err
	}
	srv, err := serve.New(serve.Options{HostKey: key, Users: cfg.Users, AuthorizedKeys: sf.authorizedKeys, Console: opt, Log: log,
		FixedLang: f.lang != "" || cfg.Language != ""})
	if err != nil {
		return err
	}
	if err := config.CheckListen(sf.addr); err != nil {
		return errors.New("--ssh-addr: " + err.Msg.In(lang))
	}
	ln, err := net.Listen("tcp", sf.addr)
	if err != nil {
		return errors.New(lang.T("cli.ssh_addr_busy", sf.addr) + ": " + lang.T("quote", err.Error()))
	}
	if created {
		fmt.Fprintln(out, lang.T("serve.hostkey_made", keyPath))
	}
	// A user limited to a connection the store lacks sees nothing: say so
	// (it may be connected later, so it is no error).
	if conns, err := st.Connections(ctx); err == nil {
		for _, u := range cfg.Users {
			for _, name := range u.Connections {
				if !slices.ContainsFunc(conns, func(c store.Connection) bool { return c.Name == name }) {
					fmt.Fprintln(out, lang.T("serve.warn.no_connection", u.Name, safetext.Text(name)))
				}
			}
		}
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintln(out, lang.T("serve.listening", ln.Addr().String(), srv.HostKeyFingerprint()))
	fmt.Fprintln(out, lang.T("serve.connect", port))
	return srv.Serve(ctx, ln)
}

// serveDemo serves the demo's console over SSH on a free loopback port,
// for the keys of ~/.ssh (as an operator named after the OS user) and the
// config's users, with a host key made for this demo only. It prints the
// ssh command and waits for Enter (on a terminal) before the local
// console takes the screen.
func serveDemo(ctx context.Context, in io.Reader, out io.Writer, dir string, cfg config.Loaded, opt tui.Options, log *slog.Logger) (stop func(), err error) {
	users := slices.Clone(cfg.Users)
	if own := ownKeys(); len(own) > 0 {
		users = append(users, config.User{Name: osUser(), Keys: own, Role: config.RoleOperator})
	}
	if len(users) == 0 {
		return nil, errors.New(opt.Lang.T("serve.demo.no_keys"))
	}
	key, _, err := serve.HostKey(filepath.Join(dir, "ssh_host_ed25519_key"))
	if err != nil {
		return nil, err
	}
	srv, err := serve.New(serve.Options{HostKey: key, Users: users, Console: opt, Log: log})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("demo --serve: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintln(out, opt.Lang.T("serve.demo.ssh", srv.HostKeyFingerprint(), port))
	if f, ok := in.(*os.File); ok && isTerminal(f) {
		fmt.Fprint(out, opt.Lang.T("serve.demo.enter"))
		waitLine(ctx, f)
	}
	return func() { cancel(); <-done }, nil
}

// ownKeys are the public keys in ~/.ssh (id_*.pub).
func ownKeys() []string {
	home, err := os.UserHomeDir()
	if err != nil {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(home, ".ssh", "id_*.pub"))
	var out []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		line := strings.TrimSpace(string(b))
		if _, err := config.ParseUserKey(line); err == nil {
			out = append(out, line)
		}
	}
	return out
}

// waitLine returns at the first line typed on f, or when ctx ends.
func waitLine(ctx context.Context, f *os.File) {
	got := make(chan struct{})
	go func() {
		_, _ = bufio.NewReader(f).ReadString('\n')
		close(got)
	}()
	select {
	case <-got:
	case <-ctx.Done():
	}
}
