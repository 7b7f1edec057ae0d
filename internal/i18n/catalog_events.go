package i18n

// The engine's timeline, in both languages. The Spanish text is what the
// store keeps; every argument is a string (%s), as the store keeps them.
func init() { extend(eventCatalog) }

var eventCatalog = map[ID]Msg{
	"event.seen_paid":       {"pedido recibido: pago recibido, en cola", "order received: payment received, queued"},
	"event.seen_unpaid":     {"pedido recibido: esperando pago (%s)", "order received: waiting for payment (%s)"},
	"event.paid":            {"pago recibido: en cola para emitir", "payment received: queued to be issued"},
	"event.unpaid":          {"el pedido ya no está pagado (%s, %s): en espera", "the order is no longer paid (%s, %s): waiting"},
	"event.not_paid":        {"el pedido no está pagado (%s, %s): en espera", "the order is not paid (%s, %s): waiting"},
	"event.building":        {"leyendo el pedido en Multivende", "reading the order in Multivende"},
	"event.existing":        {"el pedido ya tiene documento en Multivende; no se emite otro", "the order already has a document in Multivende; no other is issued"},
	"event.built":           {"documento armado: %s, total %s", "document built: %s, total %s"},
	"event.built_warn":      {"documento armado: %s, total %s; avisos: %s", "document built: %s, total %s; warnings: %s"},
	"event.issuing":         {"reanudando la emisión", "resuming the issue"},
	"event.prepared":        {"documento temporal creado en el facturador (aún sin folio); intención registrada", "temporary document created at the invoicer (no folio yet); intent recorded"},
	"event.uncertain":       {"la respuesta del facturador se perdió: se verificará antes de reintentar", "the invoicer's reply was lost: it will be checked before retrying"},
	"event.folio":           {"folio %s asignado", "folio %s assigned"},
	"event.adopted":         {"el facturador ya había emitido el documento: se adopta sin emitir otro", "the invoicer had already issued the document: adopted, no other issued"},
	"event.attached":        {"documento creado en el pedido de Multivende; subiendo el PDF", "document created on the Multivende order; uploading the PDF"},
	"event.attaching":       {"reanudando la subida del PDF", "resuming the PDF upload"},
	"event.done":            {"documento adjunto en Multivende", "document attached in Multivende"},
	"event.done_folio":      {"%s %s adjuntada en Multivende", "%s %s attached in Multivende"},
	"event.skipped":         {"omitido por %s: %s", "skipped by %s: %s"},
	"event.requeued_retry":  {"reintento pedido", "retry requested"},
	"event.requeued_batch":  {"reintento pedido (en lote)", "retry requested (in a batch)"},
	"event.requeued_buyer":  {"datos del comprador corregidos; se vuelve a armar el documento", "buyer data corrected; the document is built again"},
	"event.requeued_boleta": {"se emitirá boleta", "a boleta will be issued"},
	"event.sii":             {"SII: %s (%s)", "SII: %s (%s)"},
}
