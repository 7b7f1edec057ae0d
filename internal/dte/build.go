package dte

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Choice is the --type option: which document to issue.
type Choice string

// Choices of document type.
const (
	ChoiceAuto    Choice = "auto"
	ChoiceBoleta  Choice = "boleta"
	ChoiceFactura Choice = "factura"
)

// ParseChoice reads auto, boleta or factura.
func ParseChoice(s string) (Choice, error) {
	switch c := Choice(strings.ToLower(strings.TrimSpace(s))); c {
	case "", ChoiceAuto:
		return ChoiceAuto, nil
	case ChoiceBoleta, ChoiceFactura:
		return c, nil
	}
	return "", invalid("DTE-BAD-TYPE", "--type", s,
		Text{fmt.Sprintf("tipo %q desconocido", s), fmt.Sprintf("unknown type %q", s)},
		Text{"use auto, boleta o factura", "use auto, boleta or factura"})
}

// Options steer Build.
type Options struct {
	// Choice overrides what the buyer asked for (auto follows the buyer).
	Choice Choice
	// Buyer, when set, replaces the order's buyer data (a person completed
	// a factura's data in the console).
	Buyer *Buyer
}

// Field limits of the SII (characters, not bytes) and line counts (dte.md).
const (
	MaxNmbItem       = 80
	MaxRznSocRecep   = 100
	MaxGiroRecep     = 40
	MaxDirRecep      = 70
	MaxCmnaRecep     = 20
	MaxCorreoRecep   = 80 // SII limit; dte.md is silent
	MaxLinesFactura  = 60
	MaxLinesBoleta   = 1000
	ShippingLineName = "Costo de envío"
	// GlosaDerived marks the global discount derived from the order's total
	// (the document's text; the preview names it in the reader's language).
	GlosaDerived = "Descuento del pedido"
)

