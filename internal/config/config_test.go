package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaultPathsFollowXDG(t *testing.T) {
	t.Parallel()
	p := DefaultPaths(envOf(map[string]string{"HOME": "/home/u", "XDG_DATA_HOME": "/data", "XDG_CONFIG_HOME": "relative"}))
	if p.Store != "/data/folio/folio.db" || p.ConfigFile != "/home/u/.config/folio/config.yaml" || p.StateDir != "/home/u/.local/state/folio" {
		t.Fatalf("paths = %+v", p)
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte("language: en\nworkers: 4\npoll_interval: 30s\nemisor:\n  rut: 76086428-5\nmultivende:\n  client_secret: abcdefghijklmnop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := Load(path, envOf(map[string]string{"HOME": dir, "FOLIO_WORKERS": "6", "FOLIO_MULTIVENDE_CLIENT_ID": "cid"}))
	if err != nil {
		t.Fatal(err)
	}
	if l.Language != "en" || l.Workers != 6 || time.Duration(l.PollInterval) != 30*time.Second || l.Emisor.RUT != "76086428-5" ||
		l.Multivende.ClientID != "cid" || l.RateLimit != 5 || l.Retry.MaxAttempts != 8 {
		t.Fatalf("config = %+v", l.Config)
	}
	if l.Source["workers"] != "env FOLIO_WORKERS" || l.Source["language"] != "file" || l.Source["rate_limit"] != "default" {
		t.Fatalf("sources = %v", l.Source)
	}
	if l.Store != filepath.Join(dir, ".local/share/folio/folio.db") {
		t.Fatalf("store = %s", l.Store)
	}
	for _, e := range l.Entries() {
		if strings.Contains(e.Value, "abcdefghijklmnop") {
			t.Fatalf("secret shown in %+v", e)
		}
	}
}

func TestLoadErrorsNameTheKey(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		file string
		env  map[string]string
		want []string
	}{
		"unknown key":       {"language: es\npoll_intervall: 1m\n", nil, []string{"line 2", "poll_intervall"}},
		"bad duration":      {"poll_interval: soon\n", nil, []string{"line 1", "duration"}},
		"bad language":      {"language: fr\n", nil, []string{"language", "es or en"}},
		"bad theme":         {"theme: neon\n", nil, []string{"theme", "high-contrast"}},
		"zero workers":      {"workers: 0\n", nil, []string{"workers"}},
		"bad env":           {"", map[string]string{"FOLIO_WORKERS": "many"}, []string{"FOLIO_WORKERS", "whole number"}},
		"secret env masked": {"", map[string]string{"FOLIO_RATE_LIMIT": "-1", "FOLIO_MULTIVENDE_CLIENT_SECRET": "supersecretvalue"}, []string{"rate_limit"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(path, []byte(tt.file), 0o600); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"HOME": dir}
			for k, v := range tt.env {
				env[k] = v
			}
			_, err := Load(path, envOf(env))
			if err == nil {
				t.Fatal("want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "supersecretvalue") {
				t.Error("secret in error")
			}
		})
	}
}

func TestSaveIsPrivate(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "config.yaml")
	c := Default()
	c.Multivende.ClientSecret = "s3cr3t-value-here"
	if err := Save(path, c); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	di, _ := os.Stat(filepath.Dir(path))
	if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
		t.Fatalf("modes file %o dir %o", fi.Mode().Perm(), di.Mode().Perm())
	}
	l, err := Load(path, envOf(map[string]string{"HOME": t.TempDir()}))
	if err != nil || l.Multivende.ClientSecret != "s3cr3t-value-here" {
		t.Fatalf("round trip: %v %+v", err, l.Multivende)
	}
}

func TestMask(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "", "short": "••••", "abcdefghijklmnop": "ab…op"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
