package engine_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
)

// An action taken over SSH names its person and key on the order's
// timeline once the engine applies it, and in the controls table.
func TestControlNamesWhoActedOnTheTimeline(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 3})
		b.settle(30 * time.Second)
		ctx := context.Background()
		rows, err := b.st.ListOrders(ctx, store.OrderQuery{Limit: 1})
		if err != nil || len(rows) == 0 {
			t.Fatalf("no order: %v", err)
		}
		by := "ana SHA256:abc (ssh)"
		actx := store.WithActor(ctx, store.Actor{User: "ana", Fingerprint: "SHA256:abc"})
		id, err := engine.RequestSkip(actx, b.st, rows[0].ID, "prueba", by)
		if err != nil {
			t.Fatal(err)
		}
		c := waitControl(t, b, id)
		if c.User != "ana" || c.Fingerprint != "SHA256:abc" || c.Connection != b.conn.Name {
			t.Errorf("control %+v", c)
		}
		evs, _ := b.st.Events(ctx, rows[0].ID)
		for _, e := range evs {
			if e.Kind == "control" && strings.Contains(e.Message, by) {
				return
			}
		}
		t.Fatalf("the timeline does not name who acted: %+v", evs)
	})
}
