// Package config reads folio's configuration: where things live (XDG
// paths), the config file, and FOLIO_* environment overrides, and says
// where each value came from.
//
// Precedence, lowest to highest: defaults, config.yaml, FOLIO_*
// variables. Command-line flags are applied by the commands themselves.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the merchant's zone must load where the system has no zone data

	"gopkg.in/yaml.v3"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/transport"
)

// Duration is a time.Duration written as "1m", "30s" in YAML.
type Duration time.Duration

// String writes d as people do: "1m", "2s", "1h30m", "0".
func (d Duration) String() string {
	if d == 0 {
		return "0"
	}
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// D returns d as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalText writes d as String does, so JSON shows "1m", not
// nanoseconds.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads "30s", "1m", "2h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("%q is not a duration (write it like 30s, 1m or 2h)", b)
	}
	*d = Duration(v)
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration (write it like 30s, 1m or 2h)", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Emisor is the issuing company's data, written on every document.
type Emisor struct {
	RUT         string `yaml:"rut" json:"rut"`
	RazonSocial string `yaml:"razon_social" json:"razon_social"`
	Giro        string `yaml:"giro" json:"giro"`
	Direccion   string `yaml:"direccion" json:"direccion"`
	Comuna      string `yaml:"comuna" json:"comuna"`
	Acteco      int    `yaml:"acteco" json:"acteco"`
}

// Retry is the retry policy for transient failures.
type Retry struct {
	MaxAttempts int      `yaml:"max_attempts" json:"max_attempts"`
	BaseDelay   Duration `yaml:"base_delay" json:"base_delay"`
	MaxDelay    Duration `yaml:"max_delay" json:"max_delay"`
}

// Multivende holds the OAuth application's credentials.
type Multivende struct {
	BaseURL      string `yaml:"base_url" json:"base_url"`
	ClientID     string `yaml:"client_id" json:"client_id"`
	ClientSecret string `yaml:"client_secret" json:"client_secret"`
	// EmitterID and Provider are sent when a document is attached to an
	// order; a connection's own values (folio connect multivende) win.
	EmitterID string `yaml:"emitter_id" json:"emitter_id"`
	Provider  string `yaml:"provider" json:"provider"`
}

// Config is folio's configuration. Keys documents every field.
type Config struct {
	Language            string              `yaml:"language" json:"language"` // "es" | "en" | "" (from the locale)
	Theme               string              `yaml:"theme" json:"theme"`
	Timezone            string              `yaml:"timezone" json:"timezone"`       // the merchant's zone: every time shown, and FchEmis
	Keymap              map[string][]string `yaml:"keymap" json:"keymap,omitempty"` // action → keys
	Store               string              `yaml:"store" json:"store"`
	LogFile             string              `yaml:"log_file" json:"log_file"`
	PollInterval        Duration            `yaml:"poll_interval" json:"poll_interval"`
	Listen              string              `yaml:"listen" json:"listen"` // webhook listener address ("": none)
	Workers             int                 `yaml:"workers" json:"workers"`
	RateLimit           float64             `yaml:"rate_limit" json:"rate_limit"` // Multivende requests per second
	Retry               Retry               `yaml:"retry" json:"retry"`
	CatalogSyncInterval Duration            `yaml:"catalog_sync_interval" json:"catalog_sync_interval"` // 0: off
	ReadOnly            bool                `yaml:"readonly" json:"readonly"`
	CreditNotesAuto     bool                `yaml:"credit_notes_auto" json:"credit_notes_auto"` // issue a 61 as soon as an issued order is cancelled
	Emisor              Emisor              `yaml:"emisor" json:"emisor"`
	Multivende          Multivende          `yaml:"multivende" json:"multivende"`
	Users               []User              `yaml:"users" json:"users,omitempty"` // who may open the console over SSH (folio serve)
}

// DefaultTimezone is the merchant's zone unless the config says another.
const DefaultTimezone = "America/Santiago"

