package libredte

import (
	"encoding/json"
	"testing"

	"github.com/folio-cl/folio/internal/invoicer"
)

func TestSIIStatusFromRevision(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	for _, c := range []struct {
		estado, detalle *string
		state           invoicer.SIIState
		code, reason    string
	}{
		{str("EPR - Envío Procesado"), str("DTE aceptado"), invoicer.SIIAccepted, "EPR", "DTE aceptado"},
		{str("RLV - DTE Aceptado con Reparos Leves"), nil, invoicer.SIIObjection, "RLV", "DTE Aceptado con Reparos Leves"},
		{str("RPR - Aceptado con Reparos"), str("reparo"), invoicer.SIIObjection, "RPR", "reparo"},
		{str("RCH - DTE Rechazado"), str("(HED-3-305) Fecha"), invoicer.SIIRejected, "RCH", "(HED-3-305) Fecha"},
		{str("RSC - Rechazado por Error en Schema"), nil, invoicer.SIIRejected, "RSC", "Rechazado por Error en Schema"},
		{str("RFR"), nil, invoicer.SIIRejected, "RFR", ""},
		{str("rct - rechazado por carátula"), nil, invoicer.SIIRejected, "RCT", "rechazado por carátula"},
		{str("SOK - Schema Validado"), nil, invoicer.SIIPending, "SOK", "Schema Validado"},
		{str("-11"), str("Esperando respuesta de SII."), invoicer.SIIPending, "-11", "Esperando respuesta de SII."},
		{str("PRD - Envío en Proceso"), nil, invoicer.SIIPending, "PRD", "Envío en Proceso"},
		{nil, nil, invoicer.SIIPending, "", ""},
		{str("XYZ - algo nuevo"), nil, invoicer.SIIPending, "XYZ", "algo nuevo"},
	} {
		got := siiStatus(revision{RevisionEstado: c.estado, RevisionDetalle: c.detalle, TrackID: json.RawMessage(`"123"`)})
		if got.State != c.state || got.Code != c.code || got.Reason != c.reason || got.TrackID != "123" {
			t.Errorf("%v %v: %+v, want %s %s %q", c.estado, c.detalle, got, c.state, c.code, c.reason)
		}
	}
}

func TestRepliesWithNumbersAsStrings(t *testing.T) {
	t.Parallel()
	// PHP and PostgreSQL may send any number as a string; nulls and false
	// stand for nothing.
	var e emitido
	raw := `{"emisor":"76086428","dte":"39","folio":"12","fecha":"2026-11-24","receptor":"66666666","exento":null,
		"neto":"25185","iva":4785,"total":"29970.0","track_id":"5123456","xml":false}`
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatal(err)
	}
	if e.Emisor != 76086428 || e.DTE != 39 || e.Folio != 12 || e.Receptor != 66666666 || e.Neto != 25185 || e.IVA != 4785 || e.Total != 29970 || e.Exento != 0 {
		t.Errorf("%+v", e)
	}
	if tr, _ := trackText(e.TrackID); tr != "5123456" {
		t.Errorf("track %q", tr)
	}
	var rows []buscarRow
	if err := json.Unmarshal([]byte(`[{"dte":"39","folio":"7","receptor":"66666666","fecha":"2026-11-24","total":"1990","estado":null,"track_id":99}]`), &rows); err != nil {
		t.Fatal(err)
	}
	if rows[0].Folio != 7 || rows[0].Total != 1990 {
		t.Errorf("%+v", rows[0])
	}
	for _, bad := range []string{`"12a"`, `1.5`, `"29970.01"`, `{}`} {
		var n flexInt
		if err := json.Unmarshal([]byte(bad), &n); err == nil {
			t.Errorf("%s read as %d", bad, n)
		}
	}
}

func TestExpandEscapes(t *testing.T) {
	t.Parallel()
	if got := expand(pathTmpInfo, "receptor", "66666666", "dte", "39", "codigo", "a/b c", "emisor", "76086428"); got != "/dte/dte_tmps/info/66666666/39/a%2Fb%20c/76086428" {
		t.Errorf("%s", got)
	}
}
