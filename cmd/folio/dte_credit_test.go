package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/invoicer/libredte"
)

func TestDTEBuildCreditNote(t *testing.T) {
	for name, tt := range map[string]struct {
		file   string
		args   []string
		refTyp int
		codRef int
		lines  int
	}{
		"boleta cancelled":  {"multivende-checkout.json", []string{"--ref-type", "39", "--ref-folio", "4471", "--ref-date", "2026-11-24"}, 39, 1, 2},
		"boleta, one unit":  {"multivende-checkout.json", []string{"--ref-type", "39", "--ref-folio", "4471", "--ref-date", "2026-11-24", "--lines", "1:1"}, 39, 3, 1},
		"factura cancelled": {"multivende-checkout-factura.json", []string{"--ref-type", "33", "--ref-folio", "90", "--ref-date", "2026-11-24"}, 33, 1, 2},
	} {
		t.Run(name, func(t *testing.T) {
			out, _, err := runFolio(t, fixture(t, tt.file), append([]string{"dte", "build", "--type", "nc"}, tt.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			var p libredte.Payload
			if err := json.Unmarshal([]byte(out), &p); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			id := p.Encabezado.IdDoc
			// A 61 is not a boleta: gross lines carry MntBruto 1 for LibreDTE.
			if id.TipoDTE != 61 || id.MntBruto != 1 {
				t.Errorf("IdDoc = %+v, want 61 with MntBruto 1", id)
			}
			if len(p.Referencia) != 1 || int(p.Referencia[0].TpoDocRef) != tt.refTyp || p.Referencia[0].CodRef != tt.codRef || p.Referencia[0].FchRef != "2026-11-24" {
				t.Errorf("Referencia = %+v", p.Referencia)
			}
			if len(p.Detalle) != tt.lines {
				t.Errorf("%d lines, want %d", len(p.Detalle), tt.lines)
			}
			if !strings.Contains(out, `"FolioRef": "`) {
				t.Errorf("FolioRef is not text:\n%s", out)
			}
		})
	}
	for _, args := range [][]string{
		{"--ref-folio", "1"},
		{"--ref-type", "39"},
		{"--ref-type", "33", "--ref-folio", "1"}, // this checkout is a boleta
		{"--ref-type", "39", "--ref-folio", "1", "--lines", "9"},
	} {
		if _, _, err := runFolio(t, fixture(t, "multivende-checkout.json"), append([]string{"dte", "build", "--type", "nc"}, args...)...); err == nil {
			t.Errorf("dte build --type nc %v accepted", args)
		}
	}
}