// Build turns a sale into a document following dte.md: it chooses boleta or
// factura, fills the receptor, writes gross lines, shipping and coupons,
// computes the totals in integer CLP, and enforces the SII's limits, cutting
// long texts visibly (each cut is a Warning). A sale that cannot become a
// valid document returns a *ValidationError saying what to fix.
func Build(s Sale, opt Options) (Document, []Warning, error) {
	var doc Document
	var warns []Warning
	buyer := s.Buyer
	if opt.Buyer != nil {
		buyer = *opt.Buyer
	}

	factura := s.Requested == RequestFactura
	switch opt.Choice {
	case ChoiceBoleta:
		factura = false
	case ChoiceFactura:
		factura = true
	case "", ChoiceAuto:
	default:
		_, err := ParseChoice(string(opt.Choice))
		return doc, nil, err
	}

	lines, err := buildLines(s)
	if err != nil {
		return doc, nil, err
	}
	if err := checkSaleTotals(s); err != nil {
		return doc, nil, err
	}

	// Totals: taxable gross G (after global discounts) and exempt E, each
	// within MntTotal's limit (so no sum or difference below can wrap).
	gross, exempt, err := sumLines(lines)
	if err != nil {
		return doc, nil, err
	}
	var discounts []DscRcgGlobal
	for _, c := range s.Coupons {
		if c == 0 {
			continue
		}
		if c < 0 {
			return doc, nil, invalid("DTE-BAD-PRICE", "CheckoutPayments.couponAmount", fmt.Sprint(c),
				Text{fmt.Sprintf("cupón negativo (%d)", c), fmt.Sprintf("negative coupon (%d)", c)},
				Text{"corrija el cupón en Multivende", "fix the coupon in Multivende"})
		}
		if c > MaxValorDR {
			return doc, nil, overLimit("DTE-AMOUNT-LIMIT", "CheckoutPayments.couponAmount", "ValorDR", c, MaxValorDR)
		}
		discounts = append(discounts, DscRcgGlobal{NroLinDR: len(discounts) + 1, TpoMov: "D", TpoValor: "$", ValorDR: c})
		gross -= c
	}
	if s.OrderTotal > 0 {
		switch sum := gross + exempt; {
		case sum > s.OrderTotal:
			// No public field carries a coupon: what the lines exceed the
			// order's total by is a global discount, labelled as derived.
			d := sum - s.OrderTotal
			discounts = append(discounts, DscRcgGlobal{NroLinDR: len(discounts) + 1, TpoMov: "D", TpoValor: "$", ValorDR: d, GlosaDR: GlosaDerived})
			gross -= d
		case sum < s.OrderTotal:
			warns = append(warns, Warning{Code: "DTE-TOTAL-ABOVE-LINES", Field: "total", Message: Text{
				fmt.Sprintf("el total del pedido (%s) supera la suma de las líneas con envío (%s): no se agrega un recargo; revise el pedido", FormatCLP(s.OrderTotal), FormatCLP(sum)),
				fmt.Sprintf("the order's total (%s) exceeds the lines with shipping (%s): no surcharge is added; check the order", FormatCLP(s.OrderTotal), FormatCLP(sum))}})
		}
	}
	if gross < 0 {
		return doc, nil, invalid("DTE-DISCOUNT-TOO-LARGE", "DscRcgGlobal", fmt.Sprint(-gross),
			Text{"los cupones superan el monto afecto", "the coupons exceed the taxable amount"},
			Text{"revise los cupones del pedido en Multivende", "check the order's coupons in Multivende"})
	}
	if gross+exempt <= 0 {
		return doc, nil, invalid("DTE-TOTAL-NOT-POSITIVE", "Totales.MntTotal", fmt.Sprint(gross+exempt),
			Text{"el total es cero o negativo", "the total is zero or negative"},
			Text{"revise el pedido; si no corresponde documento, omítalo", "check the order; if it needs no document, skip it"})
	}
	allExempt := gross == 0 && len(discounts) == 0

	maxLines := MaxLinesBoleta
	if factura {
		maxLines = MaxLinesFactura
	}
	if len(lines) > maxLines {
		var w Warning
		lines, w = foldLines(lines, maxLines)
		warns = append(warns, w)
	}
	for i := range lines {
		lines[i].NroLinDet = i + 1
	}

	id := &doc.Encabezado.IdDoc
	id.FchEmis = s.Date
	tot := &doc.Encabezado.Totales
	tot.MntExe = exempt
	switch {
	case factura && allExempt:
		id.TipoDTE = FacturaExenta
	case factura:
		id.TipoDTE = Factura
	case allExempt:
		id.TipoDTE = BoletaExenta
	default:
		id.TipoDTE = Boleta
	}
	if !allExempt {
		id.MntBruto = 1
		tot.TasaIVA = IVA
		tot.MntNeto = NetFromGross(gross)
		// The net is derived from the gross sum and IVA is what is left, so
		// the total is exactly what the buyer paid. On a factura this is
		// LibreDTE's calcularNetoIVA for gross lines (MntBruto = 1); the
		// net-then-IVA rule (IVAOf) would differ from what LibreDTE issues
		// by a peso on about one gross amount in six.
		tot.IVA = gross - tot.MntNeto
	}
	tot.MntTotal = tot.MntNeto + tot.IVA + tot.MntExe

	doc.Encabezado.Emisor = s.Emisor
	if factura {
		rec, w, err := facturaReceptor(buyer)
		if err != nil {
			return Document{}, nil, err
		}
		doc.Encabezado.Receptor = rec
		warns = append(warns, w...)
	} else {
		name := strings.TrimSpace(buyer.Name)
		if name == "" {
			name = strings.TrimSpace(buyer.BusinessName)
		}
		if name == "" {
			name = "Sin RUT"
		}
		name, w := limit("Receptor.RznSocRecep", name, MaxRznSocRecep)
		warns = append(warns, w...)
		doc.Encabezado.Receptor = Receptor{RUTRecep: GenericRUT.String(), RznSocRecep: name}
	}

	for i := range lines {
		var w []Warning
		lines[i].NmbItem, w = limit(fmt.Sprintf("Detalle[%d].NmbItem", i+1), lines[i].NmbItem, MaxNmbItem)
		warns = append(warns, w...)
	}
	doc.Detalle = lines
	doc.DscRcgGlobal = discounts
	warns = append(warns, cleanDocument(&doc)...)
	if err := checkLimits(doc); err != nil {
		return Document{}, nil, err
	}

	// A factura's total is its gross lines exactly (neto and IVA are
	// derived from it), so it too must equal what was paid.
	if s.Paid > 0 && tot.MntTotal != s.Paid {
		warns = append(warns, Warning{Code: "DTE-PAID-DIFFERS", Field: "Totales.MntTotal", Message: Text{
			fmt.Sprintf("el total del documento (%d) difiere de lo pagado (%d)", tot.MntTotal, s.Paid),
			fmt.Sprintf("the document's total (%d) differs from what was paid (%d)", tot.MntTotal, s.Paid)}})
	}
	return doc, warns, nil
}

