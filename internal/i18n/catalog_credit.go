package i18n

// Credit notes: an order cancelled or refunded after its document was
// issued is cancelled by a nota de crédito (61) (engine, console, CLI).
func init() { extend(creditCatalog) }

var creditCatalog = map[ID]Msg{
	"event.credit_requested": {"nota de crédito pedida por %s: anula %s folio %s (CodRef %s) por %s; se emite una vez y se adjunta al pedido",
		"credit note requested by %s: it cancels %s folio %s (CodRef %s) for %s; it is issued once and attached to the order"},
	"event.credit_warning": {"aviso de la nota de crédito: %s", "credit note warning: %s"},
	"credit.refuse_done": {"el pedido %s ya tiene su nota de crédito (emitida o en curso): no se emite otra",
		"order %s already has its credit note (issued or under way): no other is issued"},
	"credit.refuse_state": {"el pedido %s no espera una nota de crédito: solo un pedido en Errores por NEEDS-CREDIT-NOTE (anulado o reembolsado después de emitir)",
		"order %s is not waiting for a credit note: only an order in Errors for NEEDS-CREDIT-NOTE (cancelled or refunded after issuing)"},
	"credit.refuse_retry": {"el pedido se anuló después de emitir el folio %d: reintentar no lo arregla; emita la nota de crédito (tecla %s en la consola, o folio order credit %s), u omítalo si ya la emitió en el facturador",
		"the order was cancelled after folio %d was issued: a retry does not fix it; issue the credit note (key %s in the console, or folio order credit %s), or skip it if you issued one at the invoicer"},
	"credit.confirm_cli": {"¿Emitir la nota de crédito de %s? Anula el folio %d (%s) ante el SII y se adjunta al pedido; no se puede deshacer.",
		"Issue the credit note of %s? It cancels folio %d (%s) before the SII and is attached to the order; it cannot be undone."},
	"credit.needs_yes": {"la nota de crédito es un documento legal: confirme con --yes (folio order credit %s --yes)",
		"a credit note is a legal document: confirm with --yes (folio order credit %s --yes)"},
	"credit.requested": {"nota de crédito pedida para %s", "credit note requested for %s"},
	// Short enough for [s/N] to show at 80 columns.
	"credit.confirm": {"¿Nota de crédito para %s? Anula el folio %d. [s/N]",
		"Credit note for %s? It cancels folio %d. [y/N]"},
	"key.credit":         {"nota de crédito", "credit note"},
	"credit.unavailable": {"nota de crédito: solo para un pedido en Errores por anulación después de emitir", "credit note: only for an order in Errors cancelled after issuing"},
}
