package ldsim

import (
	"fmt"
	"net/http"
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

// normalize does what LibreDTE's emitir?normalizar=1 does to a document as
// dte.md describes it: fills the emisor from the account, defaults the type
// and date, recomputes every line amount and the totals (integer CLP, half
// away from zero), switches between the taxable and exempt type of a
// boleta or factura, and refuses a document the SII would reject.
func (s *Server) normalize(d dte.Document, today string) (dte.Document, *rejection) {
	h := &d.Encabezado
	// Emisor: required, must be the account's company, then filled in.
	if strings.TrimSpace(h.Emisor.RUTEmisor) == "" {
		return d, &rejection{http.StatusNotFound, msgNoEmisor}
	}
	er, err := dte.ParseRUT(h.Emisor.RUTEmisor)
	if err != nil || int64(er.Body) != s.emisor {
		return d, &rejection{http.StatusForbidden, msgForbidden}
	}
	acct := s.opts.Emisor
	h.Emisor.RUTEmisor = acct.RUTEmisor
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
	if h.IdDoc.TipoDTE == 0 {
		h.IdDoc.TipoDTE = dte.Factura // LibreDTE's default
	}
	h.IdDoc.Folio = 0
	if h.IdDoc.FchEmis == "" {
		h.IdDoc.FchEmis = today
	} else if _, err := time.Parse(time.DateOnly, h.IdDoc.FchEmis); err != nil {
		return d, bad("FchEmis %q no es una fecha AAAA-MM-DD", h.IdDoc.FchEmis)
	}

	// Receptor.
	rr, err := dte.ParseRUT(h.Receptor.RUTRecep)
	if err != nil {
		return d, bad("RUT del receptor %q es inválido", h.Receptor.RUTRecep)
	}
	h.Receptor.RUTRecep = rr.String()

	// Lines.
	if len(d.Detalle) == 0 {
		return d, bad("%s", msgNoDetalle)
	}
	var taxable, exempt int64
	for i := range d.Detalle {
		l := &d.Detalle[i]
		l.NroLinDet = i + 1
		switch {
		case strings.TrimSpace(l.NmbItem) == "":
			return d, bad("Detalle %d: falta NmbItem", i+1)
		case utf8.RuneCountInString(l.NmbItem) > dte.MaxNmbItem:
			return d, bad("Detalle %d: NmbItem excede %d caracteres", i+1, dte.MaxNmbItem)
		case l.QtyItem <= 0:
			return d, bad("Detalle %d: QtyItem debe ser mayor a 0", i+1)
		case l.PrcItem < 0:
			return d, bad("Detalle %d: PrcItem no puede ser negativo", i+1)
		case l.IndExe != 0 && l.IndExe != 1:
			return d, bad("Detalle %d: IndExe %d no soportado", i+1, l.IndExe)
		case l.DescuentoMonto < 0 || l.DescuentoMonto > l.PrcItem*l.QtyItem:
			return d, bad("Detalle %d: DescuentoMonto fuera de rango", i+1)
		}
		l.MontoItem = l.PrcItem*l.QtyItem - l.DescuentoMonto
		if l.IndExe == 1 {
			exempt += l.MontoItem
		} else {
			taxable += l.MontoItem
		}
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
		if len(d.Referencia) == 0 {
			return d, bad("Una nota de crédito o débito debe referenciar un documento (REF-3-415)")
		}
	}

	// Global discounts and surcharges, each on the sum of its lines.
	baseTaxable, baseExempt := taxable, exempt
	for i := range d.DscRcgGlobal {
		g := &d.DscRcgGlobal[i]
		g.NroLinDR = i + 1
		if g.TpoMov != "D" && g.TpoMov != "R" {
			return d, bad("DscRcgGlobal %d: TpoMov debe ser D o R", i+1)
		}
		if g.ValorDR < 0 || (g.TpoValor == "%" && g.ValorDR > 100) || (g.TpoValor != "$" && g.TpoValor != "%") {
			return d, bad("DscRcgGlobal %d: valor inválido", i+1)
		}
		base, target := baseTaxable, &taxable
		if g.IndExeDR == 1 {
			base, target = baseExempt, &exempt
		}
		amount := g.ValorDR
		if g.TpoValor == "%" {
			amount = roundDiv(base*g.ValorDR, 100)
		}
		if g.TpoMov == "D" {
			*target -= amount
		} else {
			*target += amount
		}
	}
	if taxable < 0 || exempt < 0 {
		return d, bad("Los descuentos globales superan el monto de las líneas")
	}

	// Totals (dte.md, Money).
	tot := dte.Totales{MntExe: exempt}
	if taxable > 0 {
		tot.TasaIVA = 19
		switch {
		case t.IsBoleta():
			tot.MntNeto = roundDiv(taxable*100, 119)
			tot.IVA = taxable - tot.MntNeto
		case h.IdDoc.MntBruto == 1:
			tot.MntNeto = roundDiv(taxable*100, 119)
			tot.IVA = roundDiv(tot.MntNeto*19, 100)
		default:
			tot.MntNeto = taxable
			tot.IVA = roundDiv(tot.MntNeto*19, 100)
		}
	}
	tot.MntTotal = tot.MntNeto + tot.IVA + tot.MntExe
	if tot.MntTotal <= 0 {
		return d, bad("El monto total del documento debe ser mayor a 0")
	}
	h.Totales = tot
	return d, nil
}

// roundDiv divides rounding half away from zero, in integers.
func roundDiv(n, d int64) int64 {
	if n >= 0 {
		return (2*n + d) / (2 * d)
	}
	return -((-2*n + d) / (2 * d))
}
