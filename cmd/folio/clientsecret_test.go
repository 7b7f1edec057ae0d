package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Without --client-secret and with none configured, the secret is asked
// on stdin (without echo on a terminal) instead of refused: nothing needs
// to show in ps while the consent waits.
func TestConnectMultivendeAsksForTheClientSecret(t *testing.T) {
	dir, s := connectEnv(t)
	args := slicesDelete(slicesDelete(mvArgs(s, "--name", "tienda"), "--client-secret"), s.Info.ClientSecret)
	if slices.Contains(args, s.Info.ClientSecret) {
		t.Fatal("the secret is still in the arguments")
	}
	r := startFolio(t, strings.NewReader(s.Info.ClientSecret+"\n"), args...)
	status, _ := follow(t, consent(t, r.link(t), "yes"))
	if err := r.wait(t); err != nil || status != http.StatusOK {
		t.Fatalf("connect: %v (%d)\n%s%s", err, status, r.out, r.err)
	}
	if !strings.Contains(strings.ToLower(r.err.String()), "client secret") {
		t.Errorf("no prompt on stderr: %q", r.err)
	}
	if strings.Contains(r.out.String()+r.err.String(), s.Info.ClientSecret) {
		t.Error("the secret was echoed")
	}
	c, err := openTestStore(t, dir).Connection(context.Background(), "tienda")
	if err != nil || c.AccessToken == "" {
		t.Fatalf("no connection stored: %v", err)
	}
	// Kept in the config, as a flag's would be, for renewals.
	b, err := os.ReadFile(filepath.Join(dir, "config", "folio", "config.yaml"))
	if err != nil || !strings.Contains(string(b), s.Info.ClientSecret) {
		t.Fatalf("config: %v\n%s", err, b)
	}
}

// The environment needs no prompt and no flag.
func TestConnectMultivendeSecretFromTheEnvironment(t *testing.T) {
	_, s := connectEnv(t)
	t.Setenv("FOLIO_MULTIVENDE_CLIENT_SECRET", s.Info.ClientSecret)
	args := slicesDelete(slicesDelete(mvArgs(s), "--client-secret"), s.Info.ClientSecret)
	r := startFolio(t, strings.NewReader(""), args...)
	status, _ := follow(t, consent(t, r.link(t), "yes"))
	if err := r.wait(t); err != nil || status != http.StatusOK {
		t.Fatalf("connect: %v (%d)\n%s%s", err, status, r.out, r.err)
	}
	if strings.Contains(strings.ToLower(r.err.String()), "client secret") {
		t.Errorf("asked although the environment has it: %q", r.err)
	}
}

func TestConnectMultivendeHelpWarnsAboutPs(t *testing.T) {
	for lang, echo := range map[string]string{"en": "without echo", "es": "se pide sin mostrarlo"} {
		out, _, err := runFolio(t, "", "connect", "multivende", "--help", "--lang", lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"FOLIO_MULTIVENDE_CLIENT_SECRET", "(ps)", echo} {
			if !strings.Contains(out, want) {
				t.Errorf("help in %s lacks %q:\n%s", lang, want, out)
			}
		}
	}
}
