package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Two `folio run` started at once on a new store: one creates the schema
// and runs, the other waits for the schema and is refused as a second
// engine — never "SQL logic error: table connections already exists".
func TestTwoRunsRaceOnANewStore(t *testing.T) {
	bin := processTest(t)
	info := startSim(t, bin, 5, "none")
	tries := 6
	if os.Getenv("FOLIO_SOAK") != "" {
		tries = 20
	}
	for i := range tries {
		dir := t.TempDir()
		path := filepath.Join(dir, "folio.db")
		var cmds [2]*exec.Cmd
		var outs [2]bytes.Buffer
		for j := range cmds {
			c := exec.Command(bin, "run", "--store", path, "--sim", info.Multivende)
			c.Env = append(os.Environ(), "XDG_CONFIG_HOME="+dir)
			c.Stderr = &outs[j]
			cmds[j] = c
		}
		for _, c := range cmds {
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		// The loser exits by itself; the winner runs until stopped.
		done := [2]<-chan error{waitCh(cmds[0]), waitCh(cmds[1])}
		var errs [2]error
		var exited [2]bool
		select {
		case errs[0] = <-done[0]:
			exited[0] = true
		case errs[1] = <-done[1]:
			exited[1] = true
		case <-time.After(20 * time.Second):
		}
		for j, c := range cmds {
			if !exited[j] {
				c.Process.Signal(syscall.SIGTERM)
				errs[j] = <-done[j]
			}
		}
		refused, ran := 0, 0
		for j := range cmds {
			out := outs[j].String()
			if strings.Contains(out, "already exists") || strings.Contains(out, "SQL logic error") {
				t.Fatalf("try %d: engine %d: %s", i, j, out)
			}
			switch {
			case errs[j] == nil:
				ran++
			case strings.Contains(out, "another folio engine"), strings.Contains(out, "otro motor de folio"):
				refused++
			default:
				t.Fatalf("try %d: engine %d exited with %v:\n%s", i, j, errs[j], out)
			}
		}
		if ran != 1 || refused != 1 {
			t.Fatalf("try %d: %d ran, %d refused; want one each", i, ran, refused)
		}
	}
}
