package catalog_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// memSource is a Multivende catalog in memory.
type memSource struct {
	versions []multivende.ProductVersion
	prices   map[string][]multivende.Price
	stock    map[string][]multivende.StockEntry
}

func (m *memSource) ProductVersions(context.Context, string, string) ([]multivende.ProductVersion, error) {
	return m.versions, nil
}
func (m *memSource) Prices(_ context.Context, l string, codes []string) ([]multivende.Price, error) {
	var out []multivende.Price
	want := set(codes)
	for _, p := range m.prices[l] {
		if want[p.Code] {
			out = append(out, p)
		}
	}
	return out, nil
}
func (m *memSource) Stock(_ context.Context, w string, codes []string) ([]multivende.StockEntry, error) {
	var out []multivende.StockEntry
	want := set(codes)
	for _, e := range m.stock[w] {
		if want[e.Code] {
			out = append(out, e)
		}
	}
	return out, nil
}

func set(codes []string) map[string]bool {
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[c] = true
	}
	return m
}

func status(active bool) string {
	if active {
		return "active"
	}
	return "inactive"
}

func newSource(n int) *memSource {
	s := &memSource{prices: map[string][]multivende.Price{}, stock: map[string][]multivende.StockEntry{}}
	for i := range n {
		code := fmt.Sprintf("SKU-%05d", i)
		s.versions = append(s.versions, multivende.ProductVersion{ID: fmt.Sprintf("v%d", i), Code: code,
			Status: status(i%10 != 9), Product: multivende.VersionOwner{ID: fmt.Sprintf("p%d", i), Name: "Producto " + code}})
		s.prices["pl"] = append(s.prices["pl"], multivende.Price{Code: code, Gross: multivende.Amount(1000 + i*10)})
		s.stock["wh"] = append(s.stock["wh"], multivende.StockEntry{Code: code, Amount: int64(i % 7)})
	}
	return s
}

// memCatalog is a writable invoicer catalog in memory, with faults.
type memCatalog struct {
	caps    invoicer.CatalogCaps
	faults  *faults.Injector
	mu      sync.Mutex
	items   map[string]invoicer.CatalogItem
	creates map[string]int // code → times an absent item was created
	writes  atomic.Int64
	fail    map[string]error // code → permanent error
	onWrite func(n int64)    // after each successful write
}

func newCatalog() *memCatalog {
	return &memCatalog{caps: invoicer.CatalogCaps{ListItems: true, WriteItems: true, HasStock: true},
		faults: faults.New(faults.None, 1), items: map[string]invoicer.CatalogItem{}, creates: map[string]int{}, fail: map[string]error{}}
}

func (m *memCatalog) CatalogCaps() invoicer.CatalogCaps { return m.caps }

func (m *memCatalog) ListItems(context.Context) ([]invoicer.CatalogItem, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]invoicer.CatalogItem, 0, len(m.items))
	for _, it := range m.items {
		out = append(out, it)
	}
	return out, nil
}

func (m *memCatalog) check(ctx context.Context, code string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if m.faults.Roll(func(s faults.Spec) float64 { return s.ServerError }) {
		return &invoicer.Error{Code: invoicer.CodeServer, Op: "item", Status: 503, Message: "busy"}
	}
	if m.faults.Roll(func(s faults.Spec) float64 { return s.RateLimit }) {
		return &invoicer.Error{Code: invoicer.CodeServer, Op: "item", Status: 429, Message: "slow down", RetryAfter: time.Millisecond}
	}
	return m.fail[code]
}

func (m *memCatalog) UpsertItem(ctx context.Context, it invoicer.CatalogItem) error {
	if err := m.check(ctx, it.Code); err != nil {
		return err
	}
	m.mu.Lock()
	if _, ok := m.items[it.Code]; !ok {
		m.creates[it.Code]++
	}
	m.items[it.Code] = it
	m.mu.Unlock()
	if n := m.writes.Add(1); m.onWrite != nil {
		m.onWrite(n)
	}
	return nil
}

