package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/config"
)

func TestConfigShow(t *testing.T) {
	dir := isolate(t)
	const secret = "mv-secret-0123456789"
	cfgPath := filepath.Join(dir, "config", "folio", "config.yaml")
	if err := config.Set(cfgPath, map[string]string{"workers": "3", "multivende.client_secret": secret}); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FOLIO_POLL_INTERVAL", "30s")

	out, _, err := runFolio(t, "", "config", "show", "--json")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, secret) {
		t.Fatalf("secret in output:\n%s", out)
	}
	var got configShow
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got.File != cfgPath || !got.FileExists {
		t.Fatalf("file = %s exists %v", got.File, got.FileExists)
	}
	byKey := map[string]config.Entry{}
	for _, e := range got.Settings {
		byKey[e.Key] = e
	}
	checks := []struct {
		key, value, kind, env string
	}{
		{"workers", "3", config.FromFile, ""},
		{"poll_interval", "30s", config.FromEnv, "FOLIO_POLL_INTERVAL"},
		{"rate_limit", "5", config.FromDefault, ""},
		{"multivende.client_secret", "mv…89", config.FromFile, ""},
	}
	for _, c := range checks {
		e := byKey[c.key]
		if e.Value != c.value || e.Source.Kind != c.kind || e.Source.Env != c.env {
			t.Errorf("%s = %+v, want value %q from %s %s", c.key, e, c.value, c.kind, c.env)
		}
	}
	if byKey["workers"].Source.Line == 0 {
		t.Error("file entries carry their line")
	}

	text, _, err := runFolio(t, "", "config", "show", "--lang", "en")
	if err != nil || strings.Contains(text, secret) || !strings.Contains(text, "env FOLIO_POLL_INTERVAL") || !strings.Contains(text, cfgPath) {
		t.Fatalf("text: %v\n%s", err, text)
	}
}

func TestConfigShowBadConfig(t *testing.T) {
	dir := isolate(t)
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte("theme: neon\n"), 0o600)
	_, _, err := runFolio(t, "", "--config", cfgPath, "config", "show")
	if err == nil || !strings.Contains(err.Error(), "theme") || !strings.Contains(err.Error(), "high-contrast") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error = %v", err)
	}
}

func TestConfigShowWarnsOnReadableSecret(t *testing.T) {
	dir := isolate(t)
	cfgPath := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfgPath, []byte("multivende:\n  client_secret: abcdefghijklmnop\n"), 0o644)
	os.Chmod(cfgPath, 0o644)
	_, stderr, err := runFolio(t, "", "--config", cfgPath, "config", "show")
	if err != nil || !strings.Contains(stderr, "chmod 600") {
		t.Fatalf("err %v stderr %q", err, stderr)
	}
}
