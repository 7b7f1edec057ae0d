// Package app is what every folio command stands on: the environment
// loaded once per command (the config, the language, the store's path,
// the OAuth client secrets), one way to open the store, one factory for
// the clients of a stored connection and one engine built from the
// config. cmd/folio keeps the flags and the printing.
package app

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// Env is one command's environment (New; a zero Env reads os.Getenv).
type Env struct {
	// ConfigPath is --config ("" : $FOLIO_CONFIG, else the XDG location).
	// Set it before the first Config call.
	ConfigPath string
	getenv     func(string) string

	once sync.Once
	cfg  config.Loaded
	err  error

	mu       sync.Mutex
	langFlag string
	secrets  map[string]string // OAuth client id → secret, of the simulators connected to
}

// New is an environment reading variables through getenv (os.Getenv).
func New(getenv func(string) string) *Env {
	if getenv == nil {
		getenv = os.Getenv
	}
	return &Env{getenv: getenv}
}

// vars reads the environment: getenv, else the process's.
func (e *Env) vars() func(string) string {
	if e.getenv == nil {
		return os.Getenv
	}
	return e.getenv
}

// Config is the config file and the environment, read once. A file named
// with --config that does not exist is an error: silently running on the
// defaults would hide a typo. On error the Loaded still has its Paths.
func (e *Env) Config() (config.Loaded, error) {
	e.once.Do(func() {
		e.cfg, e.err = config.Load(e.ConfigPath, e.vars())
		if e.err == nil && e.ConfigPath != "" && !e.cfg.FileExists {
			e.mu.Lock()
			l := i18n.Detect(e.langFlag, "", e.vars()) // the config's own language is not there to read
			e.mu.Unlock()
			e.err = errors.New(l.T("cli.config_missing", e.ConfigPath, config.DefaultPaths(e.vars()).ConfigFile))
		}
	})
	return e.cfg, e.err
}

// SetLang records the command's --lang (already checked): Lang answers
// with it from then on.
func (e *Env) SetLang(flag string) {
	e.mu.Lock()
	e.langFlag = flag
	e.mu.Unlock()
}

// Lang is the command's language: its --lang, else the config's language
// (when the config loads), else the locale.
func (e *Env) Lang() i18n.Lang {
	e.mu.Lock()
	flag := e.langFlag
	e.mu.Unlock()
	return e.LangFor(flag)
}

// LangFor is the language a --lang of flag gives (see Lang).
func (e *Env) LangFor(flag string) i18n.Lang {
	language := ""
	if cfg, err := e.Config(); err == nil {
		language = cfg.Language
	}
	return i18n.Detect(flag, language, e.vars())
}

// LocaleLang is the language of the locale alone (LC_ALL, LC_MESSAGES,
// LANG): what a command's words are before its flags and config are read.
func (e *Env) LocaleLang() i18n.Lang { return i18n.Detect("", "", e.vars()) }

// StorePath is --store when given, else the configured store.
func (e *Env) StorePath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	cfg, err := e.Config()
	if err != nil {
		return "", err
	}
	return cfg.Store, nil
}

// Open is how a command opens its store.
type Open int

const (
	// Create opens the store, creating it where there is none.
	Create Open = iota
	// Existing opens an existing store to write to it: a new one would
	// have nothing for the command to do.
	Existing
	// ReadOnly opens an existing store and writes nothing.
	ReadOnly
	// Peek is ReadOnly for a quick look on the side (a check before the
	// real work): a busy store is waited for a second only.
	Peek
)

// OpenStore opens the store at path. Existing and ReadOnly refuse a path
// with no store yet, saying how to make one.
func (e *Env) OpenStore(ctx context.Context, path string, how Open) (*store.Store, error) {
	if how != Create {
		if err := e.StoreMustExist(path); err != nil {
			return nil, err
		}
	}
	o := store.Options{ReadOnly: how == ReadOnly || how == Peek}
	if how == Peek {
		o.BusyTimeout = time.Second
	}
	return store.Open(ctx, path, o)
}

// StoreMustExist refuses a store path where there is no store yet, in the
// command's language.
func (e *Env) StoreMustExist(path string) error {
	if _, err := os.Stat(path); os.IsNotExist(err) && !store.IsPostgres(path) {
		return errors.New(e.Lang().T("cli.no_store", path))
	}
	return nil
}

// OpenStoreFlag opens the store of --store (flag), else the configured one.
func (e *Env) OpenStoreFlag(ctx context.Context, flag string, how Open) (*store.Store, error) {
	path, err := e.StorePath(flag)
	if err != nil {
		return nil, err
	}
	return e.OpenStore(ctx, path, how)
}

// ConfigAndStore loads the config and opens the store of --store (or the
// configured one), for the commands that need both.
func (e *Env) ConfigAndStore(ctx context.Context, flag string, how Open) (config.Loaded, *store.Store, error) {
	cfg, err := e.Config()
	if err != nil {
		return cfg, nil, err
	}
	path := flag
	if path == "" {
		path = cfg.Store
	}
	st, err := e.OpenStore(ctx, path, how)
	return cfg, st, err
}

// RememberClientSecret keeps, for this process, the OAuth client secret
// of a simulator connected to: the store keeps tokens, the config (or a
// simulator) the app's secret.
func (e *Env) RememberClientSecret(clientID, secret string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.secrets == nil {
		e.secrets = map[string]string{}
	}
	e.secrets[clientID] = secret
}

// ClientSecret is the OAuth client secret of a Multivende connection: a
// simulator's this process connected to, else the config's when its
// client id is the connection's ("" when neither). The config is read
// again here: a long-running engine rebuilds a client after a reconnect,
// which may have saved a new client id and secret in the file.
func (e *Env) ClientSecret(c store.Connection) string {
	e.mu.Lock()
	s, ok := e.secrets[c.ClientID]
	e.mu.Unlock()
	if ok {
		return s
	}
	if cfg, err := e.Config(); err == nil && cfg.Multivende.ClientID == c.ClientID {
		return cfg.Multivende.ClientSecret
	}
	if cfg, err := config.Load(e.ConfigPath, e.vars()); err == nil && cfg.Multivende.ClientID == c.ClientID {
		return cfg.Multivende.ClientSecret
	}
	return ""
}
