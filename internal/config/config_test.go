package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func writeFile(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPaths(t *testing.T) {
	t.Parallel()
	j := filepath.Join
	tests := []struct {
		name, goos string
		env        map[string]string
		want       Paths
	}{
		{"linux fallbacks", "linux", map[string]string{"HOME": "/home/u"},
			Paths{"/home/u/.config/folio/config.yaml", "/home/u/.local/share/folio/folio.db", "/home/u/.local/state/folio"}},
		{"linux XDG", "linux", map[string]string{"HOME": "/home/u", "XDG_CONFIG_HOME": "/c", "XDG_DATA_HOME": "/d", "XDG_STATE_HOME": "/s"},
			Paths{"/c/folio/config.yaml", "/d/folio/folio.db", "/s/folio"}},
		{"relative XDG ignored", "linux", map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "relative"},
			Paths{"/home/u/.config/folio/config.yaml", "/home/u/.local/share/folio/folio.db", "/home/u/.local/state/folio"}},
		{"macOS defaults", "darwin", map[string]string{"HOME": "/Users/u"},
			Paths{"/Users/u/Library/Application Support/folio/config.yaml", "/Users/u/Library/Application Support/folio/folio.db", "/Users/u/Library/Logs/folio"}},
		{"macOS keeps XDG when set", "darwin", map[string]string{"HOME": "/Users/u", "XDG_CONFIG_HOME": "/Users/u/.config"},
			Paths{"/Users/u/.config/folio/config.yaml", "/Users/u/Library/Application Support/folio/folio.db", "/Users/u/Library/Logs/folio"}},
		{"windows app data", "windows", map[string]string{"USERPROFILE": `C:\Users\u`, "APPDATA": "R", "LOCALAPPDATA": "L"},
			Paths{j("R", "folio", "config.yaml"), j("L", "folio", "folio.db"), j("L", "folio", "logs")}},
		{"windows without app data", "windows", map[string]string{"USERPROFILE": "U"},
			Paths{j("U", "AppData", "Roaming", "folio", "config.yaml"), j("U", "AppData", "Local", "folio", "folio.db"), j("U", "AppData", "Local", "folio", "logs")}},
		{"windows keeps XDG when set", "windows", map[string]string{"USERPROFILE": "U", "APPDATA": "R", "XDG_DATA_HOME": `D:\xdg`},
			Paths{j("R", "folio", "config.yaml"), j(`D:\xdg`, "folio", "folio.db"), j("U", "AppData", "Local", "folio", "logs")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := pathsFor(tt.goos, envOf(tt.env)); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	l, err := Load("", envOf(map[string]string{"HOME": home, "XDG_CONFIG_HOME": home + "/cfg"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.FileExists || l.Paths.ConfigFile != home+"/cfg/folio/config.yaml" {
		t.Fatalf("file %s exists=%v", l.Paths.ConfigFile, l.FileExists)
	}
	want := Default()
	want.Store = l.Paths.Store
	if !reflect.DeepEqual(l.Config, want) {
		t.Fatalf("config = %+v\nwant %+v", l.Config, want)
	}
	if l.PollInterval.D() != time.Minute || l.Workers != 2 || l.RateLimit != 5 || l.Retry.MaxAttempts != 8 || l.CatalogSyncInterval != 0 {
		t.Fatalf("defaults changed: %+v", l.Config)
	}
	for k, s := range l.Sources {
		if s.Kind != FromDefault {
			t.Errorf("%s from %v", k, s)
		}
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	path := writeFile(t, `# folio
language: en
workers: 4
poll_interval: 30s
retry:
  max_attempts: 3
emisor:
  rut: 76.086.428-5
  acteco: 620200
multivende:
  client_id: from-file
  client_secret: abcdefghijklmnop
keymap:
  quit: [q, ctrl+c]
  help: "?"
`)
	l, err := Load(path, envOf(map[string]string{
		"HOME": home, "FOLIO_WORKERS": "6", "FOLIO_MULTIVENDE_CLIENT_ID": "from-env", "FOLIO_READONLY": "yes", "FOLIO_LANGUAGE": "",
	}))
	if err != nil {
		t.Fatal(err)
	}
	c := l.Config
	if c.Language != "en" || c.Workers != 6 || c.PollInterval.D() != 30*time.Second || c.Retry.MaxAttempts != 3 ||
		c.Retry.BaseDelay.D() != 2*time.Second || c.Emisor.RUT != "76.086.428-5" || c.Emisor.Acteco != 620200 ||
		c.Multivende.ClientID != "from-env" || c.Multivende.ClientSecret != "abcdefghijklmnop" || !c.ReadOnly || c.RateLimit != 5 {
		t.Fatalf("config = %+v", c)
	}
	if !reflect.DeepEqual(c.Keymap, map[string][]string{"quit": {"q", "ctrl+c"}, "help": {"?"}}) {
		t.Fatalf("keymap = %v", c.Keymap)
	}
	wantSrc := map[string]Source{
		"language":             {Kind: FromFile, Line: 2}, // FOLIO_LANGUAGE set but empty changes nothing
		"workers":              {Kind: FromEnv, Env: "FOLIO_WORKERS"},
		"poll_interval":        {Kind: FromFile, Line: 4},
		"retry.max_attempts":   {Kind: FromFile, Line: 6},
		"retry.base_delay":     {Kind: FromDefault},
		"multivende.client_id": {Kind: FromEnv, Env: "FOLIO_MULTIVENDE_CLIENT_ID"},
		"readonly":             {Kind: FromEnv, Env: "FOLIO_READONLY"},
		"rate_limit":           {Kind: FromDefault},
		"keymap.help":          {Kind: FromFile, Line: 15},
	}
	for k, want := range wantSrc {
		if got := l.Sources[k]; got != want {
			t.Errorf("source of %s = %v, want %v", k, got, want)
		}
	}
	if l.Store != filepath.Join(home, ".local/share/folio/folio.db") || l.Paths.Store != l.Store {
		t.Fatalf("store = %s", l.Store)
	}
}

func TestLoadStoreAndConfigLocation(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	a := writeFile(t, "store: ~/shop/folio.db\n")
	b := writeFile(t, "workers: 3\n")
	env := map[string]string{"HOME": home, "FOLIO_CONFIG": a}
	l, err := Load("", envOf(env))
	if err != nil {
		t.Fatal(err)
	}
	if l.Paths.ConfigFile != a || l.Store != filepath.Join(home, "shop/folio.db") || l.Paths.Store != l.Store {
		t.Fatalf("FOLIO_CONFIG not followed or ~ not expanded: %+v", l.Paths)
	}
	if l, err = Load(b, envOf(env)); err != nil || l.Workers != 3 || l.Paths.ConfigFile != b {
		t.Fatalf("an explicit path must win over FOLIO_CONFIG: %v %+v", err, l.Paths)
	}
	env["FOLIO_STORE"] = "/srv/folio.db"
	if l, err = Load(a, envOf(env)); err != nil || l.Store != "/srv/folio.db" || l.Sources["store"].Env != "FOLIO_STORE" {
		t.Fatalf("FOLIO_STORE: %v %s", err, l.Store)
	}
}

func TestLoadNullsAndEmptyFiles(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "# only a comment\n", "workers:\nretry:\nkeymap:\n"} {
		l, err := Load(writeFile(t, body), envOf(map[string]string{"HOME": t.TempDir()}))
		if err != nil || l.Workers != 2 || l.Retry.MaxAttempts != 8 || !l.FileExists {
			t.Errorf("%q: %v %+v", body, err, l.Config)
		}
	}
}

func TestLoadErrorsNameKeyAndLine(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		file string
		env  map[string]string
		want []string
	}{
		"unknown key":        {"language: es\npoll_intervall: 1m\n", nil, []string{"line 2", `"poll_intervall"`, "did you mean poll_interval?"}},
		"unknown nested key": {"emisor:\n  rut: 76086428-5\n  ruts: x\n", nil, []string{"line 3", `"emisor.ruts"`, "did you mean emisor.rut?"}},
		"unknown section":    {"multivende:\n  client_id: x\nlibredte:\n  hash: y\n", nil, []string{"line 3", `"libredte"`}},
		"bad duration":       {"\npoll_interval: soon\n", nil, []string{"line 2", "poll_interval", `"soon" is not a duration`, "30s"}},
		"bad int":            {"workers: many\n", nil, []string{"line 1", "workers", "whole number"}},
		"bad bool":           {"readonly: maybe\n", nil, []string{"line 1", "readonly", "true or false"}},
		"bad language":       {"language: fr\n", nil, []string{"line 1: language", `"fr"`, "es or en"}},
		"bad theme":          {"theme: neon\n", nil, []string{"theme", "default, dark, light, high-contrast"}},
		"zero workers":       {"workers: 0\n", nil, []string{"workers: 0 is not between 1 and 64"}},
		"bad rut":            {"emisor:\n  rut: 76086428-4\n", nil, []string{"line 2: emisor.rut", "76086428-4"}},
		"retry order":        {"retry:\n  base_delay: 10s\n  max_delay: 1s\n", nil, []string{"retry.max_delay", "shorter"}},
		"bad url":            {"multivende:\n  base_url: app.multivende.com\n", nil, []string{"multivende.base_url", "http"}},
		"duplicate":          {"workers: 2\nworkers: 3\n", nil, []string{"line 2", "workers appears twice (first on line 1)"}},
		"section as value":   {"retry: 3\n", nil, []string{"line 1", "retry holds keys", "max_attempts"}},
		"list as value":      {"workers: [1, 2]\n", nil, []string{"line 1", "workers takes one value"}},
		"not a mapping":      {"- a\n- b\n", nil, []string{"line 1", "key: value"}},
		"syntax":             {"workers: 2\n  theme: x\n", nil, []string{"line 2"}},
		"keymap shape":       {"keymap:\n  quit: {a: b}\n", nil, []string{"line 2", "keymap.quit", "list of keys"}},
		"all problems":       {"workers: x\nthemee: dark\n", nil, []string{"line 1", "line 2", "; "}},
		"bad env":            {"", map[string]string{"FOLIO_WORKERS": "many"}, []string{"FOLIO_WORKERS", "workers", "whole number"}},
		"env value checked":  {"", map[string]string{"FOLIO_RATE_LIMIT": "-1"}, []string{"rate_limit", "(from FOLIO_RATE_LIMIT)"}},
		"rate limit range":   {"rate_limit: 1000\n", nil, []string{"rate_limit: 1000 is outside the allowed range: more than 0 and up to 100 requests per second"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.file)
			env := map[string]string{"HOME": t.TempDir()}
			for k, v := range tt.env {
				env[k] = v
			}
			l, err := Load(path, envOf(env))
			if err == nil {
				t.Fatal("want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			if tt.env == nil && !strings.Contains(msg, path) {
				t.Errorf("error %q does not name the file", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if l.Paths.ConfigFile != path {
				t.Errorf("paths lost on error: %+v", l.Paths)
			}
		})
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	t.Parallel()
	const secret = "supersecretvalue-123"
	path := writeFile(t, "multivende:\n  client_secret: "+secret+"\n  client_secrett: "+secret+"\n  base_url: x\n")
	_, err := Load(path, envOf(map[string]string{"HOME": t.TempDir(), "FOLIO_MULTIVENDE_CLIENT_SECRET": secret, "FOLIO_WORKERS": "x"}))
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("error %v", err)
	}
	// set names a bad value in its error, except a secret's.
	var c struct{ Config }
	if err := set(&c.Config, "workers", "abc"); err == nil || !strings.Contains(err.Error(), `"abc"`) {
		t.Fatalf("set error %v should quote the value", err)
	}
}

func TestKeysTableMatchesConfig(t *testing.T) {
	t.Parallel()
	var fields []string
	var walkT func(rt reflect.Type, prefix string)
	walkT = func(rt reflect.Type, prefix string) {
		for i := 0; i < rt.NumField(); i++ {
			f := rt.Field(i)
			if f.Type.Kind() == reflect.Struct {
				walkT(f.Type, prefix+yamlName(f)+".")
				continue
			}
			fields = append(fields, prefix+yamlName(f))
		}
	}
	walkT(reflect.TypeOf(Config{}), "")
	var names []string
	for _, k := range Keys {
		names = append(names, k.Name)
		want := "FOLIO_" + strings.ToUpper(strings.ReplaceAll(k.Name, ".", "_"))
		if k.Name == "keymap" || k.Name == "users" {
			want = ""
		}
		if k.Env != want {
			t.Errorf("%s: env %q, want %q", k.Name, k.Env, want)
		}
		if k.Help == "" {
			t.Errorf("%s: undocumented", k.Name)
		}
	}
	if !reflect.DeepEqual(fields, names) {
		t.Fatalf("Config fields %v\nKeys table    %v", fields, names)
	}
	// Every scalar key round-trips through set and get.
	for _, k := range Keys {
		if k.Name == "keymap" || k.Name == "users" {
			continue
		}
		c := Default()
		if err := set(&c, k.Name, get(Default(), k.Name)); err != nil && get(Default(), k.Name) != "" {
			t.Errorf("%s: default %q does not parse: %v", k.Name, get(Default(), k.Name), err)
		}
	}
}

func TestShowRedacts(t *testing.T) {
	t.Parallel()
	const secret = "cs_live_0123456789abcdef"
	path := writeFile(t, "multivende:\n  client_id: cid-1\n  client_secret: "+secret+"\nkeymap:\n  quit: [q, ctrl+c]\n")
	l, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Entry{}
	for _, e := range l.Show() {
		if strings.Contains(e.Value, secret) || strings.Contains(e.Value, "0123456789") {
			t.Fatalf("secret shown in %+v", e)
		}
		got[e.Key] = e
	}
	if e := got["multivende.client_secret"]; e.Value != "cs…ef" || !e.Secret || e.Source.Line != 3 {
		t.Errorf("secret entry = %+v", e)
	}
	if e := got["multivende.client_id"]; e.Value != "cid-1" || e.Secret {
		t.Errorf("client_id entry = %+v", e)
	}
	if e := got["keymap.quit"]; e.Value != "q, ctrl+c" || e.Source.Line != 5 {
		t.Errorf("keymap entry = %+v", e)
	}
	if e := got["poll_interval"]; e.Value != "1m" || e.Source.Kind != FromDefault {
		t.Errorf("poll_interval entry = %+v", e)
	}
	r := l.Redacted()
	if r.Multivende.ClientSecret != "cs…ef" || l.Multivende.ClientSecret != secret || r.Multivende.ClientID != "cid-1" {
		t.Errorf("Redacted = %+v, original %+v", r.Multivende, l.Multivende)
	}
	if s := l.Secrets(); len(s) != 1 || s[0] != secret {
		t.Errorf("Secrets = %v", s)
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "short": "••••", "elevenchars": "••••", "twelve-chars": "tw…rs", "abcdefghijklmnop": "ab…op"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "0", time.Minute: "1m", 2 * time.Second: "2s", 90 * time.Minute: "1h30m", time.Hour: "1h", 1500 * time.Millisecond: "1.5s"} {
		if got := Duration(d).String(); got != want {
			t.Errorf("Duration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestRedactedJSON(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Multivende.ClientSecret = "abcdefghijklmnopqrstuvwxyz"
	b, err := json.Marshal(c.Redacted())
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if strings.Contains(s, "cdefghijklmnopqrstuvwx") || !strings.Contains(s, `"poll_interval":"1m"`) || !strings.Contains(s, `"client_secret":"ab…yz"`) {
		t.Fatalf("JSON = %s", s)
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil || back.PollInterval.D() != time.Minute || back.Retry.MaxDelay.D() != 5*time.Minute {
		t.Fatalf("round trip: %v %+v", err, back)
	}
}

func TestSetCreatesPrivateFile(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "folio")
	path := filepath.Join(dir, "config.yaml")
	if err := Set(path, map[string]string{"multivende.client_id": "cid", "multivende.client_secret": "s3cr3t-value-here"}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	di, _ := os.Stat(dir)
	if runtime.GOOS != "windows" && (fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700) {
		t.Fatalf("modes file %04o dir %04o", fi.Mode().Perm(), di.Mode().Perm())
	}
	l, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	if err != nil || l.Multivende.ClientSecret != "s3cr3t-value-here" || l.Multivende.ClientID != "cid" || len(l.Warnings) != 0 {
		t.Fatalf("round trip: %v %+v %v", err, l.Multivende, l.Warnings)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
}

func TestSetKeepsTheRest(t *testing.T) {
	t.Parallel()
	path := writeFile(t, `# my shop
language: es # Chilean
workers: 4
multivende:
  client_id: old   # from the portal
keymap:
  quit: [q]
`)
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Set(path, map[string]string{
		"multivende.client_id": "new", "multivende.client_secret": "yes", "emisor.rut": "76086428-5",
		"emisor.razon_social": "Aromos: #1 'SpA'", "readonly": "on", "retry.max_delay": "10m",
	})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	text := string(b)
	for _, want := range []string{"# my shop", "# Chilean", "# from the portal", "workers: 4", "quit: [q]"} {
		if !strings.Contains(text, want) {
			t.Errorf("lost %q:\n%s", want, text)
		}
	}
	l, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	if err != nil {
		t.Fatalf("%v\n%s", err, text)
	}
	if l.Multivende.ClientID != "new" || l.Multivende.ClientSecret != "yes" || l.Emisor.RUT != "76086428-5" ||
		l.Emisor.RazonSocial != "Aromos: #1 'SpA'" || !l.ReadOnly || l.Retry.MaxDelay.D() != 10*time.Minute || l.Workers != 4 {
		t.Fatalf("after Set: %+v\n%s", l.Config, text)
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o640 {
		t.Fatalf("a rewritten 0644 file must lose others' access and keep the group's read (0640), is %04o", fi.Mode().Perm())
	}
}

func TestSetKeepsModeAtMostGroupRead(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	for before, after := range map[os.FileMode]os.FileMode{0o600: 0o600, 0o640: 0o640, 0o644: 0o640, 0o666: 0o640, 0o604: 0o600, 0o400: 0o600} {
		path := writeFile(t, "workers: 2\n")
		if err := os.Chmod(path, before); err != nil {
			t.Fatal(err)
		}
		if err := Set(path, map[string]string{"multivende.client_secret": "abcdefghijklmnop"}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(path); fi.Mode().Perm() != after {
			t.Errorf("%04o became %04o, want %04o", before, fi.Mode().Perm(), after)
		}
	}
}

func TestSetRefusesAndLeavesFile(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		file     string
		values   map[string]string
		want, es string // English, and what a Spanish reader is told
	}{
		"bad value":     {"workers: 4\n", map[string]string{"workers": "lots"}, "whole number", "no es un número entero"},
		"invalid value": {"workers: 4\n", map[string]string{"theme": "neon"}, "theme", "theme: \"neon\" no es uno de"},
		"unknown key":   {"workers: 4\n", map[string]string{"worker": "3"}, "worker is not a setting", "worker no es un ajuste que folio pueda escribir"},
		"keymap":        {"workers: 4\n", map[string]string{"keymap": "q"}, "keymap", "keymap no es un ajuste"},
		"broken file":   {"workers: [\n", map[string]string{"workers": "3"}, "cannot be read as YAML", "no se puede leer como YAML"},
		"not a map":     {"- a\n- b\n", map[string]string{"workers": "3"}, "line 1: the config must be a list", "línea 1: la configuración es una lista"},
		"section clash": {"emisor: 5\n", map[string]string{"emisor.rut": "76086428-5"}, "line 1: emisor holds keys", "línea 1: emisor lleva claves (como emisor.rut)"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, tt.file)
			err := Set(path, tt.values)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
			ce, ok := errors.AsType[*Error](err)
			if !ok {
				t.Fatalf("error %T %v is not a *config.Error: a reader would get English", err, err)
			}
			if es := ce.In(i18n.ES); !strings.Contains(es, tt.es) || !strings.Contains(es, path) {
				t.Fatalf("in Spanish %q, want %q and the file", es, tt.es)
			}
			if b, _ := os.ReadFile(path); string(b) != tt.file {
				t.Fatalf("file changed to %q", b)
			}
		})
	}
}

func TestBrokenYAMLNamesItsLine(t *testing.T) {
	t.Parallel()
	path := writeFile(t, "workers: 2\n  poll_interval: 1m\n")
	_, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	ce, ok := errors.AsType[*Error](err)
	if !ok || len(ce.Problems) != 1 || ce.Problems[0].Line != 2 {
		t.Fatalf("error %T %v, want a *config.Error on line 2", err, err)
	}
	es := ce.In(i18n.ES)
	if !strings.Contains(es, "línea 2: no se puede leer como YAML") || !strings.Contains(es, "mapping values are not allowed") {
		t.Fatalf("in Spanish: %q", es)
	}
}

func TestWarnsOnReadableSecret(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	path := writeFile(t, "multivende:\n  client_secret: abcdefghijklmnop\n")
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Warnings) != 1 {
		t.Fatalf("warnings = %v", l.Warnings)
	}
	en, es := l.Warnings[0].Plain(i18n.EN), l.Warnings[0].Plain(i18n.ES)
	if !strings.Contains(en, "chmod 600") || !strings.Contains(es, "otros usuarios pueden leerlo (modo 0644): ejecute chmod 600") ||
		strings.Contains(en+es, "abcdefghijklmnop") {
		t.Fatalf("warning: %q / %q", en, es)
	}
	os.Chmod(path, 0o600)
	if l, _ := Load(path, envOf(map[string]string{"HOME": t.TempDir()})); len(l.Warnings) != 0 {
		t.Fatalf("warnings on a 0600 file: %v", l.Warnings)
	}
}

// A bad value is said in the reader's language with where it came from;
// Error stays English (logs, --json).
func TestProblemsInEachLanguage(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("workers: 99\nlisten: nohost\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, envOf(map[string]string{"FOLIO_RATE_LIMIT": "0"}))
	ce, ok := errors.AsType[*Error](err)
	if !ok || len(ce.Problems) != 3 {
		t.Fatalf("Load = %v, want three problems", err)
	}
	want := map[i18n.Lang]string{
		i18n.ES: `configuración ` + path + `: línea 2: listen: "nohost" no es HOST:PUERTO (escríbalo como :8080 o 127.0.0.1:8080); ` +
			`línea 1: workers: 99 no está entre 1 y 64; rate_limit: 0 está fuera del rango permitido: más de 0 y hasta 100 solicitudes por segundo (5 sirve a la mayoría de las tiendas) (desde FOLIO_RATE_LIMIT)`,
		i18n.EN: `config ` + path + `: line 2: listen: "nohost" is not HOST:PORT (write it like :8080 or 127.0.0.1:8080); ` +
			`line 1: workers: 99 is not between 1 and 64; rate_limit: 0 is outside the allowed range: more than 0 and up to 100 requests per second (5 suits most shops) (from FOLIO_RATE_LIMIT)`,
	}
	for lang, w := range want {
		if got := ce.In(lang); got != w {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, w)
		}
	}
	if err.Error() != want[i18n.EN] {
		t.Errorf("Error() = %s, want the English words", err)
	}
	if ce.Problems[0].Key != "listen" || ce.Problems[0].Line != 2 || ce.Problems[2].Env != "FOLIO_RATE_LIMIT" {
		t.Errorf("problems: %+v", ce.Problems)
	}
}

// A value a key cannot take, in the file or the environment, is said in
// the reader's language too.
func TestValueErrorsInEachLanguage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("workers: many\nwokers: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	ce, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("file: %v", err)
	}
	if got, want := ce.In(i18n.ES), `configuración `+path+`: línea 1: workers: "many" no es un número entero; línea 2: clave desconocida "wokers" (¿quiso decir workers?)`; got != want {
		t.Errorf("file, es:\n got %s\nwant %s", got, want)
	}
	_, err = Load(filepath.Join(t.TempDir(), "none.yaml"), envOf(map[string]string{"FOLIO_RATE_LIMIT": "fast"}))
	if ce, ok = errors.AsType[*Error](err); !ok {
		t.Fatalf("environment: %v", err)
	}
	if got, want := ce.In(i18n.ES), `variable FOLIO_RATE_LIMIT: rate_limit: "fast" no es un número (como 5 o 2.5)`; got != want {
		t.Errorf("environment, es:\n got %s\nwant %s", got, want)
	}
	if got, want := err.Error(), `environment FOLIO_RATE_LIMIT: rate_limit: "fast" is not a number (like 5 or 2.5)`; got != want {
		t.Errorf("environment, Error():\n got %s\nwant %s", got, want)
	}
}

// The shapes of keymap and users are said in the reader's language too.
func TestShapeErrorsInEachLanguage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	yml := "keymap:\n  quit: {a: b}\nusers:\n  - role: [x]\n    colour: red\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path, nil)
	ce, ok := errors.AsType[*Error](err)
	if !ok {
		t.Fatalf("Load = %v", err)
	}
	for lang, want := range map[i18n.Lang]string{
		i18n.ES: `configuración ` + path + `: línea 2: keymap.quit lleva una lista de teclas, como [q, ctrl+c]; línea 4: users: entrada 1: role es operator o viewer; ` +
			`línea 5: users: entrada 1: campo desconocido "colour" (un usuario tiene name, keys, role, connections)`,
		i18n.EN: `config ` + path + `: line 2: keymap.quit takes a list of keys, like [q, ctrl+c]; line 4: users: entry 1: role is operator or viewer; ` +
			`line 5: users: entry 1: unknown field "colour" (a user has name, keys, role, connections)`,
	} {
		if got := ce.In(lang); got != want {
			t.Errorf("%s:\n got %s\nwant %s", lang, got, want)
		}
	}
}
