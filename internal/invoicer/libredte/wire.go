package libredte

// LibreDTE's wire formats as folio reads and writes them, all in this file.
//
// invoicers.md gives the paths, Basic auth (the API hash as the user and X
// as the password, as LibreDTE's official clients send it: older
// self-hosted servers refuse X:hash) and the error classes. The reply
// shapes follow LibreDTE's public code (libredte-app-community,
// Module/Dte/Controller/Documentos.php, DteEmitidos.php, DteTmps.php and
// Model/DteTmp.php, DteEmitido.php, Contribuyente.php):
//
//   - emitir answers exactly {"emisor","receptor","dte","codigo"}: RUT bodies
//     without check digit, the type, and the temporary document's md5 code.
//   - generar takes that key as its body and answers the dte_emitido record
//     (get_object_vars): emisor, dte, folio, certificacion, tasa, fecha,
//     sucursal_sii, receptor (a RUT body cut from "NNNNNNNN-D", so often a
//     string), exento, neto, iva, total, usuario, xml (false), track_id,
//     revision_estado, revision_detalle, anulado, …
//   - dte_tmps/info answers the dte_tmp record: emisor, receptor, dte,
//     codigo, tipo, fecha, total, … (404 once generar deleted it); with
//     ?getDatosDte=1 also datos, the normalised document (Encabezado.Totales
//     is what a folio would be spent on).
//   - dte_tmps/eliminar deletes a temporary document (DteTmps.php,
//     _api_eliminar_GET); 404 when there is none.
//   - estado answers, for types other than boletas, the SII's whole
//     RESP_HDR: ESTADO, GLOSA_ESTADO, ERR_CODE, GLOSA_ERR, NUM_ATENCION.
//   - dte_emitidos/buscar takes filters (dte, folio, fecha, total, receptor,
//     fecha_desde, …) and answers rows {dte, tipo, folio, receptor,
//     razon_social, fecha, total, estado, track_id, …} — or 404 with a
//     message when nothing matches, which is not an error for folio.
//   - actualizar_estado answers {"track_id","revision_estado",
//     "revision_detalle"}; revision_estado is "EPR - Envío Procesado",
//     "RCH - DTE Rechazado", "RLV - DTE Aceptado con Reparos Leves", "SOK",
//     "-11", … (the state lists below are LibreDTE's
//     Model_DteEmitidos::$revision_estados).
//   - errors: the body is a bare JSON string; the status says the class.
//
// Numbers come from PHP and PostgreSQL: folio reads numbers and numeric
// strings alike (flexInt).
//
// What emitir is sent (Payload): the lines, global discounts, references,
// receptor and emisor, never Totales amounts or MontoItem — LibreDTE's
// normaliser (sasco\LibreDTE\Sii\Dte) adds the line amounts to whatever
// Totales it receives, so sent totals come back doubled — and IdDoc.MntBruto
// = 1 only when the lines are gross and the document is not a boleta (on a
// boleta LibreDTE converts gross to net twice: 1190 → 1000/190 → 840/160).
//
// Choices folio made where the sources leave room (each is only here):
//   - Status asks actualizar_estado, not estado: estado answers the same
//     record for boletas but, for other types, the SII's per-document
//     RESP_HDR (ESTADO/GLOSA_ESTADO), which cannot tell "still in review"
//     from "rejected". actualizar_estado answers one shape for every type.
//   - After emitir, Prepare reads the temporary document back
//     (dte_tmps/info?getDatosDte=1) and compares its totals with folio's:
//     any difference stops the order before generar (CodeTotalsMismatch)
//     and the temporary document is deleted, so no folio can be spent on
//     it. A failed read is an error too (retried: emitir again only makes
//     another temporary document). The date LibreDTE recorded is kept for
//     Resolve.
//   - Check and CheckPrices treat a reply that is not LibreDTE's JSON (an
//     HTML page, a 404 that is not a bare JSON string, a 200 for a
//     temporary document that cannot exist) as a wrong API root
//     (CodeNotAPI), and suggest the URL ending in /api.
//   - Status reads actualizar_estado's revision and, should a server answer
//     the RESP_HDR shape instead, maps ESTADO (DOK accepted; FAU, FNA, FAN,
//     ANC and the like still unknown) with GLOSA_ERR or GLOSA_ESTADO as the
//     reason.
//   - Check asks dte_tmps/info for a temporary document that cannot exist:
//     401/403 mean bad credentials or no permission; a 404 means both are
//     fine unless its message says the emisor is not registered.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
)

