package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/catalog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/store"
)

// TestCatalogSyncLibreDTE runs folio catalog sync against both simulators:
// LibreDTE lists items, has no write or stock API, and gets an import file.
func TestCatalogSyncLibreDTE(t *testing.T) {
	dir, s := connectEnv(t)
	connectMultivende(t, s)
	connectLibreDTE(t, s)
	// One item already as Multivende has it, one with an old price, one
	// made by hand in LibreDTE.
	s.LD.SetItems(
		ldsim.Item{Codigo: "BRO-SET", Item: "Set de brocas", Precio: 990, Bruto: true, Activo: true, Clasificacion: "ferreteria"},
		ldsim.Item{Codigo: "TAZA-CER-01", Item: "Taza de cerámica esmaltada 350 ml, azul", Precio: 9990, Bruto: true, Activo: true, Clasificacion: "ferreteria"},
		ldsim.Item{Codigo: "SERV-1", Item: "Instalación", Precio: 20000, Bruto: true, Activo: true, Clasificacion: "servicios"},
	)

	out, _, err := runFolio(t, "", "catalog", "sync", "--dry-run", "--json")
	if err != nil {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	var res catalogJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Invoicer != "LibreDTE" || res.Capabilities.WriteItems || res.Capabilities.HasStock || res.PriceList != "pl-general" {
		t.Errorf("header %+v", res)
	}
	c := res.Counts
	if c.Update != 1 || c.Unchanged < 2 || c.OnlyInInvoicer != 1 || c.Create == 0 || len(res.Items) != c.Create+c.Update+c.Deactivate+c.Skip {
		t.Errorf("counts %+v, %d items", c, len(res.Items))
	}
	if len(res.Notes) == 0 || !strings.Contains(res.Notes[0], "LibreDTE has no stock API") {
		t.Errorf("notes %v", res.Notes)
	}

	// Applying says plainly that LibreDTE cannot write, and writes nothing.
	out, _, err = runFolio(t, "", "catalog", "sync", "--lang", "en")
	if err == nil || !strings.Contains(err.Error(), "LibreDTE has no API to create or change items") ||
		!strings.Contains(err.Error(), "/dte/admin/itemes/importar") || !strings.Contains(out, "LibreDTE has no stock API") {
		t.Errorf("apply: %v\n%s", err, out)
	}
	if n := len(s.LD.State().Items); n != 3 {
		t.Errorf("LibreDTE has %d items after a refused apply", n)
	}

	// --csv writes LibreDTE's import file.
	csvPath := filepath.Join(dir, "items.csv")
	out, _, err = runFolio(t, "", "catalog", "sync", "--csv", csvPath, "--lang", "es")
	if err != nil {
		t.Fatalf("csv: %v\n%s", err, out)
	}
	t.Logf("output:\n%s", out)
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 1+c.Create+c.Update+c.Deactivate || !strings.Contains(string(b), "INT1;TAZA-CER-01;") ||
		!strings.Contains(string(b), ";ferreteria;") || !strings.Contains(out, "suba el archivo en") {
		t.Errorf("import file (%d lines):\n%s\noutput:\n%s", len(lines), b, out)
	}
	if fi, _ := os.Stat(csvPath); fi.Mode().Perm() != 0o600 {
		t.Errorf("import file mode %v", fi.Mode())
	}

	// Stock only: there is nothing LibreDTE can take.
	_, _, err = runFolio(t, "", "catalog", "sync", "--only", "stock", "--lang", "en")
	if err == nil || !strings.Contains(err.Error(), "LibreDTE has no stock API") {
		t.Errorf("--only stock: %v", err)
	}
	if _, _, err = runFolio(t, "", "catalog", "sync", "--connection", "nope"); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("--connection nope: %v", err)
	}
}

// writable is an invoicer catalog that can write, to drive the apply path.
type writable struct {
	mu    sync.Mutex
	items map[string]invoicer.CatalogItem
}

