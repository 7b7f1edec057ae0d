package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	gossh "golang.org/x/crypto/ssh"

	"github.com/folio-cl/folio/internal/testutil"
)

// sshKeysKey holds, in each script's values, the keys sshkey made.
type sshKeysKey struct{}

type sshKeys struct {
	mu   sync.Mutex
	keys map[string]gossh.Signer
}

func scriptKeys(ts *testscript.TestScript) *sshKeys {
	k, _ := ts.Value(sshKeysKey{}).(*sshKeys)
	if k == nil {
		ts.Fatalf("no ssh keys in this script's values (scriptSetup)")
	}
	return k
}

// sshkey NAME makes an ed25519 key: NAME.pub (an authorized_keys line) in
// the working directory, the private half kept for sshlogin.
func cmdSSHKey(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: sshkey NAME")
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	ts.Check(err)
	pk, err := gossh.NewPublicKey(pub)
	ts.Check(err)
	signer, err := gossh.NewSignerFromKey(priv)
	ts.Check(err)
	ts.Check(os.WriteFile(ts.MkAbs(args[0]+".pub"), gossh.MarshalAuthorizedKey(pk), 0o600))
	k := scriptKeys(ts)
	k.mu.Lock()
	k.keys[args[0]] = signer
	k.mu.Unlock()
}

// sshlogin ADDR NAME [TEXT] logs in to folio serve at ADDR with sshkey
// NAME's key, waiting (up to 30 s) for the server to listen; with TEXT it
// opens the console on an 80×24 terminal and waits until TEXT shows.
// "! sshlogin" asserts the key is refused.
func cmdSSHLogin(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 || (neg && len(args) == 3) {
		ts.Fatalf("usage: [!] sshlogin ADDR NAME [TEXT]")
	}
	k := scriptKeys(ts)
	k.mu.Lock()
	signer := k.keys[args[1]]
	k.mu.Unlock()
	if signer == nil {
		ts.Fatalf("sshlogin: no sshkey %s before it", args[1])
	}
	// Every 50 ms: another process starting, nothing to wait on.
	if !testutil.Until(30*time.Second, 50*time.Millisecond, func() bool {
		c, err := net.DialTimeout("tcp", args[0], time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		ts.Fatalf("sshlogin: nothing listens on %s", args[0])
	}
	c, err := gossh.Dial("tcp", args[0], &gossh.ClientConfig{User: "folio", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)},
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second})
	if neg {
		if err == nil {
			c.Close()
			ts.Fatalf("sshlogin: %s's key was let in", args[1])
		}
		if !strings.Contains(err.Error(), "unable to authenticate") {
			ts.Fatalf("sshlogin: %s refused for another reason: %v", args[1], err)
		}
		return
	}
	if err != nil {
		ts.Fatalf("sshlogin: %s: %v", args[1], err)
	}
	defer c.Close()
	if len(args) < 3 {
		return
	}
	sess, err := c.NewSession()
	ts.Check(err)
	defer sess.Close()
	var out syncBuf
	sess.Stdout = &out
	ts.Check(sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}))
	ts.Check(sess.Shell())
	if !testutil.Until(30*time.Second, 50*time.Millisecond, func() bool { return strings.Contains(out.String(), args[2]) }) {
		ts.Fatalf("sshlogin: %q never showed; the session wrote %q", args[2], out.String())
	}
	ts.Logf("the console over SSH showed %q", args[2])
}
