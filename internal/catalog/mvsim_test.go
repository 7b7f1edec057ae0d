package catalog_test

import (
	"context"
	"net/url"
	"testing"

	"golang.org/x/oauth2"

	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// simClient connects a Multivende client to a running simulator, as a
// person would (consent, code exchange).
func simClient(t *testing.T) (*mvsim.Server, *multivende.Client, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sim := mvsim.New(mvsim.Options{Seed: 8, RateLimit: -1})
	base, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	c := multivende.New(multivende.Config{BaseURL: base, ClientID: sim.ClientID(), ClientSecret: sim.ClientSecret(), RateLimit: -1})
	const redirect = "http://127.0.0.1:1/callback"
	state, pkce := multivende.NewState(), multivende.NewPKCE()
	loc, err := mvsim.Consent(ctx, nil, c.AuthorizeURL(redirect, state, &pkce), "Catálogo")
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := c.Exchange(ctx, u.Query().Get("code"), redirect, pkce.Verifier)
	if err != nil {
		t.Fatal(err)
	}
	c.SetTokens(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok.Token}))
	return sim, c, tok.MerchantID
}

// A whole sync from the simulator's catalog, through the real client and
// paths: every active SKU lands in the invoicer with the price of the
// chosen list and the stock of the chosen warehouse; a second run writes
// nothing.
func TestSyncFromTheSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sim, client, merchant := simClient(t)
	cat, st := newCatalog(), storetest.Open(t)
	s := catalog.Selection{MerchantID: merchant, PriceList: "pl-mayorista", Warehouse: "st-providencia"}
	want, err := catalog.Load(ctx, client, s, cat.CatalogCaps())
	if err != nil {
		t.Fatal(err)
	}
	plan := catalog.Diff(want, nil, s.Scope, cat.CatalogCaps())
	if _, err := catalog.Apply(ctx, cat, plan, catalog.Options{Store: st, Key: catalog.ProgressKey("sim"), Rate: -1}); err != nil {
		t.Fatal(err)
	}
	state := sim.State().Catalog
	active := 0
	for _, v := range state.Versions {
		it, ok := cat.items[v.Code]
		if !v.Active {
			if ok {
				t.Errorf("inactive %s was created", v.Code)
			}
			continue
		}
		active++
		if !ok || it.Name != v.Name || it.Price != state.Prices["pl-mayorista"][v.Code] ||
			it.Stock != state.Stock["st-providencia"][v.Code] || !it.Active {
			t.Errorf("%s: %+v, simulator %+v price %d stock %d", v.Code, it, v,
				state.Prices["pl-mayorista"][v.Code], state.Stock["st-providencia"][v.Code])
		}
	}
	if active == 0 || len(cat.items) != active {
		t.Fatalf("%d items for %d active versions", len(cat.items), active)
	}
	again, err := catalog.Load(ctx, client, s, cat.CatalogCaps())
	if err != nil {
		t.Fatal(err)
	}
	have, _ := cat.ListItems(ctx)
	if p := catalog.Diff(again, have, s.Scope, cat.CatalogCaps()); p.Counts.Writes() != 0 {
		t.Fatalf("second run plans %+v", p.Counts)
	}
}
