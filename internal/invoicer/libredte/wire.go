package libredte

// LibreDTE's wire formats as folio reads them. invoicers.md gives the
// paths; the reply shapes follow LibreDTE's public code (the dte_emitido
// record: emisor and receptor as RUT numbers without check digit, dte,
// folio, fecha, total, track_id, revision_estado, revision_detalle). Where
// folio had to choose, the choice is here and nowhere else.

// tmpKey is emitir's reply: the temporary document's key. generar takes it
// back as its body; it is also the intent folio records.
type tmpKey struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	DTE      int    `json:"dte"`
	Codigo   string `json:"codigo"`
	// Fecha and Total identify the document when resolving (not sent by
	// every LibreDTE version; folio fills them from the document).
	Fecha string `json:"fecha,omitempty"`
	Total int64  `json:"total,omitempty"`
}

// emitted is generar's reply and an entry of dte_emitidos/buscar.
type emitted struct {
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor,omitempty"`
	DTE      int    `json:"dte"`
	Folio    int64  `json:"folio"`
	Fecha    string `json:"fecha"`
	Total    int64  `json:"total"`
	Neto     int64  `json:"neto,omitempty"`
	IVA      int64  `json:"iva,omitempty"`
	Exento   int64  `json:"exento,omitempty"`
	TrackID  int64  `json:"track_id,omitempty"`
}

// searchQuery is the body of POST /dte/dte_emitidos/buscar/{emisor}.
type searchQuery struct {
	DTE      int    `json:"dte"`
	Receptor int64  `json:"receptor"`
	Fecha    string `json:"fecha"`
	Total    int64  `json:"total"`
}

// status is the reply of estado / actualizar_estado: the SII's review as
// LibreDTE records it, revision_estado written "EPR - Envío Procesado".
type status struct {
	TrackID         int64  `json:"track_id"`
	RevisionEstado  string `json:"revision_estado"`
	RevisionDetalle string `json:"revision_detalle"`
}

const (
	pathEmitir  = "/dte/documentos/emitir?normalizar=1&formato=json"
	pathGenerar = "/dte/documentos/generar"
	// %d receptor, %d dte, %s codigo, %d emisor
	pathTmpInfo = "/dte/dte_tmps/info/%d/%d/%s/%d"
	pathBuscar  = "/dte/dte_emitidos/buscar/%d"
	// %d dte, %d folio, %d emisor
	pathPDF    = "/dte/dte_emitidos/pdf/%d/%d/%d"
	pathEstado = "/dte/dte_emitidos/estado/%d/%d/%d"
)
