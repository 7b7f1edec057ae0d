package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
)

func TestDTEBuildFixtures(t *testing.T) {
	tests := map[string]struct {
		file  string
		args  []string
		tipo  dte.DocType
		bruto bool
		rut   string
		lines int
	}{
		"boleta":            {"multivende-checkout.json", nil, dte.Boleta, false, "66666666-6", 2},
		"factura":           {"multivende-checkout-factura.json", nil, dte.Factura, true, "76354771-K", 2},
		"factura as boleta": {"multivende-checkout-factura.json", []string{"--type", "boleta"}, dte.Boleta, false, "66666666-6", 2},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runFolio(t, fixture(t, tt.file), append([]string{"dte", "build"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			// The payload as sent to emitir: no totals, no line amounts,
			// MntBruto only on a factura.
			if strings.Contains(out, "Totales") || strings.Contains(out, "MontoItem") {
				t.Fatalf("the payload carries totals:\n%s", out)
			}
			var doc dte.Document
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&doc); err != nil {
				t.Fatalf("output is not one document: %v\n%s", err, out)
			}
			if dec.More() {
				t.Fatal("more than one JSON value on stdout")
			}
			h := doc.Encabezado
			if h.IdDoc.TipoDTE != tt.tipo || (h.IdDoc.MntBruto == 1) != tt.bruto || h.Receptor.RUTRecep != tt.rut || len(doc.Detalle) != tt.lines {
				t.Fatalf("got %+v with %d lines", h, len(doc.Detalle))
			}
			if len(h.IdDoc.FchEmis) != len("2006-01-02") {
				t.Fatalf("FchEmis = %q", h.IdDoc.FchEmis)
			}
		})
	}
	// folio's own totals are for people, under --explain.
	out, _, err := runFolio(t, fixture(t, "multivende-checkout.json"), "dte", "build", "--explain", "--lang", "en")
	if err != nil || !strings.Contains(out, "29.970") || !strings.Contains(out, "25.185") || !strings.Contains(out, "4.785") {
		t.Fatalf("explain lacks folio's totals (%v):\n%s", err, out)
	}
}

func TestDTEBuildExplain(t *testing.T) {
	out, _, err := runFolio(t, fixture(t, "multivende-checkout.json"), "dte", "build", "--explain", "--lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"BOLETA", "$29.970", "$25.185", "$4.785", "Costo de envío", "66666666-6"} {
		if !strings.Contains(out, want) {
			t.Errorf("explain output lacks %q:\n%s", want, out)
		}
	}
}

