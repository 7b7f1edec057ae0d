package engine_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// An order whose document shows only through the billing-documents call
// (not in the detail's embedded list) already has one: it gets no other.
func TestDocumentOnlyInTheListIsExisting(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
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
	})
}

// A document is attached with the connection's settings: its emitter id,
// provider code and attach type, as Multivende received them; and the
// synchronizationStatus read back after the upload is kept for inspect.
func TestAttachUsesTheConnectionSettings(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 10, seed: 22, noStart: true})
		ctx := context.Background()
		set := store.ConnSettings{EmitterID: "em-991", Provider: "libredte-cl", DocTypes: map[string]string{"39": "boleta_custom"}}
		if err := b.st.Write(ctx, func(tx *store.Tx) error { return tx.SetConnectionSettings(ctx, "tienda", set) }); err != nil {
			t.Fatal(err)
		}
		b.start()
		b.settle(30 * time.Second)
		n := 0
		for _, c := range b.sims.MV.State().Checkouts {
			for _, d := range c.Documents {
				n++
				if d.EmitterID != "em-991" || d.Provider != "libredte-cl" {
					t.Errorf("order %s: attached with emitter %q provider %q", c.ID, d.EmitterID, d.Provider)
				}
				if want := multivende.AttachType(typeOf(t, b, c.ID), set.DocTypes); d.Type != want {
					t.Errorf("order %s: type %q, want %q", c.ID, d.Type, want)
				}
				if d.SyncStatus != multivende.SyncPending {
					t.Errorf("order %s: sync status %q", c.ID, d.SyncStatus)
				}
			}
		}
		if n == 0 {
			t.Fatal("nothing was attached")
		}
		// The status Multivende showed after the upload is on the done event.
		rows, _ := b.st.ListOrders(ctx, store.OrderQuery{States: []store.State{store.StateDone}, Limit: 100})
		found := false
		for _, o := range rows {
			if o.Outcome != store.OutcomeIssued {
				continue
			}
			evs, _ := b.st.Events(ctx, o.ID)
			for _, ev := range evs {
				if ev.Kind == "done" && strings.Contains(ev.Data, `"synchronizationStatus":"Pendiente"`) {
					found = true
				}
			}
		}
		if !found {
			t.Fatal("no done event carries the document's synchronizationStatus")
		}
	})
}

// typeOf is the DTE type folio issued for an order.
func typeOf(t *testing.T, b *bundle, id string) int {
	t.Helper()
	em, err := b.st.GetEmission(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return em.DocType
}
