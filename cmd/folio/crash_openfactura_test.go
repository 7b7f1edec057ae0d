package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/sim/ofsim"
	"github.com/folio-cl/folio/internal/store"
)

// TestCrashExactlyOnceOpenFactura is TestCrashExactlyOnce with OpenFactura
// as the invoicer (folio run --sim-invoicer openfactura): folio run is
// killed right after OpenFactura accepted a document and before folio
// recorded it, and at random moments, with resets after acceptance among
// the faults. The restarted engine re-sends the same Idempotency-Key, so
// the simulator's ledger must hold one document per key and each must be
// attached to exactly one order.
func TestCrashExactlyOnceOpenFactura(t *testing.T) {
	bin := processTest(t)
	// Few orders: folio paces itself under OpenFactura's real limits.
	kills, orders := soak(6, 12, 20, 60)
	info := startSim(t, bin, orders, "5xx=0.03,latency=2ms..40ms,reset-after-generar=0.1")
	r := newRunner(t, bin, info)
	for i := 0; i < kills; i++ {
		fp, wait := "", time.Duration(500+300*i)*time.Millisecond
		if i%2 == 0 {
			fp, wait = fmt.Sprintf("%s:%d", engine.FailAfterIssue, 1+i/2%2), 20*time.Second
		}
		r.killAfter(wait, fp, "--sim-invoicer", "openfactura")
	}
	if !strings.Contains(r.log(), "failpoint") {
		t.Error("no run died right after OpenFactura accepted a document")
	}
	st := r.settleLast(time.Duration(orders)*6*time.Second, "--sim-invoicer", "openfactura")

	var mv mvsim.State
	var of ofsim.State
	getJSON(t, info.Multivende+"/_sim/state", &mv)
	getJSON(t, info.OpenFactura+"/_sim/state", &of)
	attached := attachedDocuments(t, mv)
	keys := map[string]bool{}
	for _, e := range of.Emitted {
		if keys[e.Key] {
			t.Errorf("Idempotency-Key %s issued two documents", e.Key)
		}
		keys[e.Key] = true
		if n := attached[mvType(e.DTE)+"/"+strconv.FormatInt(e.Folio, 10)]; n != 1 {
			owner, _, _ := st.FolioOwner(t.Context(), info.Emisor, e.DTE, e.Folio)
			o, _ := st.GetOrder(t.Context(), owner)
			if !(n == 0 && o.State == store.StateAttention) {
				t.Errorf("folio %d (type %d) is attached to %d orders (owner %q %s)", e.Folio, e.DTE, n, owner, o.State)
			}
		}
	}
	t.Logf("%d orders, %d documents at OpenFactura, %d requests, %d answered 429", len(mv.Checkouts), len(of.Emitted), of.Requests, of.Limited)
}