func (m *memCatalog) DeactivateItem(ctx context.Context, code string) error {
	if err := m.check(ctx, code); err != nil {
		return err
	}
	m.mu.Lock()
	it, ok := m.items[code]
	if !ok {
		m.mu.Unlock()
		return &invoicer.Error{Code: invoicer.CodeNotFound, Op: "item", Status: 404}
	}
	it.Active = false
	m.items[code] = it
	m.mu.Unlock()
	if n := m.writes.Add(1); m.onWrite != nil {
		m.onWrite(n)
	}
	return nil
}

var sel = catalog.Selection{MerchantID: "m", PriceList: "pl", Warehouse: "wh"}

// sync runs one whole sync and returns its plan and report.
func sync1(ctx context.Context, t testing.TB, src catalog.Source, cat *memCatalog, st *store.Store) (catalog.Plan, catalog.Report, error) {
	want, err := catalog.Load(ctx, src, sel, cat.CatalogCaps())
	if err != nil {
		t.Fatal(err)
	}
	have, err := cat.ListItems(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plan := catalog.Diff(want, have, sel.Scope, cat.CatalogCaps())
	rep, err := catalog.Apply(ctx, cat, plan, catalog.Options{Store: st, Key: catalog.ProgressKey("test"), Rate: -1, RetryBase: time.Millisecond})
	return plan, rep, err
}

func TestDiff(t *testing.T) {
	t.Parallel()
	caps := invoicer.CatalogCaps{WriteItems: true, MaxName: 10}
	stockCaps := invoicer.CatalogCaps{WriteItems: true, HasStock: true}
	w := func(code, name string, active bool, price int64) catalog.Wanted {
		return catalog.Wanted{Code: code, Name: name, Active: active, Price: price, HasPrice: price > 0}
	}
	h := func(code, name string, active bool, price int64) invoicer.CatalogItem {
		return invoicer.CatalogItem{Code: code, Name: name, Active: active, Price: price, Currency: "CLP"}
	}
	tests := []struct {
		name   string
		want   []catalog.Wanted
		have   []invoicer.CatalogItem
		scope  catalog.Scope
		caps   invoicer.CatalogCaps
		counts catalog.Counts
		first  catalog.Change // the first change, when there is one
	}{
		{name: "new SKU is created", want: []catalog.Wanted{w("A", "Taza", true, 2990)}, caps: caps,
			counts: catalog.Counts{Create: 1},
			first:  catalog.Change{Action: catalog.Create, Code: "A", Item: h("A", "Taza", true, 2990)}},
		{name: "new SKU without price is skipped", want: []catalog.Wanted{w("A", "Taza", true, 0)}, caps: caps,
			counts: catalog.Counts{Skip: 1},
			first:  catalog.Change{Action: catalog.Skip, Code: "A", Reason: "no price for this SKU in the chosen price list"}},
		{name: "inactive new SKU is not created", want: []catalog.Wanted{w("A", "Taza", false, 2990)}, caps: caps,
			counts: catalog.Counts{Unchanged: 1}},
		{name: "same item is unchanged", want: []catalog.Wanted{w("A", "Taza", true, 2990)},
			have: []invoicer.CatalogItem{h("A", "Taza", true, 2990)}, caps: caps, counts: catalog.Counts{Unchanged: 1}},
		{name: "long name compared cut", want: []catalog.Wanted{w("A", "Taza grande azul", true, 2990)},
			have: []invoicer.CatalogItem{h("A", "Taza grand", true, 2990)}, caps: caps, counts: catalog.Counts{Unchanged: 1}},
		{name: "price and name change", want: []catalog.Wanted{w("A", "Taza", true, 3490)},
			have: []invoicer.CatalogItem{h("A", "Tasa", true, 2990)}, caps: caps, counts: catalog.Counts{Update: 1},
			first: catalog.Change{Action: catalog.Update, Code: "A", Fields: []string{"name", "price"}, Item: h("A", "Taza", true, 3490)}},
		{name: "prices only ignores the name", want: []catalog.Wanted{w("A", "Taza", true, 3490)},
			have: []invoicer.CatalogItem{h("A", "Tasa", true, 2990)}, scope: catalog.Prices, caps: caps, counts: catalog.Counts{Update: 1},
			first: catalog.Change{Action: catalog.Update, Code: "A", Fields: []string{"price"}, Item: h("A", "Tasa", true, 3490)}},
		{name: "products only ignores the price", want: []catalog.Wanted{w("A", "Taza", true, 3490)},
			have: []invoicer.CatalogItem{h("A", "Taza", true, 2990)}, scope: catalog.Products, caps: caps, counts: catalog.Counts{Unchanged: 1}},
		{name: "prices only skips a missing item", want: []catalog.Wanted{w("A", "Taza", true, 3490)}, scope: catalog.Prices, caps: caps,
			counts: catalog.Counts{Skip: 1}, first: catalog.Change{Action: catalog.Skip, Code: "A", Reason: "not in the invoicer yet: sync products first"}},
		{name: "inactive in Multivende is deactivated", want: []catalog.Wanted{w("A", "Taza", false, 2990)},
			have: []invoicer.CatalogItem{h("A", "Taza", true, 2990)}, caps: caps, counts: catalog.Counts{Deactivate: 1},
			first: catalog.Change{Action: catalog.Deactivate, Code: "A", Fields: []string{"active"}, Item: h("A", "Taza", false, 2990)}},
		{name: "already inactive stays", want: []catalog.Wanted{w("A", "Taza", false, 2990)},
			have: []invoicer.CatalogItem{h("A", "Taza", false, 2990)}, caps: caps, counts: catalog.Counts{Unchanged: 1}},
		{name: "active again is reactivated", want: []catalog.Wanted{w("A", "Taza", true, 2990)},
			have: []invoicer.CatalogItem{h("A", "Taza", false, 2990)}, caps: caps, counts: catalog.Counts{Update: 1},
			first: catalog.Change{Action: catalog.Update, Code: "A", Fields: []string{"active"}, Item: h("A", "Taza", true, 2990)}},
		{name: "only in the invoicer is left alone", have: []invoicer.CatalogItem{h("Z", "Servicio", true, 10000)}, caps: caps,
			counts: catalog.Counts{OnlyInInvoicer: 1}},
		{name: "foreign currency is rewritten in CLP", want: []catalog.Wanted{w("A", "Taza", true, 2990)},
			have: []invoicer.CatalogItem{{Code: "A", Name: "Taza", Active: true, Price: 2990, Currency: "USD"}}, caps: caps,
			counts: catalog.Counts{Update: 1}, first: catalog.Change{Action: catalog.Update, Code: "A", Fields: []string{"price"}, Item: h("A", "Taza", true, 2990)}},
		{name: "stock ignored without the capability", want: []catalog.Wanted{{Code: "A", Name: "Taza", Active: true, Price: 1, HasPrice: true, Stock: 5, HasStock: true}},
			have: []invoicer.CatalogItem{h("A", "Taza", true, 1)}, caps: caps, counts: catalog.Counts{Unchanged: 1}},
		{name: "stock compared with the capability", want: []catalog.Wanted{{Code: "A", Name: "Taza", Active: true, Price: 1, HasPrice: true, Stock: 5, HasStock: true}},
			have: []invoicer.CatalogItem{h("A", "Taza", true, 1)}, scope: catalog.Stock, caps: stockCaps, counts: catalog.Counts{Update: 1},
			first: catalog.Change{Action: catalog.Update, Code: "A", Fields: []string{"stock"}, Item: invoicer.CatalogItem{Code: "A", Name: "Taza", Active: true, Price: 1, Currency: "CLP", Stock: 5}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := catalog.Diff(tc.want, tc.have, tc.scope, tc.caps)
			if p.Counts != tc.counts {
				t.Errorf("counts %+v, want %+v", p.Counts, tc.counts)
			}
			if tc.first.Action == "" {
				if len(p.Changes) != 0 {
					t.Errorf("changes %+v, want none", p.Changes)
				}
				return
			}
			if len(p.Changes) == 0 || !reflect.DeepEqual(p.Changes[0], tc.first) {
				t.Errorf("changes %+v, want first %+v", p.Changes, tc.first)
			}
		})
	}
}

func TestLoadPrefersTheActiveVersionAndScope(t *testing.T) {
	t.Parallel()
	src := &memSource{versions: []multivende.ProductVersion{
		{Code: "P-1", Status: "inactive", Product: multivende.VersionOwner{Name: "Polera"}},
		{Code: "P-1", Status: "active", Product: multivende.VersionOwner{Name: "Polera M"}}, {Code: " "}},
		prices: map[string][]multivende.Price{"pl": {{Code: "P-1", Gross: 9990}}},
		stock:  map[string][]multivende.StockEntry{"wh": {{Code: "P-1", Amount: 3}}}}
	got, err := catalog.Load(context.Background(), src, sel, invoicer.CatalogCaps{})
	if err != nil {
		t.Fatal(err)
	}
	want := []catalog.Wanted{{Code: "P-1", Name: "Polera M", Active: true, Price: 9990, HasPrice: true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v (no stock without the capability)", got, want)
	}
}

func TestSyncIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, cat, st := newSource(200), newCatalog(), storetest.Open(t)
	plan, rep, err := sync1(ctx, t, src, cat, st)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Counts.Create != 180 || rep.Applied != 180 || rep.Failed != 0 {
		t.Fatalf("first run: %+v, report applied %d failed %d", plan.Counts, rep.Applied, rep.Failed)
	}
	writes := cat.writes.Load()
	plan, rep, err = sync1(ctx, t, src, cat, st)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Counts.Writes() != 0 || rep.Applied != 0 || cat.writes.Load() != writes {
		t.Errorf("second run changed something: %+v, %d writes", plan.Counts, cat.writes.Load()-writes)
	}
	if plan.Counts.Unchanged != 200 {
		t.Errorf("second run: %+v, want 200 unchanged", plan.Counts)
	}
	// A price change in Multivende is one update, then nothing again.
	src.prices["pl"][3].Gross = 77777
	plan, _, err = sync1(ctx, t, src, cat, st)
	if err != nil || plan.Counts.Update != 1 || plan.Counts.Writes() != 1 {
		t.Fatalf("after a price change: %+v %v", plan.Counts, err)
	}
	if got := cat.items["SKU-00003"].Price; got != 77777 {
		t.Errorf("price %d, want 77777", got)
	}
	if plan, _, _ = sync1(ctx, t, src, cat, st); plan.Counts.Writes() != 0 {
		t.Errorf("third run: %+v", plan.Counts)
	}
}

func TestSyncResumesAfterAnInterruption(t *testing.T) {
	t.Parallel()
	src, cat, st := newSource(300), newCatalog(), storetest.Open(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cat.onWrite = func(n int64) {
		if n == 120 {
			cancel() // the process dies here, as far as the sync can tell
		}
	}
	_, rep, err := sync1(ctx, t, src, cat, st)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted run: %v", err)
	}
	if rep.Applied != 120 {
		t.Errorf("applied %d before the stop, want 120", rep.Applied)
	}
	pr, err := catalog.LoadProgress(context.Background(), st, catalog.ProgressKey("test"))
	if err != nil || pr == nil || pr.Finished || pr.Done < 120 || pr.Total != 270 {
		t.Fatalf("progress after the stop: %+v %v", pr, err)
	}
	cat.onWrite = nil
	plan, rep, err := sync1(context.Background(), t, src, cat, st)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Interrupted == nil || rep.Interrupted.Done != pr.Done {
		t.Errorf("the second run did not report the interrupted one: %+v", rep.Interrupted)
	}
	if plan.Counts.Create != 150 || rep.Applied != 150 {
		t.Errorf("second run: %+v applied %d, want the 150 left", plan.Counts, rep.Applied)
	}
	// End state: every active SKU once, with its price; nothing twice.
	for _, w := range must(catalog.Load(context.Background(), src, sel, cat.caps)) {
		it, ok := cat.items[w.Code]
		if w.Active != ok || (ok && (it.Price != w.Price || it.Name != w.Name || !it.Active)) {
			t.Fatalf("%s: item %+v (present %v), want %+v", w.Code, it, ok, w)
		}
	}
	for code, n := range cat.creates {
		if n != 1 {
			t.Errorf("%s created %d times", code, n)
		}
	}
	if pr, _ := catalog.LoadProgress(context.Background(), st, catalog.ProgressKey("test")); pr == nil || !pr.Finished {
		t.Errorf("progress after the second run: %+v", pr)
	}
}

func TestSyncRidesOutFaultsAndReportsAFailingItem(t *testing.T) {
	t.Parallel()
	src, cat, st := newSource(150), newCatalog(), storetest.Open(t)
	cat.faults.Set(faults.Spec{ServerError: 0.2, RateLimit: 0.1})
	cat.fail["SKU-00042"] = &invoicer.Error{Code: invoicer.CodeBadDoc, Op: "item", Status: 400, Message: "Precio del item debe ser mayor a 0."}
	var seen []catalog.Outcome
	want, _ := catalog.Load(context.Background(), src, sel, cat.caps)
	plan := catalog.Diff(want, nil, catalog.All, cat.caps)
	rep, err := catalog.Apply(context.Background(), cat, plan, catalog.Options{Store: st, Key: "k", Rate: -1, Retries: 8,
		RetryBase: time.Microsecond, OnItem: func(done, total int, o catalog.Outcome) {
			if o.Status != "done" {
				seen = append(seen, o)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed != 1 || rep.Applied != plan.Counts.Create-1 {
		t.Fatalf("applied %d failed %d of %d", rep.Applied, rep.Failed, plan.Counts.Create)
	}
	if len(seen) != 1 || seen[0].Code != "SKU-00042" || seen[0].Status != "failed" || seen[0].Reason == "" {
		t.Errorf("failing outcomes %+v", seen)
	}
	pr, _ := catalog.LoadProgress(context.Background(), st, "k")
	if pr == nil || pr.Failed["SKU-00042"] == "" || !pr.Finished {
		t.Errorf("progress %+v", pr)
	}
	// The next run, with the fault gone, writes only that one.
	delete(cat.fail, "SKU-00042")
	cat.faults.Set(faults.None)
	plan, rep, err = sync1(context.Background(), t, src, cat, st)
	if err != nil || plan.Counts.Create != 1 || rep.Applied != 1 {
		t.Errorf("retry run: %+v applied %d %v", plan.Counts, rep.Applied, err)
	}
}

func TestApplyIsPaced(t *testing.T) {
	t.Parallel()
	src, cat := newSource(12), newCatalog()
	want, _ := catalog.Load(context.Background(), src, sel, cat.caps)
	plan := catalog.Diff(want, nil, catalog.All, cat.caps)
	start := time.Now()
	if _, err := catalog.Apply(context.Background(), cat, plan, catalog.Options{Rate: 50}); err != nil {
		t.Fatal(err)
	}
	// 11 writes at 50/s with a burst of 1: at least 10 gaps of 20 ms.
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Errorf("11 writes took %v at 50/s", d)
	}
}

func TestApplyRefusesAnInvoicerThatCannotWrite(t *testing.T) {
	t.Parallel()
	cat := newCatalog()
	cat.caps.WriteItems = false
	plan := catalog.Diff([]catalog.Wanted{{Code: "A", Name: "x", Active: true, Price: 1, HasPrice: true}}, nil, catalog.All, cat.caps)
	_, err := catalog.Apply(context.Background(), cat, plan, catalog.Options{Rate: -1})
	if !errors.Is(err, invoicer.ErrNotOffered) || cat.writes.Load() != 0 {
		t.Errorf("err %v, %d writes", err, cat.writes.Load())
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// BenchmarkCatalogSync is one full sync of 10 000 products (9 000 active)
// into an empty invoicer catalog, with the progress record in a real store.
func BenchmarkCatalogSync(b *testing.B) {
	src := newSource(10_000)
	st := storetest.Open(b)
	ctx := context.Background()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		cat := newCatalog()
		_, rep, err := sync1(ctx, b, src, cat, st)
		if err != nil || rep.Applied != 9_000 {
			b.Fatalf("applied %d: %v", rep.Applied, err)
		}
	}
	b.StopTimer()
	close(stop)
	<-done
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/sync")
}
