package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// A stopping engine drains its in-flight calls for up to DrainTimeout,
// longer than a lease lives: its leases stay renewed until the last call
// is done, or another engine would take a connection whose folio is being
// issued here. Then it lets them go, and nothing is done twice.
func TestStoppingEngineKeepsItsLeasesWhileItDrains(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 1, 3, faults.Spec{})
	a := r.engine(1)
	a.inv.arm()
	select {
	case <-a.inv.frozen:
	case <-time.After(60 * time.Second):
		t.Fatal("the engine never issued")
	}
	ctx := context.Background()
	lease := func() store.ConnectionLease {
		ls, err := r.st.ConnectionLeases(ctx)
		if err != nil || len(ls) != 1 {
			t.Fatalf("the leases: %+v, %v", ls, err)
		}
		return ls[0]
	}
	before := lease()
	a.cancel() // SIGTERM: the Issue in flight is let finish
	waitFor(t, "the lease to be renewed past its life while the engine drains", func() bool {
		l := lease()
		return l.Engine == a.id && l.Generation == before.Generation && l.Live &&
			l.HeartbeatAt.After(before.HeartbeatAt.Add(2*r.ttl))
	})
	a.inv.open()
	<-a.done
	if a.err != nil {
		t.Fatalf("the stopped engine's Run: %v", a.err)
	}
	if l := lease(); l.Live {
		t.Errorf("the stopped engine still holds its connection: %+v", l)
	}
	r.engine(1) // the next engine finishes the rest
	r.settle(60 * time.Second)
	r.checkLedgers()
}
