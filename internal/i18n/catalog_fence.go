package i18n

// Folios the invoicer issued that no order claims (doctor).
func init() { extend(unclaimedCatalog) }

var unclaimedCatalog = map[ID]Msg{
	"doctor.ld.unclaimed_ok": {"los %d documentos que LibreDTE emitió en los últimos %d días pertenecen cada uno a un pedido",
		"each of the %d documents LibreDTE issued in the last %d days belongs to an order"},
	"doctor.ld.unclaimed_bad": {"%d documentos emitidos en LibreDTE en los últimos %d días no pertenecen a ningún pedido: %s",
		"%d documents issued in LibreDTE in the last %d days belong to no order: %s"},
	"doctor.ld.unclaimed_one":   {"%s folio %d del %s por %s", "%s folio %d of %s for %s"},
	"doctor.ld.unclaimed_named": {" (el pedido %s, en Errores, lo nombra)", " (order %s, in Errors, names it)"},
	"doctor.ld.unclaimed_fix": {"cada uno es un documento legal: si un pedido en Errores lo nombra, revíselo (folio order show ID) y confirme en LibreDTE que es suyo; si no es de ningún pedido, anúlelo con una nota de crédito. Un pedido que se está emitiendo justo ahora puede aparecer aquí un momento: vuelva a ejecutar folio doctor",
		"each is a legal document: if an order in Errors names it, look at it (folio order show ID) and confirm in LibreDTE that it is that order's; if it belongs to no order, cancel it with a credit note. An order being issued right now may show here for a moment: run folio doctor again"},
	"doctor.emisor.ok":      {"emisor %s (%s): razón social, giro, dirección y comuna configurados", "emisor %s (%s): razón social, giro, address and comuna configured"},
	"doctor.emisor.missing": {"faltan datos del emisor, que van en cada documento: %s", "the emisor's data, written on every document, is missing: %s"},
	"doctor.emisor.fix": {"complételos en config.yaml (emisor: rut, razon_social, giro, direccion, comuna) o con FOLIO_EMISOR_RUT, FOLIO_EMISOR_RAZON_SOCIAL, …; folio config show dice de dónde sale cada valor",
		"fill them in config.yaml (emisor: rut, razon_social, giro, direccion, comuna) or with FOLIO_EMISOR_RUT, FOLIO_EMISOR_RAZON_SOCIAL, …; folio config show says where each value comes from"},
	"doctor.ld.unclaimed_err":     {"no se pudo listar lo emitido en LibreDTE en los últimos %d días: %s", "could not list what LibreDTE issued in the last %d days: %s"},
	"doctor.ld.unclaimed_err_fix": {"revise el mensaje de LibreDTE y vuelva a ejecutar folio doctor", "read LibreDTE's message and run folio doctor again"},
}
