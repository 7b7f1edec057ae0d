package i18n

// Why an order action does not apply, and an ambiguous palette command.
func init() { extend(appliesCatalog) }

var appliesCatalog = map[ID]Msg{
	"applies.done":         {"no aplica: el pedido ya está listo", "does not apply: the order is done"},
	"applies.rejected":     {"no aplica: el SII rechazó el folio %d; solo cabe reemitir", "does not apply: the SII rejected folio %d; only a reissue does"},
	"applies.in_progress":  {"no aplica: el pedido está %s y el motor trabaja en él", "does not apply: the order is %s and the engine is working on it"},
	"applies.has_folio":    {"no aplica: el pedido ya tiene el folio %d", "does not apply: the order already has folio %d"},
	"flash.ambiguous_cmd":  {"✘ «:%s» puede ser %s: escriba más", "✘ “:%s” could be %s: type more"},
	"form.count":           {"%d/%d (límite del SII)", "%d/%d (the SII's limit)"},
	"form.cut":             {"%s del pedido tiene %d caracteres: el SII guarda %d, se recortó; revíselo", "the order's %s has %d characters: the SII keeps %d, it was cut; check it"},
	"prompt.filter_short":  {"filtro: ", "filter: "},
	"inspect.zone":         {"horas de %s", "times in %s"},
	"applies.no_credit":    {"no aplica: el pedido no necesita una nota de crédito", "does not apply: the order needs no credit note"},
	"applies.needs_credit": {"no aplica: la venta se anuló y el folio %d sigue vigente; solo cabe una nota de crédito", "does not apply: the sale was cancelled and folio %d stands; only a credit note does"},
	"applies.not_factura":  {"no aplica: el pedido no es una factura", "does not apply: the order is not a factura"},
}
