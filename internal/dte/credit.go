package dte

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ReturnLine is one returned line of an issued document: its NroLinDet and
// how many units came back (0: the whole line).
type ReturnLine struct {
	Line int
	Qty  int64
}

// CreditOptions steer CreditNote.
type CreditOptions struct {
	// Date is the 61's FchEmis, YYYY-MM-DD.
	Date string
	// Lines are the returned lines; none means the whole document is
	// cancelled (CodRef 1).
	Lines []ReturnLine
	// Reason is RazonRef; empty uses a default that says what was done.
	Reason string
}

// MaxRazonRef is the SII's limit of RazonRef (characters).
const MaxRazonRef = 90

// Default reasons, the document's own text (Spanish, like GlosaDerived).
const (
	RazonAnula      = "Anula documento por pedido cancelado"
	RazonDevolucion = "Devolución de mercadería"
)

// ReturnWindowMonths is how long returned goods may be credited for the
// IVA adjustment (Ley 21.398; invoicers.md "Credit notes").
const ReturnWindowMonths = 6

// ReturnWindowEnd is the last day a credit note for returned goods keeps
// its IVA adjustment: the original's date plus six months.
func ReturnWindowEnd(fchEmis string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, fchEmis)
	if err != nil {
		return time.Time{}, fmt.Errorf("original date %q: %w", fchEmis, err)
	}
	return d.AddDate(0, ReturnWindowMonths, 0), nil
}

// ParseReturnLines reads --lines: comma-separated NroLinDet, each with an
// optional ":qty" ("1,3:2" returns line 1 whole and 2 units of line 3).
func ParseReturnLines(s string) ([]ReturnLine, error) {
	var out []ReturnLine
	seen := map[int]bool{}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		ln, qs, hasQty := strings.Cut(part, ":")
		n, err := strconv.Atoi(strings.TrimSpace(ln))
		var q int64
		if err == nil && hasQty {
			q, err = strconv.ParseInt(strings.TrimSpace(qs), 10, 64)
			if err == nil && q <= 0 {
				err = fmt.Errorf("quantity %d", q)
			}
		}
		if err != nil || n <= 0 || seen[n] {
			return nil, invalid("DTE-NC-BAD-LINES", "--lines", part,
				Text{fmt.Sprintf("línea devuelta %q no válida", part), fmt.Sprintf("returned line %q is not valid", part)},
				Text{"use números de línea del documento, cada uno una vez, con cantidad opcional: 1,3:2", "use the document's line numbers, each once, with an optional quantity: 1,3:2"})
		}
		seen[n] = true
		out = append(out, ReturnLine{Line: n, Qty: q})
	}
	return out, nil
}

// CreditNote builds the nota de crédito (61) that cancels orig, an issued
// document (its Folio and FchEmis set), or credits only the returned
// lines. A whole cancellation (no lines, or every line whole) copies the
// original's lines and totals with CodRef 1; a partial return keeps only
// the returned lines with CodRef 3, prorating line and global discounts,
// and computes the totals from the gross lines as Build does.
func CreditNote(orig Document, opt CreditOptions) (Document, []Warning, error) {
	oid := orig.Encabezado.IdDoc
	switch oid.TipoDTE {
	case Boleta, BoletaExenta, Factura, FacturaExenta:
	default:
		return Document{}, nil, invalid("DTE-NC-BAD-REF", "Referencia.TpoDocRef", fmt.Sprint(int(oid.TipoDTE)),
			Text{fmt.Sprintf("no se emite nota de crédito para %s", oid.TipoDTE.Name()), fmt.Sprintf("folio issues no credit note for a %s", oid.TipoDTE.Name())},
			Text{"referencie una boleta (39, 41) o factura (33, 34)", "reference a boleta (39, 41) or factura (33, 34)"})
	}
	if oid.Folio <= 0 {
		return Document{}, nil, invalid("DTE-NC-BAD-REF", "Referencia.FolioRef", fmt.Sprint(oid.Folio),
			Text{"el documento original no tiene folio", "the original document has no folio"},
			Text{"emita primero el documento, o indique su folio", "issue the document first, or give its folio"})
	}
	if _, err := time.Parse(time.DateOnly, oid.FchEmis); err != nil {
		return Document{}, nil, invalid("DTE-NC-BAD-REF", "Referencia.FchRef", oid.FchEmis,
			Text{"fecha del documento original no válida", "the original document's date is not valid"},
			Text{"use AAAA-MM-DD", "use YYYY-MM-DD"})
	}

	lines, whole, err := returnedLines(orig.Detalle, opt.Lines)
	if err != nil {
		return Document{}, nil, err
	}
	var doc Document
	doc.Encabezado.Emisor = orig.Encabezado.Emisor
	doc.Encabezado.Receptor = orig.Encabezado.Receptor
	id := &doc.Encabezado.IdDoc
	id.TipoDTE = NotaCredito
	id.FchEmis = opt.Date
	id.MntBruto = oid.MntBruto
	codRef, reason := CodRefAnula, RazonAnula
	if whole {
		doc.Detalle = append([]Detalle(nil), orig.Detalle...)
		doc.DscRcgGlobal = append([]DscRcgGlobal(nil), orig.DscRcgGlobal...)
		doc.Encabezado.Totales = orig.Encabezado.Totales
	} else {
		codRef, reason = CodRefCorrigeMontos, RazonDevolucion
		doc.Detalle = lines
		if err := creditTotals(&doc, orig); err != nil {
			return Document{}, nil, err
		}
	}
	var warns []Warning
	if r := strings.TrimSpace(opt.Reason); r != "" {
		reason = r
	}
	reason, w := limit("Referencia.RazonRef", reason, MaxRazonRef)
	warns = append(warns, w...)
	doc.Referencia = []Referencia{{NroLinRef: 1, TpoDocRef: oid.TipoDTE, FolioRef: strconv.FormatInt(oid.Folio, 10),
		FchRef: oid.FchEmis, CodRef: codRef, RazonRef: reason}}
	warns = append(warns, cleanDocument(&doc)...)

	if end, err := ReturnWindowEnd(oid.FchEmis); err == nil && opt.Date > end.Format(time.DateOnly) {
		warns = append(warns, Warning{Code: "DTE-NC-WINDOW", Field: "Referencia.FchRef", Message: Text{
			fmt.Sprintf("pasaron más de %d meses desde el documento original (%s, plazo hasta %s): la devolución de mercadería ya no ajusta el IVA (Ley 21.398)", ReturnWindowMonths, oid.FchEmis, end.Format(time.DateOnly)),
			fmt.Sprintf("more than %d months have passed since the original (%s, window until %s): returned goods no longer adjust IVA (Ley 21.398)", ReturnWindowMonths, oid.FchEmis, end.Format(time.DateOnly))}})
	}
	return doc, warns, nil
}

