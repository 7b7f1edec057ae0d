package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/testutil"
	"github.com/folio-cl/folio/internal/tui"
)

func TestServePrintsItsHostKeyAndTakesAConfigUser(t *testing.T) {
	dir := t.TempDir()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	pk, _ := gossh.NewPublicKey(pub)
	signer, _ := gossh.NewSignerFromKey(priv)
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, []byte("log_file: "+filepath.Join(dir, "folio.log")+"\nusers:\n  - name: ana\n    role: operator\n    keys: [\""+strings.TrimSpace(string(gossh.MarshalAuthorizedKey(pk)))+"\"]\n"), 0o600)
	storePath := ordersStore(t, 1)
	hostKey := filepath.Join(dir, "state", "ssh_host_ed25519_key")

	ctx, cancel := context.WithCancel(context.Background())
	r := startUntil(ctx, "--config", cfgPath, "serve", "--store", storePath, "--ssh-addr", "127.0.0.1:0", "--host-key", hostKey, "--lang", "en")
	out, done := r.out, r.done

	re := regexp.MustCompile(`listens on (127\.0\.0\.1:\d+); host key fingerprint: (SHA256:\S+)`)
	var m []string
	if !testutil.Eventually(15*time.Second, func() bool { m = re.FindStringSubmatch(out.String()); return m != nil }) {
		cancel()
		t.Fatalf("no address printed: %s%s", out, r.err)
	}
	if !strings.Contains(out.String(), "host key made in "+hostKey) || !strings.Contains(out.String(), "ssh -p ") {
		t.Errorf("output: %s", out.String())
	}
	var seen string
	c, err := gossh.Dial("tcp", m[1], &gossh.ClientConfig{User: "folio", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: func(_ string, _ net.Addr, k gossh.PublicKey) error { seen = gossh.FingerprintSHA256(k); return nil }, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("ana's key: %v", err)
	}
	c.Close()
	if seen != m[2] {
		t.Errorf("printed %s, the server shows %s", m[2], seen)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
}

func TestServeWithoutUsersSaysHow(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, []byte("workers: 2\n"), 0o600)
	_, _, err := runFolio(t, "", "--config", cfgPath, "serve", "--store", ordersStore(t, 1), "--lang", "en")
	if err == nil || !strings.Contains(err.Error(), "add users to the config") {
		t.Fatalf("err = %v", err)
	}
}

// folio demo --serve: the demo's console over SSH for the person's own
// keys in ~/.ssh, on a loopback port, with the ssh command printed.
func TestServeDemoForOwnKeys(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	pk, _ := gossh.NewPublicKey(pub)
	signer, _ := gossh.NewSignerFromKey(priv)
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	os.WriteFile(filepath.Join(home, ".ssh", "id_ed25519.pub"), gossh.MarshalAuthorizedKey(pk), 0o600)

	ctx := context.Background()
	st, err := store.Open(ctx, ordersStore(t, 3), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out bytes.Buffer
	stop, err := serveDemo(ctx, strings.NewReader(""), &out, t.TempDir(), config.Loaded{}, tui.Options{Store: st, Lang: i18n.EN}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	m := regexp.MustCompile(`ssh -p (\d+) .* folio@127\.0\.0\.1`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no ssh command: %s", out.String())
	}
	c, err := gossh.Dial("tcp", "127.0.0.1:"+m[1], &gossh.ClientConfig{User: "folio", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("own key refused: %v", err)
	}
	c.Close()
}