// Location is the merchant's zone: where every time is shown and every
// document dated. A zone the config could not load falls back to the
// default (Load refuses such a config before this is asked).
func (c Config) Location() *time.Location {
	if loc, err := time.LoadLocation(c.Timezone); err == nil && c.Timezone != "" {
		return loc
	}
	loc, err := time.LoadLocation(DefaultTimezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Themes are the console themes a config may name.
var Themes = []string{"default", "dark", "light", "high-contrast"}

// Default returns the configuration used where nothing else says.
func Default() Config {
	return Config{
		Theme:        "default",
		Timezone:     DefaultTimezone,
		PollInterval: Duration(time.Minute),
		Workers:      2,
		RateLimit:    5,
		Retry:        Retry{MaxAttempts: 8, BaseDelay: Duration(2 * time.Second), MaxDelay: Duration(5 * time.Minute)},
		Multivende:   Multivende{BaseURL: "https://app.multivende.com"},
	}
}

// Where a value came from.
const (
	FromDefault = "default"
	FromFile    = "file"
	FromEnv     = "env"
)

// Source says where one key's value came from.
type Source struct {
	Kind string `json:"kind"`           // FromDefault, FromFile or FromEnv
	Line int    `json:"line,omitempty"` // FromFile: the line of the key
	Env  string `json:"env,omitempty"`  // FromEnv: the variable
}

// String reads "default", "file line 3" or "env FOLIO_WORKERS".
func (s Source) String() string {
	switch s.Kind {
	case FromFile:
		return fmt.Sprintf("file line %d", s.Line)
	case FromEnv:
		return "env " + s.Env
	}
	return FromDefault
}

// Loaded is the effective configuration with where each value came from.
type Loaded struct {
	Config
	Paths      Paths
	FileExists bool              // the config file was there to read
	Sources    map[string]Source // dotted key (keymap.ACTION for the keymap) → source
	Warnings   []i18n.Message    // problems worth saying that do not stop folio
}

// Load reads the config file at path and applies the environment. An
// empty path means $FOLIO_CONFIG, else the XDG location; a missing file
// is fine (defaults and environment still apply). Every problem is named
// by key (and line, in the file) with what is accepted, all on one line.
// On error the returned Loaded still carries the Paths.
func Load(path string, env func(string) string) (Loaded, error) {
	if env == nil {
		env = func(string) string { return "" }
	}
	l := Loaded{Config: Default(), Paths: DefaultPaths(env), Sources: map[string]Source{}}
	if path == "" {
		path = env("FOLIO_CONFIG")
	}
	if path != "" {
		l.Paths.ConfigFile = expandHome(path, env)
	}
	path = l.Paths.ConfigFile
	for _, k := range Keys {
		if k.Name != "keymap" {
			l.Sources[k.Name] = Source{Kind: FromDefault}
		}
	}

	b, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return l, fmt.Errorf("config %s: %w", path, err)
	default:
		l.FileExists = true
		if err := decode(b, &l.Config, l.Sources); err != nil {
			if ce, ok := errors.AsType[*Error](err); ok {
				ce.Path = path
				return l, ce
			}
			return l, fmt.Errorf("config %s: %w", path, err)
		}
	}

	var envErr Error
	for _, k := range Keys {
		v := env(k.Env)
		if k.Env == "" || v == "" {
			continue
		}
		if err := set(&l.Config, k.Name, v); err != nil {
			envErr.Problems = append(envErr.Problems, Problem{Key: k.Name, Msg: i18n.M("config.err.env", k.Env, valueMsg(err))})
			continue
		}
		l.Sources[k.Name] = Source{Kind: FromEnv, Env: k.Env}
	}
	if len(envErr.Problems) > 0 {
		return l, &envErr
	}

	if l.Language != "" {
		if lang, err := i18n.ParseLang(l.Language); err == nil {
			l.Language = string(lang) // es-CL → es
		}
	}
	l.LogFile = expandHome(l.LogFile, env)
	if l.Store == "" {
		l.Store = l.Paths.Store
	} else {
		l.Store = expandHome(l.Store, env)
		l.Paths.Store = l.Store
	}
	if err := join(l.problems(), l.Sources); err != nil {
		err.Path = path
		return l, err
	}
	if l.FileExists {
		l.Warnings = append(l.Warnings, permissionWarnings(path, l.Sources)...)
	}
	return l, nil
}

// permissionWarnings flags a config file readable by others that holds a
// secret.
func permissionWarnings(path string, src map[string]Source) []i18n.Message {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	var out []i18n.Message
	for _, k := range Keys {
		if k.Secret && src[k.Name].Kind == FromFile {
			out = append(out, i18n.M("config.warn.readable", path, k.Name, fmt.Sprintf("%04o", fi.Mode().Perm()), path))
		}
	}
	return out
}

// decode applies a config file to c, recording each key's line in src.
// It walks the YAML tree itself, so that an unknown key or a bad value is
// named with its line, and all problems are reported together.
func decode(b []byte, c *Config, src map[string]Source) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return &Error{Problems: []Problem{syntaxProblem(err)}}
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // only comments
	}
	if root.Kind != yaml.MappingNode {
		return &Error{Problems: []Problem{{Line: root.Line, Msg: i18n.M("config.file.not_map")}}}
	}
	var e Error
	walk(root, "", c, src, &e)
	if len(e.Problems) > 0 {
		return &e
	}
	return nil
}

// syntaxProblem is a file YAML cannot read: its line, and the parser's
// own words quoted (they are English).
func syntaxProblem(err error) Problem {
	text := strings.TrimPrefix(err.Error(), "yaml: ")
	var p Problem
	if rest, ok := strings.CutPrefix(text, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if line, err := strconv.Atoi(n); err == nil && line > 0 {
				p.Line, text = line, after
			}
		}
	}
	p.Msg = i18n.M("config.file.syntax", i18n.Quote(text))
	return p
}

