package ldsim_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/testutil"
)

var t0 = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

type env struct {
	t   *testing.T
	sim *ldsim.Server
	url string // server root, without /api
}

func newEnv(t *testing.T, o ldsim.Options) *env {
	t.Helper()
	if o.Now == nil {
		o.Now = func() time.Time { return t0 }
	}
	sim := ldsim.New(o)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return &env{t: t, sim: sim, url: srv.URL}
}

// call sends a request with the account's credentials and returns the
// status and body.
func (e *env) call(method, path string, body any) (int, []byte) {
	e.t.Helper()
	return e.callAs(e.sim.Hash(), "X", method, path, body)
}

func (e *env) callAs(user, pass, method, path string, body any) (int, []byte) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp.StatusCode, b
}

// bareString asserts that an error body is a bare JSON string and returns it.
func bareString(t *testing.T, b []byte) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(b, &s); err != nil || s == "" {
		t.Fatalf("error body is not a bare JSON string: %s", b)
	}
	return s
}

type key struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	DTE      int    `json:"dte"`
	Codigo   string `json:"codigo"`
}

func (e *env) emitir(doc dte.Document) key {
	e.t.Helper()
	st, b := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", doc)
	if st != 200 {
		e.t.Fatalf("emitir: %d %s", st, b)
	}
	var k key
	if err := json.Unmarshal(b, &k); err != nil {
		e.t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if len(m) != 4 || k.Codigo == "" {
		e.t.Fatalf("emitir's reply is not exactly the key: %s", b)
	}
	return k
}

func (e *env) generar(k key) (int, []byte) {
	e.t.Helper()
	return e.call("POST", "/api/dte/documentos/generar", k)
}

func (e *env) tmpPath(k key) string {
	return "/api/dte/dte_tmps/info/" + strconv.FormatInt(k.Receptor, 10) + "/" + strconv.Itoa(k.DTE) + "/" + k.Codigo + "/" + strconv.FormatInt(k.Emisor, 10)
}

func docPath(what string, t, folio int) string {
	return "/api/dte/dte_emitidos/" + what + "/" + strconv.Itoa(t) + "/" + strconv.Itoa(folio) + "/76086428"
}

func boleta(lines ...dte.Detalle) dte.Document {
	return dte.Document{Encabezado: dte.Encabezado{IdDoc: dte.IdDoc{TipoDTE: dte.Boleta, FchEmis: "2026-11-24"},
		Emisor: dte.Emisor{RUTEmisor: "76086428-5"}, Receptor: dte.Receptor{RUTRecep: "66666666-6", RznSocRecep: "Ana Pérez"}}, Detalle: lines}
}

func factura(bruto int, lines ...dte.Detalle) dte.Document {
	d := boleta(lines...)
	d.Encabezado.IdDoc = dte.IdDoc{TipoDTE: dte.Factura, FchEmis: "2026-11-24", MntBruto: bruto}
	d.Encabezado.Receptor = dte.Receptor{RUTRecep: "96.790.240-3", RznSocRecep: "Comercial Los Andes Ltda.", GiroRecep: "Comercio",
		DirRecep: "Los Leones 100", CmnaRecep: "Providencia"}
	return d
}

// line is a line as a client should send it: no MontoItem, which LibreDTE
// computes.
func line(name string, qty, price int64) dte.Detalle {
	return dte.Detalle{NmbItem: name, QtyItem: qty, PrcItem: price}
}

func TestEmitirNormalizesTotals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 1})
	exempt := line("Libro", 1, 10000)
	exempt.IndExe = 1
	sentMonto := line("Taza", 2, 12990)
	sentMonto.MontoItem = 20000 // LibreDTE keeps a MontoItem it is given
	withDiscount := line("Polera", 2, 5000)
	withDiscount.DescuentoMonto = 1000
	coupon := boleta(line("Taza", 2, 12990), line(dte.ShippingLineName, 1, 3990))
	coupon.DscRcgGlobal = []dte.DscRcgGlobal{{TpoMov: "D", TpoValor: "$", ValorDR: 1000}}
	pct := boleta(line("Taza", 1, 10000))
	pct.DscRcgGlobal = []dte.DscRcgGlobal{{TpoMov: "D", TpoValor: "%", ValorDR: 10}}
	noDate := boleta(line("Taza", 1, 1190))
	noDate.Encabezado.IdDoc.FchEmis = ""

	for _, c := range []struct {
		name  string
		doc   dte.Document
		typ   dte.DocType
		tot   dte.Totales
		fecha string
	}{
		// dte.md's worked example.
		{"boleta", boleta(line("Taza", 2, 12990), line(dte.ShippingLineName, 1, 3990)), dte.Boleta, dte.Totales{MntNeto: 25185, IVA: 4785, MntTotal: 29970, TasaIVA: 19}, "2026-11-24"},
		{"boleta keeps a sent MontoItem", boleta(sentMonto, line(dte.ShippingLineName, 1, 3990)), dte.Boleta, dte.Totales{MntNeto: 20160, IVA: 3830, MntTotal: 23990, TasaIVA: 19}, ""},
		{"boleta with coupon", coupon, dte.Boleta, dte.Totales{MntNeto: 24345, IVA: 4625, MntTotal: 28970, TasaIVA: 19}, ""},
		{"boleta with % discount", pct, dte.Boleta, dte.Totales{MntNeto: 7563, IVA: 1437, MntTotal: 9000, TasaIVA: 19}, ""},
		{"boleta with line discount", boleta(withDiscount), dte.Boleta, dte.Totales{MntNeto: 7563, IVA: 1437, MntTotal: 9000, TasaIVA: 19}, ""},
		{"all exempt boleta becomes 41", boleta(exempt), dte.BoletaExenta, dte.Totales{MntExe: 10000, MntTotal: 10000}, ""},
		{"mixed boleta", boleta(line("Taza", 1, 1190), exempt), dte.Boleta, dte.Totales{MntNeto: 1000, IVA: 190, MntExe: 10000, MntTotal: 11190, TasaIVA: 19}, ""},
		{"factura gross", factura(1, line("Taza", 2, 12990), line(dte.ShippingLineName, 1, 3990)), dte.Factura, dte.Totales{MntNeto: 25185, IVA: 4785, MntTotal: 29970, TasaIVA: 19}, ""},
		// LibreDTE's calcularNetoIVA: IVA is the gross minus the net, so
		// the total is the gross (dte.md's net-then-IVA rule gives 1299).
		{"factura gross keeps the gross", factura(1, line("Taza", 1, 1300)), dte.Factura, dte.Totales{MntNeto: 1092, IVA: 208, MntTotal: 1300, TasaIVA: 19}, ""},
		{"factura net", factura(0, line("Servicio", 1, 10000)), dte.Factura, dte.Totales{MntNeto: 10000, IVA: 1900, MntTotal: 11900, TasaIVA: 19}, ""},
		{"all exempt factura becomes 34", factura(0, exempt), dte.FacturaExenta, dte.Totales{MntExe: 10000, MntTotal: 10000}, ""},
		{"date defaults to the clock's", noDate, dte.Boleta, dte.Totales{MntNeto: 1000, IVA: 190, MntTotal: 1190, TasaIVA: 19}, "2026-11-24"},
	} {
		t.Run(c.name, func(t *testing.T) {
			k := e.emitir(c.doc)
			if k.DTE != int(c.typ) || k.Emisor != 76086428 {
				t.Fatalf("key %+v, want type %d", k, c.typ)
			}
			st, b := e.call("GET", e.tmpPath(k)+"?getDatosDte=1", nil)
			if st != 200 {
				t.Fatalf("tmp info: %d %s", st, b)
			}
			var info struct {
				Total int64        `json:"total"`
				Fecha string       `json:"fecha"`
				Datos dte.Document `json:"datos"`
			}
			if err := json.Unmarshal(b, &info); err != nil {
				t.Fatal(err)
			}
			if info.Datos.Encabezado.Totales != c.tot || info.Total != c.tot.MntTotal {
				t.Errorf("totals %+v (total %d), want %+v", info.Datos.Encabezado.Totales, info.Total, c.tot)
			}
			if c.fecha != "" && info.Fecha != c.fecha {
				t.Errorf("fecha %q, want %q", info.Fecha, c.fecha)
			}
			if info.Datos.Encabezado.Emisor.RznSoc != ldsim.DefaultEmisor.RznSoc {
				t.Errorf("emisor not filled from the account: %+v", info.Datos.Encabezado.Emisor)
			}
			for _, l := range info.Datos.Detalle {
				if l.MontoItem != l.PrcItem*l.QtyItem-l.DescuentoMonto && l.MontoItem != 20000 {
					t.Errorf("line %+v: MontoItem not recomputed", l)
				}
			}
		})
	}
}

