package i18n

// Reissue: a document the SII rejected has no legal effect; the order gets
// a replacement with a new folio (engine, console, CLI).
func init() { extend(reissueCatalog) }

var reissueCatalog = map[ID]Msg{
	"event.reissue": {"reemisión pedida por %s: el folio %s (rechazado por el SII) queda registrado como rechazado; se emitirá un documento nuevo con otro folio",
		"reissue requested by %s: folio %s (rejected by the SII) stays recorded as rejected; a new document with another folio will be issued"},
	"event.reissue_mv_attached": {"el documento rechazado (folio %s) sigue adjunto en el pedido de Multivende (documento %s): Multivende no ofrece una llamada para quitarlo; márquelo como rechazado o elimínelo en el panel de Multivende",
		"the rejected document (folio %s) remains attached to the Multivende order (document %s): Multivende offers no call to remove it; mark it as rejected or delete it in Multivende's panel"},
	"event.reissue_mv_none": {"folio no registró el documento rechazado (folio %s) como adjunto en Multivende: al adjuntar el reemplazo se revisa el pedido allí y, si aparece, se anota aquí",
		"folio has no record of the rejected document (folio %s) being attached in Multivende: when the replacement is attached the order is checked there and, if it shows, it is noted here"},
	"reissue.refuse_retry": {"el SII rechazó el folio %d de este pedido: reintentar no lo arregla; corrija la causa y reemita (tecla %s en la consola, o folio order reissue %s)",
		"the SII rejected folio %d of this order: a retry does not fix it; fix the cause and reissue (key %s in the console, or folio order reissue %s)"},
	"reissue.refuse_none": {"el pedido %s no tiene un documento rechazado por el SII: no hay nada que reemitir",
		"order %s has no document rejected by the SII: there is nothing to reissue"},
	"reissue.refuse_change": {"el SII rechazó el folio %d: el documento se cambia al reemitir (lee el pedido de nuevo en Multivende); corrija allí los datos, o reemita y luego corrija si el documento nuevo falla",
		"the SII rejected folio %d: the document changes when it is reissued (the order is read again from Multivende); fix the data there, or reissue and then correct it if the new document fails"},
	"reissue.refuse_state": {"el pedido %s está %s: solo se reemite un pedido en Errores por un rechazo del SII",
		"order %s is %s: only an order in Errors for an SII rejection is reissued"},
	"reissue.confirm_cli": {"¿Reemitir %s? El folio %d rechazado queda registrado y se emite un documento nuevo con otro folio. Corrija antes la causa del rechazo.",
		"Reissue %s? Rejected folio %d stays recorded and a new document with another folio is issued. Fix the rejection's cause first."},
	// Short enough for [s/N] to show at 80 columns.
	"reissue.confirm": {"¿Reemitir %s? Folio %d rechazado queda registrado; se emite otro. [s/N]",
		"Reissue %s? Rejected folio %d stays recorded; a new one is issued. [y/N]"},
	"key.reissue":            {"reemitir (rechazo SII)", "reissue (SII rejection)"},
	"inspect.earlier_errors": {"errores anteriores: %d (vea el historial)", "earlier errors: %d (see the timeline)"},
	"reissue.requested":      {"reemisión pedida para %s", "reissue requested for %s"},
	"reissue.needs_yes": {"reemitir emite un documento legal nuevo: confirme con --yes (folio order reissue %s --yes)",
		"reissuing issues a new legal document: confirm with --yes (folio order reissue %s --yes)"},
	"reissue.unavailable": {"reemitir: solo para un pedido en Errores cuyo documento rechazó el SII",
		"reissue: only for an order in Errors whose document the SII rejected"},
}
