package openfactura

// Every OpenFactura wire detail the adapter relies on is here. What
// invoicers.md states is marked "doc"; what comes only from public
// third-party material (Haulmer's Postman-derived catalogues, public SDKs)
// is marked "public"; what neither says is marked UNCERTAIN and is folio's
// choice, kept here so it is easy to change.

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
)

const (
	// DefaultBaseURL is production (doc); SandboxBaseURL the sandbox (doc).
	DefaultBaseURL = "https://api.haulmer.com"
	SandboxBaseURL = "https://dev-api.haulmer.com"

	// SandboxAPIKey is Haulmer's public demo key for the sandbox, and
	// SandboxEmisor its test company (public: printed in Haulmer's API
	// documentation and in many public integrations; not a secret).
	SandboxAPIKey = "928e15a2d14d4a6292345f04960f4bd3"
	SandboxEmisor = "76795561-8"

	pathDocument = "/v2/dte/document"                              // doc: POST, issues
	pathByToken  = "/v2/dte/document/{token}/{value}"              // doc (status, pdf); public (json)
	pathByFolio  = "/v2/dte/document/{rut}/{tipo}/{folio}/{value}" // doc (status); public (pdf)
	// pathCheck is the harmless call connect and doctor make. UNCERTAIN:
	// invoicers.md lists no read-only call that needs only the key; public
	// SDKs read the key's organisation here. Only the HTTP status is used.
	pathCheck = "/v2/dte/organization"

	headerKey         = "apikey"          // doc
	headerIdempotency = "Idempotency-Key" // doc

	// codeRepeat is the idempotent repeat (doc): the key was seen within
	// 24 h; the reply carries the original document's token.
	codeRepeat = "OF-06"
)

// keyMemory is how long OpenFactura remembers an Idempotency-Key (doc:
// 24 hours). keyMargin is kept back from it: past keyMemory−keyMargin a
// re-send might issue a second document, so it is not made.
const (
	keyMemory = 24 * time.Hour
	keyMargin = time.Hour
)

// responseParts are what the issuing call asks back (doc: TOKEN is always
// answered). folio needs the folio; the PDF is fetched by token when the
// order is attached, so it is not asked here (a base64 PDF would make every
// issuing reply, and the HTTP log, large).
var responseParts = []string{"TOKEN", "FOLIO"}

// request is the body of POST /v2/dte/document (doc).
type request struct {
	Response []string       `json:"response"`
	DTE      map[string]any `json:"dte"`
	Custom   map[string]any `json:"custom,omitempty"`
}

// issuedReply is the issuing call's 200 (public: the Swagger model names
// token, folio, pdf… in lower case; the doc writes them as the request's
// upper-case names. encoding/json matches either).
type issuedReply struct {
	Token string          `json:"token"`
	Folio json.RawMessage `json:"folio"`
}

// errorReply is every error body (doc).
type errorReply struct {
	Error *struct {
		Message string            `json:"message"`
		Code    string            `json:"code"`
		Details []json.RawMessage `json:"details"`
		// UNCERTAIN: where an OF-06 carries the original token. The doc
		// says only "with the original token"; it is looked for here, in
		// details and at the top level (repeatToken).
		Token string `json:"token"`
	} `json:"error"`
	Token string `json:"token"`
	// Message is a gateway's own reply ({"message": "..."}), for example
	// on a 401 or a 429 that never reached the API. UNCERTAIN.
	Message string `json:"message"`
}

var tokenRE = regexp.MustCompile(`\b[0-9a-fA-F]{32,128}\b`)

// repeatToken finds the original token in an OF-06 reply: error.token,
// a top-level token, a {"token": …} in details, or a long hex string in
// details or the message (UNCERTAIN, see errorReply).
func repeatToken(r errorReply) string {
	if r.Error == nil {
		return r.Token
	}
	if r.Error.Token != "" {
		return r.Error.Token
	}
	if r.Token != "" {
		return r.Token
	}
	for _, d := range r.Error.Details {
		var o struct {
			Token string `json:"token"`
		}
		if json.Unmarshal(d, &o) == nil && o.Token != "" {
			return o.Token
		}
		var s string
		if json.Unmarshal(d, &s) == nil {
			if m := tokenRE.FindString(s); m != "" {
				return m
			}
		}
	}
	return tokenRE.FindString(r.Error.Message)
}

// statusReply is GET …/status (public: the field is "estado").
type statusReply struct {
	Estado string `json:"estado"`
	Token  string `json:"token"`
}

// pdfReply is GET …/pdf (doc: {"pdf": base64}; public: with the folio).
type pdfReply struct {
	PDF   string          `json:"pdf"`
	Folio json.RawMessage `json:"folio"`
}

