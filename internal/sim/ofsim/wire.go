package ofsim

// The simulator's reply shapes. The error body {"error":{"message","code",
// "details"}}, OF-06 and the status words are invoicers.md's; the rest is
// the simulator's choice, marked UNCERTAIN, kept here.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/folio-cl/folio/internal/dte"
)

// Status words (invoicers.md).
const (
	EstadoAceptado  = "Aceptado"
	EstadoPendiente = "Pendiente"
	EstadoRechazado = "Rechazado"
	EstadoReparo    = "Aceptado con Reparo"
)

// codeRepeat is the idempotent repeat (invoicers.md). The other codes are
// UNCERTAIN stand-ins: OpenFactura's OF-xx codes for these cases are not
// published, so the simulator uses its own under the same shape.
const (
	codeRepeat     = "OF-06"
	codeValidation = "OF-SIM-VALIDATION"
	codeEmisor     = "OF-SIM-EMISOR"
	codeNoFolios   = "OF-SIM-NO-FOLIOS"
	codeNotFound   = "OF-SIM-NOT-FOUND"
)

// Gateway replies (UNCERTAIN: the apikey header and the bare {"message"}
// bodies are those of the API gateway OpenFactura appears to run behind).
const (
	msgNoKey     = "No API key found in request"
	msgBadKey    = "Invalid authentication credentials"
	msgRateLimit = "API rate limit exceeded"
)

func ofError(w http.ResponseWriter, status int, code, msg string) {
	reply(w, status, map[string]any{"error": map[string]any{"message": msg, "code": code, "details": []any{}}})
}

// repeat answers an Idempotency-Key seen within 24 hours: 400 OF-06 with
// the original token (invoicers.md). UNCERTAIN: where the token sits; the
// simulator puts it in details as {"token": …}.
func repeat(w http.ResponseWriter, token string) {
	reply(w, http.StatusBadRequest, map[string]any{"error": map[string]any{
		"message": "La Idempotency-Key ya fue utilizada: el documento ya fue emitido",
		"code":    codeRepeat, "details": []any{map[string]string{"token": token}}}})
}

// wireDTE is the dte as OpenFactura takes it.
type wireDTE struct {
	Encabezado struct {
		IdDoc struct {
			TipoDTE int    `json:"TipoDTE"`
			Folio   int64  `json:"Folio"`
			FchEmis string `json:"FchEmis"`
		} `json:"IdDoc"`
		Emisor struct {
			RUTEmisor    string `json:"RUTEmisor"`
			RznSoc       string `json:"RznSoc"`
			RznSocEmisor string `json:"RznSocEmisor"`
			GiroEmis     string `json:"GiroEmis"`
			GiroEmisor   string `json:"GiroEmisor"`
			DirOrigen    string `json:"DirOrigen"`
			CmnaOrigen   string `json:"CmnaOrigen"`
		} `json:"Emisor"`
		Receptor dte.Receptor `json:"Receptor"`
		Totales  struct {
			MntNeto  int64            `json:"MntNeto"`
			MntExe   int64            `json:"MntExe"`
			IVA      int64            `json:"IVA"`
			MntTotal int64            `json:"MntTotal"`
			TasaIVA  *json.RawMessage `json:"TasaIVA"`
		} `json:"Totales"`
	} `json:"Encabezado"`
	Detalle []struct {
		NroLinDet      int    `json:"NroLinDet"`
		NmbItem        string `json:"NmbItem"`
		QtyItem        int64  `json:"QtyItem"`
		PrcItem        int64  `json:"PrcItem"`
		DescuentoMonto int64  `json:"DescuentoMonto"`
		IndExe         int    `json:"IndExe"`
		MontoItem      int64  `json:"MontoItem"`
	} `json:"Detalle"`
}