func TestEmitirRefusesInvalidDocuments(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 2})
	mod := func(d dte.Document, f func(*dte.Document)) dte.Document {
		d.Detalle = slices.Clone(d.Detalle)
		f(&d)
		return d
	}
	ok := boleta(line("Taza", 1, 1000))
	many := make([]dte.Detalle, 61)
	for i := range many {
		many[i] = line("Item", 1, 100)
	}
	for _, c := range []struct {
		name   string
		body   any
		status int
		words  string
	}{
		{"not JSON", "{", 400, "formato"},
		{"no emisor", mod(ok, func(d *dte.Document) { d.Encabezado.Emisor.RUTEmisor = "" }), 404, "RUTEmisor"},
		{"another emisor", mod(ok, func(d *dte.Document) { d.Encabezado.Emisor.RUTEmisor = "11111111-1" }), 403, "autorizado"},
		{"bad receptor RUT", mod(ok, func(d *dte.Document) { d.Encabezado.Receptor.RUTRecep = "12345678-9" }), 400, "RUT"},
		{"no lines", mod(ok, func(d *dte.Document) { d.Detalle = nil }), 400, "detalle"},
		{"zero quantity", mod(ok, func(d *dte.Document) { d.Detalle[0].QtyItem = 0 }), 400, "QtyItem"},
		{"negative price", boleta(line("Taza", 1, -5)), 400, "PrcItem"},
		{"discount above the line", boleta(dte.Detalle{NmbItem: "Taza", QtyItem: 1, PrcItem: 100, DescuentoMonto: 101}), 400, "DescuentoMonto"},
		{"zero total", boleta(line("Regalo", 1, 0)), 400, "total"},
		{"long item name", boleta(line(strings.Repeat("ñ", 81), 1, 100)), 400, "NmbItem"},
		{"factura without giro", mod(factura(1, line("Taza", 1, 1000)), func(d *dte.Document) { d.Encabezado.Receptor.GiroRecep = "" }), 400, "GiroRecep"},
		{"factura without comuna", mod(factura(1, line("Taza", 1, 1000)), func(d *dte.Document) { d.Encabezado.Receptor.CmnaRecep = " " }), 400, "CmnaRecep"},
		{"factura to the generic RUT", mod(factura(1, line("Taza", 1, 1000)), func(d *dte.Document) { d.Encabezado.Receptor.RUTRecep = "66666666-6" }), 400, "genérico"},
		{"factura with 61 lines", factura(1, many...), 400, "líneas"},
		{"long giro", mod(factura(1, line("Taza", 1, 1000)), func(d *dte.Document) { d.Encabezado.Receptor.GiroRecep = strings.Repeat("x", 41) }), 400, "GiroRecep"},
		{"discount above the lines", mod(ok, func(d *dte.Document) {
			d.DscRcgGlobal = []dte.DscRcgGlobal{{TpoMov: "D", TpoValor: "$", ValorDR: 5000}}
		}), 400, "descuentos"},
		{"credit note without reference", mod(ok, func(d *dte.Document) { d.Encabezado.IdDoc.TipoDTE = dte.NotaCredito }), 400, "referenciar"},
		{"type not enabled", mod(ok, func(d *dte.Document) { d.Encabezado.IdDoc.TipoDTE = dte.GuiaDespacho }), 403, "52"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st, b := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", c.body)
			if st != c.status {
				t.Fatalf("status %d, want %d: %s", st, c.status, b)
			}
			if msg := bareString(t, b); !strings.Contains(strings.ToLower(msg), strings.ToLower(c.words)) {
				t.Errorf("message %q does not mention %q", msg, c.words)
			}
		})
	}
	if n := e.sim.State().Tmps; n != 0 {
		t.Errorf("%d temporary documents left by refused documents", n)
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 3, Hash: "0123456789abcdef0123456789abcdef"})
	k := e.emitir(boleta(line("Taza", 1, 1000)))
	path := e.tmpPath(k)
	for _, c := range []struct {
		name       string
		user, pass string
		path       string
		status     int
	}{
		{"no credentials", "", "", path, 401},
		{"wrong hash", "ffffffffffffffffffffffffffffffff", "X", path, 401},
		// An older self-hosted LibreDTE looks the user part up: X is no user.
		{"X:hash refused", "X", "0123456789abcdef0123456789abcdef", path, 401},
		{"hash:X, the official clients' form", "0123456789abcdef0123456789abcdef", "X", path, 200},
		{"another emisor", "0123456789abcdef0123456789abcdef", "X", strings.Replace(path, "/76086428", "/11111111", 1), 403},
		{"emisor with check digit", "0123456789abcdef0123456789abcdef", "X", strings.Replace(path, "/76086428", "/76086428-5", 1), 200},
	} {
		st, b := e.callAs(c.user, c.pass, "GET", c.path, nil)
		if st != c.status {
			t.Errorf("%s: status %d, want %d (%s)", c.name, st, c.status, b)
		}
		if st >= 400 {
			bareString(t, b)
		}
	}
	if h := ldsim.New(ldsim.Options{Seed: 9}).Hash(); len(h) != 32 || h == ldsim.New(ldsim.Options{Seed: 10}).Hash() {
		t.Errorf("generated hash %q: want 32 hex characters that depend on the seed", h)
	}
}