// API paths, relative to the API root (…/api).
const (
	pathEmitir        = "/dte/documentos/emitir"
	pathGenerar       = "/dte/documentos/generar"
	pathTmpInfo       = "/dte/dte_tmps/info/{receptor}/{dte}/{codigo}/{emisor}"
	pathTmpEliminar   = "/dte/dte_tmps/eliminar/{receptor}/{dte}/{codigo}/{emisor}"
	pathBuscar        = "/dte/dte_emitidos/buscar/{emisor}"
	pathPDF           = "/dte/dte_emitidos/pdf/{dte}/{folio}/{emisor}"
	pathActualizarEst = "/dte/dte_emitidos/actualizar_estado/{dte}/{folio}/{emisor}"
)

// emitirQuery asks LibreDTE to normalise (compute totals, fill the emisor)
// a JSON document.
var emitirQuery = url.Values{"normalizar": {"1"}, "formato": {"json"}}

// expand fills a path's {name} segments, escaping each value.
func expand(path string, kv ...string) string {
	for i := 0; i+1 < len(kv); i += 2 {
		path = strings.Replace(path, "{"+kv[i]+"}", url.PathEscape(kv[i+1]), 1)
	}
	return path
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// tmpKey is emitir's reply: the temporary document's key. generar takes it
// back as its body.
type tmpKey struct {
	Emisor   flexInt `json:"emisor"`
	Receptor flexInt `json:"receptor"`
	DTE      flexInt `json:"dte"`
	Codigo   string  `json:"codigo"`
}

// pending is what folio records as the intent: LibreDTE's key plus the date
// and total that identify the document once it is emitted.
type pending struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	DTE      int    `json:"dte"`
	Codigo   string `json:"codigo"`
	Fecha    string `json:"fecha,omitempty"`
	Total    int64  `json:"total,omitempty"`
}

// generarBody is generar's body: the key, nothing else.
type generarBody struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	DTE      int    `json:"dte"`
	Codigo   string `json:"codigo"`
}

// tmpInfo is the part of dte_tmps/info's reply folio reads.
type tmpInfo struct {
	Emisor   flexInt         `json:"emisor"`
	Receptor flexInt         `json:"receptor"`
	DTE      flexInt         `json:"dte"`
	Codigo   string          `json:"codigo"`
	Tipo     string          `json:"tipo"`
	Fecha    string          `json:"fecha"`
	Total    flexInt         `json:"total"`
	Datos    json.RawMessage `json:"datos"`
}

// tmpQuery asks dte_tmps/info for the normalised document too.
var tmpQuery = url.Values{"getDatosDte": {"1"}}

// totales are the amounts of datos.Encabezado.Totales.
type totales struct {
	MntNeto  flexInt `json:"MntNeto"`
	MntExe   flexInt `json:"MntExe"`
	IVA      flexInt `json:"IVA"`
	MntTotal flexInt `json:"MntTotal"`
}

// totalsOf reads the normalised document's totals from datos, which may
// come as an object or as the JSON text the column holds.
func totalsOf(datos json.RawMessage) (totales, bool) {
	raw := datos
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = json.RawMessage(s)
	}
	var d struct {
		Encabezado struct {
			Totales *totales `json:"Totales"`
		} `json:"Encabezado"`
	}
	if json.Unmarshal(raw, &d) != nil || d.Encabezado.Totales == nil {
		return totales{}, false
	}
	return *d.Encabezado.Totales, true
}

// Payload is the document exactly as folio sends it to emitir (see the
// top of this file): no Totales, no MontoItem, MntBruto only where
// LibreDTE reads it right.
type Payload struct {
	Encabezado   payloadEncabezado  `json:"Encabezado"`
	Detalle      []payloadDetalle   `json:"Detalle"`
	DscRcgGlobal []dte.DscRcgGlobal `json:"DscRcgGlobal,omitempty"`
	Referencia   []dte.Referencia   `json:"Referencia,omitempty"`
}

