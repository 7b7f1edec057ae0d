package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"
	"github.com/spf13/cobra"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/connect"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/tui"
)

// consoleFlags are the flags shared by `folio console` and `folio demo`.
type consoleFlags struct {
	lang, theme string
	readOnly    bool
}

func (f *consoleFlags) add(cmd *cobra.Command, withReadOnly bool) {
	cmd.Flags().StringVar(&f.theme, "theme", "", "")
	if withReadOnly {
		cmd.Flags().BoolVar(&f.readOnly, "readonly", false, "")
	}
}

// check refuses a bad --lang or --theme before anything is opened or made.
func (f consoleFlags) check(l i18n.Lang) error {
	if f.lang != "" {
		if _, err := i18n.ParseLang(f.lang); err != nil {
			return fmt.Errorf("--lang: %w", err)
		}
	}
	if f.theme != "" {
		if _, err := tui.LoadTheme(f.theme); err != nil {
			return themeRefused(l, f.theme)
		}
	}
	return nil
}

// consoleOptions resolves language, theme, keymap and read-only from the
// flags, the config and the environment (flag beats config).
func consoleOptions(cfg config.Loaded, f consoleFlags, st *store.Store, eng *engine.Engine) (tui.Options, error) {
	if err := f.check(i18n.Detect(f.lang, cfg.Language, os.Getenv)); err != nil {
		return tui.Options{}, err
	}
	theme := cfg.Theme
	if f.theme != "" {
		theme = f.theme
	}
	host, _ := os.Hostname()
	_, noColor := os.LookupEnv("NO_COLOR")
	lang := i18n.Detect(f.lang, cfg.Language, os.Getenv)
	who := osUser()
	return tui.Options{Store: st, Engine: eng, Lang: lang, Theme: theme,
		NoColor: noColor, ReadOnly: f.readOnly || cfg.ReadOnly, Keymap: cfg.Keymap, MaxAttempts: cfg.Retry.MaxAttempts, Location: cfg.Location(),
		By: fmt.Sprintf("%s (console@%s)", who, host), Connect: consoleConnector(cfg, st, lang),
		// The local console's actions are audited with the OS user's name.
		Actor: &store.Actor{User: who}}, nil
}

// osUser names the person at this terminal for the audit.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := cmp.Or(os.Getenv("USER"), os.Getenv("USERNAME")); u != "" {
		return u
	}
	return "console"
}

// runConsole runs the console until the person quits.
func runConsole(ctx context.Context, opt tui.Options) error {
	m, err := tui.New(opt)
	if err != nil {
		return err
	}
	defer m.Close()
	_, err = tea.NewProgram(m, tea.WithContext(ctx)).Run()
	switch {
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil // stopped by a signal: a normal way out
	case err != nil && strings.Contains(err.Error(), "TTY"):
		// The terminal library's words, quoted: they are not in the reader's language.
		return errors.New(opt.Lang.T("console.no_tty") + ": " + opt.Lang.T("quote", err.Error()))
	}
	return err
}

func (cl *cli) newConsoleCmd() *cobra.Command {
	var storeFlag string
	var f consoleFlags
	cmd := &cobra.Command{
		Use:  "console [--store PATH] [--readonly] [--lang es|en] [--theme NAME]",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := f.check(cl.lang(cmd)); err != nil {
				return err
			}
			cfg, st, err := cl.env.ConfigAndStore(ctx, storeFlag, openMode(f.readOnly))
			if err != nil {
				return err
			}
			defer st.Close()
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			ce, err := cl.startConsoleEngine(ctx, cfg, st, f.lang, f.readOnly || cfg.ReadOnly)
			if err != nil {
				return err
			}
			opt, err := consoleOptions(cfg, f, st, ce.eng)
			if err != nil {
				cancel()
				ce.wait()
				return err
			}
			err = runConsole(ctx, opt)
			cancel()
			ce.wait()
			return err
		},
	}
	addStoreFlag(cmd, &storeFlag)
	cmd.Flags().StringVar(&f.lang, "lang", "", "")
	f.add(cmd, true)
	return cmd
}

// consoleEngine is the engine a console (folio console, folio serve) runs
// in this process when no `folio run` holds the store; eng is nil when
// one does (the console attaches to it through the store), when the
// console is read-only, or when there is nothing to run yet (no invoicer).
type consoleEngine struct {
	eng  *engine.Engine
	done chan error
	logf *os.File
}

