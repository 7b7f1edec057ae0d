package engine_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// An order whose document shows only through the billing-documents call
// (not in the detail's embedded list) already has one: it gets no other.
func TestDocumentOnlyInTheListIsExisting(t *testing.T) {
	t.Parallel()
	b := setup(t, opts{orders: 12, seed: 21, noStart: true})
	var target string
	for _, c := range b.sims.MV.State().Checkouts {
		if c.PaymentStatus == multivende.PaymentCompleted && c.Status != multivende.StatusCancelled {
			target = c.ID
			break
		}
	}
	if target == "" {
		t.Fatal("no paid order in the simulator")
	}
	if err := b.sims.MV.AttachElsewhere(target, "E-1", multivende.DocTypeBoleta); err != nil {
		t.Fatal(err)
	}
	b.start()
	b.settle(30 * time.Second)
	o, err := b.st.GetOrder(context.Background(), target)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != store.StateDone || o.Outcome != store.OutcomeExisting || o.Folio != 0 {
		t.Fatalf("order with a document elsewhere is %s/%s folio %d (%s)", o.State, o.Outcome, o.Folio, o.Reason)
	}
	for _, c := range b.sims.MV.State().Checkouts {
		if c.ID == target && len(c.Documents) != 1 {
			t.Fatalf("the order has %d documents in Multivende", len(c.Documents))
		}
	}
	b.checkLedgers()
}
