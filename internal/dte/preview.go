package dte

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FormatCLP writes an amount as $29.970 (dot thousands, no decimals), the
// form used in both languages.
func FormatCLP(n int64) string {
	sign := ""
	if n < 0 {
		sign = "-"
	}
	s := strconv.FormatUint(abs(n), 10) // abs: -MinInt64 does not fit an int64
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return sign + "$" + b.String()
}

// Preview renders the document as the receipt will read, in lang, at most
// width columns wide (minimum 40): emisor, receptor, lines, totals, any
// difference from what was paid, and the warnings.
func Preview(doc Document, warns []Warning, paid int64, lang Lang, width int) string {
	if width < 40 {
		width = 40
	}
	t := func(es, en string) string { return Text{es, en}.In(lang) }
	var b strings.Builder
	line := func(s string) {
		for _, l := range wrap(s, width) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	pair := func(label, value string) {
		pad := width - utf8.RuneCountInString(label) - utf8.RuneCountInString(value)
		if pad < 1 {
			line(label + " " + value)
			return
		}
		line(label + strings.Repeat(" ", pad) + value)
	}
	rule := strings.Repeat("─", width)

	h := doc.Encabezado
	title := strings.ToUpper(h.IdDoc.TipoDTE.Name())
	folio := t("folio por asignar", "folio to be assigned")
	if h.IdDoc.Folio > 0 {
		folio = "N° " + strconv.FormatInt(h.IdDoc.Folio, 10)
	}
	line(fmt.Sprintf("%s (%d) · %s", title, int(h.IdDoc.TipoDTE), folio))
	if h.IdDoc.FchEmis != "" {
		line(t("Fecha: ", "Date: ") + h.IdDoc.FchEmis)
	}
	e := h.Emisor
	if e.RUTEmisor != "" || e.RznSoc != "" {
		line(t("Emisor: ", "Issuer: ") + strings.TrimSpace(e.RznSoc+" "+e.RUTEmisor))
		if e.GiroEmis != "" {
			line("  " + e.GiroEmis)
		}
		if e.DirOrigen != "" || e.CmnaOrigen != "" {
			line("  " + strings.Trim(e.DirOrigen+", "+e.CmnaOrigen, ", "))
		}
	} else {
		line(t("Emisor: (sin configurar)", "Issuer: (not configured)"))
	}
	r := h.Receptor
	line(t("Receptor: ", "Buyer: ") + r.RznSocRecep)
	line("  RUT " + r.RUTRecep)
	if r.GiroRecep != "" {
		line("  " + t("Giro: ", "Giro: ") + r.GiroRecep)
	}
	if r.DirRecep != "" || r.CmnaRecep != "" {
		line("  " + strings.Trim(r.DirRecep+", "+r.CmnaRecep, ", "))
	}
	if r.CorreoRecep != "" {
		line("  " + r.CorreoRecep)
	}
	line(rule)
	for _, d := range doc.Detalle {
		name := d.NmbItem
		if d.IndExe == 1 {
			name += t(" (exento)", " (exempt)")
		}
		line(name)
		detail := fmt.Sprintf("  %d × %s", d.QtyItem, FormatCLP(d.PrcItem))
		if d.DescuentoMonto > 0 {
			detail += t(" − desc. ", " − disc. ") + FormatCLP(d.DescuentoMonto)
		}
		pair(detail, FormatCLP(d.MontoItem))
	}
	for _, g := range doc.DscRcgGlobal {
		label := t("Descuento global", "Global discount")
		if g.TpoMov == "R" {
			label = t("Recargo global", "Global surcharge")
		}
		switch {
		case g.GlosaDR == GlosaDerived && g.TpoMov == "D":
			label = t("Descuento global derivado del total", "Global discount derived from the total")
		case g.GlosaDR != "":
			label += " (" + g.GlosaDR + ")"
		}
		v := FormatCLP(g.ValorDR)
		if g.TpoValor == "%" {
			v = strconv.FormatInt(g.ValorDR, 10) + " %"
		}
		if g.TpoMov == "D" {
			v = "−" + v
		}
		pair(label, v)
	}
	line(rule)
	tot := h.Totales
	if tot.MntNeto != 0 || tot.IVA != 0 {
		pair(t("Neto", "Net"), FormatCLP(tot.MntNeto))
		pair(fmt.Sprintf(t("IVA %d %%", "VAT (IVA) %d %%"), IVA), FormatCLP(tot.IVA))
	}
	if tot.MntExe != 0 {
		pair(t("Exento", "Exempt"), FormatCLP(tot.MntExe))
	}
	pair(t("TOTAL", "TOTAL"), FormatCLP(tot.MntTotal))
	if paid > 0 && paid != tot.MntTotal {
		pair(t("Pagado por el comprador", "Paid by the buyer"), FormatCLP(paid))
		if d := tot.MntTotal - paid; d == 1 || d == -1 {
			line(fmt.Sprintf(t("Diferencia por redondeo del IVA: %s", "Difference from IVA rounding: %s"), FormatCLP(d)))
		} else { // not rounding: the order's amounts disagree (see the warnings)
			line(fmt.Sprintf(t("Diferencia con lo pagado: %s", "Difference from what was paid: %s"), FormatCLP(d)))
		}
	}
	if len(warns) > 0 {
		line(rule)
		line(t("Avisos:", "Warnings:"))
		for _, w := range warns {
			line("! " + w.Message.In(lang))
		}
	}
	return b.String()
}

// wrap breaks s into lines of at most width characters, at spaces where it
// can; a continuation is indented by two spaces.
func wrap(s string, width int) []string {
	var out []string
	indent := ""
	for utf8.RuneCountInString(indent+s) > width {
		r := []rune(indent + s)
		brk := width
		for i := width; i > len(indent)+width/2; i-- {
			if r[i] == ' ' {
				brk = i
				break
			}
		}
		out = append(out, strings.TrimRight(string(r[:brk]), " "))
		s = strings.TrimLeft(string(r[brk:]), " ")
		indent = "  "
	}
	return append(out, indent+s)
}
