package ldsim

import (
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folio-cl/folio/internal/dte"
)

// rejection is a refused document: the HTTP status and LibreDTE's words.
type rejection struct {
	status int
	msg    string
}

func bad(format string, a ...any) *rejection {
	return &rejection{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

// Receptor field limits the SII's schema sets (dte.md); the schema check at
// generar would fail, so the simulator refuses them at emitir.
var receptorLimits = []struct {
	field string
	max   int
	get   func(*dte.Receptor) string
}{
	{"RznSocRecep", 100, func(r *dte.Receptor) string { return r.RznSocRecep }},
	{"GiroRecep", 40, func(r *dte.Receptor) string { return r.GiroRecep }},
	{"DirRecep", 70, func(r *dte.Receptor) string { return r.DirRecep }},
	{"CmnaRecep", 20, func(r *dte.Receptor) string { return r.CmnaRecep }},
}

// authorized are the types the simulated account may issue.
var authorized = map[dte.DocType]bool{dte.Factura: true, dte.FacturaExenta: true, dte.Boleta: true,
	dte.BoletaExenta: true, dte.NotaDebito: true, dte.NotaCredito: true}

// normalize does what LibreDTE's emitir?normalizar=1 does to a document:
// fills the emisor from the account, defaults the type and date, switches
// between the taxable and exempt type of a boleta or factura, refuses a
// document the SII would reject, and computes the totals as LibreDTE's
// legacy library (sasco\LibreDTE\Sii\Dte) does — see totals.
func (s *Server) normalize(in inDoc, today string) (dte.Document, *rejection) {
	var d dte.Document
	h := &d.Encabezado
	ih := &in.Encabezado
	// Emisor: required, must be the account's company, then filled in.
	if strings.TrimSpace(string(ih.Emisor.RUTEmisor)) == "" {
		return d, &rejection{http.StatusNotFound, msgNoEmisor}
	}
	er, err := dte.ParseRUT(string(ih.Emisor.RUTEmisor))
	if err != nil || int64(er.Body) != s.emisor {
		return d, &rejection{http.StatusForbidden, msgForbidden}
	}
	acct := s.opts.Emisor
	h.Emisor = dte.Emisor{RUTEmisor: acct.RUTEmisor, RznSoc: string(ih.Emisor.RznSoc), GiroEmis: string(ih.Emisor.GiroEmis),
		Acteco: int(ih.Emisor.Acteco.round()), DirOrigen: string(ih.Emisor.DirOrigen), CmnaOrigen: string(ih.Emisor.CmnaOrigen)}
	fill := func(v *string, def string) {
		if strings.TrimSpace(*v) == "" {
			*v = def
		}
	}
	fill(&h.Emisor.RznSoc, acct.RznSoc)
	fill(&h.Emisor.GiroEmis, acct.GiroEmis)
	fill(&h.Emisor.DirOrigen, acct.DirOrigen)
	fill(&h.Emisor.CmnaOrigen, acct.CmnaOrigen)
	if h.Emisor.Acteco == 0 {
		h.Emisor.Acteco = acct.Acteco
	}

	// IdDoc.
	h.IdDoc.TipoDTE = dte.DocType(ih.IdDoc.TipoDTE.round())
	if h.IdDoc.TipoDTE == 0 {
		h.IdDoc.TipoDTE = dte.Factura // LibreDTE's default
	}
	h.IdDoc.MntBruto = int(ih.IdDoc.MntBruto.round())
	h.IdDoc.FchEmis = strings.TrimSpace(string(ih.IdDoc.FchEmis))
	if h.IdDoc.FchEmis == "" {
		h.IdDoc.FchEmis = today
	} else if _, err := time.Parse(time.DateOnly, h.IdDoc.FchEmis); err != nil {
		return d, bad("FchEmis %q no es una fecha AAAA-MM-DD", h.IdDoc.FchEmis)
	}

	// Receptor.
	r := ih.Receptor
	h.Receptor = dte.Receptor{RUTRecep: string(r.RUTRecep), RznSocRecep: string(r.RznSocRecep), GiroRecep: string(r.GiroRecep),
		DirRecep: string(r.DirRecep), CmnaRecep: string(r.CmnaRecep), CorreoRecep: string(r.CorreoRecep)}
	rr, err := dte.ParseRUT(h.Receptor.RUTRecep)
	if err != nil {
		return d, bad("RUT del receptor %q es inválido", h.Receptor.RUTRecep)
	}
	h.Receptor.RUTRecep = rr.String()

	// Lines: MontoItem as LibreDTE computes it when absent.
	if len(in.Detalle) == 0 {
		return d, bad("%s", msgNoDetalle)
	}
	var taxable, exempt int64
	for i, il := range in.Detalle {
		l := dte.Detalle{NroLinDet: i + 1, CdgItem: string(il.CdgItem), IndExe: int(il.IndExe.round()), NmbItem: string(il.NmbItem),
			QtyItem: il.QtyItem.round(), PrcItem: il.PrcItem.round(), DescuentoMonto: il.DescuentoMonto.round()}
		if !il.QtyItem.set() && il.PrcItem.set() {
			l.QtyItem = 1 // LibreDTE's default
		}
		qty, prc := il.QtyItem.rat(), il.PrcItem.rat()
		if !il.QtyItem.set() {
			qty = big.NewRat(1, 1)
		}
		gross := roundRat(new(big.Rat).Mul(qty, prc))
		switch {
		case strings.TrimSpace(l.NmbItem) == "":
			return d, bad("Detalle %d: falta NmbItem", i+1)
		case utf8.RuneCountInString(l.NmbItem) > dte.MaxNmbItem:
			return d, bad("Detalle %d: NmbItem excede %d caracteres", i+1, dte.MaxNmbItem)
		case qty.Sign() <= 0:
			return d, bad("Detalle %d: QtyItem debe ser mayor a 0", i+1)
		case prc.Sign() < 0:
			return d, bad("Detalle %d: PrcItem no puede ser negativo", i+1)
		case l.IndExe != 0 && l.IndExe != 1:
			return d, bad("Detalle %d: IndExe %d no soportado", i+1, l.IndExe)
		case l.DescuentoMonto < 0 || l.DescuentoMonto > gross:
			return d, bad("Detalle %d: DescuentoMonto fuera de rango", i+1)
		}
		if il.MontoItem.empty() {
			l.MontoItem = gross - l.DescuentoMonto
		} else {
			l.MontoItem = il.MontoItem.round() // LibreDTE keeps a MontoItem it is given
		}
		if s.netPrices() && l.IndExe == 0 && h.IdDoc.TipoDTE.IsBoleta() {
			// An account set to net prices adds IVA to a boleta's lines.
			l.MontoItem = roundDiv(l.MontoItem*(100+dte.IVA), 100)
		}
		if l.IndExe == 1 {
			exempt += l.MontoItem
		} else {
			taxable += l.MontoItem
		}
		d.Detalle = append(d.Detalle, l)
	}

	// Taxable or exempt type, as LibreDTE's getTipoDTE does.
	t := h.IdDoc.TipoDTE
	switch {
	case t == dte.Boleta && taxable == 0 && exempt > 0:
		t = dte.BoletaExenta
	case t == dte.BoletaExenta && taxable > 0:
		t = dte.Boleta
	case t == dte.Factura && taxable == 0 && exempt > 0:
		t = dte.FacturaExenta
	case t == dte.FacturaExenta && taxable > 0:
		t = dte.Factura
	}
	if !authorized[t] {
		return d, &rejection{http.StatusForbidden, fmt.Sprintf("No está habilitado en LibreDTE el tipo de documento (código DTE #%d).", int(t))}
	}
	h.IdDoc.TipoDTE = t
	max := dte.MaxLinesFactura
	if t.IsBoleta() {
		max = dte.MaxLinesBoleta
	}
	if len(d.Detalle) > max {
		return d, bad("El documento tiene %d líneas de detalle; el máximo es %d", len(d.Detalle), max)
	}

	// Receptor data by type.
	for _, lim := range receptorLimits {
		if n := utf8.RuneCountInString(lim.get(&h.Receptor)); n > lim.max {
			return d, bad("%s del receptor excede %d caracteres (%d)", lim.field, lim.max, n)
		}
	}
	switch {
	case t.IsBoleta():
		h.Receptor.GiroRecep = "" // not in a boleta's schema
	case t.IsFactura():
		if int64(rr.Body) == int64(dte.GenericRUT.Body) {
			return d, bad("Una factura no puede emitirse al RUT genérico %s", rr)
		}
		for _, f := range []struct{ name, v string }{{"RznSocRecep", h.Receptor.RznSocRecep},
			{"GiroRecep", h.Receptor.GiroRecep}, {"DirRecep", h.Receptor.DirRecep}, {"CmnaRecep", h.Receptor.CmnaRecep}} {
			if strings.TrimSpace(f.v) == "" {
				return d, bad("Falta %s del receptor, obligatorio en una factura", f.name)
			}
		}
	default: // notas de crédito y débito
		if len(in.Referencia) == 0 {
			return d, bad("Una nota de crédito o débito debe referenciar un documento (REF-3-415)")
		}
	}
	for i, ir := range in.Referencia {
		ref := dte.Referencia{NroLinRef: i + 1, FolioRef: strings.TrimSpace(string(ir.FolioRef)), FchRef: string(ir.FchRef),
			CodRef: int(ir.CodRef.round()), RazonRef: string(ir.RazonRef)}
		if tr := strings.TrimSpace(string(ir.TpoDocRef)); tr != "" {
			// TpoDocRef is a DTE code or, for other documents, text such as "801".
			n, _ := strconv.Atoi(tr)
			ref.TpoDocRef = dte.DocType(n)
		}
		if utf8.RuneCountInString(ref.FolioRef) > 18 {
			return d, bad("Referencia %d: FolioRef excede 18 caracteres", i+1)
		}
		d.Referencia = append(d.Referencia, ref)
	}

	// Global discounts and surcharges.
	for i, ig := range in.DscRcgGlobal {
		g := dte.DscRcgGlobal{NroLinDR: i + 1, TpoMov: strings.TrimSpace(string(ig.TpoMov)), GlosaDR: string(ig.GlosaDR),
			TpoValor: strings.TrimSpace(string(ig.TpoValor)), ValorDR: ig.ValorDR.round(), IndExeDR: int(ig.IndExeDR.round())}
		if g.TpoMov != "D" && g.TpoMov != "R" {
			return d, bad("DscRcgGlobal %d: TpoMov debe ser D o R", i+1)
		}
		if g.ValorDR < 0 || (g.TpoValor == "%" && g.ValorDR > 100) || (g.TpoValor != "$" && g.TpoValor != "%") {
			return d, bad("DscRcgGlobal %d: valor inválido", i+1)
		}
		d.DscRcgGlobal = append(d.DscRcgGlobal, g)
	}

	tot := libreDTETotals(t, h.IdDoc.MntBruto == 1 && !s.netPrices(), ih.Totales, d.Detalle, d.DscRcgGlobal)
	if tot.MntNeto < 0 || tot.MntExe < 0 || tot.MntTotal < 0 {
		return d, bad("Los descuentos globales superan el monto de las líneas")
	}
	if tot.MntTotal <= 0 {
		return d, bad("El monto total del documento debe ser mayor a 0")
	}
	h.Totales = tot
	return d, nil
}

// libreDTETotals computes Totales as LibreDTE's legacy library does
// (normalizar_detalle, normalizar_aplicar_descuentos_recargos,
// normalizar_agregar_IVA_MntTotal, calcularNetoIVA), starting from the
// totals the client sent — it adds to them, it does not replace them:
//
//   - each line's MontoItem is added to MntNeto (MntExe if exempt) on a
//     factura or note, and to MntTotal (and MntExe if exempt) on a boleta;
//   - a global discount or surcharge applies to MntNeto (a 39's MntTotal),
//     or MntExe with IndExeDR 1, and is skipped when that amount is empty;
//     a % one is a percentage of the running amount;
//   - a boleta without MntNeto gets its net and IVA from its gross
//     (MntTotal − MntExe), as invoicers.md reports (uncertain: the legacy
//     Dte class read computes a boleta's net only for its RCOF summary;
//     the 840/160 figure needs it before the MntBruto step, so it is here);
//   - with MntBruto 1, a non-empty MntNeto is taken as gross and split by
//     calcularNetoIVA (net = round(gross/1.19), IVA = gross − net) — on a
//     boleta that is the second conversion (1190 → 1000/190 → 840/160);
//     without it, IVA = round(MntNeto × 19 %) when not already set;
//   - MntTotal, when still empty, is MntNeto + IVA + MntExe.
//
// PHP's round is half away from zero; amounts are integer CLP.
func libreDTETotals(t dte.DocType, bruto bool, sent inTotales, lines []dte.Detalle, dr []dte.DscRcgGlobal) dte.Totales {
	neto, exe, iva, total := sent.MntNeto.round(), sent.MntExe.round(), sent.IVA.round(), sent.MntTotal.round()
	tasa := int64(dte.IVA)
	if sent.TasaIVA.set() {
		tasa = sent.TasaIVA.round()
	}
	boleta := t.IsBoleta()
	// A factura exenta's defaults have no MntNeto: then every line is exempt.
	allExempt := t == dte.FacturaExenta && !sent.MntNeto.set()
	for _, l := range lines {
		if l.MontoItem == 0 {
			continue
		}
		switch {
		case boleta:
			if l.IndExe == 1 {
				exe += l.MontoItem
			}
			total += l.MontoItem
		case allExempt || l.IndExe == 1:
			exe += l.MontoItem
		default:
			neto += l.MontoItem
		}
	}
	for _, g := range dr {
		target := &neto
		switch {
		case g.IndExeDR == 1:
			target = &exe
		case t == dte.Boleta:
			target = &total
		}
		if *target == 0 {
			continue
		}
		v := g.ValorDR
		if g.TpoValor == "%" {
			v = roundDiv(g.ValorDR**target, 100)
		}
		if g.TpoMov == "D" {
			*target -= v
		} else {
			*target += v
		}
		if t == dte.BoletaExenta && g.IndExeDR == 1 {
			total = exe
		}
	}
	if t == dte.Boleta && neto == 0 {
		neto, iva = netoIVA(total-exe, tasa)
	}
	if neto != 0 {
		if bruto {
			neto, iva = netoIVA(neto, tasa)
		} else if iva == 0 && tasa != 0 {
			iva = roundDiv(neto*tasa, 100)
		}
		if total == 0 {
			total = neto + iva + exe
		}
	} else if total == 0 && exe != 0 {
		total = exe
	}
	out := dte.Totales{MntNeto: neto, MntExe: exe, IVA: iva, MntTotal: total}
	if neto != 0 {
		out.TasaIVA = int(tasa)
	}
	return out
}

// netoIVA is LibreDTE's calcularNetoIVA: the net inside a gross amount,
// and IVA as what is left.
func netoIVA(gross, tasa int64) (neto, iva int64) {
	if tasa == 0 {
		return 0, 0
	}
	neto = roundDiv(gross*100, 100+tasa)
	return neto, gross - neto
}

// roundDiv divides rounding half away from zero, in integers.
func roundDiv(n, d int64) int64 {
	if n >= 0 {
		return (2*n + d) / (2 * d)
	}
	return -((-2*n + d) / (2 * d))
}