// buildLines validates the items and writes them, plus shipping, as lines.
func buildLines(s Sale) ([]Detalle, error) {
	if len(s.Items) == 0 {
		return nil, invalid("DTE-NO-ITEMS", "CheckoutItems", "",
			Text{"el pedido no tiene productos", "the order has no items"},
			Text{"revise el pedido en Multivende; si no corresponde documento, omítalo", "check the order in Multivende; if it needs no document, skip it"})
	}
	lines := make([]Detalle, 0, len(s.Items)+1)
	for i, it := range s.Items {
		field := fmt.Sprintf("CheckoutItems[%d]", i)
		if it.Qty <= 0 {
			return nil, invalid("DTE-BAD-QTY", field+".count", fmt.Sprint(it.Qty),
				Text{fmt.Sprintf("cantidad %d de %q no es positiva", it.Qty, it.Name), fmt.Sprintf("quantity %d of %q is not positive", it.Qty, it.Name)},
				Text{"corrija la cantidad en Multivende", "fix the quantity in Multivende"})
		}
		if it.Qty > MaxQtyItem {
			return nil, overLimit("DTE-QTY-LIMIT", field+".count", "QtyItem", it.Qty, MaxQtyItem)
		}
		if it.UnitGross < 0 {
			return nil, invalid("DTE-BAD-PRICE", field+".gross", fmt.Sprint(it.UnitGross),
				Text{fmt.Sprintf("precio %d de %q es negativo", it.UnitGross, it.Name), fmt.Sprintf("price %d of %q is negative", it.UnitGross, it.Name)},
				Text{"corrija el precio en Multivende", "fix the price in Multivende"})
		}
		if it.UnitGross > MaxPrcItem {
			return nil, overLimit("DTE-AMOUNT-LIMIT", field+".gross", "PrcItem", it.UnitGross, MaxPrcItem)
		}
		// Within both limits the product has at most 18 digits; checked anyway.
		amount, ok := MulChecked(it.UnitGross, it.Qty)
		if !ok || amount > MaxMonto {
			return nil, overLimit("DTE-AMOUNT-LIMIT", field+".gross", "MontoItem", fmt.Sprintf("%d × %d", it.Qty, it.UnitGross), MaxMonto)
		}
		if it.Discount < 0 || it.Discount > amount {
			return nil, invalid("DTE-DISCOUNT-TOO-LARGE", field+".discount", fmt.Sprint(it.Discount),
				Text{fmt.Sprintf("descuento %d de %q no está entre 0 y el monto de la línea (%s)", it.Discount, it.Name, FormatCLP(amount)), fmt.Sprintf("discount %d of %q is not between 0 and the line amount (%s)", it.Discount, it.Name, FormatCLP(amount))},
				Text{"corrija el descuento en Multivende", "fix the discount in Multivende"})
		}
		name := strings.TrimSpace(it.Name)
		if name == "" {
			name = strings.TrimSpace(it.SKU)
		}
		if name == "" {
			name = "Producto"
		}
		l := Detalle{CdgItem: strings.TrimSpace(it.SKU), NmbItem: name, QtyItem: it.Qty, PrcItem: it.UnitGross,
			DescuentoMonto: it.Discount, MontoItem: amount - it.Discount}
		if it.Exempt {
			l.IndExe = 1
		}
		lines = append(lines, l)
	}
	if s.Shipping < 0 {
		return nil, invalid("DTE-BAD-PRICE", "DeliveryOrder.cost", fmt.Sprint(s.Shipping),
			Text{"costo de envío negativo", "negative shipping cost"},
			Text{"corrija el despacho en Multivende", "fix the shipping in Multivende"})
	}
	if s.Shipping > MaxPrcItem {
		return nil, overLimit("DTE-AMOUNT-LIMIT", "DeliveryOrder.cost", "PrcItem", s.Shipping, MaxPrcItem)
	}
	if s.Shipping > 0 {
		lines = append(lines, Detalle{NmbItem: ShippingLineName, QtyItem: 1, PrcItem: s.Shipping, MontoItem: s.Shipping})
	}
	return lines, nil
}

