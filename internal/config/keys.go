package config

import (
	"fmt"
	"github.com/folio-cl/folio/internal/i18n"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Key documents one setting: its dotted YAML name, its FOLIO_* override,
// its default as people read it, and what it does.
type Key struct {
	Name    string
	Env     string // "" when the key has no environment override (keymap)
	Default string
	Help    string
	Secret  bool // masked by Show and Redacted; kept out of errors
}

// Keys is the one table of every setting and its environment override.
// A test checks that it and the Config struct name the same keys.
//
// Besides these, FOLIO_CONFIG names the config file itself (the --config
// flag wins over it). An environment variable that is set but empty
// changes nothing.
var Keys = []Key{
	{Name: "language", Env: "FOLIO_LANGUAGE", Default: "(from LANG)", Help: `es (es-CL) or en; empty: en when LC_ALL/LC_MESSAGES/LANG start with "en", else es`},
	{Name: "theme", Env: "FOLIO_THEME", Default: "default", Help: "console theme: default (the terminal's own colours), dark, light, high-contrast"},
	{Name: "timezone", Env: "FOLIO_TIMEZONE", Default: "America/Santiago", Help: "the merchant's time zone: every time folio shows, and the documents' dates"},
	{Name: "keymap", Help: "console key overrides: action → list of keys (checked by the console)"},
	{Name: "store", Env: "FOLIO_STORE", Default: "$XDG_DATA_HOME/folio/folio.db", Help: "the store: a SQLite file, or a PostgreSQL database as postgres://USER:PASSWORD@HOST:PORT/DATABASE"},
	{Name: "log_file", Env: "FOLIO_LOG_FILE", Default: "(stderr)", Help: "engine log file"},
	{Name: "poll_interval", Env: "FOLIO_POLL_INTERVAL", Default: "1m", Help: "how often Multivende is asked for new and changed orders"},
	{Name: "listen", Env: "FOLIO_LISTEN", Default: "(off)", Help: "address folio run serves Multivende webhooks on, like :8080 (folio run --listen wins); empty: polling only"},
	{Name: "workers", Env: "FOLIO_WORKERS", Default: "2", Help: "orders worked on at once"},
	{Name: "rate_limit", Env: "FOLIO_RATE_LIMIT", Default: "5", Help: "Multivende requests per second, per merchant"},
	{Name: "retry.max_attempts", Env: "FOLIO_RETRY_MAX_ATTEMPTS", Default: "8", Help: "automatic attempts before an order needs a person"},
	{Name: "retry.base_delay", Env: "FOLIO_RETRY_BASE_DELAY", Default: "2s", Help: "first retry delay; doubles on each attempt, with jitter"},
	{Name: "retry.max_delay", Env: "FOLIO_RETRY_MAX_DELAY", Default: "5m", Help: "longest retry delay"},
	{Name: "catalog_sync_interval", Env: "FOLIO_CATALOG_SYNC_INTERVAL", Default: "0", Help: "how often the product catalog is synced; 0 turns it off"},
	{Name: "readonly", Env: "FOLIO_READONLY", Default: "false", Help: "the console shows everything and refuses every action"},
	{Name: "credit_notes_auto", Env: "FOLIO_CREDIT_NOTES_AUTO", Default: "false", Help: "issue the nota de crédito (61) as soon as an issued order shows cancelled or refunded; false: it waits in Errors for a person to confirm (key n, or folio order credit)"},
	{Name: "emisor.rut", Env: "FOLIO_EMISOR_RUT", Help: "the issuing company's RUT, e.g. 76086428-5"},
	{Name: "emisor.razon_social", Env: "FOLIO_EMISOR_RAZON_SOCIAL", Help: "its legal name"},
	{Name: "emisor.giro", Env: "FOLIO_EMISOR_GIRO", Help: "its line of business"},
	{Name: "emisor.direccion", Env: "FOLIO_EMISOR_DIRECCION", Help: "its address"},
	{Name: "emisor.comuna", Env: "FOLIO_EMISOR_COMUNA", Help: "its comuna"},
	{Name: "emisor.acteco", Env: "FOLIO_EMISOR_ACTECO", Help: "its SII economic activity code (up to 6 digits)"},
	{Name: "multivende.base_url", Env: "FOLIO_MULTIVENDE_BASE_URL", Default: "https://app.multivende.com", Help: "Multivende's API"},
	{Name: "multivende.client_id", Env: "FOLIO_MULTIVENDE_CLIENT_ID", Help: "the OAuth application's client id"},
	{Name: "multivende.client_secret", Env: "FOLIO_MULTIVENDE_CLIENT_SECRET", Secret: true, Help: "the OAuth application's client secret"},
	{Name: "multivende.emitter_id", Env: "FOLIO_MULTIVENDE_EMITTER_ID", Help: "ElectronicBillingDocumentEmitterId sent when attaching a document (per connection: folio connect multivende --emitter-id)"},
	{Name: "multivende.provider", Env: "FOLIO_MULTIVENDE_PROVIDER", Default: "libredte", Help: "provider code sent when attaching a document (per connection: --provider)"},
	{Name: "users", Help: "who may open the console over SSH (folio serve): a list of {name, keys, role: operator|viewer, connections}"},
}

// LookupKey returns the documented key named name.
func LookupKey(name string) (Key, bool) {
	for _, k := range Keys {
		if k.Name == name {
			return k, true
		}
	}
	return Key{}, false
}

// isSection reports whether name is a group of keys such as "retry".
func isSection(name string) bool {
	for _, k := range Keys {
		if strings.HasPrefix(k.Name, name+".") {
			return true
		}
	}
	return false
}

func isSecret(name string) bool {
	k, ok := LookupKey(name)
	return ok && k.Secret
}

// field finds the Config field of a dotted scalar key by its yaml tags.
func field(c *Config, key string) (reflect.Value, bool) {
	v := reflect.ValueOf(c).Elem()
	for _, part := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return v, false
		}
		found := false
		for i := 0; i < v.NumField(); i++ {
			if yamlName(v.Type().Field(i)) == part {
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

func yamlName(f reflect.StructField) string {
	return strings.Split(f.Tag.Get("yaml"), ",")[0]
}

var durationType = reflect.TypeOf(Duration(0))

// get returns a scalar key's value as people write it.
func get(c Config, key string) string {
	f, ok := field(&c, key)
	if !ok {
		return ""
	}
	switch {
	case f.Type() == durationType:
		return Duration(f.Int()).String()
	case f.Kind() == reflect.Float64:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(f.Interface())
}

// ValueError is a value a key cannot take; Msg names the key and what it
// accepts (never a secret's value).
type ValueError struct{ Msg i18n.Message }

func (e *ValueError) Error() string { return e.Msg.Plain(i18n.EN) }

// set parses val into a scalar key. Its errors (*ValueError) start with
// the key and say what is accepted; they never repeat a secret's value.
func set(c *Config, key, val string) error {
	f, ok := field(c, key)
	if !ok || f.Kind() == reflect.Map || f.Kind() == reflect.Struct {
		return &ValueError{i18n.M("config.value.not_setting", key)}
	}
	shown := i18n.Value(strconv.Quote(val))
	if isSecret(key) {
		shown = i18n.M("config.value.secret")
	}
	val = strings.TrimSpace(val)
	switch {
	case f.Type() == durationType:
		d, err := time.ParseDuration(val)
		if err != nil {
			return &ValueError{i18n.M("config.value.duration", key, shown)}
		}
		f.SetInt(int64(d))
	case f.Kind() == reflect.String:
		f.SetString(val)
	case f.Kind() == reflect.Int:
		n, err := strconv.Atoi(val)
		if err != nil {
			return &ValueError{i18n.M("config.value.int", key, shown)}
		}
		f.SetInt(int64(n))
	case f.Kind() == reflect.Float64:
		n, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return &ValueError{i18n.M("config.value.number", key, shown)}
		}
		f.SetFloat(n)
	case f.Kind() == reflect.Bool:
		switch strings.ToLower(val) {
		case "true", "yes", "on", "1":
			f.SetBool(true)
		case "false", "no", "off", "0":
			f.SetBool(false)
		default:
			return &ValueError{i18n.M("config.value.bool", key, shown)}
		}
	default:
		return &ValueError{i18n.M("config.value.not_text", key)}
	}
	return nil
}

// suggest returns the known key nearest to name, if it is a likely typo.
func suggest(name string) string {
	best, bestD := "", 4
	for _, k := range Keys {
		for _, cand := range []string{k.Name, sectionOf(k.Name)} {
			if cand == "" {
				continue
			}
			if d := distance(name, cand); d < bestD {
				best, bestD = cand, d
			}
		}
	}
	if bestD > len(name)/2 {
		return ""
	}
	return best
}

func sectionOf(name string) string {
	s, _, ok := strings.Cut(name, ".")
	if !ok {
		return ""
	}
	return s
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