func TestGenerarConsumesFoliosAndDeletesTheTemporaryDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 4})
	k := e.emitir(boleta(line("Taza", 2, 12990), line(dte.ShippingLineName, 1, 3990)))
	if st, _ := e.call("GET", e.tmpPath(k), nil); st != 200 {
		t.Fatalf("tmp info before generar: %d", st)
	}
	st, b := e.generar(k)
	if st != 200 {
		t.Fatalf("generar: %d %s", st, b)
	}
	var rec map[string]any
	if err := json.Unmarshal(b, &rec); err != nil {
		t.Fatal(err)
	}
	for _, col := range []string{"emisor", "dte", "folio", "certificacion", "tasa", "fecha", "sucursal_sii", "receptor", "exento", "neto",
		"iva", "total", "usuario", "xml", "track_id", "revision_estado", "revision_detalle", "anulado"} {
		if _, ok := rec[col]; !ok {
			t.Errorf("generar's reply lacks %q: %s", col, b)
		}
	}
	if rec["folio"] != 1.0 || rec["total"] != 29970.0 || rec["neto"] != 25185.0 || rec["iva"] != 4785.0 || rec["receptor"] != "66666666" || rec["fecha"] != "2026-11-24" {
		t.Errorf("generar's reply: %s", b)
	}
	if tr, _ := rec["track_id"].(float64); tr <= 0 {
		t.Errorf("no track id: %s", b)
	}
	if st, b := e.call("GET", e.tmpPath(k), nil); st != 404 {
		t.Errorf("tmp info after generar: %d %s", st, b)
	}
	if st, b := e.generar(k); st != 404 || !strings.Contains(bareString(t, b), "temporal") {
		t.Errorf("second generar: %d %s", st, b)
	}
	k2 := e.emitir(boleta(line("Vaso", 1, 1990)))
	if st, b := e.generar(k2); st != 200 || !strings.Contains(string(b), `"folio":2`) {
		t.Errorf("next folio: %d %s", st, b)
	}
	kf := e.emitir(factura(1, line("Taza", 1, 1300)))
	if st, b := e.generar(kf); st != 200 || !strings.Contains(string(b), `"folio":1`) {
		t.Errorf("a factura's range is its own: %d %s", st, b)
	}
	want := []ldsim.Emitted{{DTE: 39, Folio: 1, Emisor: 76086428, Receptor: 66666666, Total: 29970, Fecha: "2026-11-24"},
		{DTE: 39, Folio: 2, Emisor: 76086428, Receptor: 66666666, Total: 1990, Fecha: "2026-11-24"},
		{DTE: 33, Folio: 1, Emisor: 76086428, Receptor: 96790240, Total: 1300, Fecha: "2026-11-24"}}
	if st := e.sim.State(); !slices.Equal(st.Emitted, want) || st.Tmps != 0 {
		t.Errorf("state %+v", st)
	}
	if d, ok := e.sim.Document(dte.Factura, 1); !ok || d.Encabezado.IdDoc.Folio != 1 || d.Encabezado.Totales.MntTotal != 1300 {
		t.Errorf("Document(33, 1) = %+v %v", d, ok)
	}

	// generar takes the key as strings too (PHP reads either).
	k3 := e.emitir(boleta(line("Plato", 1, 4990)))
	body := map[string]string{"emisor": "76086428", "receptor": "66666666", "dte": "39", "codigo": k3.Codigo}
	if st, b := e.call("POST", "/api/dte/documentos/generar", body); st != 200 {
		t.Errorf("generar with string key: %d %s", st, b)
	}
	if st, b := e.call("POST", "/api/dte/documentos/generar", map[string]any{"emisor": 76086428, "dte": 39, "codigo": "x"}); st != 404 || !strings.Contains(bareString(t, b), "receptor") {
		t.Errorf("generar without receptor: %d %s", st, b)
	}
}

