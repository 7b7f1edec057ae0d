package engine_test

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/store"
)

// TestTotalsMismatchStopsBeforeTheFolio: with a LibreDTE account whose
// price type makes other totals, every order stops in Errors before
// generar with both figures, and no folio is consumed.
func TestTotalsMismatchStopsBeforeTheFolio(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		b := setup(t, opts{orders: 12, seed: 21, noStart: true})
		b.sims.LD.SetNetPrices(true)
		b.start()
		counts := b.settle(30 * time.Second)
		ld := b.sims.LD.State()
		if len(ld.Emitted) != 0 || ld.Tmps != 0 {
			t.Fatalf("LibreDTE's ledger %+v: no folio may be used, no temporary document left", ld)
		}
		rows, err := b.st.ListOrders(context.Background(), store.OrderQuery{States: []store.State{store.StateAttention}, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, o := range rows {
			if o.ReasonCode != libredte.CodeTotalsMismatch {
				continue
			}
			n++
			if !strings.Contains(o.Reason, "LibreDTE calculó total") || !strings.Contains(o.Reason, "folio calculó total") || !strings.Contains(o.Reason, "precio bruto") {
				t.Errorf("order %s: reason %q lacks both figures or the cause", o.ID, o.Reason)
			}
			// An English reader gets it all in English.
			msg, _ := i18n.ParseMessage(o.ReasonMsg)
			if en := msg.Plain(i18n.EN); !strings.Contains(en, "LibreDTE computed total") || !strings.Contains(en, "likely cause") || strings.Contains(en, "calculó") {
				t.Errorf("order %s: reason in English %q", o.ID, en)
			}
			if o.Folio != 0 {
				t.Errorf("order %s has folio %d", o.ID, o.Folio)
			}
		}
		if n == 0 {
			t.Fatalf("no order stopped with %s: %v", libredte.CodeTotalsMismatch, counts)
		}
		b.checkLedgers()
	})
}
