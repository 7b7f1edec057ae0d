package engine

import (
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/folio-cl/folio/internal/store"
)

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// A connection a person deleted leaves the engine's leases quietly: its
// lease row went with it, and the renewal that finds it gone must not say
// another engine took it over (on SQLite there is no other engine).
func TestDeletedConnectionIsNotReportedTakenOver(t *testing.T) {
	t.Parallel()
	r := newStepRig(t, 0)
	logs := &lockedBuf{}
	r.e.log = slog.New(slog.NewTextHandler(logs, nil))
	var other int64
	if err := r.st.Write(r.ctx, func(tx *store.Tx) (err error) {
		other, err = tx.SaveConnection(r.ctx, store.Connection{Name: "otra", Kind: store.KindMultivende, MerchantID: "m2", AccessToken: "secret"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	h := store.Holder{PID: 1, Host: "srv", StartedAt: startedAt(r.e.cfg.Now())}
	if err := r.e.startLeases(r.ctx, h, false); err != nil {
		t.Fatal(err)
	}
	c, err := r.st.Connection(r.ctx, "tienda")
	if err != nil {
		t.Fatal(err)
	}
	if !r.e.holdsConnection(c.ID) {
		t.Fatal("the engine did not lease the connection")
	}
	if err := r.st.Write(r.ctx, func(tx *store.Tx) error { return tx.DeleteConnection(r.ctx, "tienda") }); err != nil {
		t.Fatal(err)
	}
	if err := r.e.renewLeases(r.ctx); err != nil {
		t.Fatal(err)
	}
	if r.e.holdsConnection(c.ID) {
		t.Error("the engine still leases the deleted connection")
	}
	if !r.e.holdsConnection(other) {
		t.Error("the engine let go of the connection that was not deleted")
	}
	if strings.Contains(logs.String(), "taken over") {
		t.Errorf("the log says a deleted connection was taken over: %s", logs.String())
	}
}
