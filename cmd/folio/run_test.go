package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

func loadTestConfig(t *testing.T, file string, env map[string]string) config.Loaded {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	full := map[string]string{"HOME": dir}
	for k, v := range env {
		full[k] = v
	}
	l, err := config.Load(path, func(k string) string { return full[k] })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// FOLIO_POLL_INTERVAL (or the file) wins over --sim's 2 s default; the
// hidden --poll flag wins over both.
func TestRunPollInterval(t *testing.T) {
	t.Parallel()
	def := loadTestConfig(t, "", nil)
	env := loadTestConfig(t, "", map[string]string{"FOLIO_POLL_INTERVAL": "7s"})
	file := loadTestConfig(t, "poll_interval: 9s\n", nil)
	tests := []struct {
		name string
		cfg  config.Loaded
		flag time.Duration
		sim  bool
		want time.Duration
	}{
		{"default", def, 0, false, time.Minute},
		{"sim default", def, 0, true, 2 * time.Second},
		{"env with sim", env, 0, true, 7 * time.Second},
		{"file with sim", file, 0, true, 9 * time.Second},
		{"env without sim", env, 0, false, 7 * time.Second},
		{"flag", env, 3 * time.Second, true, 3 * time.Second},
	}
	for _, tt := range tests {
		if got := runPoll(tt.cfg, tt.flag, tt.sim); got != tt.want {
			t.Errorf("%s: poll %s, want %s", tt.name, got, tt.want)
		}
	}
}

// FOLIO_LOG_FILE sends `folio run`'s log to that file (0600), not stderr.
func TestRunLogFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "logs", "engine.log")
	cfg := loadTestConfig(t, "", map[string]string{"FOLIO_LOG_FILE": path})
	var stderr bytes.Buffer
	w, closeLog, err := runLog(cfg, i18n.EN, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	slog.New(slog.NewJSONHandler(w, nil)).Info("engine started")
	closeLog()
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), "engine started") {
		t.Fatalf("log file: %q %v", b, err)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr got %q", stderr.String())
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("log file mode %03o, want 600", fi.Mode().Perm())
	}
	// Without it, stderr.
	w, closeLog, _ = runLog(loadTestConfig(t, "", nil), i18n.EN, &stderr)
	defer closeLog()
	if w != &stderr {
		t.Error("no log_file: want stderr")
	}
}

// A refreshed token is saved even while another engine holds the lease
// (this one was frozen past it): the rotated refresh token exists nowhere
// else.
func TestSaveTokensIsNotFenced(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	var id int64
	if err := st.Write(ctx, func(tx *store.Tx) (err error) {
		id, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, AccessToken: "a0", RefreshToken: "r0"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AcquireLease(ctx, store.Holder{PID: 1, Host: "other", StartedAt: time.Now()}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := app.SaveTokens(st, id)(multivende.Token{Token: "a1", RefreshToken: "r1", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.ConnectionByID(ctx, id); c.RefreshToken != "r1" || c.AccessToken != "a1" {
		t.Fatalf("tokens not saved: %q %q", c.AccessToken, c.RefreshToken)
	}
}

// fullDisk is a log file on a full disk until room is set.
type fullDisk struct {
	room  bool
	tries int
	got   strings.Builder
}

func (d *fullDisk) Write(p []byte) (int, error) {
	d.tries++
	if !d.room {
		return 0, &os.PathError{Op: "write", Path: "folio.log", Err: syscall.ENOSPC}
	}
	return d.got.Write(p)
}

// A log on a full disk is not written to (nor retried) more than once a
// minute; once there is room, a line says how many were dropped.
func TestRunLogOnAFullDisk(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	d := &fullDisk{}
	w := &logSink{w: d, now: func() time.Time { return now }}
	log := slog.New(slog.NewJSONHandler(w, nil))
	for i := 0; i < 8000; i++ {
		log.Error("recording a failure")
		now = now.Add(time.Millisecond) // 8 s
	}
	if d.tries != 1 {
		t.Fatalf("%d writes tried on the full disk in 8 s", d.tries)
	}
	d.room = true
	now = now.Add(time.Minute)
	log.Info("engine stopped")
	lines := strings.Split(strings.TrimSpace(d.got.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "disk full") || !strings.Contains(lines[0], `"dropped":8000`) || !strings.Contains(lines[1], "engine stopped") {
		t.Fatalf("after the space came back: %q", d.got.String())
	}
}
