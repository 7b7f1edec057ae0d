package i18n

// OpenFactura: connect, connections, doctor, console.
func init() { extend(openFacturaCatalog) }

var openFacturaCatalog = map[ID]Msg{
	"conn.kind.openfactura":      {"OF", "OF"},
	"connect.of.prompt":          {"API key de OpenFactura (no se mostrará): ", "OpenFactura API key (it will not be shown): "},
	"connect.of.demo":            {"se usa la API key pública de demostración del ambiente de pruebas de Haulmer (emisor %s)", "using Haulmer's public demo API key for the sandbox (emisor %s)"},
	"connect.field.apikey":       {"API key", "API key"},
	"connect.err.no_apikey":      {"falta la API key de OpenFactura: pásela con --api-key o escríbala cuando se pida", "the OpenFactura API key is missing: give it with --api-key or type it when asked"},
	"connect.err.of_setup":       {"no se puede usar esa cuenta de OpenFactura: %s", "cannot use that OpenFactura account: %s"},
	"connect.err.of_auth":        {"no se conectó: OpenFactura rechazó la API key (HTTP %d); no se guardó nada. Copie de nuevo la API key desde OpenFactura y vuelva a intentar", "not connected: OpenFactura refused the API key (HTTP %d); nothing was saved. Copy the API key again from OpenFactura and try again"},
	"connect.err.of_unreachable": {"no se conectó: no se pudo hablar con OpenFactura en %s (%s); no se guardó nada. Revise --base-url y la red", "not connected: could not talk to OpenFactura at %s (%s); nothing was saved. Check --base-url and the network"},
	"connect.err.of_other":       {"no se conectó: OpenFactura respondió con un error al verificar la cuenta (%s); no se guardó nada. Revise --base-url y --api-key", "not connected: OpenFactura answered with an error when checking the account (%s); nothing was saved. Check --base-url and --api-key"},
	"connect.err.inv_other_conn": {"ya existe la conexión de facturador %q (%s) y folio emite con una sola: quítela antes con folio disconnect %s", "there is already an invoicer connection %q (%s) and folio issues through one: remove it first with folio disconnect %s"},
	"engine.err.two_invoicers":   {"hay %d conexiones de facturador (%s) y folio emite con una sola: deje una con folio disconnect NOMBRE", "there are %d invoicer connections (%s) and folio issues through one: keep one with folio disconnect NAME"},
	"doctor.inv.none":            {"no hay facturador conectado: no se puede emitir", "no invoicer is connected: nothing can be issued"},
	"doctor.inv.two":             {"hay %d conexiones de facturador (%s): folio emite con una sola y no arrancará así", "there are %d invoicer connections (%s): folio issues through one and will not start like this"},
	"doctor.of.ok":               {"OpenFactura acepta la API key (emisor %s, %s)", "OpenFactura accepts the API key (emisor %s, %s)"},
	"doctor.of.auth":             {"OpenFactura rechazó la API key (HTTP %d)", "OpenFactura refused the API key (HTTP %d)"},
	"doctor.invoicer.which":      {"los documentos se emiten con %s (conexión %q)", "documents are issued through %s (connection %q)"},
}