type payloadEncabezado struct {
	IdDoc    payloadIdDoc `json:"IdDoc"`
	Emisor   dte.Emisor   `json:"Emisor"`
	Receptor dte.Receptor `json:"Receptor"`
}

type payloadIdDoc struct {
	TipoDTE  dte.DocType `json:"TipoDTE"`
	FchEmis  string      `json:"FchEmis,omitempty"`
	MntBruto int         `json:"MntBruto,omitempty"`
}

type payloadDetalle struct {
	NroLinDet      int    `json:"NroLinDet"`
	CdgItem        string `json:"CdgItem,omitempty"`
	IndExe         int    `json:"IndExe,omitempty"`
	NmbItem        string `json:"NmbItem"`
	QtyItem        int64  `json:"QtyItem"`
	PrcItem        int64  `json:"PrcItem"`
	DescuentoMonto int64  `json:"DescuentoMonto,omitempty"`
}

// PayloadOf maps folio's document onto what emitir is sent.
func PayloadOf(doc dte.Document) Payload {
	h := doc.Encabezado
	p := Payload{Encabezado: payloadEncabezado{
		IdDoc:    payloadIdDoc{TipoDTE: h.IdDoc.TipoDTE, FchEmis: h.IdDoc.FchEmis},
		Emisor:   h.Emisor,
		Receptor: h.Receptor,
	}, DscRcgGlobal: doc.DscRcgGlobal, Referencia: doc.Referencia}
	if h.IdDoc.MntBruto == 1 && !h.IdDoc.TipoDTE.IsBoleta() {
		p.Encabezado.IdDoc.MntBruto = 1
	}
	p.Detalle = make([]payloadDetalle, len(doc.Detalle))
	for i, l := range doc.Detalle {
		p.Detalle[i] = payloadDetalle{NroLinDet: l.NroLinDet, CdgItem: l.CdgItem, IndExe: l.IndExe, NmbItem: l.NmbItem,
			QtyItem: l.QtyItem, PrcItem: l.PrcItem, DescuentoMonto: l.DescuentoMonto}
	}
	return p
}

// emitido is generar's reply (the dte_emitido record) as folio reads it.
type emitido struct {
	Emisor   flexInt         `json:"emisor"`
	DTE      flexInt         `json:"dte"`
	Folio    flexInt         `json:"folio"`
	Fecha    string          `json:"fecha"`
	Receptor flexInt         `json:"receptor"`
	Exento   flexInt         `json:"exento"`
	Neto     flexInt         `json:"neto"`
	IVA      flexInt         `json:"iva"`
	Total    flexInt         `json:"total"`
	TrackID  json.RawMessage `json:"track_id"`
}

// buscarBody filters dte_emitidos/buscar: exact type, receptor (RUT body),
// date and total.
type buscarBody struct {
	DTE      int    `json:"dte"`
	Receptor int64  `json:"receptor"`
	Fecha    string `json:"fecha"`
	Total    int64  `json:"total"`
}

// buscarPeriod asks dte_emitidos/buscar for every document issued in a
// period (uncertain: the filter names are those of LibreDTE's
// Contribuyente::getDocumentosEmitidos, which the API hands the body to).
type buscarPeriod struct {
	FechaDesde string `json:"fecha_desde"`
	FechaHasta string `json:"fecha_hasta"`
}

// buscarRow is one row of dte_emitidos/buscar's reply.
type buscarRow struct {
	DTE      flexInt         `json:"dte"`
	Folio    flexInt         `json:"folio"`
	Receptor flexInt         `json:"receptor"`
	Fecha    string          `json:"fecha"`
	Total    flexInt         `json:"total"`
	Estado   *string         `json:"estado"`
	TrackID  json.RawMessage `json:"track_id"`
}

// revision is actualizar_estado's reply; the RESP_HDR fields are estado's
// for non-boletas.
type revision struct {
	TrackID         json.RawMessage `json:"track_id"`
	RevisionEstado  *string         `json:"revision_estado"`
	RevisionDetalle *string         `json:"revision_detalle"`
	RespHdr
}

