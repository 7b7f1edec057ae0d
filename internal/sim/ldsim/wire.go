package ldsim

// The simulator's side of LibreDTE's wire formats, in one place. Shapes
// follow LibreDTE's public code (libredte-app-community, Module/Dte):
//
//   - emitir answers {"emisor","receptor","dte","codigo"} (Documentos.php).
//   - generar answers the dte_emitido record, get_object_vars order
//     (Model/DteEmitido.php columns); receptor is cut from "NNNNNNNN-D"
//     with substr, so it is a string; xml is false unless getXML.
//   - dte_tmps/info answers the dte_tmp record (Model/DteTmp.php columns);
//     datos only with ?getDatosDte=1.
//   - dte_emitidos/buscar answers Contribuyente::getDocumentosEmitidos rows,
//     or 404 when nothing matches.
//   - actualizar_estado answers {"track_id","revision_estado",
//     "revision_detalle"}; estado answers the same for boletas and the
//     SII's whole RESP_HDR (ESTADO, GLOSA_ESTADO, ERR_CODE, GLOSA_ERR,
//     NUM_ATENCION, all text as PHP casts SimpleXML) for other types.
//   - dte_tmps/eliminar deletes a temporary document and answers true.
//   - errors are a bare JSON string with the status as the class.
//
// Choices the sources leave open, made here: messages not quoted from
// LibreDTE are Spanish in its style; the SII's review goes REC → SOK → CRT →
// FOK → PRD → EPR/RLV/RCH over Options.SIIDelay; RESP_HDR says DOK once the
// document is accepted and FAU (not received) before that or when rejected,
// with ERR_CODE/GLOSA_ERR and a NUM_ATENCION "N (AAAA/MM/DD HH:MM:SS)" of
// the simulator's making.

// Error messages. Those quoted from LibreDTE's code say so.
const (
	msgAuth          = "Usuario no autenticado: revise el hash de la API (HTTP Basic, el hash como usuario y X como contraseña)."
	msgForbidden     = "No está autorizado a operar con la empresa solicitada."               // LibreDTE
	msgNoEmisor      = "Debe especificar RUTEmisor en el objeto JSON."                        // LibreDTE (404)
	msgNoDetalle     = "Debe enviar el detalle del documento"                                 // LibreDTE (400)
	msgNotJSON       = "Debe enviar el DTE en formato: json."                                 // LibreDTE (400)
	msgTmpMissing    = "No existe el DTE temporal solicitado."                                // LibreDTE, generar (404)
	msgTmpInfo       = "No existe el documento temporal solicitado."                          // LibreDTE, dte_tmps/info (404)
	msgBuscarNone    = "No se encontraron documentos emitidos que coincidan con la búsqueda." // LibreDTE (404)
	msgFirmaEstado   = "No existe firma asociada."                                            // LibreDTE, estado (506)
	msgKeyMissing    = "Debe especificar: "                                                   // LibreDTE, generar (404) + column
	msgFirmaGenerar  = "No existe una firma electrónica asociada a la empresa que se pueda utilizar para generar el DTE. Antes de intentar generar nuevamente el DTE, debe subir una firma electrónica vigente."
	msgFirmaActualiz = "No existe una firma electrónica asociada a la empresa que se pueda utilizar para usar esta opción. Antes de intentarlo nuevamente, debe subir una firma electrónica vigente."
)

// tmpKeyReply is emitir's reply.
type tmpKeyReply struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	DTE      int    `json:"dte"`
	Codigo   string `json:"codigo"`
}

// emitidoReply is generar's reply: the dte_emitido record.
type emitidoReply struct {
	Emisor            int64   `json:"emisor"`
	DTE               int     `json:"dte"`
	Folio             int64   `json:"folio"`
	Certificacion     int     `json:"certificacion"`
	Tasa              int     `json:"tasa"`
	Fecha             string  `json:"fecha"`
	SucursalSII       *int    `json:"sucursal_sii"`
	Receptor          string  `json:"receptor"`
	Exento            *int64  `json:"exento"`
	Neto              *int64  `json:"neto"`
	IVA               int64   `json:"iva"`
	Total             int64   `json:"total"`
	Usuario           int     `json:"usuario"`
	XML               bool    `json:"xml"`
	TrackID           int64   `json:"track_id"`
	RevisionEstado    *string `json:"revision_estado"`
	RevisionDetalle   *string `json:"revision_detalle"`
	Anulado           int     `json:"anulado"`
	IVAFueraPlazo     int     `json:"iva_fuera_plazo"`
	CesionXML         *string `json:"cesion_xml"`
	CesionTrackID     *int64  `json:"cesion_track_id"`
	ReceptorEvento    *string `json:"receptor_evento"`
	FechaHoraCreacion string  `json:"fecha_hora_creacion"`
	Mipyme            *int64  `json:"mipyme"`
	Extra             any     `json:"extra"`
}

// tmpInfoReply is dte_tmps/info's reply: the dte_tmp record.
type tmpInfoReply struct {
	Emisor      int64  `json:"emisor"`
	Receptor    int64  `json:"receptor"`
	DTE         int    `json:"dte"`
	Codigo      string `json:"codigo"`
	Tipo        string `json:"tipo"` // dte_tipo's name, as the record's getTipo() gives it
	Fecha       string `json:"fecha"`
	Total       int64  `json:"total"`
	Datos       any    `json:"datos"`
	SucursalSII *int   `json:"sucursal_sii"`
	Usuario     int    `json:"usuario"`
	Extra       any    `json:"extra"`
}

// buscarRow is one row of dte_emitidos/buscar.
type buscarRow struct {
	DTE               int     `json:"dte"`
	Tipo              string  `json:"tipo"`
	Folio             int64   `json:"folio"`
	Receptor          int64   `json:"receptor"`
	RazonSocial       string  `json:"razon_social"`
	Fecha             string  `json:"fecha"`
	Total             int64   `json:"total"`
	Estado            *string `json:"estado"`
	Intercambio       *string `json:"intercambio"`
	SucursalSII       *int    `json:"sucursal_sii"`
	Usuario           string  `json:"usuario"`
	HasXML            bool    `json:"has_xml"`
	TrackID           int64   `json:"track_id"`
	FechaHoraCreacion string  `json:"fecha_hora_creacion"`
}

// revisionReply is actualizar_estado's reply (and estado's for boletas).
type revisionReply struct {
	TrackID         int64   `json:"track_id"`
	RevisionEstado  string  `json:"revision_estado"`
	RevisionDetalle *string `json:"revision_detalle"`
}

// respHdr is estado's reply for types other than boletas: the SII's
// QueryEstDte RESP_HDR.
type respHdr struct {
	Estado      string `json:"ESTADO"`
	GlosaEstado string `json:"GLOSA_ESTADO"`
	ErrCode     string `json:"ERR_CODE"`
	GlosaErr    string `json:"GLOSA_ERR"`
	NumAtencion string `json:"NUM_ATENCION"`
}

// apiUser is the simulated account's user id and name.
const (
	apiUserID   = 1
	apiUserName = "folio"
)

// tipoName is LibreDTE's dte_tipo.tipo for the types the account may issue.
var tipoName = map[int]string{
	33: "Factura electrónica",
	34: "Factura no afecta o exenta electrónica",
	39: "Boleta electrónica",
	41: "Boleta no afecta o exenta electrónica",
	56: "Nota de débito electrónica",
	61: "Nota de crédito electrónica",
}

// timestamp is PostgreSQL's timestamp text as LibreDTE returns it.
const timestamp = "2006-01-02 15:04:05"