// jsonReply is GET /v2/dte/document/{token}/json (public): the document as
// OpenFactura keeps it, numbers possibly as strings. Read after an OF-06
// to learn the original document's folio and totals.
type jsonReply struct {
	JSON struct {
		Encabezado struct {
			IdDoc struct {
				TipoDTE json.RawMessage `json:"TipoDTE"`
				Folio   json.RawMessage `json:"Folio"`
				FchEmis string          `json:"FchEmis"`
			} `json:"IdDoc"`
			Totales struct {
				MntNeto  json.RawMessage `json:"MntNeto"`
				MntExe   json.RawMessage `json:"MntExe"`
				IVA      json.RawMessage `json:"IVA"`
				MntTotal json.RawMessage `json:"MntTotal"`
			} `json:"Totales"`
		} `json:"Encabezado"`
	} `json:"json"`
	Folio json.RawMessage `json:"folio"`
	Token string          `json:"token"`
}

// SII words the status call answers (doc), and "no status yet" as an
// empty or absent estado (UNCERTAIN: how "no status yet" is written).
const (
	EstadoAceptado  = "Aceptado"
	EstadoPendiente = "Pendiente"
	EstadoRechazado = "Rechazado"
	EstadoReparo    = "Aceptado con Reparo"
)

// dteOf writes folio's document the way OpenFactura takes it. Boletas
// (39/41) name the emisor RznSocEmisor/GiroEmisor and carry gross amounts
// without TasaIVA (doc); facturas keep the SII's RznSoc/GiroEmis. Folio is
// 0: OpenFactura assigns it (doc).
//
// UNCERTAIN: whether OpenFactura recomputes totals from the lines as
// LibreDTE does; folio sends its own Totales (the SII's schema requires
// them) and compares the issued total with them when it can read it.
func dteOf(doc dte.Document) map[string]any {
	h := doc.Encabezado
	t := h.IdDoc.TipoDTE
	id := map[string]any{"TipoDTE": int(t), "Folio": 0, "FchEmis": h.IdDoc.FchEmis}
	if t.IsBoleta() {
		// UNCERTAIN: IndServicio 3 ("venta y servicios") is what every
		// public boleta example sends; the doc does not name it.
		id["IndServicio"] = 3
	} else if h.IdDoc.MntBruto != 0 {
		id["MntBruto"] = h.IdDoc.MntBruto
	}
	em := map[string]any{"RUTEmisor": h.Emisor.RUTEmisor}
	if t.IsBoleta() {
		putStr(em, "RznSocEmisor", h.Emisor.RznSoc)
		putStr(em, "GiroEmisor", h.Emisor.GiroEmis)
	} else {
		putStr(em, "RznSoc", h.Emisor.RznSoc)
		putStr(em, "GiroEmis", h.Emisor.GiroEmis)
		if h.Emisor.Acteco != 0 {
			em["Acteco"] = h.Emisor.Acteco
		}
	}
	putStr(em, "DirOrigen", h.Emisor.DirOrigen)
	putStr(em, "CmnaOrigen", h.Emisor.CmnaOrigen)
	rc := map[string]any{"RUTRecep": h.Receptor.RUTRecep}
	putStr(rc, "RznSocRecep", h.Receptor.RznSocRecep)
	if !t.IsBoleta() {
		putStr(rc, "GiroRecep", h.Receptor.GiroRecep)
	}
	putStr(rc, "DirRecep", h.Receptor.DirRecep)
	putStr(rc, "CmnaRecep", h.Receptor.CmnaRecep)
	putStr(rc, "CorreoRecep", h.Receptor.CorreoRecep)
	tot := map[string]any{"MntTotal": h.Totales.MntTotal}
	if h.Totales.MntNeto != 0 || h.Totales.IVA != 0 {
		tot["MntNeto"] = h.Totales.MntNeto
		tot["IVA"] = h.Totales.IVA
		if !t.IsBoleta() {
			tot["TasaIVA"] = dte.IVA
		}
	}
	if h.Totales.MntExe != 0 {
		tot["MntExe"] = h.Totales.MntExe
	}
	lines := make([]map[string]any, 0, len(doc.Detalle))
	for _, d := range doc.Detalle {
		l := map[string]any{"NroLinDet": d.NroLinDet, "NmbItem": d.NmbItem, "QtyItem": d.QtyItem, "MontoItem": d.MontoItem}
		if d.PrcItem != 0 {
			l["PrcItem"] = d.PrcItem
		}
		if d.DescuentoMonto != 0 {
			l["DescuentoMonto"] = d.DescuentoMonto
		}
		if d.IndExe != 0 {
			l["IndExe"] = d.IndExe
		}
		if d.CdgItem != "" {
			l["CdgItem"] = map[string]any{"TpoCodigo": "INT1", "VlrCodigo": d.CdgItem}
		}
		lines = append(lines, l)
	}
	out := map[string]any{
		"Encabezado": map[string]any{"IdDoc": id, "Emisor": em, "Receptor": rc, "Totales": tot},
		"Detalle":    lines,
	}
	if len(doc.DscRcgGlobal) > 0 {
		out["DscRcgGlobal"] = doc.DscRcgGlobal
	}
	if len(doc.Referencia) > 0 {
		out["Referencia"] = doc.Referencia // doc: "OpenFactura takes the same Referencia array"
	}
	return out
}

func putStr(m map[string]any, k, v string) {
	if v = strings.TrimSpace(v); v != "" {
		m[k] = v
	}
}
