package app_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// testEnv is an environment of its own: variables from vars only, XDG
// directories under a temporary home.
func testEnv(t *testing.T, vars map[string]string) (*app.Env, string) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"HOME": dir, "XDG_CONFIG_HOME": filepath.Join(dir, "config"),
		"XDG_DATA_HOME": filepath.Join(dir, "data"), "XDG_STATE_HOME": filepath.Join(dir, "state")}
	for k, v := range vars {
		all[k] = v
	}
	return app.New(func(k string) string { return all[k] }), dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The config is read once per command: what the command decided on is
// what it keeps using, even if the file changes under it.
func TestConfigIsLoadedOnce(t *testing.T) {
	t.Parallel()
	env, dir := testEnv(t, nil)
	path := filepath.Join(dir, "folio.yaml")
	writeFile(t, path, "workers: 3\nlanguage: en\n")
	env.ConfigPath = path
	cfg, err := env.Config()
	if err != nil || cfg.Workers != 3 {
		t.Fatalf("config: %+v %v", cfg.Workers, err)
	}
	writeFile(t, path, "workers: 5\nlanguage: es\n")
	if cfg, _ := env.Config(); cfg.Workers != 3 {
		t.Fatalf("the config was read again: workers %d", cfg.Workers)
	}
	if l := env.Lang(); l != i18n.EN {
		t.Fatalf("language %q, want the config's en", l)
	}
	env.SetLang("es")
	if l := env.Lang(); l != i18n.ES {
		t.Fatalf("language %q, want --lang's es", l)
	}
}

// A --config that names no file is refused, saying what to do; the
// default location may be missing.
func TestConfigNamedButMissing(t *testing.T) {
	t.Parallel()
	env, dir := testEnv(t, nil)
	if _, err := env.Config(); err != nil {
		t.Fatalf("no config at the default place: %v", err)
	}
	env, _ = testEnv(t, nil)
	env.ConfigPath = filepath.Join(dir, "typo.yaml")
	env.SetLang("en")
	if _, err := env.Config(); err == nil || !strings.Contains(err.Error(), "no such file") || !strings.Contains(err.Error(), "typo.yaml") {
		t.Fatalf("err = %v", err)
	}
}

// Existing and ReadOnly refuse a path with no store, in the command's
// language, and leave no file behind; Create makes the store.
func TestOpenStoreModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env, dir := testEnv(t, map[string]string{"LANG": "en_US.UTF-8"})
	path := filepath.Join(dir, "folio.db")
	for _, how := range []app.Open{app.ReadOnly, app.Existing, app.Peek} {
		if _, err := env.OpenStore(ctx, path, how); err == nil || !strings.Contains(err.Error(), "no store at "+path) {
			t.Fatalf("mode %d: err = %v", how, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("mode %d left a file: %v", how, err)
		}
	}
	env.SetLang("es")
	if _, err := env.OpenStore(ctx, path, app.ReadOnly); err == nil || !strings.Contains(err.Error(), "aún no hay almacén") {
		t.Fatalf("in Spanish: %v", err)
	}
	st, err := env.OpenStore(ctx, path, app.Create)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = env.OpenStoreFlag(ctx, path, app.ReadOnly)
	if err != nil {
		t.Fatalf("read-only over the store made: %v", err)
	}
	st.Close()
}

// A simulator's client secret belongs to the environment that connected
// to it (two in one process do not share one), and wins over the
// config's; the config's goes to its own client id only.
func TestClientSecrets(t *testing.T) {
	t.Parallel()
	a, dir := testEnv(t, nil)
	writeFile(t, filepath.Join(dir, "config", "folio", "config.yaml"), "multivende:\n  client_id: app-1\n  client_secret: s3cret-1\n")
	b, _ := testEnv(t, nil)
	a.RememberClientSecret("sim-1", "sim-secret")
	for _, c := range []struct {
		env    *app.Env
		client string
		want   string
	}{{a, "sim-1", "sim-secret"}, {b, "sim-1", ""}, {a, "app-1", "s3cret-1"}, {a, "other", ""}} {
		if got := c.env.ClientSecret(store.Connection{ClientID: c.client}); got != c.want {
			t.Errorf("client %s: secret %q, want %q", c.client, got, c.want)
		}
	}
	a.RememberClientSecret("app-1", "sim-wins")
	if got := a.ClientSecret(store.Connection{ClientID: "app-1"}); got != "sim-wins" {
		t.Errorf("a simulator's secret for app-1: %q", got)
	}
}

// A reconnect in another terminal may write a new client id and secret
// into the config while an engine runs: the engine's next client finds
// them.
func TestClientSecretWrittenAfterTheConfigWasRead(t *testing.T) {
	t.Parallel()
	env, dir := testEnv(t, nil)
	file := filepath.Join(dir, "config", "folio", "config.yaml")
	writeFile(t, file, "workers: 2\n")
	if _, err := env.Config(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, file, "multivende:\n  client_id: app-2\n  client_secret: new-secret\n")
	if got := env.ClientSecret(store.Connection{ClientID: "app-2"}); got != "new-secret" {
		t.Fatalf("secret %q", got)
	}
}

// A zero Env is usable: it reads the process's environment.
func TestZeroEnv(t *testing.T) {
	var env app.Env
	if l := env.LangFor("en"); l != i18n.EN {
		t.Fatalf("--lang en: %q", l)
	}
	if _, err := env.StorePath("x.db"); err != nil {
		t.Fatal(err)
	}
}