// foldLines keeps the first lines and folds the rest into one line per tax
// class, so the totals stay exact while the line count fits the limit.
func foldLines(lines []Detalle, max int) ([]Detalle, Warning) {
	var restTaxable, restExempt Detalle
	var nTaxable, nExempt int
	keep := max - 2
	// If every folded line has one tax class, one summary line suffices.
	exemptSeen, taxableSeen := false, false
	for _, l := range lines[max-1:] {
		if l.IndExe == 1 {
			exemptSeen = true
		} else {
			taxableSeen = true
		}
	}
	if !(exemptSeen && taxableSeen) {
		keep = max - 1
	}
	for _, l := range lines[keep:] {
		if l.IndExe == 1 {
			restExempt.MontoItem += l.MontoItem
			nExempt++
		} else {
			restTaxable.MontoItem += l.MontoItem
			nTaxable++
		}
	}
	out := append([]Detalle(nil), lines[:keep]...)
	if nTaxable > 0 {
		out = append(out, Detalle{NmbItem: fmt.Sprintf("Otros %d productos", nTaxable), QtyItem: 1, PrcItem: restTaxable.MontoItem, MontoItem: restTaxable.MontoItem})
	}
	if nExempt > 0 {
		out = append(out, Detalle{NmbItem: fmt.Sprintf("Otros %d productos exentos", nExempt), QtyItem: 1, PrcItem: restExempt.MontoItem, MontoItem: restExempt.MontoItem, IndExe: 1})
	}
	n := nTaxable + nExempt
	return out, Warning{Code: "DTE-LINES-FOLDED", Field: "Detalle", Message: Text{
		fmt.Sprintf("%d líneas superan el máximo de %d: las últimas %d se agruparon en una línea resumen", len(lines), max, n),
		fmt.Sprintf("%d lines exceed the limit of %d: the last %d were grouped into a summary line", len(lines), max, n)}}
}

// facturaReceptor checks a factura's buyer data: a valid company RUT and
// every field LibreDTE requires. Nothing is turned into a boleta silently.
func facturaReceptor(b Buyer) (Receptor, []Warning, error) {
	rut, err := ParseRUT(b.RUT)
	if err != nil || rut == GenericRUT {
		val := strings.TrimSpace(b.RUT)
		return Receptor{}, nil, invalid("DTE-RUT-INVALID", "Receptor.RUTRecep", val,
			Text{fmt.Sprintf("RUT %q no es válido para factura", val), fmt.Sprintf("RUT %q is not valid for a factura", val)},
			Text{"complete los datos del comprador con un RUT válido, o emita boleta", "complete the buyer's data with a valid RUT, or issue a boleta"})
	}
	name := strings.TrimSpace(b.BusinessName)
	if name == "" {
		name = strings.TrimSpace(b.Name)
	}
	r := Receptor{RUTRecep: rut.String(), RznSocRecep: name, GiroRecep: strings.TrimSpace(b.Giro),
		DirRecep: strings.TrimSpace(b.Address), CmnaRecep: strings.TrimSpace(b.Comuna), CorreoRecep: strings.TrimSpace(b.Email)}
	var missing []string
	for _, f := range []struct{ name, v string }{
		{"RznSocRecep", r.RznSocRecep}, {"GiroRecep", r.GiroRecep}, {"DirRecep", r.DirRecep}, {"CmnaRecep", r.CmnaRecep},
	} {
		if f.v == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		list := strings.Join(missing, ", ")
		return Receptor{}, nil, invalid("DTE-FACTURA-DATA-MISSING", "Receptor."+missing[0], "",
			Text{"faltan datos del comprador para la factura: " + list, "the factura lacks buyer data: " + list},
			Text{"complete los datos del comprador, o emita boleta", "complete the buyer's data, or issue a boleta"})
	}
	var warns, w []Warning
	r.RznSocRecep, w = limit("Receptor.RznSocRecep", r.RznSocRecep, MaxRznSocRecep)
	warns = append(warns, w...)
	r.GiroRecep, w = limit("Receptor.GiroRecep", r.GiroRecep, MaxGiroRecep)
	warns = append(warns, w...)
	r.DirRecep, w = limit("Receptor.DirRecep", r.DirRecep, MaxDirRecep)
	warns = append(warns, w...)
	r.CmnaRecep, w = limit("Receptor.CmnaRecep", r.CmnaRecep, MaxCmnaRecep)
	warns = append(warns, w...)
	r.CorreoRecep, w = limit("Receptor.CorreoRecep", r.CorreoRecep, MaxCorreoRecep)
	warns = append(warns, w...)
	return r, warns, nil
}

// limit cuts s to max characters (runes), reporting the cut as a warning.
func limit(field, s string, max int) (string, []Warning) {
	if utf8.RuneCountInString(s) <= max {
		return s, nil
	}
	cut := strings.TrimRight(string([]rune(s)[:max]), " ")
	return cut, []Warning{{Code: "DTE-TRUNCATED", Field: field, Message: Text{
		fmt.Sprintf("%s recortado a %d caracteres: %q", field, max, cut),
		fmt.Sprintf("%s cut to %d characters: %q", field, max, cut)}}}
}