func TestBuscar(t *testing.T) {
	t.Parallel()
	now := t0
	var mu sync.Mutex
	e := newEnv(t, ldsim.Options{Seed: 5, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	issue := func(d dte.Document) {
		t.Helper()
		if st, b := e.generar(e.emitir(d)); st != 200 {
			t.Fatalf("generar: %d %s", st, b)
		}
		mu.Lock()
		now = now.Add(time.Second)
		mu.Unlock()
	}
	issue(boleta(line("Taza", 1, 5990)))
	issue(boleta(line("Vaso", 1, 5990)))
	issue(boleta(line("Plato", 1, 1990)))
	issue(factura(1, line("Taza", 1, 5990)))
	path := "/api/dte/dte_emitidos/buscar/76086428"
	folios := func(filter any) (int, []int) {
		t.Helper()
		st, b := e.call("POST", path, filter)
		if st != 200 {
			bareString(t, b)
			return st, nil
		}
		var rows []struct {
			DTE   int    `json:"dte"`
			Folio int    `json:"folio"`
			Fecha string `json:"fecha"`
		}
		if err := json.Unmarshal(b, &rows); err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, r := range rows {
			out = append(out, r.DTE*1000+r.Folio)
		}
		return st, out
	}
	for _, c := range []struct {
		name   string
		filter any
		status int
		want   []int
	}{
		{"type, receptor, date and total (newest first)", map[string]any{"dte": 39, "receptor": 66666666, "fecha": "2026-11-24", "total": 5990}, 200, []int{39002, 39001}},
		{"receptor with check digit", map[string]any{"dte": "39", "receptor": "66.666.666-6", "total": 1990}, 200, []int{39003}},
		{"factura by razón social", map[string]any{"receptor": "los andes"}, 200, []int{33001}},
		{"every type but boletas", map[string]any{"dte": "!39"}, 200, []int{33001}},
		{"folio", map[string]any{"dte": 39, "folio": 2}, 200, []int{39002}},
		{"limit", map[string]any{"dte": 39, "limit": 1}, 200, []int{39003}},
		{"nothing matches", map[string]any{"dte": 39, "total": 7}, 404, nil},
		{"another day", map[string]any{"fecha": "2026-11-25"}, 404, nil},
	} {
		st, got := folios(c.filter)
		if st != c.status || !slices.Equal(got, c.want) {
			t.Errorf("%s: %d %v, want %d %v", c.name, st, got, c.status, c.want)
		}
	}
}

func TestFolioRangesRunOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 6, Folios: 2})
	for i := 0; i < 2; i++ {
		if st, b := e.generar(e.emitir(boleta(line("Taza", 1, 1000)))); st != 200 {
			t.Fatalf("folio %d: %d %s", i+1, st, b)
		}
	}
	k := e.emitir(boleta(line("Taza", 1, 1000)))
	st, b := e.generar(k)
	if st != 508 || !strings.Contains(bareString(t, b), "CAF") {
		t.Fatalf("exhausted: %d %s", st, b)
	}
	if tmps := e.sim.State().Tmps; tmps != 1 {
		t.Errorf("the temporary document must survive a 508: %d left", tmps)
	}
	if st, b := e.generar(e.emitir(factura(1, line("Taza", 1, 1000)))); st != 200 {
		t.Errorf("facturas have their own range: %d %s", st, b)
	}
	// The fault spec's folios override Options at run time.
	e.sim.Faults().Set(faults.Spec{Folios: 3})
	if st, b := e.generar(k); st != 200 || !strings.Contains(string(b), `"folio":3`) {
		t.Errorf("after folios=3: %d %s", st, b)
	}
}

