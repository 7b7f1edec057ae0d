package i18n

// Attaching documents in Multivende: the per-connection settings, doctor's
// check of them and the console's synchronization status.
func init() { extend(attachCatalog) }

var attachCatalog = map[ID]Msg{
	"connect.err.bad_doc_type": {"--doc-type %q no sirve: escriba TIPO=VALOR con un tipo de DTE (33, 34, 39, 41, 56, 61), por ejemplo --doc-type 33=electronic_billing_electronic_invoice",
		"--doc-type %q will not do: write TYPE=VALUE with a DTE type (33, 34, 39, 41, 56, 61), for example --doc-type 33=electronic_billing_electronic_invoice"},

	"doctor.mv.attach_ok": {"los documentos se adjuntan como proveedor %s, emisor %s; tipos %s", "documents are attached as provider %s, emitter %s; types %s"},
	"doctor.mv.no_emitter": {"no hay ElectronicBillingDocumentEmitterId: los documentos se adjuntan sin él (proveedor %s, tipos %s); la integración pública conocida envía uno propio de cada comercio, y Multivende podría rechazar o no mostrar el documento sin él",
		"there is no ElectronicBillingDocumentEmitterId: documents are attached without one (provider %s, types %s); the known public integration sends one of its own per merchant, and Multivende may refuse or hide the document without it"},
	"doctor.mv.fix_emitter": {"pida a Multivende el id de emisor del comercio y guárdelo: folio connect multivende --name %s --emitter-id ID (o multivende.emitter_id en la configuración)",
		"ask Multivende for the merchant's emitter id and save it: folio connect multivende --name %s --emitter-id ID (or multivende.emitter_id in the config)"},

	"inspect.mv_doc": {"En Multivende: documento %s, sincronización: %s", "In Multivende: document %s, synchronization: %s"},
	"inspect.mv_sync_pending": {"«Pendiente» es lo normal cuando el comercio no activó el envío automático de documentos en Multivende: el PDF ya está adjunto al pedido, pero Multivende no lo envía al marketplace hasta que alguien lo haga o active ese envío.",
		"\"Pendiente\" (pending) is normal when the merchant did not switch on automatic sending of documents in Multivende: the PDF is attached to the order, but Multivende does not send it on to the marketplace until someone does or switches that sending on."},
	"inspect.mv_sync_other": {"Es el estado que Multivende informa para el archivo del documento.", "It is the status Multivende reports for the document's file."},
}
