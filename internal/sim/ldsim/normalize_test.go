package ldsim_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

// tmpTotals emits a raw JSON body and reads back the temporary document's
// totals and record.
func (e *env) tmpTotals(body string) (dte.Totales, map[string]any, dte.Document) {
	e.t.Helper()
	st, b := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", body)
	if st != 200 {
		e.t.Fatalf("emitir: %d %s", st, b)
	}
	var k key
	if err := json.Unmarshal(b, &k); err != nil {
		e.t.Fatal(err)
	}
	st, b = e.call("GET", e.tmpPath(k)+"?getDatosDte=1", nil)
	if st != 200 {
		e.t.Fatalf("tmp info: %d %s", st, b)
	}
	var rec map[string]any
	var info struct {
		Datos dte.Document `json:"datos"`
	}
	if err := json.Unmarshal(b, &rec); err != nil {
		e.t.Fatal(err)
	}
	if err := json.Unmarshal(b, &info); err != nil {
		e.t.Fatal(err)
	}
	return info.Datos.Encabezado.Totales, rec, info.Datos
}

const (
	hdrBoleta  = `"Emisor":{"RUTEmisor":"76086428-5"},"Receptor":{"RUTRecep":"66666666-6","RznSocRecep":"Ana"}`
	hdrFactura = `"Emisor":{"RUTEmisor":"76086428-5"},"Receptor":{"RUTRecep":"96790240-3","RznSocRecep":"Comercial Los Andes Ltda.","GiroRecep":"Comercio","DirRecep":"Los Leones 100","CmnaRecep":"Providencia"}`
)

// TestNormaliserAddsToTotalsLikeLibreDTE holds the simulator to the figures
// invoicers.md gives for LibreDTE's normalizar=1 and to dte.md's worked
// example: lines alone give folio's totals; totals or MntBruto on a boleta
// give LibreDTE's wrong answer.
func TestNormaliserAddsToTotalsLikeLibreDTE(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 21})
	for _, c := range []struct {
		name string
		body string
		want dte.Totales
	}{
		{"boleta lines only (dte.md's worked example)",
			`{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Taza","QtyItem":2,"PrcItem":12990},{"NmbItem":"Costo de envío","QtyItem":1,"PrcItem":3990}]}`,
			dte.Totales{MntNeto: 25185, IVA: 4785, MntTotal: 29970, TasaIVA: 19}},
		{"boleta of $1.190, lines only",
			`{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":1190}]}`,
			dte.Totales{MntNeto: 1000, IVA: 190, MntTotal: 1190, TasaIVA: 19}},
		{"boleta sent with its totals is doubled",
			`{"Encabezado":{"IdDoc":{"TipoDTE":39,"MntBruto":1},` + hdrBoleta + `,"Totales":{"MntNeto":1000,"IVA":190,"TasaIVA":19,"MntTotal":1190}},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":1190,"MontoItem":1190}]}`,
			dte.Totales{MntNeto: 840, IVA: 160, MntTotal: 2380, TasaIVA: 19}},
		{"boleta with MntBruto is converted twice",
			`{"Encabezado":{"IdDoc":{"TipoDTE":39,"MntBruto":1},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":1190}]}`,
			dte.Totales{MntNeto: 840, IVA: 160, MntTotal: 1190, TasaIVA: 19}},
		{"factura gross with MntBruto",
			`{"Encabezado":{"IdDoc":{"TipoDTE":33,"MntBruto":1},` + hdrFactura + `},"Detalle":[{"NmbItem":"Silla","QtyItem":2,"PrcItem":20995},{"NmbItem":"Costo de envío","QtyItem":1,"PrcItem":3990}]}`,
			dte.Totales{MntNeto: 38639, IVA: 7341, MntTotal: 45980, TasaIVA: 19}},
		{"factura gross without MntBruto gets 19 % on top",
			`{"Encabezado":{"IdDoc":{"TipoDTE":33},` + hdrFactura + `},"Detalle":[{"NmbItem":"Silla","QtyItem":2,"PrcItem":20995},{"NmbItem":"Costo de envío","QtyItem":1,"PrcItem":3990}]}`,
			dte.Totales{MntNeto: 45980, IVA: 8736, MntTotal: 54716, TasaIVA: 19}},
		{"factura sent with its totals: the net no longer adds up",
			`{"Encabezado":{"IdDoc":{"TipoDTE":33,"MntBruto":1},` + hdrFactura + `,"Totales":{"MntNeto":38639,"IVA":7341,"MntTotal":45980}},"Detalle":[{"NmbItem":"Silla","QtyItem":1,"PrcItem":45980}]}`,
			dte.Totales{MntNeto: 71108, IVA: 13511, MntTotal: 45980, TasaIVA: 19}},
		{"boleta with a $ coupon",
			`{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Taza","QtyItem":2,"PrcItem":12990},{"NmbItem":"Costo de envío","QtyItem":1,"PrcItem":3990}],"DscRcgGlobal":{"TpoMov":"D","TpoValor":"$","ValorDR":1000}}`,
			dte.Totales{MntNeto: 24345, IVA: 4625, MntTotal: 28970, TasaIVA: 19}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, rec, _ := e.tmpTotals(c.body)
			if got != c.want {
				t.Errorf("totals %+v, want %+v", got, c.want)
			}
			if rec["total"] != float64(c.want.MntTotal) {
				t.Errorf("record total %v, want %d", rec["total"], c.want.MntTotal)
			}
		})
	}
}