func TestNoSignature(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 7, NoSignature: true})
	k := e.emitir(boleta(line("Taza", 1, 1000)))
	if st, b := e.generar(k); st != 506 || !strings.Contains(bareString(t, b), "firma") {
		t.Fatalf("generar without signature: %d %s", st, b)
	}
	if st := e.sim.State(); len(st.Emitted) != 0 || st.Tmps != 1 {
		t.Fatalf("a 506 consumed something: %+v", st)
	}
	e.sim.SetNoSignature(false)
	if st, b := e.generar(k); st != 200 {
		t.Fatalf("generar with signature: %d %s", st, b)
	}
	e.sim.SetNoSignature(true)
	if st, b := e.call("GET", docPath("estado", 39, 1), nil); st != 506 {
		t.Errorf("estado without signature: %d %s", st, b)
	}
	if st, b := e.call("GET", docPath("actualizar_estado", 39, 1), nil); st != 500 || !strings.Contains(bareString(t, b), "firma") {
		t.Errorf("actualizar_estado without signature: %d %s", st, b)
	}
}

func TestResetAfterGenerarConsumesTheFolio(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 8, Faults: faults.Spec{ResetAfterGenerar: 1}})
	k := e.emitir(boleta(line("Taza", 1, 1000)))
	j, _ := json.Marshal(k)
	req, _ := http.NewRequest("POST", e.url+"/api/dte/documentos/generar", bytes.NewReader(j))
	req.SetBasicAuth(e.sim.Hash(), "X")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("generar answered %d; want the connection cut", resp.StatusCode)
	}
	st := e.sim.State()
	if len(st.Emitted) != 1 || st.Emitted[0].Folio != 1 || st.Tmps != 0 {
		t.Fatalf("after the cut: %+v; want folio 1 consumed and the temporary document gone", st)
	}
	if code, _ := e.call("GET", e.tmpPath(k), nil); code != 404 {
		t.Errorf("tmp info after the cut: %d", code)
	}
}

