package dte

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
)

// Amount limits of the SII's schema (schema_dte.zip: DTE_v10.xsd with
// SiiTypes_v10.xsd, read from the copy kept in cordada/lib-cl-sii-python):
//
//   - QtyItem and PrcItem are Dec12_6Type: at most 999999999999.999999,
//     12 digits before the point;
//   - MontoItem, MntNeto, MntExe, IVA and MntTotal are MontoType, and
//     DescuentoMonto MntImpType: 18 digits;
//   - ValorDR is Dec16_2Type: at most 9999999999999999.99, 16 digits
//     before the point.
//
// The boleta schema (EnvioBOLETA) was not at hand; folio assumes it types
// these fields the same way. 18 digits fit in an int64, so every limit is
// checked before anything can wrap.
const (
	MaxPrcItem = 999_999_999_999
	MaxMonto   = 999_999_999_999_999_999
	MaxValorDR = 9_999_999_999_999_999
	// MaxQtyItem is folio's own limit, far below the schema's 12 digits:
	// no checkout line sells a million units, and a count such as
	// 2 147 483 647 (the largest 32-bit number) is a fault upstream. With
	// it, a line (MaxQtyItem × MaxPrcItem) stays within MontoItem's 18 digits.
	MaxQtyItem = 1_000_000
)

// MulChecked returns a × b and whether it fits in an int64.
func MulChecked(a, b int64) (int64, bool) {
	hi, lo := bits.Mul64(abs(a), abs(b))
	if hi != 0 {
		return 0, false
	}
	if (a < 0) != (b < 0) {
		if lo > 1<<63 {
			return 0, false
		}
		return int64(-lo), true // -lo wraps to the two's complement of lo
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}

// AddChecked returns a + b and whether it fits in an int64.
func AddChecked(a, b int64) (int64, bool) {
	c := a + b
	if (a > 0 && b > 0 && c < 0) || (a < 0 && b < 0 && c >= 0) {
		return 0, false
	}
	return c, true
}

// abs is |v| as a uint64 (|MinInt64| included).
func abs(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}

// overLimit refuses an amount or quantity above the SII's limit (or
// folio's, for a quantity), naming the field, the SII field and the limit.
func overLimit(code, field, siiField string, value any, limit int64) *ValidationError {
	lim := FormatCLP(limit)[1:] // the digits with dots, no $
	fix := Text{"corrija el pedido en Multivende; si el monto es real, emita el documento directamente en el facturador",
		"fix the order in Multivende; if the amount is real, issue the document directly at the invoicer"}
	if code == "DTE-QTY-LIMIT" {
		fix = Text{"corrija la cantidad en Multivende; si es real, emita el documento directamente en el facturador",
			"fix the quantity in Multivende; if it is real, issue the document directly at the invoicer"}
		return invalid(code, field, fmt.Sprint(value),
			Text{fmt.Sprintf("la cantidad %v supera el máximo de %s unidades por línea (%s)", value, lim, siiField),
				fmt.Sprintf("the quantity %v exceeds the limit of %s units per line (%s)", value, lim, siiField)}, fix)
	}
	return invalid(code, field, fmt.Sprint(value),
		Text{fmt.Sprintf("el monto %v supera el máximo del SII para %s (%s)", value, siiField, lim),
			fmt.Sprintf("the amount %v exceeds the SII's limit for %s (%s)", value, siiField, lim)}, fix)
}

// sumLines adds the lines' amounts into taxable gross and exempt, checked.
func sumLines(lines []Detalle) (gross, exempt int64, err error) {
	for _, l := range lines {
		var ok bool
		if l.IndExe == 1 {
			exempt, ok = AddChecked(exempt, l.MontoItem)
		} else {
			gross, ok = AddChecked(gross, l.MontoItem)
		}
		if !ok || gross > MaxMonto || exempt > MaxMonto {
			// The message gives the true sum, which may not fit an int64.
			sum := new(big.Int)
			for _, l := range lines {
				sum.Add(sum, big.NewInt(l.MontoItem))
			}
			return 0, 0, overLimit("DTE-AMOUNT-LIMIT", "Totales.MntTotal", "MntTotal", sum, MaxMonto)
		}
	}
	return gross, exempt, nil
}

// checkSaleTotals refuses what was paid or the order's total when it cannot
// be right: negative (a buyer pays no less than nothing; refunds show as
// the order's status, not as a negative payment) or beyond the largest
// total a document can carry.
func checkSaleTotals(s Sale) error {
	for _, f := range []struct {
		field string
		v     int64
	}{{"CheckoutPayments.amount", s.Paid}, {"total", s.OrderTotal}} {
		if f.v < 0 {
			return invalid("DTE-PAID-NEGATIVE", f.field, fmt.Sprint(f.v),
				Text{fmt.Sprintf("lo pagado según Multivende es negativo (%d)", f.v), fmt.Sprintf("what Multivende says was paid is negative (%d)", f.v)},
				Text{"revise los pagos del pedido en Multivende; si fue reembolsado, no corresponde documento: omítalo",
					"check the order's payments in Multivende; if it was refunded, it needs no document: skip it"})
		}
		if f.v > MaxMonto {
			return overLimit("DTE-AMOUNT-LIMIT", f.field, "MntTotal", f.v, MaxMonto)
		}
	}
	return nil
}

// checkLimits checks the finished document against the SII's limits: a
// folded summary line or a derived discount can exceed them even when
// every input did not.
func checkLimits(doc Document) error {
	for i, l := range doc.Detalle {
		f := fmt.Sprintf("Detalle[%d].", i+1)
		switch {
		case l.QtyItem > MaxQtyItem:
			return overLimit("DTE-QTY-LIMIT", f+"QtyItem", "QtyItem", l.QtyItem, MaxQtyItem)
		case l.PrcItem > MaxPrcItem:
			return overLimit("DTE-AMOUNT-LIMIT", f+"PrcItem", "PrcItem", l.PrcItem, MaxPrcItem)
		case l.MontoItem > MaxMonto:
			return overLimit("DTE-AMOUNT-LIMIT", f+"MontoItem", "MontoItem", l.MontoItem, MaxMonto)
		case l.DescuentoMonto > MaxMonto:
			return overLimit("DTE-AMOUNT-LIMIT", f+"DescuentoMonto", "DescuentoMonto", l.DescuentoMonto, MaxMonto)
		}
	}
	for i, d := range doc.DscRcgGlobal {
		if d.ValorDR > MaxValorDR {
			return overLimit("DTE-AMOUNT-LIMIT", fmt.Sprintf("DscRcgGlobal[%d].ValorDR", i+1), "ValorDR", d.ValorDR, MaxValorDR)
		}
	}
	t := doc.Encabezado.Totales
	for _, f := range []struct {
		name string
		v    int64
	}{{"MntNeto", t.MntNeto}, {"MntExe", t.MntExe}, {"IVA", t.IVA}, {"MntTotal", t.MntTotal}} {
		if f.v > MaxMonto {
			return overLimit("DTE-AMOUNT-LIMIT", "Totales."+f.name, f.name, f.v, MaxMonto)
		}
	}
	return nil
}