func TestDTEBuildBadInput(t *testing.T) {
	factura := fixture(t, "multivende-checkout-factura.json")
	tests := map[string]struct {
		stdin string
		args  []string
		want  []string
	}{
		"not JSON":       {"{", nil, []string{"stdin", "JSON"}},
		"empty":          {"", nil, []string{"stdin"}},
		"array":          {"[]", nil, []string{"JSON object"}},
		"no items":       {`{"_id":"x","CheckoutItems":[]}`, nil, []string{"CheckoutItems"}},
		"invalid RUT":    {strings.Replace(factura, "76.354.771-K", "76.354.771-2", 1), nil, []string{"RUT", "76.354.771-2"}},
		"missing giro":   {strings.Replace(factura, `"activity": "Venta al por menor de artículos de ferretería",`, "", 1), nil, []string{"GiroRecep"}},
		"zero total":     {`{"CheckoutItems":[{"name":"x","count":1,"gross":0}]}`, nil, []string{"MntTotal"}},
		"negative total": {`{"CheckoutItems":[{"name":"x","count":1,"gross":100}],"CheckoutPayments":[{"amount":0,"couponAmount":100}]}`, nil, []string{"MntTotal"}},
		"decimal amount": {`{"CheckoutItems":[{"name":"x","count":1,"gross":100.5}]}`, nil, []string{"decimals"}},
		"bad type":       {"{}", []string{"--type", "nota"}, []string{"--type", "nota"}},
		"factura forced": {fixture(t, "multivende-checkout.json"), []string{"--type", "factura"}, []string{"RUT"}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runFolio(t, tt.stdin, append([]string{"dte", "build", "--lang", "en"}, tt.args...)...)
			if err == nil {
				t.Fatalf("want an error, got output %s", out)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
				t.Fatalf("error is not one line: %q", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if out != "" {
				t.Errorf("stdout not empty on error: %q", out)
			}
		})
	}
}

// --explain says which rule chose the document, in the chosen language;
// --factura-field/--factura-value is the connection's mapping.
func TestDTEBuildExplainSaysTheRule(t *testing.T) {
	boleta, factura := fixture(t, "multivende-checkout.json"), fixture(t, "multivende-checkout-factura.json")
	tests := map[string]struct {
		stdin string
		args  []string
		want  []string
	}{
		"boleta es":  {boleta, []string{"--lang", "es"}, []string{"Regla: boleta: sin datos de facturación", "BOLETA"}},
		"factura en": {factura, []string{"--lang", "en"}, []string{"Rule: factura: the order carries the buyer's billing identity (RUT 76.354.771-K", "FACTURA"}},
		"person":     {factura, []string{"--lang", "en", "--type", "boleta"}, []string{"Rule: boleta: chosen by a person", "BOLETA"}},
		"mapping": {factura, []string{"--lang", "es", "--factura-field", "CheckoutBillingClients.0.documentType", "--factura-value", "rut"},
			[]string{"Regla: factura: campo configurado CheckoutBillingClients.0.documentType = RUT", "FACTURA"}},
		"mapping refused": {boleta, []string{"--lang", "en", "--factura-field", "Client.type", "--factura-value", "person"}, nil},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			out, _, err := runFolio(t, tt.stdin, append([]string{"dte", "build", "--explain"}, tt.args...)...)
			if tt.want == nil {
				// The mapping asks for a factura the order has no RUT for:
				// refused naming it, never a boleta.
				if err == nil || !strings.Contains(err.Error(), `RUT ""`) {
					t.Fatalf("mapping: err %v, out %s", err, out)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("explain lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// Wrong input is refused before anything runs, saying what is accepted.
func TestInputRefusedUpFront(t *testing.T) {
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"sim", "--orders", "-1", "--lang", "en"}, "", "--orders -1: give a count from 0 to 1000000"},
		{[]string{"sim", "--orders", "-1", "--lang", "es"}, "", "--orders -1: indique una cantidad de 0 a 1000000"},
		{[]string{"sim", "--rate", "-2"}, "", "--rate -2"},
		{[]string{"dte", "build", "--lang", "en"}, strings.Repeat(" ", 16<<20+10), "over 16 MiB"},
		{[]string{"dte", "build", "--lang", "es"}, strings.Repeat(" ", 16<<20+10), "más de 16 MiB"},
	} {
		_, stderr, err := runFolio(t, tc.stdin, tc.args...)
		if err == nil || !strings.Contains(err.Error()+stderr, tc.want) {
			t.Errorf("folio %v: err %v, stderr %q; want %q", tc.args, err, stderr, tc.want)
		}
	}
}

// A bad --lang or --theme on the console creates no store.
func TestConsoleFlagsCheckedBeforeTheStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nuevo.db")
	for _, args := range [][]string{{"--lang", "xx"}, {"--theme", "neon"}} {
		_, _, err := runFolio(t, "", append([]string{"console", "--store", path}, args...)...)
		if err == nil || !strings.Contains(err.Error(), args[0]) {
			t.Errorf("console %v: %v", args, err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("console %v made a store: %v", args, err)
		}
	}
}

// A config file named with --config must exist: a typo would otherwise run
// on the defaults without a word.
func TestExplicitConfigMustExist(t *testing.T) {
	isolate(t)
	missing := filepath.Join(t.TempDir(), "confg.yaml")
	_, _, err := runFolio(t, "", "--config", missing, "config", "show", "--lang", "en")
	if err == nil || !strings.Contains(err.Error(), "no such file") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("--config of a missing file: %v", err)
	}
}