// RespHdr is the SII's QueryEstDte header as LibreDTE's estado answers it
// for types other than boletas.
type RespHdr struct {
	Estado      string `json:"ESTADO"`
	GlosaEstado string `json:"GLOSA_ESTADO"`
	ErrCode     string `json:"ERR_CODE"`
	GlosaErr    string `json:"GLOSA_ERR"`
	NumAtencion string `json:"NUM_ATENCION"`
}

// LibreDTE's lists of revision states (Model_DteEmitidos::$revision_estados).
var (
	estadosRechazados = []string{"RSC", "RCH", "RPT", "RFR", "VOF", "RCT"}
	estadosFinal      = []string{"EPR", "RLV", "RPR"}
)

// siiStatus maps a revision onto the neutral status. The code is the text
// before the first space of revision_estado ("EPR - Envío Procesado").
func siiStatus(r revision) invoicer.SIIStatus {
	if r.RevisionEstado == nil && r.Estado != "" {
		return respHdrStatus(r)
	}
	estado, detalle := "", ""
	if r.RevisionEstado != nil {
		estado = strings.TrimSpace(*r.RevisionEstado)
	}
	if r.RevisionDetalle != nil {
		detalle = strings.TrimSpace(*r.RevisionDetalle)
	}
	code, glosa, _ := strings.Cut(estado, " ")
	code = strings.ToUpper(code)
	glosa = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(glosa), "-"))
	reason := detalle
	if reason == "" {
		reason = glosa
	}
	track, _ := trackText(r.TrackID)
	st := invoicer.SIIStatus{Code: code, Reason: reason, TrackID: track, State: invoicer.SIIPending}
	switch {
	case contains(estadosRechazados, code):
		st.State = invoicer.SIIRejected
	case code == "RLV" || code == "RPR":
		st.State = invoicer.SIIObjection
	case contains(estadosFinal, code):
		st.State = invoicer.SIIAccepted
	}
	return st
}

// respHdrStatus maps the SII's RESP_HDR: DOK (received, data match) is
// accepted; anything else cannot tell review from rejection, so it stays
// pending with the SII's words as the reason.
func respHdrStatus(r revision) invoicer.SIIStatus {
	code := strings.ToUpper(strings.TrimSpace(r.Estado))
	reason := strings.TrimSpace(r.GlosaErr)
	if reason == "" {
		reason = strings.TrimSpace(r.GlosaEstado)
	}
	track, _ := trackText(r.TrackID)
	st := invoicer.SIIStatus{Code: code, Reason: reason, TrackID: track, State: invoicer.SIIPending}
	if code == "DOK" {
		st.State = invoicer.SIIAccepted
	}
	return st
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// trackText reads a track id sent as a number or a string.
func trackText(raw json.RawMessage) (string, error) {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null", "false", "0", `""`:
		return "", nil
	}
	if strings.HasPrefix(s, `"`) {
		var v string
		err := json.Unmarshal(raw, &v)
		return strings.TrimSpace(v), err
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	return n.String(), nil
}

// errorMessage reads LibreDTE's error body: a bare JSON string. Anything
// else is shown as text.
func errorMessage(body []byte) string {
	var s string
	if json.Unmarshal(body, &s) == nil {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(strings.ToValidUTF8(string(body), "\uFFFD"))
}

// emisorUnknown says whether a 404's message is about the emisor rather than
// the document asked for (Contribuyente::usuario empty, or no such RUT).
func emisorUnknown(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "no está registrado") || strings.Contains(m, "emisor no existe")
}

// checkCodigo is the temporary-document code Check asks for: 32 characters
// like LibreDTE's md5 codes, never produced by one in practice.
const checkCodigo = "00000000000000000000000000000000"

// flexInt reads a JSON number, a numeric string, null or false as an int64.
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch s {
	case "null", "false", `""`:
		*n = 0
		return nil
	case "true":
		*n = 1
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
	}
	// PostgreSQL numeric columns may come as "29970.0": drop a zero
	// fraction as text (money never goes through floating point).
	if i := strings.IndexByte(s, '.'); i > 0 && strings.Trim(s[i+1:], "0") == "" {
		s = s[:i]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an integer: %.20s", string(b))
	}
	*n = flexInt(v)
	return nil
}
