package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// The engine's periodic sync reads both catalogs like `folio catalog sync`
// and, LibreDTE having no item-writing API, counts and says so.
func TestPeriodicCatalogAgainstTheSimulators(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sims, err := sim.Start(ctx, sim.Options{Orders: 1, Seed: 3, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.Open(t)
	env, _ := testEnv(t, nil)
	if _, err := env.ConnectSim(ctx, st, sims.Info.Multivende, store.KindLibreDTE); err != nil {
		t.Fatal(err)
	}
	r, err := env.PeriodicCatalog(st, i18n.EN, -1)(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r.Connection != "simulador" || r.Create == 0 || r.Applied != 0 || !strings.Contains(r.Note, "no API to write items") {
		t.Errorf("periodic sync: %+v", r)
	}
	if n := len(sims.LD.State().Items); n != 0 {
		t.Errorf("%d items written to a LibreDTE that has no write API", n)
	}
}