// TestEmitirAcceptsWhatPHPIntegrationsSend: numbers as strings or floats,
// false for absent fields, CdgItem objects, one Referencia object and a
// text FolioRef (invoicers.md).
func TestEmitirAcceptsWhatPHPIntegrationsSend(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 22})
	body := `{"Encabezado":{"IdDoc":{"TipoDTE":"33","Folio":false,"FchEmis":"2026-11-24","MntBruto":"1"},` + hdrFactura + `,"Totales":false},
	  "Detalle":[
	    {"NmbItem":"Silla","QtyItem":"2","PrcItem":"20995.0000","CdgItem":{"TpoCodigo":"INT1","VlrCodigo":"SIL-1"},"DescuentoMonto":false,"IndExe":false},
	    {"NmbItem":"Costo de envío","QtyItem":1.0,"PrcItem":3990.0,"CdgItem":[{"TpoCodigo":"INT1","VlrCodigo":"ENV"}]}],
	  "Referencia":{"TpoDocRef":"801","FolioRef":"OC-4471","FchRef":"2026-11-20","RazonRef":"Orden de compra"}}`
	tot, rec, doc := e.tmpTotals(body)
	if want := (dte.Totales{MntNeto: 38639, IVA: 7341, MntTotal: 45980, TasaIVA: 19}); tot != want {
		t.Errorf("totals %+v, want %+v", tot, want)
	}
	if rec["tipo"] != "Factura electrónica" || rec["dte"] != 33.0 {
		t.Errorf("record %v: want dte 33 and its tipo", rec)
	}
	if len(doc.Referencia) != 1 || doc.Referencia[0].FolioRef != "OC-4471" || doc.Referencia[0].TpoDocRef != 801 {
		t.Errorf("referencia %+v", doc.Referencia)
	}
	if doc.Detalle[0].CdgItem != "SIL-1" || doc.Detalle[1].CdgItem != "ENV" || doc.Detalle[0].QtyItem != 2 || doc.Detalle[0].MontoItem != 41990 {
		t.Errorf("lines %+v", doc.Detalle)
	}
	// A list of references, one with a numeric FolioRef.
	body = `{"Encabezado":{"IdDoc":{"TipoDTE":61},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":1190}],
	  "Referencia":[{"TpoDocRef":39,"FolioRef":12,"FchRef":"2026-11-20","CodRef":"1","RazonRef":"Anula"}]}`
	if _, _, doc := e.tmpTotals(body); len(doc.Referencia) != 1 || doc.Referencia[0].FolioRef != "12" || doc.Referencia[0].CodRef != 1 {
		t.Errorf("credit note references %+v", doc.Referencia)
	}
	// What PHP would not read is still refused.
	for _, bad := range []string{
		`{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":"dos","PrcItem":1190}]}`,
		`{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":{"a":1}}]}`,
	} {
		if st, b := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", bad); st != 400 {
			t.Errorf("%s: %d %s", bad, st, b)
		}
	}
}

// TestNetPricesAccountChangesTotals is the misconfigured account that
// folio's check before generar and doctor must catch.
func TestNetPricesAccountChangesTotals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 23, NetPrices: true})
	boleta := `{"Encabezado":{"IdDoc":{"TipoDTE":39},` + hdrBoleta + `},"Detalle":[{"NmbItem":"Vaso","QtyItem":1,"PrcItem":1190}]}`
	if tot, _, _ := e.tmpTotals(boleta); tot.MntTotal != 1416 {
		t.Errorf("boleta on a net-price account: %+v, want IVA added (1416)", tot)
	}
	factura := `{"Encabezado":{"IdDoc":{"TipoDTE":33,"MntBruto":1},` + hdrFactura + `},"Detalle":[{"NmbItem":"Silla","QtyItem":1,"PrcItem":45980}]}`
	if tot, _, _ := e.tmpTotals(factura); tot.MntTotal != 54716 {
		t.Errorf("factura on a net-price account: %+v, want 54716", tot)
	}
	e.sim.SetNetPrices(false)
	if tot, _, _ := e.tmpTotals(boleta); tot.MntTotal != 1190 {
		t.Errorf("after fixing the price type: %+v", tot)
	}
}

func TestTmpEliminar(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 24})
	k := e.emitir(boleta(line("Vaso", 1, 1190)))
	del := strings.Replace(e.tmpPath(k), "/info/", "/eliminar/", 1)
	if st, b := e.call("GET", del, nil); st != 200 || string(b) != "true" {
		t.Fatalf("eliminar: %d %s", st, b)
	}
	if st, _ := e.call("GET", e.tmpPath(k), nil); st != 404 {
		t.Errorf("tmp info after eliminar: %d", st)
	}
	if st, b := e.call("GET", del, nil); st != 404 {
		t.Errorf("second eliminar: %d %s", st, b)
	}
	if n := e.sim.State(); n.Tmps != 0 || len(n.Emitted) != 0 {
		t.Errorf("state %+v", n)
	}
}
