package catalog_test

import (
	"context"
	"slices"
	"testing"

	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// listsSource is memSource with a merchant's price lists and warehouses,
// counting the calls for them.
type listsSource struct {
	*memSource
	listCalls, whCalls int
}

func (l *listsSource) PriceLists(context.Context, string) ([]multivende.PriceList, error) {
	l.listCalls++
	return []multivende.PriceList{{ID: "pl", Name: "Lista"}, {ID: "pl2", Name: "Otra"}}, nil
}

func (l *listsSource) Warehouses(context.Context, string) ([]multivende.Warehouse, error) {
	l.whCalls++
	return []multivende.Warehouse{{ID: "wh", Name: "Bodega"}, {ID: "wh2", Name: "Otra"}}, nil
}

// Prepare asks for a default only where the scope and the invoicer need
// one, and says which it chose.
func TestPrepareChoosesTheDefaultsTheScopeNeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		scope    catalog.Scope
		stock    bool
		given    catalog.Selection
		want     catalog.Selection
		lists    int
		whs      int
		defaults []string
	}{
		{name: "all", scope: catalog.All, stock: true, want: catalog.Selection{PriceList: "pl", Warehouse: "wh"}, lists: 1, whs: 1,
			defaults: []string{"price_list Lista pl", "warehouse Bodega wh"}},
		{name: "no stock kept", scope: catalog.All, want: catalog.Selection{PriceList: "pl"}, lists: 1, defaults: []string{"price_list Lista pl"}},
		{name: "stock only", scope: catalog.Stock, stock: true, want: catalog.Selection{Warehouse: "wh"}, whs: 1, defaults: []string{"warehouse Bodega wh"}},
		{name: "prices only", scope: catalog.Prices, stock: true, want: catalog.Selection{PriceList: "pl"}, lists: 1, defaults: []string{"price_list Lista pl"}},
		{name: "given", scope: catalog.All, stock: true, given: catalog.Selection{PriceList: "pl2", Warehouse: "wh2"},
			want: catalog.Selection{PriceList: "pl2", Warehouse: "wh2"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &listsSource{memSource: newSource(3)}
			cat := newCatalog()
			cat.caps.HasStock = c.stock
			var got []string
			sel := c.given
			sel.Scope = c.scope
			p, err := catalog.Prepare(ctx, catalog.Sides{Connection: "t", MerchantID: "m", Source: src, Invoicer: cat}, sel,
				func(d catalog.Default) { got = append(got, d.Kind+" "+d.Name+" "+d.ID) })
			if err != nil {
				t.Fatal(err)
			}
			if p.Selection.PriceList != c.want.PriceList || p.Selection.Warehouse != c.want.Warehouse || p.Selection.MerchantID != "m" {
				t.Errorf("selection %+v, want %+v", p.Selection, c.want)
			}
			if src.listCalls != c.lists || src.whCalls != c.whs {
				t.Errorf("price lists read %d times, warehouses %d", src.listCalls, src.whCalls)
			}
			if !slices.Equal(got, c.defaults) {
				t.Errorf("defaults said %q, want %q", got, c.defaults)
			}
			if n := p.Plan.Counts.Create + p.Plan.Counts.Skip; n != 3 {
				t.Errorf("plan %+v: each of the 3 SKUs read and compared", p.Plan.Counts)
			}
		})
	}
}

// The periodic sync applies where the invoicer writes items (a second run
// has nothing to do), and only counts where it cannot.
func TestPeriodicAppliesOrCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := storetest.Open(t)
	src := &listsSource{memSource: newSource(3)}
	cat := newCatalog()
	sides := catalog.Sides{Connection: "t", MerchantID: "m", Source: src, Invoicer: cat, InvoicerName: "Mem"}
	r, err := catalog.Periodic(ctx, st, sides)
	if err != nil || r.Applied != 3 || r.Failed != 0 || r.NoWriteAPI || len(cat.items) != 3 {
		t.Fatalf("first run: %+v %v (%d items)", r, err, len(cat.items))
	}
	if r, err = catalog.Periodic(ctx, st, sides); err != nil || r.Counts.Writes() != 0 || r.Applied != 0 {
		t.Fatalf("second run: %+v %v", r, err)
	}
	ro := newCatalog()
	ro.caps.WriteItems = false
	sides.Invoicer = ro
	r, err = catalog.Periodic(ctx, st, sides)
	if err != nil || !r.NoWriteAPI || r.Counts.Create != 3 || r.Applied != 0 || len(ro.items) != 0 {
		t.Fatalf("an invoicer that cannot write: %+v %v", r, err)
	}
}