func (w *writable) CatalogCaps() invoicer.CatalogCaps {
	return invoicer.CatalogCaps{ListItems: true, WriteItems: true}
}
func (w *writable) ListItems(context.Context) ([]invoicer.CatalogItem, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []invoicer.CatalogItem
	for _, it := range w.items {
		out = append(out, it)
	}
	return out, nil
}
func (w *writable) UpsertItem(_ context.Context, it invoicer.CatalogItem) error {
	if it.Code == "BRO-SET" {
		return &invoicer.Error{Code: invoicer.CodeBadDoc, Op: "item", Status: 400, Message: "nombre inválido"}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.items[it.Code] = it
	return nil
}
func (w *writable) DeactivateItem(_ context.Context, code string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	it := w.items[code]
	it.Active = false
	w.items[code] = it
	return nil
}

// TestCatalogSyncApplies drives the apply path (progress lines, a failing
// item, --json outcomes, a second run with nothing to do) with an invoicer
// catalog that can write.
func TestCatalogSyncApplies(t *testing.T) {
	_, s := connectEnv(t)
	connectMultivende(t, s)
	connectLibreDTE(t, s)
	env := app.New(os.Getenv)
	cfg, err := env.Config()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, cfg.Store, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sides, err := env.CatalogSides(ctx, st, i18n.EN, "", -1)
	if err != nil {
		t.Fatal(err)
	}
	w := &writable{items: map[string]invoicer.CatalogItem{}}
	sides.Invoicer, sides.InvoicerName = w, "Test"
	var out bytes.Buffer
	err = runCatalogSync(ctx, &out, i18n.EN, st, sides, catalog.All, catalogSyncOptions{})
	if err == nil || !strings.Contains(err.Error(), "1 item(s) failed") {
		t.Fatalf("want one failure: %v\n%s", err, out.String())
	}
	text := out.String()
	if !strings.Contains(text, "failed BRO-SET: invoicer: item: INV-BAD-DOC (HTTP 400): nombre inválido") ||
		!strings.Contains(text, "applied, 1 failed") || !strings.Contains(text, "Done: ") || strings.Contains(text, "\r") {
		t.Errorf("output:\n%s", text)
	}
	n := len(w.items)
	out.Reset()
	err = runCatalogSync(ctx, &out, i18n.EN, st, sides, catalog.All, catalogSyncOptions{asJSON: true})
	var res catalogJSON
	if jerr := json.Unmarshal(out.Bytes(), &res); jerr != nil {
		t.Fatalf("%v\n%s", jerr, out.String())
	}
	// Only the failing item is left to do; it fails again, nothing else moves.
	if res.Counts.Writes() != 1 || res.Failed != 1 || len(res.Items) != 1 || res.Items[0].Code != "BRO-SET" ||
		res.Items[0].Status != "failed" || len(w.items) != n || err == nil {
		t.Errorf("second run: %+v (%v)", res, err)
	}
	pr, _ := catalog.LoadProgress(ctx, st, catalog.ProgressKey(sides.Connection))
	if pr == nil || !pr.Finished {
		t.Errorf("progress %+v", pr)
	}
}

func TestProgressBar(t *testing.T) {
	var out bytes.Buffer
	b := &progressBar{out: &out, term: true, l: i18n.EN}
	for i := 1; i <= 4; i++ {
		b.show(i, 4, i == 2)
	}
	b.end()
	got := out.String()
	if !strings.HasPrefix(got, "\r[███████") || !strings.Contains(got, "] 4/4 applied, 1 failed\x1b[K\n") {
		t.Errorf("terminal bar %q", got)
	}
	out.Reset()
	b = &progressBar{out: &out, l: i18n.ES}
	for i := 1; i <= 100; i++ {
		b.show(i, 100, false)
	}
	if lines := strings.Count(out.String(), "\n"); lines != 10 || strings.Contains(out.String(), "\r") {
		t.Errorf("plain lines (%d):\n%s", lines, out.String())
	}
}
