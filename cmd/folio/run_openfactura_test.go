package main

import (
	"context"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/store"
)

// The wiring issues through the invoicer connection present: with
// --sim-invoicer openfactura every document comes from the OpenFactura
// simulator, paced under its real limits (no 429), and none from LibreDTE's.
func TestRunAgainstOpenFacturaSimulator(t *testing.T) {
	t.Parallel()
	// A LibreDTE run first, then OpenFactura: the switch leaves one invoicer.
	r := startEngine(t, engineOpts{orders: 4, seed: 5, invoicers: []string{store.KindLibreDTE, store.KindOpenFactura}})
	sims := r.sims
	if _, err := r.st.Connection(context.Background(), "libredte"); err == nil {
		t.Fatal("the LibreDTE simulator's connection is still there")
	}
	r.settle(t, 90*time.Second, "not settled")
	of := sims.OF.State()
	if len(of.Emitted) == 0 || len(sims.LD.State().Emitted) != 0 {
		t.Fatalf("OpenFactura issued %d, LibreDTE %d", len(of.Emitted), len(sims.LD.State().Emitted))
	}
	if of.Limited != 0 || of.MaxPerSecond > 3 || of.MaxPerMinute > 100 {
		t.Fatalf("OpenFactura's limits were exceeded: %+v", of)
	}
}