func TestSIIReview(t *testing.T) {
	t.Parallel()
	type step struct {
		after  time.Duration
		estado string
		detail string
	}
	for _, c := range []struct {
		name  string
		opts  ldsim.Options
		steps []step
	}{
		{"accepted", ldsim.Options{Seed: 11}, []step{{0, "REC - Envío Recibido", ""}, {700 * time.Millisecond, "SOK - Schema Validado", ""},
			{600 * time.Millisecond, "CRT - Carátula OK", ""}, {600 * time.Millisecond, "FOK - Firma de Envío Validada", ""},
			{600 * time.Millisecond, "PRD - Envío en Proceso", ""}, {600 * time.Millisecond, "EPR - Envío Procesado", "DTE aceptado"},
			{time.Hour, "EPR - Envío Procesado", "DTE aceptado"}}},
		{"rejected", ldsim.Options{Seed: 12, Faults: faults.Spec{SIIReject: 1}}, []step{{time.Second, "SOK - Schema Validado", ""},
			{2 * time.Second, "RCH - DTE Rechazado", "-3-"}}},
		{"objections", ldsim.Options{Seed: 13, SIIObjection: 1, SIIDelay: time.Minute}, []step{{59 * time.Second, "PRD - Envío en Proceso", ""},
			{time.Second, "RLV - DTE Aceptado con Reparos Leves", "Reparo"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, c.opts)
			if st, b := e.generar(e.emitir(boleta(line("Taza", 1, 1000)))); st != 200 {
				t.Fatalf("generar: %d %s", st, b)
			}
			for _, s := range c.steps {
				e.sim.Advance(s.after)
				for _, what := range []string{"actualizar_estado", "estado"} { // the same for a boleta
					st, b := e.call("GET", docPath(what, 39, 1), nil)
					var r struct {
						TrackID int64   `json:"track_id"`
						Estado  string  `json:"revision_estado"`
						Detalle *string `json:"revision_detalle"`
					}
					if st != 200 || json.Unmarshal(b, &r) != nil || r.TrackID == 0 {
						t.Fatalf("%s: %d %s", what, st, b)
					}
					detail := ""
					if r.Detalle != nil {
						detail = *r.Detalle
					}
					if r.Estado != s.estado || !strings.Contains(detail, s.detail) || (s.detail == "" && r.Detalle != nil) {
						t.Errorf("%s after %v: %q %q, want %q with %q", what, s.after, r.Estado, detail, s.estado, s.detail)
					}
				}
			}
		})
	}
}

