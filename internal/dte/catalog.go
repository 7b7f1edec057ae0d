package dte

import "sort"

// Entry explains one error code in plain words: what happened, and what a
// person should do about it.
type Entry struct {
	Code    string
	Title   Text
	Explain Text
	Fix     Text
	// Retryable errors are tried again automatically with backoff.
	Retryable bool
	// NeedsPerson errors go straight to the Errors pane.
	NeedsPerson bool
}

// Lookup returns the catalog entry of code.
func Lookup(code string) (Entry, bool) {
	e, ok := catalog[code]
	return e, ok
}

// Codes lists every code in the catalog, sorted.
func Codes() []string {
	out := make([]string, 0, len(catalog))
	for c := range catalog {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// Explain returns the plain explanation of code in lang, or "" if unknown.
func Explain(code string, lang Lang) (title, explain, fix string) {
	e, ok := catalog[code]
	if !ok {
		return "", "", ""
	}
	return e.Title.In(lang), e.Explain.In(lang), e.Fix.In(lang)
}

func person(code string, title, explain, fix Text) Entry {
	return Entry{Code: code, Title: title, Explain: explain, Fix: fix, NeedsPerson: true}
}

func transient(code string, title, explain, fix Text) Entry {
	return Entry{Code: code, Title: title, Explain: explain, Fix: fix, Retryable: true}
}

var catalog = map[string]Entry{}

func init() {
	for _, e := range []Entry{
		// Validation of the order before anything is sent.
		person("DTE-NOT-JSON", Text{"El pedido no es JSON válido", "The order is not valid JSON"},
			Text{"No se pudo leer el pedido de Multivende como JSON.", "The Multivende order could not be read as JSON."},
			Text{"Revise el archivo o el pedido en Multivende.", "Check the file or the order in Multivende."}),
		person("DTE-NO-ITEMS", Text{"Pedido sin productos", "Order without items"},
			Text{"El pedido no tiene líneas que facturar.", "The order has no lines to invoice."},
			Text{"Revise el pedido en Multivende; si no corresponde documento, omítalo.", "Check the order in Multivende; if it needs no document, skip it."}),
		person("DTE-BAD-QTY", Text{"Cantidad inválida", "Invalid quantity"},
			Text{"Una línea tiene cantidad cero o negativa.", "A line has a zero or negative quantity."},
			Text{"Corrija la cantidad en Multivende y reintente.", "Fix the quantity in Multivende and retry."}),
		person("DTE-BAD-PRICE", Text{"Precio inválido", "Invalid price"},
			Text{"Una línea o el despacho tiene precio negativo.", "A line or the shipping has a negative price."},
			Text{"Corrija el precio en Multivende y reintente.", "Fix the price in Multivende and retry."}),
		person("DTE-DISCOUNT-TOO-LARGE", Text{"Descuento mayor que el monto", "Discount larger than the amount"},
			Text{"Un descuento de línea o un cupón supera el monto al que se aplica.", "A line discount or coupon is larger than the amount it applies to."},
			Text{"Revise descuentos y cupones del pedido en Multivende.", "Check the order's discounts and coupons in Multivende."}),
		person("DTE-TOTAL-NOT-POSITIVE", Text{"Total cero o negativo", "Zero or negative total"},
			Text{"El total del documento sería cero o negativo; el SII no acepta un documento así.", "The document's total would be zero or negative; the SII does not accept such a document."},
			Text{"Revise el pedido; si no corresponde documento, omítalo.", "Check the order; if it needs no document, skip it."}),
		person("DTE-RUT-INVALID", Text{"RUT inválido", "Invalid RUT"},
			Text{"El RUT del comprador no es válido (formato o dígito verificador).", "The buyer's RUT is not valid (format or check digit)."},
			Text{"Complete los datos del comprador con un RUT válido, o emita boleta.", "Complete the buyer's data with a valid RUT, or issue a boleta."}),
		person("DTE-FACTURA-DATA-MISSING", Text{"Faltan datos para la factura", "Factura data missing"},
			Text{"El comprador pidió factura, pero faltan datos obligatorios (RUT, razón social, giro, dirección o comuna).", "The buyer asked for a factura, but required data is missing (RUT, business name, giro, address or comuna)."},
			Text{"Complete los datos del comprador, o emita boleta.", "Complete the buyer's data, or issue a boleta."}),
		person("DTE-EMISOR-MISSING", Text{"Faltan datos del emisor", "Issuer data missing"},
			Text{"La configuración no tiene el RUT o los datos de la empresa emisora.", "The configuration lacks the issuing company's RUT or data."},
			Text{"Configure emisor.rut y los demás datos en config.yaml.", "Set emisor.rut and the other data in config.yaml."}),
		person("DTE-BAD-TYPE", Text{"Tipo de documento inválido", "Invalid document type"},
			Text{"El tipo pedido no es boleta ni factura.", "The type asked for is neither boleta nor factura."},
			Text{"Use auto, boleta o factura.", "Use auto, boleta or factura."}),
		person("DTE-AMOUNT-LIMIT", Text{"Monto sobre el máximo del SII", "Amount above the SII's limit"},
			Text{"Un precio, monto de línea, descuento o total supera lo que el esquema del SII admite para ese campo (precio unitario: 12 dígitos; montos y totales: 18 dígitos; descuento global: 16 dígitos). Un monto así suele ser un error del pedido.",
				"A price, line amount, discount or total exceeds what the SII's schema allows for that field (unit price: 12 digits; amounts and totals: 18 digits; global discount: 16 digits). Such an amount is usually a fault in the order."},
			Text{"Corrija el pedido en Multivende y reintente; si el monto es real, emita el documento directamente en el facturador y omita el pedido.",
				"Fix the order in Multivende and retry; if the amount is real, issue the document directly at the invoicer and skip the order."}),
		person("DTE-QTY-LIMIT", Text{"Cantidad sobre el máximo", "Quantity above the limit"},
			Text{"Una línea pide más de 1.000.000 unidades, el máximo que folio acepta por línea; una cantidad así (p. ej. 2.147.483.647) suele ser un error del pedido.",
				"A line asks for more than 1,000,000 units, the most folio accepts on one line; such a quantity (e.g. 2,147,483,647) is usually a fault in the order."},
			Text{"Corrija la cantidad en Multivende y reintente; si es real, emita el documento directamente en el facturador y omita el pedido.",
				"Fix the quantity in Multivende and retry; if it is real, issue the document directly at the invoicer and skip the order."}),
		person("DTE-PAID-NEGATIVE", Text{"Pago negativo", "Negative payment"},
			Text{"Multivende dice que lo pagado (o el total del pedido) es negativo: un comprador no paga menos que nada, así que no se emite un documento que lo contradiga.",
				"Multivende says what was paid (or the order's total) is negative: a buyer pays no less than nothing, so no document that contradicts it is issued."},
			Text{"Revise los pagos del pedido en Multivende; si fue reembolsado, omítalo.", "Check the order's payments in Multivende; if it was refunded, skip it."}),

		// Invoicer (provider-neutral).
		person("INV-BAD-DOC", Text{"El facturador rechazó el documento", "The invoicer rejected the document"},
			Text{"El facturador dijo que el documento no es válido.", "The invoicer said the document is not valid."},
			Text{"Lea el mensaje del facturador, corrija los datos y reintente.", "Read the invoicer's message, fix the data and retry."}),
		person("INV-AUTH", Text{"Credenciales del facturador rechazadas", "Invoicer credentials rejected"},
			Text{"El facturador no aceptó la llave de API.", "The invoicer did not accept the API key."},
			Text{"Vuelva a conectar la cuenta del facturador: folio connect libredte, o folio connect openfactura.", "Connect the invoicer account again: folio connect libredte, or folio connect openfactura."}),
		person("INV-FORBIDDEN", Text{"Sin permiso sobre el emisor", "No permission on the issuer"},
			Text{"La cuenta del facturador no tiene permiso para emitir por esta empresa.", "The invoicer account may not issue for this company."},
			Text{"Revise en el facturador que el usuario tenga permiso sobre el RUT emisor.", "Check in the invoicer that the user has permission on the issuer RUT."}),
		transient("INV-NOT-FOUND", Text{"No encontrado en el facturador", "Not found at the invoicer"},
			Text{"El facturador no encontró el documento pedido.", "The invoicer did not find the document asked for."},
			Text{"Se reintentará; si persiste, revise el documento en el facturador.", "It will be retried; if it persists, check the document at the invoicer."}),
		person("INV-NO-SIGNATURE", Text{"Sin firma electrónica", "No digital signature"},
			Text{"El facturador no tiene cargada una firma electrónica para emitir.", "The invoicer has no digital signature loaded to issue with."},
			Text{"Cargue la firma electrónica en el facturador y reintente.", "Load the digital signature at the invoicer and retry."}),
		person("INV-NO-FOLIOS", Text{"Sin folios disponibles", "No folios left"},
			Text{"Se acabaron los folios (CAF) de este tipo de documento.", "The folio range (CAF) for this document type is used up."},
			Text{"Solicite folios al SII, cárguelos en el facturador y reintente los pedidos.", "Request folios from the SII, load them into the invoicer and retry the orders."}),
		transient("INV-SERVER", Text{"Falla del facturador", "Invoicer failure"},
			Text{"El facturador respondió con un error interno.", "The invoicer answered with an internal error."},
			Text{"Se reintentará automáticamente.", "It will be retried automatically."}),
		transient("INV-TIMEOUT", Text{"El facturador no respondió a tiempo", "The invoicer timed out"},
			Text{"La llamada al facturador no terminó a tiempo.", "The call to the invoicer did not finish in time."},
			Text{"Se reintentará automáticamente.", "It will be retried automatically."}),
		person("INV-PRICE-TYPE", Text{"Tipo de precio mal configurado", "Price type misconfigured"},
			Text{"El facturador no está configurado con «Solo items afectos con precio bruto».", "The invoicer is not set to \"Solo items afectos con precio bruto\" (only taxable items, gross prices)."},
			Text{"Cambie el tipo de precio en la configuración del facturador.", "Change the price type in the invoicer's settings."}),

		// LibreDTE.
		person("LD-TOTALS-MISMATCH", Text{"LibreDTE calculó otros totales", "LibreDTE computed different totals"},
			Text{"Antes de pedir el folio, folio comparó los totales del documento temporal de LibreDTE con los suyos y no coinciden. El pedido se detuvo: no se usó ningún folio. El mensaje trae ambas cifras y la causa probable.",
				"Before asking for the folio, folio compared the totals of LibreDTE's temporary document with its own and they differ. The order was stopped: no folio was used. The message has both figures and the likely cause."},
			Text{"Si LibreDTE sumó IVA a los precios, configure en LibreDTE el tipo de precio «Solo items afectos con precio bruto» y reintente. Si la diferencia es de un peso (regla de redondeo), revise el documento y emítalo en LibreDTE, o avise a soporte de folio.",
				"If LibreDTE added VAT to the prices, set LibreDTE's price type to \"Solo items afectos con precio bruto\" and retry. If the difference is one peso (a rounding rule), check the document and issue it in LibreDTE, or tell folio's support."}),
		person("LD-NOT-API", Text{"La URL no es la API de LibreDTE", "The URL is not LibreDTE's API"},
			Text{"La dirección configurada responde, pero no como la API de LibreDTE (una página web o un 404 que no es JSON).", "The configured address answers, but not as LibreDTE's API (a web page, or a 404 that is not JSON)."},
			Text{"Conecte de nuevo con la raíz de la API, la URL que termina en /api: folio connect libredte --base-url https://SU-SERVIDOR/api", "Connect again with the API root, the URL ending in /api: folio connect libredte --base-url https://YOUR-SERVER/api"}),

		// OpenFactura.
		person("OF-06", Text{"OpenFactura ya emitió el documento de este pedido", "OpenFactura already issued this order's document"},
			Text{"OpenFactura respondió OF-06: la Idempotency-Key de este pedido ya se usó, así que el documento ya existe. folio lo adopta como emitido; este error aparece solo cuando no pudo leer cuál es.",
				"OpenFactura answered OF-06: this order's Idempotency-Key was already used, so the document exists. folio adopts it as issued; this error shows only when it could not read which one it is."},
			Text{"Busque el documento en OpenFactura (mismo tipo, fecha y total) y omita el pedido o regístrelo a mano; no lo emita de nuevo.",
				"Find the document in OpenFactura (same type, date and total) and skip the order or record it by hand; do not issue it again."}),
		person("OF-EMISOR-DATA", Text{"Faltan los datos del emisor para OpenFactura", "The emisor's data are missing for OpenFactura"},
			Text{"OpenFactura toma la razón social y el giro del emisor de cada documento, y la configuración de folio no los tiene; no se envió nada.",
				"OpenFactura takes the emisor's razón social and giro from each document, and folio's config does not have them; nothing was sent."},
			Text{"Configure emisor.razon_social y emisor.giro (folio config show) y reintente los pedidos.", "Set emisor.razon_social and emisor.giro (folio config show) and retry the orders."}),
		person("OF-NO-REFERENCE", Text{"Sin referencia del pedido para OpenFactura", "No order reference for OpenFactura"},
			Text{"folio no pudo derivar la Idempotency-Key porque el documento llegó sin el pedido al que pertenece; no se envió nada.",
				"folio could not derive the Idempotency-Key because the document came without the order it belongs to; nothing was sent."},
			Text{"Reintente el pedido; si se repite, avise a soporte de folio.", "Retry the order; if it happens again, tell folio's support."}),

		// SII.
		person("SII-RCH", Text{"Rechazado por el SII", "Rejected by the SII"},
			Text{"El SII rechazó el documento.", "The SII rejected the document."},
			Text{"Lea el motivo del SII; corrija y emita un nuevo documento.", "Read the SII's reason; fix it and issue a new document."}),
		person("SII-RSC", Text{"Rechazado por esquema", "Rejected for schema"},
			Text{"El SII rechazó el envío porque no cumple el esquema.", "The SII rejected the submission because it does not match the schema."},
			Text{"Revise el documento en el facturador y contacte a su soporte.", "Check the document at the invoicer and contact its support."}),
		person("SII-RFR", Text{"Rechazado por firma", "Rejected for signature"},
			Text{"El SII rechazó el envío por un error en la firma.", "The SII rejected the submission for a signature error."},
			Text{"Revise la firma electrónica en el facturador.", "Check the digital signature at the invoicer."}),
		person("SII-RCT", Text{"Rechazado por carátula", "Rejected for the cover"},
			Text{"El SII rechazó la carátula del envío.", "The SII rejected the submission's cover."},
			Text{"Revise el envío en el facturador y contacte a su soporte.", "Check the submission at the invoicer and contact its support."}),
		{Code: "SII-RLV", Title: Text{"Aceptado con reparos leves", "Accepted with minor objections"},
			Explain: Text{"El SII aceptó el documento con observaciones menores.", "The SII accepted the document with minor objections."},
			Fix:     Text{"No requiere acción; revise las observaciones si se repiten.", "No action needed; review the objections if they repeat."}},
		{Code: "SII-EPR", Title: Text{"Envío procesado", "Submission processed"},
			Explain: Text{"El SII procesó el envío.", "The SII processed the submission."},
			Fix:     Text{"No requiere acción.", "No action needed."}},
		{Code: "SII-PENDING", Title: Text{"En proceso en el SII", "In process at the SII"},
			Explain: Text{"El SII aún no termina de revisar el envío (SOK, CRT, FOK o PDR).", "The SII has not finished checking the submission (SOK, CRT, FOK or PDR)."},
			Fix:     Text{"No requiere acción; folio volverá a consultar.", "No action needed; folio will ask again."}},

		// Multivende.
		person("MV-AUTH", Text{"Multivende rechazó el acceso", "Multivende refused access"},
			Text{"Multivende no aceptó el token de la conexión.", "Multivende did not accept the connection's token."},
			Text{"Vuelva a conectar: folio connect multivende.", "Connect again: folio connect multivende."}),
		transient("MV-RATE", Text{"Límite de Multivende", "Multivende rate limit"},
			Text{"Multivende pidió esperar antes de más solicitudes.", "Multivende asked to wait before more requests."},
			Text{"Se reintentará automáticamente.", "It will be retried automatically."}),
		person("MV-NOT-FOUND", Text{"No encontrado en Multivende", "Not found in Multivende"},
			Text{"Multivende no encontró el pedido o documento.", "Multivende did not find the order or document."},
			Text{"Revise que el pedido exista en Multivende; si no, omítalo.", "Check that the order exists in Multivende; if not, skip it."}),
		transient("MV-SERVER", Text{"Falla de Multivende", "Multivende failure"},
			Text{"Multivende respondió con un error interno.", "Multivende answered with an internal error."},
			Text{"Se reintentará automáticamente.", "It will be retried automatically."}),
		transient("MV-TIMEOUT", Text{"Multivende no respondió a tiempo", "Multivende timed out"},
			Text{"La llamada a Multivende no terminó a tiempo.", "The call to Multivende did not finish in time."},
			Text{"Se reintentará automáticamente.", "It will be retried automatically."}),
		transient("MV-DECODE", Text{"Respuesta de Multivende ilegible", "Unreadable Multivende reply"},
			Text{"Multivende respondió algo que folio no pudo leer.", "Multivende answered something folio could not read."},
			Text{"Se reintentará; si persiste, vea el registro HTTP del pedido.", "It will be retried; if it persists, see the order's HTTP log."}),
		person("MV-BAD-AMOUNT", Text{"Monto ilegible en el pedido", "Unreadable amount in the order"},
			Text{"Un monto o cantidad del pedido en Multivende no es un número entero de pesos (p. ej. \"NaN\", 12990.5, 1e999999, \"0x32BE\" o \"25980/2\"). No es una falla pasajera: reintentar no lo cambia. El mensaje dice qué campo y qué valor.",
				"An amount or quantity of the order in Multivende is not a whole number of pesos (e.g. \"NaN\", 12990.5, 1e999999, \"0x32BE\" or \"25980/2\"). It is not a passing failure: retrying does not change it. The message names the field and the value."},
			Text{"Corrija el pedido en Multivende (o pida a soporte de Multivende que lo haga) y reintente; si no corresponde documento, omítalo.",
				"Fix the order in Multivende (or ask Multivende's support to) and retry; if it needs no document, skip it."}),
		person("MV-PDF-TOO-LARGE", Text{"PDF demasiado grande", "PDF too large"},
			Text{"El PDF supera 1 MB, el máximo que acepta Multivende.", "The PDF is over 1 MB, the most Multivende accepts."},
			Text{"Configure un PDF más liviano en el facturador (p. ej. papel continuo) y reintente.", "Set a lighter PDF at the invoicer (e.g. continuous paper) and retry."}),
		person("MV-NEEDS-RECONNECT", Text{"Hay que reconectar Multivende", "Multivende must be reconnected"},
			Text{"El permiso de la conexión venció o fue revocado; folio no puede renovarlo solo.", "The connection's grant expired or was revoked; folio cannot renew it alone."},
			Text{"Ejecute: folio connect multivende --name NOMBRE", "Run: folio connect multivende --name NAME"}),

		// Engine.
		person("UNCERTAIN", Text{"Resultado incierto — verificar antes de reintentar", "Uncertain — verify before retrying"},
			Text{"La emisión pudo haberse realizado, pero la respuesta se perdió y no se pudo confirmar. Reintentar a ciegas podría emitir dos documentos.", "The document may have been issued, but the reply was lost and could not be confirmed. Retrying blindly could issue two documents."},
			Text{"Busque el documento en el facturador: si existe, omita el pedido indicando el folio; si no, reintente.", "Look for the document at the invoicer: if it exists, skip the order noting the folio; if not, retry."}),
		person("NEEDS-CREDIT-NOTE", Text{"Requiere nota de crédito", "Needs a credit note"},
			Text{"El pedido se anuló o reembolsó después de emitir su documento.", "The order was cancelled or refunded after its document was issued."},
			Text{"Revise la nota de crédito propuesta y confírmela (tecla n, o folio order credit ID --yes; --lines para una devolución parcial): folio la emite una vez y la adjunta al pedido.", "Review the proposed credit note and confirm it (key n, or folio order credit ID --yes; --lines for a partial return): folio issues it once and attaches it to the order."}),
		person("MAX-ATTEMPTS", Text{"Demasiados intentos", "Too many attempts"},
			Text{"El pedido falló en cada intento automático.", "The order failed on every automatic attempt."},
			Text{"Lea el último error y reintente cuando esté resuelto.", "Read the last error and retry once it is resolved."}),
		transient("WAITING-RECONNECT", Text{"Esperando que se reconecte Multivende", "Waiting for Multivende to be reconnected"},
			Text{"La conexión de este pedido perdió su permiso; el pedido espera sin gastar intentos y sigue solo al reconectar.", "This order's connection lost its grant; the order waits without using attempts and goes on by itself once reconnected."},
			Text{"Ejecute: folio connect multivende --name NOMBRE", "Run: folio connect multivende --name NAME"}),
	} {
		catalog[e.Code] = e
	}
}
