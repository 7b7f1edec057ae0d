package i18n

// Which rule chose boleta or factura (internal/multivende DocumentRule). The
// engine writes them to the timeline, so every argument is a string.
func init() { extend(ruleCatalog) }

var ruleCatalog = map[ID]Msg{
	"rule.identity": {"factura: el pedido trae la identidad de facturación del comprador (RUT %s, razón social y giro, en %s)",
		"factura: the order carries the buyer's billing identity (RUT %s, razón social and giro, in %s)"},
	"rule.company": {"factura: una empresa dio su RUT %s (en %s), aunque faltan datos de facturación",
		"factura: a company gave its RUT %s (in %s), though billing data is missing"},
	"rule.mapping": {"factura: campo configurado %s = %s", "factura: configured field %s = %s"},
	"rule.legacy":  {"campo billingDocumentType = %s", "field billingDocumentType = %s"},
	"rule.partial": {"boleta: datos de facturación incompletos (falta %s)", "boleta: incomplete billing data (missing %s)"},
	"rule.none":    {"boleta: sin datos de facturación", "boleta: no billing data"},
	"rule.person":  {"%s: elegida por una persona", "%s: chosen by a person"},
	"rule.heading": {"Regla: %s", "Rule: %s"},
}