func TestEstadoOfAFacturaIsTheSIIsHeader(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 14})
	if st, b := e.generar(e.emitir(factura(1, line("Taza", 1, 1000)))); st != 200 {
		t.Fatalf("generar: %d %s", st, b)
	}
	hdr := func() string {
		st, b := e.call("GET", docPath("estado", 33, 1), nil)
		var h map[string]string
		if st != 200 || json.Unmarshal(b, &h) != nil || h["GLOSA_ESTADO"] == "" {
			t.Fatalf("estado: %d %s", st, b)
		}
		for _, k := range []string{"ESTADO", "GLOSA_ESTADO", "ERR_CODE", "GLOSA_ERR", "NUM_ATENCION"} {
			if _, ok := h[k]; !ok {
				t.Errorf("RESP_HDR lacks %s: %s", k, b)
			}
		}
		if false {
			t.Fatalf("estado: %d %s", st, b)
		}
		return h["ESTADO"]
	}
	if got := hdr(); got != "FAU" {
		t.Errorf("in review: %s", got)
	}
	e.sim.Advance(ldsim.DefaultSIIDelay)
	if got := hdr(); got != "DOK" {
		t.Errorf("accepted: %s", got)
	}
	if st, b := e.call("GET", docPath("estado", 33, 2), nil); st != 404 || !strings.Contains(bareString(t, b), "T33F2") {
		t.Errorf("unknown folio: %d %s", st, b)
	}
}

