package engine_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Issue 20: a checkout whose amount cannot be read ("NaN", 12990.5,
// 1e999999) goes to Errors on its first attempt with MV-BAD-AMOUNT, naming
// the field and the value; the other orders are issued.
func TestUnreadableAmountGoesToErrorsAtOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 6, seed: 31, noStart: true})
		ctx := context.Background()
		var targets []string
		for _, c := range b.sims.MV.State().Checkouts {
			if c.PaymentStatus == multivende.PaymentCompleted && c.Status != multivende.StatusCancelled {
				targets = append(targets, c.ID)
			}
		}
		if len(targets) < 3 {
			t.Fatalf("%d paid orders in the simulator, want 3", len(targets))
		}
		bad := map[string]string{targets[0]: `"NaN"`, targets[1]: `12990.5`, targets[2]: `1e999999`}
		// A proxy in front of the simulator spoils the first item's gross of
		// each target's detail; the list is left alone.
		proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := strings.TrimPrefix(r.URL.Path, "/api/checkouts/")
			v, ok := bad[id]
			if !ok || r.Method != http.MethodGet {
				b.sims.MV.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			b.sims.MV.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			i := bytes.Index(body, []byte(`"gross":`))
			if i < 0 {
				t.Errorf("no gross in %s", body)
				return
			}
			j := i + len(`"gross":`)
			k := j + bytes.IndexAny(body[j:], ",}")
			w.Header().Set("Content-Type", "application/json")
			w.Write(append(append(append([]byte{}, body[:j]...), v...), body[k:]...))
		})
		b.sims.Transport.Handle("proxy.invalid", proxy) // served in memory, as the simulators are
		conn, err := b.st.Connection(ctx, "tienda")
		if err != nil {
			t.Fatal(err)
		}
		conn.BaseURL = "http://proxy.invalid"
		if err := b.st.Write(ctx, func(tx *store.Tx) error { _, err := tx.SaveConnection(ctx, conn); return err }); err != nil {
			t.Fatal(err)
		}
		b.start()
		b.settle(30 * time.Second)
		for id, v := range bad {
			o, err := b.st.GetOrder(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if o.State != store.StateAttention || o.ReasonCode != "MV-BAD-AMOUNT" || o.Attempts > 1 {
				t.Errorf("order with gross %s is %s/%s after %d attempts (%s)", v, o.State, o.ReasonCode, o.Attempts, o.Reason)
			}
			if !strings.Contains(o.Reason, "CheckoutItems[0].gross") || !strings.Contains(o.Reason, v) {
				t.Errorf("reason %q does not name the field and %s", o.Reason, v)
			}
		}
		b.checkLedgers()
	})
}