// readDTE reads and checks the dte, with the rules invoicers.md gives for
// OpenFactura (Folio 0; boletas name the emisor RznSocEmisor/GiroEmisor and
// carry no TasaIVA) and the SII's required fields.
func readDTE(raw json.RawMessage) (dte.Document, []string) {
	var w wireDTE
	if err := json.Unmarshal(raw, &w); err != nil {
		return dte.Document{}, []string{"dte: " + err.Error()}
	}
	h := w.Encabezado
	t := dte.DocType(h.IdDoc.TipoDTE)
	var p []string
	switch t {
	case dte.Factura, dte.FacturaExenta, dte.Boleta, dte.BoletaExenta, dte.NotaCredito, dte.NotaDebito:
	default:
		p = append(p, fmt.Sprintf("TipoDTE %d no soportado", h.IdDoc.TipoDTE))
	}
	if h.IdDoc.Folio != 0 {
		p = append(p, "Folio debe ser 0: OpenFactura lo asigna")
	}
	if _, err := time.Parse(time.DateOnly, h.IdDoc.FchEmis); err != nil {
		p = append(p, "FchEmis debe ser AAAA-MM-DD")
	}
	if _, err := dte.ParseRUT(h.Emisor.RUTEmisor); err != nil {
		p = append(p, "RUTEmisor inválido")
	}
	if t.IsBoleta() {
		if h.Emisor.RznSocEmisor == "" {
			p = append(p, "una boleta lleva RznSocEmisor (no RznSoc)")
		}
		if h.Totales.TasaIVA != nil {
			p = append(p, "una boleta no lleva TasaIVA")
		}
	} else {
		if h.Emisor.RznSoc == "" || h.Emisor.GiroEmis == "" {
			p = append(p, "el emisor requiere RznSoc y GiroEmis")
		}
		if t.IsFactura() && (h.Receptor.RznSocRecep == "" || h.Receptor.GiroRecep == "" || h.Receptor.DirRecep == "" || h.Receptor.CmnaRecep == "") {
			p = append(p, "la factura requiere RznSocRecep, GiroRecep, DirRecep y CmnaRecep")
		}
	}
	if _, err := dte.ParseRUT(h.Receptor.RUTRecep); err != nil {
		p = append(p, "RUTRecep inválido")
	}
	if len(w.Detalle) == 0 {
		p = append(p, "Detalle vacío")
	}
	if h.Totales.MntTotal <= 0 {
		p = append(p, "MntTotal debe ser positivo")
	}
	doc := dte.Document{Encabezado: dte.Encabezado{
		IdDoc: dte.IdDoc{TipoDTE: t, FchEmis: h.IdDoc.FchEmis},
		Emisor: dte.Emisor{RUTEmisor: h.Emisor.RUTEmisor, RznSoc: first(h.Emisor.RznSocEmisor, h.Emisor.RznSoc),
			GiroEmis: first(h.Emisor.GiroEmisor, h.Emisor.GiroEmis), DirOrigen: h.Emisor.DirOrigen, CmnaOrigen: h.Emisor.CmnaOrigen},
		Receptor: h.Receptor,
		Totales:  dte.Totales{MntNeto: h.Totales.MntNeto, MntExe: h.Totales.MntExe, IVA: h.Totales.IVA, MntTotal: h.Totales.MntTotal},
	}}
	if r, err := dte.ParseRUT(h.Emisor.RUTEmisor); err == nil {
		doc.Encabezado.Emisor.RUTEmisor = r.String()
	}
	for _, d := range w.Detalle {
		doc.Detalle = append(doc.Detalle, dte.Detalle{NroLinDet: d.NroLinDet, NmbItem: d.NmbItem, QtyItem: d.QtyItem,
			PrcItem: d.PrcItem, DescuentoMonto: d.DescuentoMonto, IndExe: d.IndExe, MontoItem: d.MontoItem})
	}
	return doc, p
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// setFolio writes the assigned folio into the stored dte.
func setFolio(raw map[string]any, folio int64) {
	enc, _ := raw["Encabezado"].(map[string]any)
	if id, ok := enc["IdDoc"].(map[string]any); ok {
		id["Folio"] = folio
	}
}