// valueMsg is a value error's words as a message (*ValueError's, else
// the error's own).
func valueMsg(err error) i18n.Message {
	if ve, ok := errors.AsType[*ValueError](err); ok {
		return ve.Msg
	}
	return i18n.Quote(err.Error())
}

func walk(n *yaml.Node, prefix string, c *Config, src map[string]Source, e *Error) {
	say := func(line int, msg i18n.Message) {
		e.Problems = append(e.Problems, Problem{Line: line, Msg: msg})
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if v.Kind == yaml.AliasNode && v.Alias != nil {
			v = v.Alias
		}
		name := prefix + k.Value
		if first, dup := seen[k.Value]; dup {
			say(k.Line, i18n.M("config.file.twice", name, first))
			continue
		}
		seen[k.Value] = k.Line
		isNull := v.Kind == yaml.ScalarNode && v.Tag == "!!null"
		switch {
		case name == "keymap":
			if !isNull {
				decodeKeymap(v, c, src, say)
			}
		case name == "users":
			if !isNull {
				decodeUsers(v, c, src, say)
			}
		case isSection(name):
			if isNull {
				continue
			}
			if v.Kind != yaml.MappingNode {
				say(v.Line, i18n.M("config.file.section", name, strings.Join(sectionKeys(name), ", ")))
				continue
			}
			walk(v, name+".", c, src, e)
		default:
			if _, ok := LookupKey(name); !ok {
				hint := i18n.M("config.file.hint_show")
				if s := suggest(name); s != "" {
					hint = i18n.M("config.file.hint_mean", s)
				}
				say(k.Line, i18n.M("config.file.unknown", name, hint))
				continue
			}
			if isNull {
				continue // "workers:" with nothing keeps the default
			}
			if v.Kind != yaml.ScalarNode {
				say(v.Line, i18n.M("config.file.one_value", name))
				continue
			}
			if err := set(c, name, v.Value); err != nil {
				say(v.Line, valueMsg(err))
				continue
			}
			src[name] = Source{Kind: FromFile, Line: k.Line}
		}
	}
}

// sectionKeys lists the key names under a section, for messages.
func sectionKeys(section string) []string {
	var out []string
	for _, k := range Keys {
		if rest, ok := strings.CutPrefix(k.Name, section+"."); ok {
			out = append(out, rest)
		}
	}
	return out
}

// decodeKeymap reads action: [keys] (or action: key). Which actions and
// key names exist is the console's to check.
func decodeKeymap(n *yaml.Node, c *Config, src map[string]Source, say func(int, i18n.Message)) {
	if n.Kind != yaml.MappingNode {
		say(n.Line, i18n.M("config.keymap.not_map"))
		return
	}
	if c.Keymap == nil {
		c.Keymap = map[string][]string{}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		action := strings.TrimSpace(k.Value)
		if action == "" {
			say(k.Line, i18n.M("config.keymap.empty_action"))
			continue
		}
		if _, dup := c.Keymap[action]; dup {
			say(k.Line, i18n.M("config.keymap.twice", action))
			continue
		}
		var keys []string
		switch {
		case v.Kind == yaml.ScalarNode && v.Tag == "!!null":
			// action: with nothing unbinds it.
		case v.Kind == yaml.ScalarNode:
			keys = []string{v.Value}
		case v.Kind == yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					say(e.Line, i18n.M("config.keymap.key_word", action))
					continue
				}
				keys = append(keys, e.Value)
			}
		default:
			say(v.Line, i18n.M("config.keymap.list", action))
			continue
		}
		if slices.Contains(keys, "") {
			say(v.Line, i18n.M("config.keymap.empty_key", action))
			continue
		}
		c.Keymap[action] = keys
		src["keymap."+action] = Source{Kind: FromFile, Line: k.Line}
	}
}

// Validate checks every value, naming the key and what it accepts. All
// problems come back together on one line (an *Error).
func (c Config) Validate() error {
	if err := join(c.problems(), nil); err != nil {
		return err
	}
	return nil
}

// Error is the config's bad values, each named by its key, with what the
// key accepts and where the value came from. Its Error is English; a
// person reads In their language.
type Error struct {
	Path     string // the file read; "" when values alone were checked
	Problems []Problem
}

// Problem is one bad value: Line is its line in the file, Env the FOLIO_*
// variable it came from (neither when unknown).
type Problem struct {
	Key  string
	Line int
	Env  string
	Msg  i18n.Message
}

func (e *Error) Error() string { return e.text(i18n.EN, false) }

// In is the problems in lang, made safe for a terminal.
func (e *Error) In(lang i18n.Lang) string { return e.text(lang, true) }

