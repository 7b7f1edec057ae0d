package libredte

// LibreDTE's wire formats as folio reads and writes them, all in this file.
//
// invoicers.md gives the paths, Basic auth and the error classes. The reply
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
//     codigo, fecha, total, … (404 once generar deleted it).
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
// Choices folio made where the sources leave room (each is only here):
//   - Status asks actualizar_estado, not estado: estado answers the same
//     record for boletas but, for other types, the SII's per-document
//     RESP_HDR (ESTADO/GLOSA_ESTADO), which cannot tell "still in review"
//     from "rejected". actualizar_estado answers one shape for every type.
//   - After emitir, Prepare reads the temporary document back (dte_tmps/info)
//     to record the date and total LibreDTE computed, which Resolve needs to
//     find the emitted document; if that read fails, folio's own date and
//     total are recorded instead.
//   - Check asks dte_tmps/info for a temporary document that cannot exist:
//     401/403 mean bad credentials or no permission; a 404 means both are
//     fine unless its message says the emisor is not registered.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/folio-cl/folio/internal/invoicer"
)

// API paths, relative to the API root (…/api).
const (
	pathEmitir        = "/dte/documentos/emitir"
	pathGenerar       = "/dte/documentos/generar"
	pathTmpInfo       = "/dte/dte_tmps/info/{receptor}/{dte}/{codigo}/{emisor}"
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
	Emisor   flexInt `json:"emisor"`
	Receptor flexInt `json:"receptor"`
	DTE      flexInt `json:"dte"`
	Codigo   string  `json:"codigo"`
	Fecha    string  `json:"fecha"`
	Total    flexInt `json:"total"`
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

// revision is actualizar_estado's reply.
type revision struct {
	TrackID         json.RawMessage `json:"track_id"`
	RevisionEstado  *string         `json:"revision_estado"`
	RevisionDetalle *string         `json:"revision_detalle"`
}

// LibreDTE's lists of revision states (Model_DteEmitidos::$revision_estados).
var (
	estadosRechazados = []string{"RSC", "RCH", "RPT", "RFR", "VOF", "RCT"}
	estadosFinal      = []string{"EPR", "RLV", "RPR"}
)

// siiStatus maps a revision onto the neutral status. The code is the text
// before the first space of revision_estado ("EPR - Envío Procesado").
func siiStatus(r revision) invoicer.SIIStatus {
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
