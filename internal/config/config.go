// Package config reads folio's configuration: where things live (XDG
// paths), the config file, and FOLIO_* environment overrides.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Paths says where folio keeps its files.
type Paths struct {
	ConfigFile string // $XDG_CONFIG_HOME/folio/config.yaml
	Store      string // $XDG_DATA_HOME/folio/folio.db
	StateDir   string // $XDG_STATE_HOME/folio (logs)
}

// DefaultPaths resolves the XDG locations, falling back to the usual
// directories under $HOME.
func DefaultPaths(env func(string) string) Paths {
	home := env("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	dir := func(xdg, fallback string) string {
		if v := env(xdg); v != "" && filepath.IsAbs(v) {
			return filepath.Join(v, "folio")
		}
		return filepath.Join(home, fallback, "folio")
	}
	return Paths{
		ConfigFile: filepath.Join(dir("XDG_CONFIG_HOME", ".config"), "config.yaml"),
		Store:      filepath.Join(dir("XDG_DATA_HOME", ".local/share"), "folio.db"),
		StateDir:   dir("XDG_STATE_HOME", ".local/state"),
	}
}

// Duration is a time.Duration written as "1m", "30s" in YAML.
type Duration time.Duration

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (write it like 30s, 1m or 2h)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

// Emisor is the issuing company's data, written on every document.
type Emisor struct {
	RUT         string `yaml:"rut"`
	RazonSocial string `yaml:"razon_social"`
	Giro        string `yaml:"giro"`
	Direccion   string `yaml:"direccion"`
	Comuna      string `yaml:"comuna"`
	Acteco      int    `yaml:"acteco"`
}

// Retry is the retry policy for transient failures.
type Retry struct {
	MaxAttempts int      `yaml:"max_attempts"`
	BaseDelay   Duration `yaml:"base_delay"`
	MaxDelay    Duration `yaml:"max_delay"`
}

// Multivende holds the OAuth application's credentials.
type Multivende struct {
	BaseURL      string `yaml:"base_url"`
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret" secret:"true"`
}

// Config is folio's configuration. Every key is documented in README.md.
type Config struct {
	Language            string              `yaml:"language"` // es | en | "" (from LANG)
	Theme               string              `yaml:"theme"`    // default | dark | light | high-contrast
	Keymap              map[string][]string `yaml:"keymap"`   // action → keys
	Store               string              `yaml:"store"`
	LogFile             string              `yaml:"log_file"`
	PollInterval        Duration            `yaml:"poll_interval"`
	Workers             int                 `yaml:"workers"`
	RateLimit           float64             `yaml:"rate_limit"` // Multivende requests per second
	Retry               Retry               `yaml:"retry"`
	CatalogSyncInterval Duration            `yaml:"catalog_sync_interval"` // 0: off
	ReadOnly            bool                `yaml:"readonly"`
	Emisor              Emisor              `yaml:"emisor"`
	Multivende          Multivende          `yaml:"multivende"`
}

// Default returns the configuration used where the file says nothing.
func Default() Config {
	return Config{
		Theme:        "default",
		PollInterval: Duration(time.Minute),
		Workers:      2,
		RateLimit:    5,
		Retry:        Retry{MaxAttempts: 8, BaseDelay: Duration(2 * time.Second), MaxDelay: Duration(5 * time.Minute)},
		Multivende:   Multivende{BaseURL: "https://app.multivende.com"},
	}
}

// EnvVars maps each FOLIO_* variable to the key it overrides.
var EnvVars = []struct{ Name, Key string }{
	{"FOLIO_LANGUAGE", "language"},
	{"FOLIO_THEME", "theme"},
	{"FOLIO_STORE", "store"},
	{"FOLIO_LOG_FILE", "log_file"},
	{"FOLIO_POLL_INTERVAL", "poll_interval"},
	{"FOLIO_WORKERS", "workers"},
	{"FOLIO_RATE_LIMIT", "rate_limit"},
	{"FOLIO_RETRY_MAX_ATTEMPTS", "retry.max_attempts"},
	{"FOLIO_RETRY_BASE_DELAY", "retry.base_delay"},
	{"FOLIO_RETRY_MAX_DELAY", "retry.max_delay"},
	{"FOLIO_CATALOG_SYNC_INTERVAL", "catalog_sync_interval"},
	{"FOLIO_READONLY", "readonly"},
	{"FOLIO_EMISOR_RUT", "emisor.rut"},
	{"FOLIO_EMISOR_RAZON_SOCIAL", "emisor.razon_social"},
	{"FOLIO_EMISOR_GIRO", "emisor.giro"},
	{"FOLIO_EMISOR_DIRECCION", "emisor.direccion"},
	{"FOLIO_EMISOR_COMUNA", "emisor.comuna"},
	{"FOLIO_EMISOR_ACTECO", "emisor.acteco"},
	{"FOLIO_MULTIVENDE_BASE_URL", "multivende.base_url"},
	{"FOLIO_MULTIVENDE_CLIENT_ID", "multivende.client_id"},
	{"FOLIO_MULTIVENDE_CLIENT_SECRET", "multivende.client_secret"},
}

// Loaded is a configuration with where each key's value came from.
type Loaded struct {
	Config
	Paths  Paths
	Source map[string]string // key → "default", "file", or "env FOLIO_…"
}

