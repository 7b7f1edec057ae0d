package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/store"
)

func infoJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, _, err := runFolio(t, "", append([]string{"info", "--json"}, args...)...)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return m
}

func TestInfoJSONFreshMachine(t *testing.T) {
	dir := isolate(t)
	m := infoJSON(t)
	want := map[string]any{
		"version":       "dev",
		"go_version":    runtime.Version(),
		"os":            runtime.GOOS,
		"arch":          runtime.GOARCH,
		"language":      "es-CL",
		"config_file":   filepath.Join(dir, "config", "folio", "config.yaml"),
		"config_exists": false,
		"store":         filepath.Join(dir, "data", "folio", "folio.db"),
		"store_exists":  false,
		"state_dir":     filepath.Join(dir, "state", "folio"),
		"state_exists":  false,
		"latest_schema": float64(store.LatestSchema()),
	}
	for k, v := range want {
		if m[k] != v {
			t.Errorf("%s = %v, want %v", k, m[k], v)
		}
	}
	for _, k := range []string{"store_schema", "store_problem", "config_problem"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s present on a fresh machine: %v", k, m[k])
		}
	}
	// info looks; it never creates the store.
	if _, err := os.Stat(filepath.Join(dir, "data", "folio", "folio.db")); !os.IsNotExist(err) {
		t.Fatalf("info created the store: %v", err)
	}
}

func TestInfoJSONWithStoreAndConfig(t *testing.T) {
	dir := isolate(t)
	t.Setenv("LANG", "en_US.UTF-8")
	dbPath := filepath.Join(dir, "shop.db")
	st, err := store.Open(context.Background(), dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	cfgPath := filepath.Join(dir, "folio.yaml")
	if err := config.Set(cfgPath, map[string]string{"store": dbPath}); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "state", "folio"), 0o700)
	m := infoJSON(t, "--config", cfgPath)
	if m["config_file"] != cfgPath || m["config_exists"] != true || m["store"] != dbPath || m["store_exists"] != true ||
		m["store_schema"] != float64(store.LatestSchema()) || m["state_exists"] != true || m["language"] != "en" {
		t.Fatalf("info = %v", m)
	}
}

// info reports a broken config and store with everything else (it is
// where one looks when something is wrong), then exits 1 without a
// second message.
func TestInfoReportsProblemsThenExits1(t *testing.T) {
	dir := isolate(t)
	cfgPath := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfgPath, []byte("workerz: 2\n"), 0o600)
	notDB := filepath.Join(dir, "data", "folio", "folio.db")
	os.MkdirAll(filepath.Dir(notDB), 0o700)
	os.WriteFile(notDB, []byte("this is not a database, just text long enough to have a header"), 0o600)
	out, _, err := runFolio(t, "", "info", "--json", "--config", cfgPath)
	if ee, ok := errors.AsType[*exitError](err); !ok || ee.code != 1 || ee.err != nil {
		t.Fatalf("info --json with problems: err = %v, want a quiet exit 1", err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if p, _ := m["config_problem"].(string); !strings.Contains(p, "workerz") || !strings.Contains(p, "line 1") {
		t.Errorf("config_problem = %q", p)
	}
	if p, _ := m["store_problem"].(string); p == "" {
		t.Errorf("store_problem empty for a file that is not a database: %v", m)
	}
	out, _, err = runFolio(t, "", "info", "--config", cfgPath)
	if ee, ok := errors.AsType[*exitError](err); !ok || ee.code != 1 || !strings.Contains(out, "✘") ||
		!strings.Contains(out, "workerz") || !strings.Contains(out, filepath.Join("state", "folio")) {
		t.Fatalf("text info: %v\n%s", err, out)
	}
}
