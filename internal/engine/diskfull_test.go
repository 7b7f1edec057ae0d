package engine_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

// lines counts log records by message.
type lines struct {
	mu  sync.Mutex
	msg map[string]int
	n   int
}

func (l *lines) Enabled(context.Context, slog.Level) bool { return true }
func (l *lines) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	l.msg[r.Message]++
	l.n++
	l.mu.Unlock()
	return nil
}
func (l *lines) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *lines) WithGroup(string) slog.Handler      { return l }
func (l *lines) count() (int, map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	m := map[string]int{}
	for k, v := range l.msg {
		m[k] = v
	}
	return l.n, m
}

// A full disk: the engine backs off with one log line, says "disk full" in
// its stats, keeps its lease (well past its life) and goes on once space
// returns. It used to log thousands of lines a second, then stop.
func TestDiskFullBacksOffAndResumes(t *testing.T) {
	t.Parallel()
	synctest.Test(t, diskFullBacksOffAndResumes)
}

// diskFullBacksOffAndResumes runs in fake time: the 3 s of a full disk and
// the back-off are exact, whatever the machine's load.
func diskFullBacksOffAndResumes(t *testing.T) {
	var full atomic.Bool
	var refused atomic.Int64
	log := &lines{msg: map[string]int{}}
	b := setup(t, opts{orders: 40, seed: 12, workers: 2, log: slog.New(log), store: store.Options{WriteFault: func() error {
		if full.Load() {
			refused.Add(1)
			return syscall.ENOSPC
		}
		return nil
	}}})
	waitUntil(t, 20*time.Second, "three documents issued", func() bool { return len(b.sims.LD.State().Emitted) >= 3 })
	before, _ := log.count()
	full.Store(true)
	b.sims.MV.AddOrders(10) // work keeps arriving while the disk is full
	// The lease lives 2 s: 3 s of a full disk outlive it.
	for end := time.Now().Add(3 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		select {
		case <-b.done:
			t.Fatalf("the engine stopped on a full disk: %v", b.err)
		default:
		}
	}
	if !b.eng.Stats().DiskFull {
		t.Error("stats do not say disk full")
	}
	n, msgs := log.count()
	if n-before > 12 || msgs["disk full"] != 1 {
		t.Errorf("%d log lines while the disk was full (%d refused writes); want a handful with one \"disk full\": %v", n-before, refused.Load(), msgs)
	}
	if refused.Load() > 200 {
		t.Errorf("%d writes tried in 3 s of a full disk: no back-off", refused.Load())
	}
	for k := range msgs {
		if strings.Contains(k, "lease lost") {
			t.Errorf("logged %q", k)
		}
	}
	full.Store(false)
	b.settle(60 * time.Second)
	b.checkLedgers()
	if b.eng.Stats().DiskFull {
		t.Error("stats still say disk full")
	}
	if _, msgs := log.count(); msgs["disk space is back"] != 1 {
		t.Errorf("no line saying the space came back: %v", msgs)
	}
	// Full again within the minute: the state shows it, the log does not
	// say it twice.
	full.Store(true)
	waitFor(t, "the disk state", func() bool { return b.eng.Stats().DiskFull })
	full.Store(false)
	waitFor(t, "the disk state", func() bool { return !b.eng.Stats().DiskFull })
	if _, msgs := log.count(); msgs["disk full"] != 1 || msgs["disk space is back"] != 1 {
		t.Errorf("a second episode within the minute was logged: %v", msgs)
	}
	select {
	case <-b.done:
		t.Fatalf("the engine stopped: %v", b.err)
	default:
	}
}

// A full disk is not a lost lease, but a lease another engine took over
// while the disk was full is: the engine stops as it would otherwise.
func TestDiskFullStillSeesAStaleLease(t *testing.T) {
	t.Parallel()
	synctest.Test(t, diskFullStillSeesAStaleLease)
}

func diskFullStillSeesAStaleLease(t *testing.T) {
	var full atomic.Bool
	b := setup(t, opts{orders: 10, seed: 13, workers: 2, store: store.Options{WriteFault: func() error {
		if full.Load() {
			return syscall.ENOSPC
		}
		return nil
	}}})
	ctx := context.Background()
	waitUntil(t, 20*time.Second, "a document issued", func() bool { return len(b.sims.LD.State().Emitted) >= 1 })
	full.Store(true)
	for end := time.Now().Add(2500 * time.Millisecond); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if !b.eng.Stats().DiskFull {
			continue
		}
		select {
		case <-b.done:
			t.Fatalf("stopped on a full disk: %v", b.err)
		default:
		}
	}
	// Another engine (its own store handle, with room) takes the expired lease.
	other, err := store.Open(ctx, b.st.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.AcquireLease(ctx, store.Holder{PID: 1, Host: "other-engine", StartedAt: time.Now()}, time.Hour); err != nil {
		t.Fatal(err)
	}
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		t.Fatal("the engine goes on after another took its lease")
	}
	if !errors.Is(b.err, store.ErrLeaseLost) {
		t.Fatalf("Run returned %v, want ErrLeaseLost", b.err)
	}
}