func (e *Error) text(lang i18n.Lang, screen bool) string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s := p.Msg.Plain(lang)
		if screen {
			s = p.Msg.In(lang)
		}
		switch {
		case p.Line > 0:
			s = i18n.T(lang, "config.err.line", p.Line, s)
		case p.Env != "":
			s = i18n.T(lang, "config.err.from_env", s, p.Env)
		}
		parts[i] = s
	}
	out := strings.Join(parts, "; ")
	if e.Path != "" {
		out = i18n.T(lang, "config.err", e.Path, out)
	}
	return out
}

// join gathers problems, each with where its value came from when src
// knows: the file's line, or the FOLIO_* variable.
func join(ps []Problem, src map[string]Source) *Error {
	if len(ps) == 0 {
		return nil
	}
	for i, p := range ps {
		switch s := src[p.Key]; s.Kind {
		case FromFile:
			ps[i].Line = s.Line
		case FromEnv:
			ps[i].Env = s.Env
		}
	}
	return &Error{Problems: ps}
}

func (c Config) problems() []Problem {
	var ps []Problem
	bad := func(key string, id i18n.ID, args ...any) {
		ps = append(ps, Problem{Key: key, Msg: i18n.M(id, args...)})
	}
	if c.Language != "" {
		if _, err := i18n.ParseLang(c.Language); err != nil {
			bad("language", "config.bad.language", c.Language)
		}
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil || c.Timezone == "" {
		bad("timezone", "config.bad.timezone", c.Timezone)
	}
	if !slices.Contains(Themes, c.Theme) {
		bad("theme", "config.bad.theme", c.Theme, strings.Join(Themes, ", "))
	}
	if c.PollInterval < Duration(100*time.Millisecond) {
		bad("poll_interval", "config.bad.poll_interval", c.PollInterval)
	}
	if c.Listen != "" {
		if err := CheckListen(c.Listen); err != nil {
			bad("listen", "config.bad.listen", err.Msg)
		}
	}
	if c.Workers < 1 || c.Workers > 64 {
		bad("workers", "config.bad.workers", c.Workers)
	}
	if !(c.RateLimit > 0 && c.RateLimit <= 100) {
		bad("rate_limit", "config.bad.rate_limit", strconv.FormatFloat(c.RateLimit, 'g', -1, 64))
	}
	if c.Retry.MaxAttempts < 1 || c.Retry.MaxAttempts > 100 {
		bad("retry.max_attempts", "config.bad.max_attempts", c.Retry.MaxAttempts)
	}
	if c.Retry.BaseDelay <= 0 {
		bad("retry.base_delay", "config.bad.base_delay", c.Retry.BaseDelay)
	} else if c.Retry.MaxDelay < c.Retry.BaseDelay {
		bad("retry.max_delay", "config.bad.max_delay", c.Retry.MaxDelay, c.Retry.BaseDelay)
	}
	if c.CatalogSyncInterval < 0 {
		bad("catalog_sync_interval", "config.bad.catalog_neg", c.CatalogSyncInterval)
	} else if c.CatalogSyncInterval > 0 && c.CatalogSyncInterval < Duration(time.Minute) {
		bad("catalog_sync_interval", "config.bad.catalog_short", c.CatalogSyncInterval)
	}
	if c.Emisor.RUT != "" {
		if _, err := dte.ParseRUT(c.Emisor.RUT); err != nil {
			bad("emisor.rut", "config.bad.emisor_rut", c.Emisor.RUT)
		}
	}
	if c.Emisor.Acteco < 0 || c.Emisor.Acteco > 999999 {
		bad("emisor.acteco", "config.bad.emisor_acteco", c.Emisor.Acteco)
	}
	if !transport.IsWebURL(c.Multivende.BaseURL) {
		bad("multivende.base_url", "config.bad.base_url", c.Multivende.BaseURL)
	}
	c.userProblems(bad)
	actions := slices.Sorted(maps.Keys(c.Keymap))
	for _, action := range actions {
		if strings.TrimSpace(action) == "" || slices.Contains(c.Keymap[action], "") {
			bad("keymap."+action, "config.bad.keymap_empty", "keymap."+action)
		}
	}
	return ps
}

// ListenError is a listen address folio cannot use; Msg says why.
type ListenError struct{ Msg i18n.Message }

func (e *ListenError) Error() string { return e.Msg.Plain(i18n.EN) }

// CheckListen checks a listen address such as :8080 or 127.0.0.1:8080.
func CheckListen(addr string) *ListenError {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return &ListenError{i18n.M("config.listen.not_hostport", addr)}
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return &ListenError{i18n.M("config.listen.bad_port", addr)}
	}
	if strings.ContainsAny(host, " /") {
		return &ListenError{i18n.M("config.listen.bad_host", addr)}
	}
	return nil
}