// startConsoleEngine starts it, logging to the state directory so that
// the screen stays clean; with listen in the config it serves the webhooks
// as folio run would (a busy port leaves it polling). Cancel ctx, then
// call wait.
func (cl *cli) startConsoleEngine(ctx context.Context, cfg config.Loaded, st *store.Store, lang string, readOnly bool) (*consoleEngine, error) {
	ce := &consoleEngine{done: make(chan error, 1)}
	// Attached to the engines already working the store (several may
	// share a PostgreSQL store, none holding the store-wide lease).
	if n, _ := engine.Running(ctx, st); n > 0 || readOnly {
		return ce, nil
	}
	logf, err := openLog(cfg, cl.env.LangFor(lang))
	if err != nil {
		return nil, err
	}
	ce.logf = logf
	log := slog.New(slog.NewJSONHandler(jsonLines{logf}, nil))
	var engRef atomic.Pointer[engine.Engine] // the webhook handler hints the engine once built
	o := app.EngineFromConfig(cfg, cl.env.LangFor(lang), log)
	if cfg.Listen != "" {
		if ws, _, err := app.StartWebhooks(ctx, st, cfg.Listen, &engRef); err != nil {
			log.Warn("webhook listener not started", "err", err)
		} else {
			o.Webhook = ws.Health
			if cfg.Sources["poll_interval"].Kind == config.FromDefault {
				o.HealthyPollInterval = engine.DefaultHealthyPollInterval
			}
		}
	}
	eng, err := cl.env.NewEngine(ctx, st, o)
	if err != nil {
		return ce, nil // nothing to run yet (no invoicer): the console still shows the store
	}
	engRef.Store(eng)
	ce.eng = eng
	go func() { ce.done <- eng.Run(ctx) }()
	return ce, nil
}

// wait waits for the engine to stop (its context cancelled) and closes
// its log.
func (ce *consoleEngine) wait() {
	if ce.eng != nil {
		<-ce.done
	}
	if ce.logf != nil {
		ce.logf.Close()
	}
}

// openLog opens the engine's log file for a console that runs the engine;
// what stops it is said in l, the system's words quoted.
func openLog(cfg config.Loaded, l i18n.Lang) (*os.File, error) {
	path := cfg.LogFile
	if path == "" {
		path = filepath.Join(cfg.Paths.StateDir, "folio.log")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, errors.New(l.T("cli.log_dir", path, l.T("quote", err.Error())))
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, errors.New(l.T("cli.log_open", path, l.T("quote", err.Error())))
	}
	return f, nil
}

// consoleConnector lets the console's Connections pane run the same
// consent as `folio connect multivende`, with the client id and secret of
// the config, saving into the console's store.
func consoleConnector(cfg config.Loaded, st *store.Store, l i18n.Lang) tui.Connector {
	return func(ctx context.Context, name string) (tui.ConnectFlow, error) {
		if !connect.ValidName(name) {
			return nil, errors.New(l.T("connect.err.bad_name", name))
		}
		clientID, secret := cfg.Multivende.ClientID, cfg.Multivende.ClientSecret
		switch {
		case clientID == "":
			return nil, errors.New(l.T("connect.err.no_client_id"))
		case secret == "":
			return nil, errors.New(l.T("connect.err.no_client_secret"))
		}
		mv := multivende.New(multivende.Config{BaseURL: cfg.Multivende.BaseURL, ClientID: clientID, ClientSecret: secret,
			HTTPClient: &http.Client{Timeout: connect.ExchangeTimeout}})
		flow, err := connect.Start(connect.Options{Client: mv, Port: connect.DefaultPort, Lang: l})
		if ce, ok := connect.AsError(err); ok && ce.Kind == connect.KindListen {
			// The usual port is taken (a `folio connect` in another
			// terminal): any free one will do from here.
			flow, err = connect.Start(connect.Options{Client: mv, Port: -1, Lang: l})
		}
		if err != nil {
			return nil, connect.Explain(l, err, mv.BaseURL(), connect.DefaultPort)
		}
		return &consoleFlow{Flow: flow, mv: mv, st: st, name: name, lang: l, clientID: clientID}, nil
	}
}

// consoleFlow is a connect.Flow that saves its result when it succeeds.
type consoleFlow struct {
	*connect.Flow
	mv       *multivende.Client
	st       *store.Store
	name     string
	lang     i18n.Lang
	clientID string
}

func (f *consoleFlow) Wait(ctx context.Context) (tui.Connected, error) {
	res, err := f.Flow.Wait(ctx)
	if err != nil {
		return tui.Connected{}, connect.Explain(f.lang, err, f.mv.BaseURL(), f.Port())
	}
	tok := res.Token
	err = connect.SaveMultivende(ctx, f.lang, f.st, store.Connection{Name: f.name, Kind: store.KindMultivende, BaseURL: f.mv.BaseURL(),
		MerchantID: tok.MerchantID, ClientID: f.clientID, AccessToken: tok.Token, RefreshToken: tok.RefreshToken,
		AccessExpiresAt: tok.ExpiresAt, RefreshExpiresAt: tok.RefreshTokenExpiresAt, Scopes: tok.Scopes})
	f.Finish(err)
	if err != nil {
		return tui.Connected{}, err
	}
	return tui.Connected{Name: f.name, Merchant: tok.MerchantID, Expires: tok.ExpiresAt}, nil
}
