package engine_test

import (
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
)

// An engine that joins takes a part of the work even when the share
// rounded up leaves it none: four connections on three engines are held
// two, one and one, not two, two and none.
func TestJoiningEngineGetsWorkWhenTheRoundedShareLeavesItNone(t *testing.T) {
	t.Parallel()
	r := newPGRig(t, 4, 2, faults.Spec{})
	a := r.engine(1)
	waitFor(t, "the first engine to lease every connection", func() bool { return r.holders()[a.id] == 4 })
	b := r.engine(1)
	waitFor(t, "two engines to hold two each", func() bool {
		h := r.holders()
		return h[a.id] == 2 && h[b.id] == 2
	})
	c := r.engine(1)
	waitFor(t, "three engines to hold two, one and one", func() bool {
		h := r.holders()
		return h[a.id]+h[b.id]+h[c.id] == 4 && h[a.id] >= 1 && h[b.id] >= 1 && h[c.id] >= 1
	})
	r.settle(60 * time.Second)
	r.checkLedgers()
}
