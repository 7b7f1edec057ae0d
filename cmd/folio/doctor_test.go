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

	"github.com/folio-cl/folio/internal/doctor"
	"github.com/folio-cl/folio/internal/store"
)

func doctorJSON(t *testing.T) ([]doctor.Check, error) {
	t.Helper()
	out, _, err := runFolio(t, "", "doctor", "--json")
	var cs []doctor.Check
	if jerr := json.Unmarshal([]byte(out), &cs); jerr != nil {
		t.Fatalf("%v\n%s", jerr, out)
	}
	return cs, err
}

func failing(cs []doctor.Check) map[string]doctor.Check {
	m := map[string]doctor.Check{}
	for _, c := range cs {
		if !c.OK {
			m[c.Name] = c
		}
	}
	return m
}

func TestDoctor(t *testing.T) {
	dir, s := connectEnv(t)

	// Nothing set up: the store is missing, with the way to make one.
	out, _, err := runFolio(t, "", "doctor")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code == 0 || !strings.Contains(out, "✘ almacén:") || !strings.Contains(out, "→ conecte un comercio") {
		t.Fatalf("no store: %v\n%s", err, out)
	}

	connectMultivende(t, s, "--name", "tienda")
	connectLibreDTE(t, s)
	// Without the emisor's data doctor does not say all is well: it names
	// what is missing.
	out, _, err = runFolio(t, "", "doctor")
	if err == nil || strings.Contains(out, "Todo en orden.") || !strings.Contains(out, "✘ emisor") || !strings.Contains(out, "emisor.razon_social") {
		t.Fatalf("no emisor configured: %v\n%s", err, out)
	}
	for k, v := range map[string]string{"FOLIO_EMISOR_RUT": "76.086.428-5", "FOLIO_EMISOR_RAZON_SOCIAL": "Tienda Aromos SpA",
		"FOLIO_EMISOR_GIRO": "Venta al por menor por internet", "FOLIO_EMISOR_DIRECCION": "Av. Providencia 1234", "FOLIO_EMISOR_COMUNA": "Providencia"} {
		t.Setenv(k, v)
	}
	out, _, err = runFolio(t, "", "doctor")
	if err != nil || strings.Contains(out, "✘") || !strings.Contains(out, "Todo en orden.") || !strings.Contains(out, "✔ emisor") {
		t.Fatalf("good setup: %v\n%s", err, out)
	}
	cs, err := doctorJSON(t)
	if err != nil || len(cs) < 10 {
		t.Fatalf("%v %v", err, cs)
	}
	names := map[string]bool{}
	for _, c := range cs {
		names[c.Name] = true
	}
	for _, want := range []string{"config", "store", "store.integrity", "store.permissions", "multivende.tienda.token",
		"multivende.tienda.api", "multivende.tienda.client_secret", "libredte.libredte.credentials", "libredte.libredte.price_type", "clock"} {
		if !names[want] {
			t.Errorf("no %s check", want)
		}
	}
	if runtimeHasStatfs() && !names["store.disk"] {
		t.Error("no store.disk check")
	}

	// Broken: a wrong LibreDTE hash, an unreachable Multivende, an expired
	// refresh token on a second merchant, a store others can read.
	ctx := context.Background()
	path := filepath.Join(dir, "data", "folio", "folio.db")
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ld, _ := st.Connection(ctx, "libredte")
	mv, _ := st.Connection(ctx, "tienda")
	err = st.Write(ctx, func(tx *store.Tx) error {
		ld.APIKey = "00000000000000000000000000000000"
		if _, err := tx.SaveConnection(ctx, ld); err != nil {
			return err
		}
		mv.BaseURL = "http://127.0.0.1:1"
		if _, err := tx.SaveConnection(ctx, mv); err != nil {
			return err
		}
		return tx.SetConnectionStatus(ctx, mv.ID, store.ConnNeedsReconnect, "multivende: refresh refused (invalid_grant)")
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	cs, err = doctorJSON(t)
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("exit: %v", err)
	}
	bad := failing(cs)
	wants := map[string]string{
		"libredte.libredte.credentials": "folio connect libredte --name libredte",
		"multivende.tienda.token":       "folio connect multivende --name tienda",
		"multivende.tienda.api":         "revise la red",
		"store.permissions":             "chmod 600 " + path,
	}
	for name, fix := range wants {
		if c, ok := bad[name]; !ok || !strings.Contains(c.Fix, fix) || c.Detail == "" {
			t.Errorf("%s: %+v, want ✘ with fix %q", name, c, fix)
		}
	}
	if len(bad) != len(wants) {
		t.Errorf("failing: %v", bad)
	}
	for _, secret := range append(s.MV.State().Tokens, s.Info.LibreDTEHash, s.Info.ClientSecret) {
		b, _ := json.Marshal(cs)
		if strings.Contains(string(b), secret) {
			t.Fatal("a secret in doctor's output")
		}
	}
	text, _, _ := runFolio(t, "", "doctor", "--lang", "en")
	if !strings.Contains(text, "✘ libredte.libredte · credentials: LibreDTE refused the API hash") ||
		!strings.Contains(text, "    → folio connect multivende --name tienda") {
		t.Fatalf("text:\n%s", text)
	}
}

func TestDoctorConfigPermissions(t *testing.T) {
	dir := isolate(t)
	cfg := filepath.Join(dir, "config", "folio", "config.yaml")
	os.MkdirAll(filepath.Dir(cfg), 0o700)
	os.WriteFile(cfg, []byte("multivende:\n  client_secret: abcdefghijklmnop\n"), 0o600)
	os.Chmod(cfg, 0o644)
	cs, _ := doctorJSON(t)
	if c, ok := failing(cs)["config.permissions"]; !ok || c.Fix != "chmod 600 "+cfg {
		t.Fatalf("%+v", cs)
	}
	os.Chmod(cfg, 0o600)
	cs, _ = doctorJSON(t)
	if _, ok := failing(cs)["config.permissions"]; ok {
		t.Fatalf("0600 flagged: %+v", cs)
	}
}

func runtimeHasStatfs() bool {
	switch runtime.GOOS {
	case "linux", "darwin", "freebsd":
		return true
	}
	return false
}
