package libredte_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/invoicer/libredte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

func TestListItemsReadsItemesRaw(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 81}, libredte.Config{})
	b.sim.SetItems(
		ldsim.Item{Codigo: "TAZA-01", Item: "Taza", Precio: 2990, Bruto: true, Activo: true, Clasificacion: "menaje"},
		ldsim.Item{Codigo: "VASO-02", Item: "Vaso", Precio: 1000, Activo: true},               // net: 1190 gross
		ldsim.Item{Codigo: "LIBRO-3", Item: "Libro", Precio: 12345, Exento: 1, Activo: false}, // exempt: as it is
	)
	items, err := b.c.ListItems(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []invoicer.CatalogItem{
		{Code: "LIBRO-3", Name: "Libro", Price: 12345, Currency: "CLP", Exempt: true},
		{Code: "TAZA-01", Name: "Taza", Price: 2990, Currency: "CLP", Active: true, Group: "menaje"},
		{Code: "VASO-02", Name: "Vaso", Price: 1190, Currency: "CLP", Active: true},
	}
	if !reflect.DeepEqual(items, want) {
		t.Errorf("items\n%+v\nwant\n%+v", items, want)
	}
	if st := b.sim.State(); len(st.Items) != 3 {
		t.Errorf("state items %d", len(st.Items))
	}
	for _, ex := range b.rec.all() {
		if ex.URL != b.root+"/dte/admin/itemes/raw/76086428" {
			t.Errorf("called %s", ex.URL)
		}
	}
}

func TestCatalogCapsAndNoWrites(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 82}, libredte.Config{})
	caps := b.c.CatalogCaps()
	if !caps.ListItems || caps.WriteItems || caps.HasStock || caps.HasPriceLists {
		t.Errorf("caps %+v: LibreDTE's API lists items and nothing more", caps)
	}
	if err := b.c.UpsertItem(context.Background(), invoicer.CatalogItem{Code: "A"}); !errors.Is(err, invoicer.ErrNotOffered) {
		t.Errorf("upsert: %v", err)
	}
	if err := b.c.DeactivateItem(context.Background(), "A"); !errors.Is(err, invoicer.ErrNotOffered) {
		t.Errorf("deactivate: %v", err)
	}
	if got := b.c.ImportURL(); !strings.HasSuffix(got, "/dte/admin/itemes/importar") || strings.Contains(got, "/api/") {
		t.Errorf("import URL %s", got)
	}
	if n := len(b.rec.all()); n != 0 {
		t.Errorf("%d calls made for writes LibreDTE cannot do", n)
	}
}

func TestListItemsErrors(t *testing.T) {
	t.Parallel()
	b := setup(t, ldsim.Options{Seed: 83, Faults: faults.Spec{ServerError: 1}}, libredte.Config{})
	_, err := b.c.ListItems(context.Background())
	if ie, ok := invoicer.AsError(err); !ok || ie.Code != invoicer.CodeServer || !ie.Retryable() {
		t.Errorf("5xx: %v", err)
	}
	bad := b.client(t, libredte.Config{Hash: strings.Repeat("0", 32)})
	b.sim.Faults().Set(faults.None)
	_, err = bad.ListItems(context.Background())
	if ie, ok := invoicer.AsError(err); !ok || ie.Code != invoicer.CodeAuth {
		t.Errorf("bad hash: %v", err)
	}
}

func TestWriteImportCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	err := libredte.WriteImportCSV(&buf, []invoicer.CatalogItem{
		{Code: "TAZA-01", Name: "Taza; azul", Price: 2990, Active: true, Group: "menaje"},
		{Code: "VASO-02", Name: strings.Repeat("á", 90), Price: 1190, Active: false},
	}, "folio")
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(&buf)
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ";") != "codigo_tipo;codigo;item;descripcion;clasificacion;unidad;precio;moneda;exento;descuento;descuento_tipo;impuesto_adicional;activo;bruto" {
		t.Errorf("header %v", recs[0])
	}
	if got := strings.Join(recs[1], "|"); got != "INT1|TAZA-01|Taza; azul||menaje||2990|CLP|0|0|%||1|1" {
		t.Errorf("row 1 %s", got)
	}
	if recs[2][4] != "folio" || recs[2][12] != "0" || len([]rune(recs[2][2])) != 80 {
		t.Errorf("row 2 %v", recs[2])
	}
	if err := libredte.WriteImportCSV(&buf, []invoicer.CatalogItem{{Code: "X", Price: 0}}, "g"); err == nil {
		t.Error("a price of 0 was written; LibreDTE's import refuses it")
	}
}
