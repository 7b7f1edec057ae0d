package config

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// fuzzSecret stands for the client secret: the fuzzer's file may write
// "client_secret: $SECRET", and FOLIO_MULTIVENDE_CLIENT_SECRET holds
// fuzzEnvSecret.
const (
	fuzzSecret    = "fz-file-secret-7f3a9c41"
	fuzzEnvSecret = "fz-env-secret-0b8e22d5"
)

var secretLine = regexp.MustCompile(`client_secret:[ \t]*\$SECRET`)

// FuzzConfigFile loads fuzzed config files (with one fuzzed FOLIO_*
// variable) as folio does. Nothing may panic; no error and no line of
// `folio config show` may hold the client secret; and a file that loads
// can be written back by `folio config set` with every value it set, and
// loads again to the same configuration.
//
// Soak: go test ./internal/config -run '^$' -fuzz FuzzConfigFile -fuzztime 1m
func FuzzConfigFile(f *testing.F) {
	seeds := []string{
		"",
		"# only a comment\n",
		"workers: 4\npoll_interval: 30s\nrate_limit: 2.5\n",
		"language: en\ntheme: dark\nkeymap:\n  quit: [q, ctrl+c]\n  help: \"?\"\n",
		"retry:\n  max_attempts: 3\n  base_delay: 1s\n  max_delay: 1m\n",
		"emisor:\n  rut: 76086428-5\n  razon_social: Tienda SpA\n  acteco: 479100\n",
		"multivende:\n  base_url: https://app.multivende.com\n  client_id: \"123456789012\"\n  client_secret: $SECRET\n",
		"multivende:\n  client_secret: $SECRET\n  client_secrett: x\n  base_url: ftp://x\n",
		"workers: 1000\nrate_limit: 1000\nretry:\n  base_delay: -1s\n",
		"workers: 2\nworkers: 3\n",
		"a: &x {workers: 2}\nb: *x\n",
		"theme: [dark]\nretry: 3\nkeymap: q\n",
		"workers: \"\\u0000\\x1b[2J\"\n",
		"catalog_sync_interval: 30s\nreadonly: yes\n",
		"- workers\n",
		"workers: 9223372036854775808\npoll_interval: 9999999999h\n",
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), []string{"", "8", "x", "1ms", "en", "https://h/"}[i%6])
	}
	f.Fuzz(func(t *testing.T, file []byte, envKey uint8, envValue string) {
		text := string(file)
		// The secret stands in only where it is the client secret's value.
		substituted := false
		if strings.Count(text, "$SECRET") == 1 && secretLine.MatchString(text) {
			text = strings.Replace(text, "$SECRET", fuzzSecret, 1)
			substituted = true
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "config.yaml")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		key := Keys[int(envKey)%len(Keys)]
		env := map[string]string{"HOME": dir, "XDG_DATA_HOME": filepath.Join(dir, "data")}
		if key.Env != "" && key.Env != "FOLIO_MULTIVENDE_CLIENT_SECRET" {
			env[key.Env] = envValue
		}
		envSecret := false
		if _, set := env["FOLIO_MULTIVENDE_CLIENT_SECRET"]; !set && !strings.Contains(text, "client_secret") && !strings.Contains(envValue, "fz-") {
			env["FOLIO_MULTIVENDE_CLIENT_SECRET"] = fuzzEnvSecret
			envSecret = true
		}
		l, err := Load(path, func(k string) string { return env[k] })

		// Secrets stay out of errors and of config show, unless the
		// fuzzer wrote the same text into another value too.
		var shown strings.Builder
		for _, e := range l.Show() {
			if !e.Secret {
				shown.WriteString(e.Key + "=" + e.Value + "\n")
			}
		}
		for _, sec := range []struct {
			v  string
			on bool
		}{{fuzzSecret, substituted}, {fuzzEnvSecret, envSecret}} {
			if !sec.on || strings.Contains(shown.String(), sec.v) {
				continue
			}
			if err != nil && strings.Contains(err.Error(), sec.v) {
				t.Fatalf("the client secret is in the error: %v", err)
			}
			for _, e := range l.Show() {
				if strings.Contains(e.Value, sec.v) {
					t.Fatalf("config show has the client secret under %s: %q", e.Key, e.Value)
				}
			}
		}
		if err != nil {
			return
		}
		for k, src := range l.Sources {
			if src.Kind == FromFile && src.Line < 1 {
				t.Fatalf("%s from the file without a line: %+v", k, src)
			}
		}

		// What loads can be written back with config set, and reads the same.
		values := map[string]string{}
		for _, k := range Keys {
			if k.Name != "keymap" && k.Name != "users" && l.Sources[k.Name].Kind == FromFile {
				values[k.Name] = get(l.Config, k.Name)
			}
		}
		if len(values) == 0 {
			return
		}
		back := filepath.Join(dir, "back.yaml")
		if err := Set(back, values); err != nil {
			t.Fatalf("config set cannot write back %v: %v", values, err)
		}
		l2, err := Load(back, func(k string) string { return env[k] })
		if err != nil {
			t.Fatalf("the written config does not load: %v", err)
		}
		l.Keymap, l2.Keymap = nil, nil
		l.Users, l2.Users = nil, nil
		if !reflect.DeepEqual(l.Config, l2.Config) {
			t.Fatalf("written back, the config differs:\n%+v\n%+v", l.Config, l2.Config)
		}
	})
}
