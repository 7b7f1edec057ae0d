package engine_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// After the folio, attach's two reads (the PDF from the invoicer, the
// order's documents from Multivende) are asked for at once: with every
// call taking the same 100 ms, an order goes from issued to done in four
// calls' time (both reads, create, upload, the check), not five. Fake time.
func TestAttachReadsTheirTwoAnswersAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const call = 100 * time.Millisecond
		b := setup(t, opts{orders: 6, seed: 3, workers: 1, faults: faults.Spec{LatencyMin: call, LatencyMax: call}})
		ctx := context.Background()
		var done store.Order
		waitUntil(t, time.Minute, "an order done", func() bool {
			os, err := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateDone}})
			if err != nil || len(os) == 0 {
				return false
			}
			done = os[0]
			return true
		})
		evs, err := b.st.Events(ctx, done.ID)
		if err != nil {
			t.Fatal(err)
		}
		var issued, finished time.Time
		for _, e := range evs {
			switch e.Kind {
			case "issued":
				issued = e.At
			case "done":
				finished = e.At
			}
		}
		if issued.IsZero() || finished.IsZero() {
			t.Fatalf("timeline without issued and done: %+v", evs)
		}
		if took := finished.Sub(issued); took < 4*call || took >= 5*call {
			t.Fatalf("issued to done took %v: want four calls of %v (the PDF and the list at once), not five", took, call)
		}
	})
}
