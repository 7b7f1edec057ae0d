package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
)

// The wiring issues through the invoicer connection present: with
// --sim-invoicer openfactura every document comes from the OpenFactura
// simulator, paced under its real limits (no 429), and none from LibreDTE's.
func TestRunAgainstOpenFacturaSimulator(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sims, err := sim.Start(ctx, sim.Options{Orders: 4, Seed: 5, RateLimit: -1, SIIDelay: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A LibreDTE run first, then OpenFactura: the switch leaves one invoicer.
	env := app.New(os.Getenv)
	if _, err := env.ConnectSim(ctx, st, sims.Info.Multivende, store.KindLibreDTE); err != nil {
		t.Fatal(err)
	}
	if _, err := env.ConnectSim(ctx, st, sims.Info.Multivende, store.KindOpenFactura); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Connection(ctx, "libredte"); err == nil {
		t.Fatal("the LibreDTE simulator's connection is still there")
	}
	eng, err := env.NewEngine(ctx, st, app.EngineSpec{RateLimit: -1, Config: engine.Config{PollInterval: 200 * time.Millisecond, Workers: 2,
		Retry:  engine.RetryPolicy{MaxAttempts: 8, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond},
		Emisor: sims.LD.Emisor(), SIIInterval: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(runCtx) }()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(90 * time.Second)
	for {
		counts, _ := st.CountByState(ctx)
		if isSettled(ctx, st, counts, len(sims.MV.State().Checkouts)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled: %v", counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
	of := sims.OF.State()
	if len(of.Emitted) == 0 || len(sims.LD.State().Emitted) != 0 {
		t.Fatalf("OpenFactura issued %d, LibreDTE %d", len(of.Emitted), len(sims.LD.State().Emitted))
	}
	if of.Limited != 0 || of.MaxPerSecond > 3 || of.MaxPerMinute > 100 {
		t.Fatalf("OpenFactura's limits were exceeded: %+v", of)
	}
}