func TestSIIRejectsTheConfiguredFraction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 15, Faults: faults.Spec{SIIReject: 0.25}, SIIDelay: time.Second})
	const n = 400
	for i := 0; i < n; i++ {
		if st, b := e.generar(e.emitir(boleta(line("Taza", 1, int64(1000+i))))); st != 200 {
			t.Fatalf("generar: %d %s", st, b)
		}
	}
	e.sim.Advance(time.Second)
	rejected := 0
	for f := 1; f <= n; f++ {
		_, b := e.call("GET", docPath("actualizar_estado", 39, f), nil)
		if bytes.Contains(b, []byte(`"RCH - DTE Rechazado"`)) {
			rejected++
		}
	}
	// 25 % of 400 is 100; the seeded dice must land near it (±4σ ≈ 35).
	if rejected < 65 || rejected > 135 {
		t.Errorf("%d of %d rejected, want about 100", rejected, n)
	}
}

func TestStateHasExactlyTheContractKeys(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 16})
	e.generar(e.emitir(boleta(line("Taza", 1, 1000))))
	e.emitir(boleta(line("Vaso", 1, 1000)))
	st, b := e.callAs("", "", "GET", "/_sim/state", nil) // no credentials needed
	if st != 200 {
		t.Fatalf("state: %d %s", st, b)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if keys := sortedKeys(m); !slices.Equal(keys, []string{"emitted", "tmps"}) {
		t.Errorf("state keys %v", keys)
	}
	var items []map[string]any
	if err := json.Unmarshal(m["emitted"], &items); err != nil || len(items) != 1 {
		t.Fatalf("emitted: %s", m["emitted"])
	}
	if keys := sortedKeys(items[0]); !slices.Equal(keys, []string{"dte", "emisor", "fecha", "folio", "receptor", "total"}) {
		t.Errorf("emitted keys %v", keys)
	}
	if string(m["tmps"]) != "1" {
		t.Errorf("tmps %s", m["tmps"])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

func TestFaultsEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 17})
	if st, b := e.callAs("", "", "POST", "/_sim/faults", `{"faults":"5xx=1"}`); st != 200 || !strings.Contains(string(b), "5xx=1") {
		t.Fatalf("set faults: %d %s", st, b)
	}
	if st, _ := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", boleta(line("Taza", 1, 1000))); st != 503 {
		t.Errorf("emitir under 5xx=1: %d", st)
	}
	if st, _ := e.callAs("", "", "GET", "/_sim/state", nil); st != 200 {
		t.Errorf("/_sim/state must not suffer faults: %d", st)
	}
	if st, b := e.callAs("", "", "GET", "/_sim/faults", nil); st != 200 || !strings.Contains(string(b), "5xx=1") {
		t.Errorf("get faults: %d %s", st, b)
	}
	if st, _ := e.callAs("", "", "POST", "/_sim/faults", "none"); st != 200 {
		t.Errorf("reset faults: %d", st)
	}
	if st, _ := e.call("POST", "/api/dte/documentos/emitir?normalizar=1&formato=json", boleta(line("Taza", 1, 1000))); st != 200 {
		t.Errorf("emitir after none: %d", st)
	}
}

func TestStartServesUntilTheContextEnds(t *testing.T) {
	t.Parallel()
	sim := ldsim.New(ldsim.Options{Seed: 18})
	ctx, cancel := context.WithCancel(context.Background())
	root, err := sim.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/api$`).MatchString(root) {
		t.Fatalf("API root %q", root)
	}
	resp, err := http.Get(strings.TrimSuffix(root, "/api") + "/_sim/state")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	if !testutil.Until(5*time.Second, 10*time.Millisecond, func() bool {
		resp, err := http.Get(strings.TrimSuffix(root, "/api") + "/_sim/state")
		if err != nil {
			return true
		}
		resp.Body.Close()
		return false
	}) {
		t.Fatal("still serving after the context ended")
	}
	if _, err := sim.Start(context.Background(), "256.0.0.1:1"); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("listening on a bad address: %v", err)
	}
}
