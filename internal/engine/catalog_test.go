package engine_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

func TestPeriodicCatalogSync(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	inv := offlineInvoicer(t)
	var calls atomic.Int32
	run := func(interval time.Duration, fail bool) {
		eng, err := engine.New(engine.Config{Store: st, Invoicer: inv, LeaseTTL: time.Second, CatalogInterval: interval,
			Markets: func(store.Connection) (engine.Marketplace, error) { return nil, errors.New("none") },
			CatalogSync: func(context.Context) (engine.CatalogResult, error) {
				calls.Add(1)
				if fail {
					return engine.CatalogResult{}, errors.New("multivende: products: 503")
				}
				return engine.CatalogResult{Connection: "tienda", Create: 3, Unchanged: 7, Note: "LibreDTE has no API to write items"}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(ctx, 350*time.Millisecond)
		defer cancel()
		if err := eng.Run(ctx); err != nil {
			t.Fatal(err)
		}
	}
	run(0, false)
	if calls.Load() != 0 {
		t.Fatal("the catalog synced with no interval set (it is off by default)")
	}
	if _, ok := engine.LastCatalogSync(ctx, st); ok {
		t.Fatal("a result was recorded with the sync off")
	}
	run(100*time.Millisecond, false)
	if n := calls.Load(); n < 2 {
		t.Fatalf("%d syncs in 350 ms at a 100 ms interval", n)
	}
	r, ok := engine.LastCatalogSync(ctx, st)
	if !ok || r.Create != 3 || r.Unchanged != 7 || r.At.IsZero() || r.Error != "" {
		t.Fatalf("recorded %+v", r)
	}
	run(time.Hour, true)
	if r, _ := engine.LastCatalogSync(ctx, st); r.Error == "" {
		t.Fatalf("a failed sync is not recorded: %+v", r)
	}
}