// Load reads the config file at path (missing is fine) and applies the
// environment. A bad file or value is an error naming the key and line.
func Load(path string, env func(string) string) (Loaded, error) {
	l := Loaded{Config: Default(), Paths: DefaultPaths(env), Source: map[string]string{}}
	if path == "" {
		path = l.Paths.ConfigFile
	}
	l.Paths.ConfigFile = path
	for _, k := range keys() {
		l.Source[k] = "default"
	}
	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return l, fmt.Errorf("config %s: %w", path, err)
	default:
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&l.Config); err != nil && !errors.Is(err, io.EOF) {
			return l, fmt.Errorf("config %s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		var raw map[string]any
		_ = yaml.Unmarshal(b, &raw)
		for _, k := range keys() {
			if has(raw, k) {
				l.Source[k] = "file"
			}
		}
	}
	for _, ev := range EnvVars {
		v := env(ev.Name)
		if v == "" {
			continue
		}
		if err := set(&l.Config, ev.Key, v); err != nil {
			return l, fmt.Errorf("environment %s=%q: %w", ev.Name, redactIfSecret(ev.Key, v), err)
		}
		l.Source[ev.Key] = "env " + ev.Name
	}
	if l.Store == "" {
		l.Store = l.Paths.Store
	} else {
		l.Paths.Store = l.Store
	}
	if err := l.Validate(); err != nil {
		return l, fmt.Errorf("config %s: %w", path, err)
	}
	return l, nil
}

// Validate checks the values, saying which key is wrong and what it takes.
func (c Config) Validate() error {
	var errs []error
	if c.Language != "" && c.Language != "es" && c.Language != "en" {
		errs = append(errs, fmt.Errorf("language: %q is not es or en", c.Language))
	}
	switch c.Theme {
	case "", "default", "dark", "light", "high-contrast":
	default:
		errs = append(errs, fmt.Errorf("theme: %q is not one of default, dark, light, high-contrast", c.Theme))
	}
	if c.PollInterval < Duration(time.Second) {
		errs = append(errs, fmt.Errorf("poll_interval: %s is under 1s", time.Duration(c.PollInterval)))
	}
	if c.Workers < 1 || c.Workers > 64 {
		errs = append(errs, fmt.Errorf("workers: %d is not between 1 and 64", c.Workers))
	}
	if c.RateLimit <= 0 || c.RateLimit > 100 {
		errs = append(errs, fmt.Errorf("rate_limit: %g is not between 0 and 100 requests per second", c.RateLimit))
	}
	if c.Retry.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("retry.max_attempts: %d must be at least 1", c.Retry.MaxAttempts))
	}
	if c.Retry.BaseDelay <= 0 || c.Retry.MaxDelay < c.Retry.BaseDelay {
		errs = append(errs, errors.New("retry: base_delay must be positive and max_delay at least base_delay"))
	}
	if c.CatalogSyncInterval < 0 {
		errs = append(errs, errors.New("catalog_sync_interval: must not be negative (0 turns it off)"))
	}
	return errors.Join(errs...)
}

// Save writes the config to path, creating its directory 0700 and the
// file 0600 (it may hold the OAuth client secret).
func Save(path string, c Config) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	b, err := yaml.Marshal(c)
	if err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// Entry is one key of the effective configuration, for `config show`.
type Entry struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Entries lists every scalar key with its value (secrets masked) and source.
func (l Loaded) Entries() []Entry {
	var out []Entry
	for _, k := range keys() {
		v, _ := get(l.Config, k)
		out = append(out, Entry{Key: k, Value: redactIfSecret(k, v), Source: l.Source[k]})
	}
	return out
}

// Mask shows only the ends of a secret: "ab…yz", or "••••" when short.
func Mask(s string) string {
	if s == "" {
		return ""
	}
	r := []rune(s)
	if len(r) < 12 {
		return "••••"
	}
	return string(r[:2]) + "…" + string(r[len(r)-2:])
}

func redactIfSecret(key, v string) string {
	if strings.HasSuffix(key, "secret") {
		return Mask(v)
	}
	return v
}

// keys lists the dotted scalar keys of Config, in declaration order.
func keys() []string {
	var out []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, prefix+name+".")
				continue
			}
			if f.Type.Kind() == reflect.Map {
				continue
			}
			out = append(out, prefix+name)
		}
	}
	walk(reflect.TypeOf(Config{}), "")
	return out
}

func field(c *Config, key string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	for _, part := range strings.Split(key, ".") {
		found := false
		for i := 0; i < v.NumField(); i++ {
			if strings.Split(v.Type().Field(i).Tag.Get("yaml"), ",")[0] == part {
				v, found = v.Field(i), true
				break
			}
		}
		if !found {
			return v, false
		}
	}
	return v, true
}

func get(c Config, key string) (string, bool) {
	f, ok := field(&c, key)
	if !ok {
		return "", false
	}
	if f.Type() == reflect.TypeOf(Duration(0)) {
		return time.Duration(f.Int()).String(), true
	}
	return fmt.Sprint(f.Interface()), true
}

func set(c *Config, key, val string) error {
	f, ok := field(c, key)
	if !ok {
		return fmt.Errorf("unknown key %s", key)
	}
	switch {
	case f.Type() == reflect.TypeOf(Duration(0)):
		d, err := time.ParseDuration(val)
		if err != nil {
			return fmt.Errorf("%s: not a duration (write it like 30s, 1m or 2h)", key)
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(val)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Errorf("%s: not a whole number", key)
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return fmt.Errorf("%s: not a number", key)
		}
		f.SetFloat(n)
	case f.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("%s: not true or false", key)
		}
		f.SetBool(b)
	default:
		return fmt.Errorf("%s cannot be set from the environment", key)
	}
	return nil
}

func has(m map[string]any, key string) bool {
	cur := any(m)
	for _, part := range strings.Split(key, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = mm[part]; !ok {
			return false
		}
	}
	return true
}