// returnedLines picks the returned lines, renumbered, with their quantity
// and a prorated line discount. whole reports every line returned whole.
func returnedLines(orig []Detalle, ret []ReturnLine) ([]Detalle, bool, error) {
	if len(ret) == 0 {
		return nil, true, nil
	}
	byNro := make(map[int]Detalle, len(orig))
	for _, l := range orig {
		byNro[l.NroLinDet] = l
	}
	out := make([]Detalle, 0, len(ret))
	whole := len(ret) == len(orig)
	for _, r := range ret {
		l, ok := byNro[r.Line]
		if !ok {
			return nil, false, invalid("DTE-NC-BAD-LINES", "--lines", fmt.Sprint(r.Line),
				Text{fmt.Sprintf("el documento no tiene la línea %d (tiene %d)", r.Line, len(orig)), fmt.Sprintf("the document has no line %d (it has %d)", r.Line, len(orig))},
				Text{"use los números de línea del documento emitido", "use the issued document's line numbers"})
		}
		q := r.Qty
		if q == 0 {
			q = l.QtyItem
		}
		if q > l.QtyItem {
			return nil, false, invalid("DTE-NC-BAD-LINES", "--lines", fmt.Sprintf("%d:%d", r.Line, q),
				Text{fmt.Sprintf("se devuelven %d unidades de la línea %d, que tiene %d", q, r.Line, l.QtyItem), fmt.Sprintf("%d units of line %d are returned, but it has %d", q, r.Line, l.QtyItem)},
				Text{"indique a lo más la cantidad emitida", "give at most the issued quantity"})
		}
		if q < l.QtyItem {
			whole = false
			// QtyItem ≤ MaxQtyItem and PrcItem ≤ MaxPrcItem: no overflow.
			l.DescuentoMonto = scaleRound(l.DescuentoMonto, q, l.QtyItem)
			l.QtyItem = q
			l.MontoItem = l.PrcItem*q - l.DescuentoMonto
		}
		l.NroLinDet = len(out) + 1
		out = append(out, l)
	}
	return out, whole, nil
}

// creditTotals computes a partial return's totals: global discounts of the
// original are prorated to the returned share of its taxable gross, then
// the net comes from the gross as in Build.
func creditTotals(doc *Document, orig Document) error {
	var origGross int64
	for _, l := range orig.Detalle {
		if l.IndExe != 1 {
			origGross += l.MontoItem
		}
	}
	gross, exempt, err := sumLines(doc.Detalle)
	if err != nil {
		return err
	}
	retGross := gross
	for _, d := range orig.DscRcgGlobal {
		if d.TpoMov != "D" || d.IndExeDR == 1 || origGross <= 0 {
			continue
		}
		v := d.ValorDR
		if d.TpoValor == "%" {
			v = scaleRound(retGross, d.ValorDR, 100)
		} else {
			v = scaleRound(v, retGross, origGross)
		}
		if v == 0 {
			continue
		}
		doc.DscRcgGlobal = append(doc.DscRcgGlobal, DscRcgGlobal{NroLinDR: len(doc.DscRcgGlobal) + 1, TpoMov: "D",
			GlosaDR: d.GlosaDR, TpoValor: "$", ValorDR: v})
		gross -= v
	}
	if gross < 0 {
		gross = 0
	}
	tot := &doc.Encabezado.Totales
	tot.MntExe = exempt
	if gross > 0 || len(doc.DscRcgGlobal) > 0 {
		tot.TasaIVA = IVA
		tot.MntNeto = NetFromGross(gross)
		tot.IVA = gross - tot.MntNeto
	} else {
		doc.Encabezado.IdDoc.MntBruto = 0
	}
	tot.MntTotal = tot.MntNeto + tot.IVA + tot.MntExe
	if tot.MntTotal <= 0 || tot.MntTotal > orig.Encabezado.Totales.MntTotal {
		return invalid("DTE-NC-TOTAL", "Totales.MntTotal", fmt.Sprint(tot.MntTotal),
			Text{fmt.Sprintf("el total de la nota de crédito (%s) no está entre 1 y el del original (%s)", FormatCLP(tot.MntTotal), FormatCLP(orig.Encabezado.Totales.MntTotal)),
				fmt.Sprintf("the credit note's total (%s) is not between 1 and the original's (%s)", FormatCLP(tot.MntTotal), FormatCLP(orig.Encabezado.Totales.MntTotal))},
			Text{"revise las líneas devueltas", "check the returned lines"})
	}
	return nil
}
