package engine_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer/openfactura"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// checkOpenFacturaLedger asserts exactly-once against the OpenFactura
// simulator's ledger: every document attached to exactly one order, no
// Idempotency-Key issued twice, and each key the one of its order and type.
func (b *bundle) checkOpenFacturaLedger() {
	b.t.Helper()
	ctx := context.Background()
	mv, of := b.sims.MV.State(), b.sims.OF.State()
	attached := map[string]int{}
	for _, c := range mv.Checkouts {
		if len(c.Documents) > 1 {
			b.t.Errorf("order %s has %d documents", c.ID, len(c.Documents))
		}
		for _, d := range c.Documents {
			attached[d.Type+"/"+d.DocID]++
		}
		paid := c.PaymentStatus == "completed" && c.Status != "cancelled"
		o, err := b.st.GetOrder(ctx, c.ID)
		if err != nil {
			b.t.Errorf("order %s never reached the store: %v", c.ID, err)
			continue
		}
		if paid && len(c.Documents) == 0 && !(o.State == store.StateAttention && o.Reason != "") &&
			!(o.State == store.StateDone && o.Outcome == store.OutcomeSkipped && o.Reason != "") {
			b.t.Errorf("paid order %s has no document and is %s (%q)", c.ID, o.State, o.Reason)
		}
		if !paid && len(c.Documents) > 0 {
			b.t.Errorf("unpaid or cancelled order %s got a document", c.ID)
		}
	}
	keys := map[string]bool{}
	for _, e := range of.Emitted {
		if keys[e.Key] {
			b.t.Errorf("Idempotency-Key %s issued two documents", e.Key)
		}
		keys[e.Key] = true
		owner, _, _ := b.st.FolioOwner(ctx, b.sims.Info.Emisor, e.DTE, e.Folio)
		if owner == "" {
			b.t.Errorf("folio %d (type %d) belongs to no order", e.Folio, e.DTE)
			continue
		}
		if want := openfactura.IdempotencyKey("folio:"+owner, dte.DocType(e.DTE)); e.Key != want {
			b.t.Errorf("folio %d was issued with key %s, not its order's %s", e.Folio, e.Key, want)
		}
		if n := attached[mvType(e.DTE)+"/"+strconv.FormatInt(e.Folio, 10)]; n != 1 {
			o, _ := b.st.GetOrder(ctx, owner)
			if n == 0 && o.State == store.StateAttention && strings.HasPrefix(o.ReasonCode, "SII-") {
				continue // rejected by the SII before it was attached: a person decides
			}
			b.t.Errorf("folio %d (type %d) is attached %d times; its order %s is %s (%s %s)", e.Folio, e.DTE, n, owner, o.State, o.ReasonCode, o.Reason)
		}
	}
}

func TestOpenFacturaHappyPath(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 20, seed: 21, of: true})
		counts := b.settle(30 * time.Second)
		if counts[store.StateDone] == 0 {
			t.Fatalf("nothing done: %v", counts)
		}
		b.checkOpenFacturaLedger()
		if n := len(b.sims.LD.State().Emitted); n != 0 {
			t.Fatalf("LibreDTE issued %d documents: the engine must use the connection's invoicer only", n)
		}
		if len(b.sims.OF.State().Emitted) == 0 {
			t.Fatal("OpenFactura issued nothing")
		}
	})
}

func TestOpenFacturaFaults(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"reset-after-generar=0.4", "reset=0.1", "5xx=0.2", "mix"} {
		t.Run(spec, func(t *testing.T) {
			t.Parallel()
			sp, err := faults.Parse(spec)
			if err != nil {
				t.Fatal(err)
			}
			// Fake time: the faults' latencies and the retries cost nothing.
			synctest.Test(t, func(t *testing.T) {
				b := setup(t, opts{orders: 20, seed: 23, faults: sp, of: true})
				b.settle(60 * time.Second)
				b.checkOpenFacturaLedger()
				// A cut reply is resolved by sending the same key again: by the
				// engine's Resolve (over sockets net/http may also retry a
				// request carrying an Idempotency-Key on a reused connection;
				// the in-memory transport never does). Either way OpenFactura
				// answered OF-06 and nothing was issued twice.
				if of := b.sims.OF.State(); spec == "reset-after-generar=0.4" && (of.Resets == 0 || of.Repeats < of.Resets) {
					t.Fatalf("resets %d, repeats %d: every document whose reply was cut must be asked for again with its key", of.Resets, of.Repeats)
				}
			})
		})
	}
}
