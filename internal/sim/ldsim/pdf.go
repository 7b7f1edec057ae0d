package ldsim

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/folio-cl/folio/internal/dte"
)

// The PDF is written by hand: PDF 1.4, the standard Helvetica fonts with
// WinAnsiEncoding (no embedding), uncompressed content streams, and a
// cross-reference table with exact offsets. It shows what a DTE's printed
// form shows: emisor, the red box with RUT, type and folio, date, receptor,
// lines, discounts, totals and the place of the SII's stamp.

const (
	fontRegular = "F1"
	fontBold    = "F2"
)

// helvetica holds Helvetica's advance widths (1/1000 em) for WinAnsi 32–126;
// accented Latin-1 letters take their base letter's width.
var helvetica = [95]int{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // ' '…/
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, // 0…?
	1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, // @…O
	667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, // P…_
	333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, // `…o
	556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // p…~
}

var accentBase = map[rune]rune{'á': 'a', 'é': 'e', 'í': 'i', 'ó': 'o', 'ú': 'u', 'ü': 'u', 'ñ': 'n',
	'Á': 'A', 'É': 'E', 'Í': 'I', 'Ó': 'O', 'Ú': 'U', 'Ü': 'U', 'Ñ': 'N', 'ç': 'c', 'Ç': 'C'}

// textWidth is the width of s in points at size (regular Helvetica; bold is
// a few percent wider, which the layout leaves room for).
func textWidth(s string, size float64) float64 {
	var w int
	for _, r := range s {
		if b, ok := accentBase[r]; ok {
			r = b
		}
		switch {
		case r >= 32 && r <= 126:
			w += helvetica[r-32]
		case r == '°' || r == 'º' || r == 'ª':
			w += 370
		default:
			w += 556
		}
	}
	return float64(w) * size / 1000
}

// winAnsi maps text to WinAnsiEncoding bytes (Latin-1 plus a few
// typographic marks); anything else becomes '?'.
func winAnsi(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			out = append(out, ' ')
		case r < 32 || r == 127:
		case r < 128 || (r >= 0xA0 && r <= 0xFF):
			out = append(out, byte(r))
		case r == '–':
			out = append(out, 0x96)
		case r == '—':
			out = append(out, 0x97)
		case r == '…':
			out = append(out, 0x85)
		case r == '€':
			out = append(out, 0x80)
		case r == '‘' || r == '’':
			out = append(out, '\'')
		case r == '“' || r == '”':
			out = append(out, '"')
		default:
			out = append(out, '?')
		}
	}
	return out
}

// pdfString writes s as a PDF literal string.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, c := range winAnsi(s) {
		switch c {
		case '\\', '(', ')':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c >= 0x80 {
				fmt.Fprintf(&b, "\\%03o", c) // octal escapes keep the file 7-bit
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte(')')
	return b.String()
}

// canvas is one page's content stream.
type canvas struct {
	b bytes.Buffer
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (c *canvas) text(x, y float64, font string, size float64, s string) {
	if s == "" {
		return
	}
	fmt.Fprintf(&c.b, "BT /%s %s Tf %s %s Td %s Tj ET\n", font, num(size), num(x), num(y), pdfString(s))
}

func (c *canvas) right(x, y float64, font string, size float64, s string) {
	c.text(x-textWidth(s, size), y, font, size, s)
}

func (c *canvas) rect(x, y, w, h float64) {
	fmt.Fprintf(&c.b, "%s %s %s %s re S\n", num(x), num(y), num(w), num(h))
}

func (c *canvas) line(x1, y1, x2, y2 float64) {
	fmt.Fprintf(&c.b, "%s %s m %s %s l S\n", num(x1), num(y1), num(x2), num(y2))
}

func (c *canvas) stroke(r, g, b, width float64) {
	fmt.Fprintf(&c.b, "%s %s %s RG %s w\n", num(r), num(g), num(b), num(width))
}

// wrap cuts s into lines no wider than width at size, at spaces when it can.
func wrap(s string, width, size float64) []string {
	s = strings.Join(strings.Fields(s), " ")
	var lines []string
	for s != "" {
		if textWidth(s, size) <= width {
			lines = append(lines, s)
			break
		}
		rs := []rune(s)
		cut := len(rs)
		for cut > 1 && textWidth(string(rs[:cut]), size) > width {
			cut--
		}
		if sp := strings.LastIndex(string(rs[:cut]), " "); sp > 0 {
			cut = len([]rune(string(rs[:cut])[:sp]))
		}
		lines = append(lines, strings.TrimSpace(string(rs[:cut])))
		s = strings.TrimSpace(string(rs[cut:]))
	}
	return lines
}

func dotted(rut string) string {
	if r, err := dte.ParseRUT(rut); err == nil {
		return r.Dotted()
	}
	return rut
}

func fechaCL(iso string) string {
	if len(iso) == 10 && iso[4] == '-' && iso[7] == '-' {
		return iso[8:10] + "-" + iso[5:7] + "-" + iso[:4]
	}
	return iso
}

// docFacts are the texts every layout shows.
type docFacts struct {
	typeName, folio, fecha string
	emisor                 []string // name first
	emisorRUT              string
	receptor               [][2]string // label, value
	totals                 [][2]string
	discounts              [][2]string
	stamp                  []string
	footer                 string
}

func factsOf(d dte.Document, track int64) docFacts {
	h := d.Encabezado
	f := docFacts{typeName: strings.ToUpper(h.IdDoc.TipoDTE.Name()), folio: "N° " + strconv.FormatInt(h.IdDoc.Folio, 10),
		fecha: "Fecha de emisión: " + fechaCL(h.IdDoc.FchEmis), emisorRUT: "R.U.T.: " + dotted(h.Emisor.RUTEmisor)}
	for _, v := range []string{h.Emisor.RznSoc, h.Emisor.GiroEmis, strings.Trim(h.Emisor.DirOrigen+", "+h.Emisor.CmnaOrigen, ", ")} {
		if strings.TrimSpace(v) != "" {
			f.emisor = append(f.emisor, v)
		}
	}
	r := h.Receptor
	for _, kv := range [][2]string{{"Señor(es)", r.RznSocRecep}, {"R.U.T.", dotted(r.RUTRecep)}, {"Giro", r.GiroRecep},
		{"Dirección", r.DirRecep}, {"Comuna", r.CmnaRecep}, {"Correo", r.CorreoRecep}} {
		if strings.TrimSpace(kv[1]) != "" {
			f.receptor = append(f.receptor, kv)
		}
	}
	for _, g := range d.DscRcgGlobal {
		label := "Descuento global"
		sign := "-"
		if g.TpoMov == "R" {
			label, sign = "Recargo global", "+"
		}
		if g.GlosaDR != "" {
			label += " (" + g.GlosaDR + ")"
		}
		v := sign + dte.FormatCLP(g.ValorDR)
		if g.TpoValor == "%" {
			v = sign + strconv.FormatInt(g.ValorDR, 10) + "%"
		}
		f.discounts = append(f.discounts, [2]string{label, v})
	}
	t := h.Totales
	if t.MntNeto > 0 {
		f.totals = append(f.totals, [2]string{"Monto neto", dte.FormatCLP(t.MntNeto)})
	}
	if t.MntExe > 0 {
		f.totals = append(f.totals, [2]string{"Monto exento", dte.FormatCLP(t.MntExe)})
	}
	if t.IVA > 0 {
		f.totals = append(f.totals, [2]string{"IVA " + strconv.Itoa(t.TasaIVA) + "%", dte.FormatCLP(t.IVA)})
	}
	f.totals = append(f.totals, [2]string{"Total", dte.FormatCLP(t.MntTotal)})
	f.stamp = []string{"Timbre Electrónico SII (simulado)", "Verifique documento: www.sii.cl"}
	f.footer = fmt.Sprintf("Track ID %d · generado por el simulador de LibreDTE de folio", track)
	return f
}

// renderPDF draws d on A4 pages, or on one receipt-roll page rollMM wide.
func renderPDF(d dte.Document, track int64, rollMM int) []byte {
	f := factsOf(d, track)
	if rollMM > 0 {
		w, h, c := rollPage(d, f, float64(rollMM)*72/25.4)
		return assemble([]pageOut{{w, h, c}}, f)
	}
	return assemble(a4Pages(d, f), f)
}

type pageOut struct {
	w, h float64
	c    *canvas
}

func a4Pages(d dte.Document, f docFacts) []pageOut {
	const (
		W, H   = 595.0, 842.0
		left   = 40.0
		rightX = 555.0
		row    = 11.0
		size   = 8.5
	)
	var pages []pageOut
	c := &canvas{}
	newPage := func(first bool) float64 {
		c = &canvas{}
		pages = append(pages, pageOut{W, H, c})
		if !first {
			c.text(left, 805, fontBold, 10, f.typeName+" "+f.folio+" (continuación)")
			return 785
		}
		y := 800.0
		for i, l := range f.emisor {
			if i == 0 {
				c.text(left, y, fontBold, 12, l)
				y -= 15
				continue
			}
			c.text(left, y, fontRegular, 9, l)
			y -= 12
		}
		c.stroke(0.8, 0, 0, 1.5)
		c.rect(360, 725, 195, 80)
		c.text(372, 785, fontBold, 11, f.emisorRUT)
		c.text(372, 766, fontBold, 11, f.typeName)
		c.text(372, 747, fontBold, 11, f.folio)
		c.stroke(0, 0, 0, 0.5)
		y = min(y, 712) - 8
		c.text(left, y, fontRegular, 9, f.fecha)
		y -= 16
		for _, kv := range f.receptor {
			c.text(left, y, fontBold, 9, kv[0]+":")
			c.text(left+70, y, fontRegular, 9, kv[1])
			y -= 12
		}
		return y - 10
	}
	header := func(y float64) float64 {
		c.line(left, y+10, rightX, y+10)
		c.text(left, y, fontBold, size, "Código")
		c.text(110, y, fontBold, size, "Descripción")
		c.right(385, y, fontBold, size, "Cant.")
		c.right(445, y, fontBold, size, "Precio")
		c.right(500, y, fontBold, size, "Desc.")
		c.right(rightX, y, fontBold, size, "Total")
		c.line(left, y-4, rightX, y-4)
		return y - row - 4
	}
	y := header(newPage(true))
	for _, l := range d.Detalle {
		desc := wrap(l.NmbItem, 240, size)
		if len(desc) == 0 {
			desc = []string{""}
		}
		if y-float64(len(desc)-1)*row < 60 {
			y = header(newPage(false))
		}
		c.text(left, y, fontRegular, size, truncateTo(l.CdgItem, 65, size))
		c.right(385, y, fontRegular, size, strconv.FormatInt(l.QtyItem, 10))
		c.right(445, y, fontRegular, size, dte.FormatCLP(l.PrcItem))
		if l.DescuentoMonto > 0 {
			c.right(500, y, fontRegular, size, dte.FormatCLP(l.DescuentoMonto))
		}
		total := dte.FormatCLP(l.MontoItem)
		if l.IndExe == 1 {
			total += " E"
		}
		c.right(rightX, y, fontRegular, size, total)
		for _, dl := range desc {
			c.text(110, y, fontRegular, size, dl)
			y -= row
		}
	}
	// Discounts, totals and the stamp need about 170 points.
	if y-float64(len(f.discounts)+len(f.totals))*13 < 170 {
		y = newPage(false)
	}
	c.line(left, y+4, rightX, y+4)
	y -= 10
	for _, kv := range f.discounts {
		c.right(470, y, fontRegular, 9, kv[0]+":")
		c.right(rightX, y, fontRegular, 9, kv[1])
		y -= 13
	}
	for i, kv := range f.totals {
		font := fontRegular
		if i == len(f.totals)-1 {
			font = fontBold
		}
		c.right(470, y, font, 10, kv[0]+":")
		c.right(rightX, y, font, 10, kv[1])
		y -= 13
	}
	c.rect(left, 60, 200, 80)
	c.text(left+10, 120, fontBold, 9, f.stamp[0])
	c.text(left+10, 70, fontRegular, 8, f.stamp[1])
	for i, p := range pages {
		p.c.text(left, 30, fontRegular, 7, fmt.Sprintf("%s · página %d de %d", f.footer, i+1, len(pages)))
	}
	return pages
}

func truncateTo(s string, width, size float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && textWidth(string(rs)+"…", size) > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// rollPage lays the document out on one page of a receipt roll.
func rollPage(d dte.Document, f docFacts, w float64) (float64, float64, *canvas) {
	const size, row = 7.5, 9.5
	m := 8.0
	inner := w - 2*m
	type op struct {
		l, r string
		bold bool
		gap  float64 // extra space before
		rule bool
	}
	var ops []op
	add := func(l, r string, bold bool, gap float64) {
		for i, wl := range wrap(l, inner-textWidth(r, size)-4, size) {
			if i > 0 {
				ops = append(ops, op{l: wl, bold: bold})
				continue
			}
			ops = append(ops, op{l: wl, r: r, bold: bold, gap: gap})
		}
	}
	for i, l := range f.emisor {
		add(l, "", i == 0, 0)
	}
	add(f.emisorRUT, "", true, 4)
	add(f.typeName, "", true, 0)
	add(f.folio, "", true, 0)
	add(f.fecha, "", false, 4)
	for _, kv := range f.receptor {
		add(kv[0]+": "+kv[1], "", false, 0)
	}
	ops = append(ops, op{rule: true, gap: 4})
	for _, l := range d.Detalle {
		add(l.NmbItem, "", false, 0)
		amount := dte.FormatCLP(l.MontoItem)
		if l.IndExe == 1 {
			amount += " E"
		}
		qty := fmt.Sprintf("  %d x %s", l.QtyItem, dte.FormatCLP(l.PrcItem))
		if l.DescuentoMonto > 0 {
			qty += " - " + dte.FormatCLP(l.DescuentoMonto)
		}
		add(qty, amount, false, 0)
	}
	ops = append(ops, op{rule: true, gap: 4})
	for _, kv := range f.discounts {
		add(kv[0], kv[1], false, 0)
	}
	for i, kv := range f.totals {
		add(kv[0], kv[1], i == len(f.totals)-1, 0)
	}
	for _, s := range f.stamp {
		add(s, "", false, 6)
	}
	add(f.footer, "", false, 6)
	// A rule takes less than a line: it sits between two lines of text.
	const ruleRow = row * 0.4
	h := 2*m + 6
	for _, o := range ops {
		if o.rule {
			h += ruleRow + o.gap
			continue
		}
		h += row + o.gap
	}
	c := &canvas{}
	y := h - m - size
	for _, o := range ops {
		y -= o.gap
		if o.rule {
			c.line(m, y+row*0.6, w-m, y+row*0.6)
			y -= ruleRow
			continue
		}
		font := fontRegular
		if o.bold {
			font = fontBold
		}
		c.text(m, y, font, size, o.l)
		if o.r != "" {
			c.right(w-m, y, font, size, o.r)
		}
		y -= row
	}
	return w, h, c
}

// assemble writes the file: catalog, page tree, the two fonts, an info
// dictionary, then each page and its content, then the xref table.
func assemble(pages []pageOut, f docFacts) []byte {
	n := len(pages)
	// Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then page i at 6+2i
	// and its content at 7+2i.
	objs := make([]string, 5+2*n)
	kids := make([]string, n)
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	objs[0] = "<< /Type /Catalog /Pages 2 0 R >>"
	objs[1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n)
	objs[2] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
	objs[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
	objs[4] = fmt.Sprintf("<< /Title %s /Producer (folio ldsim) >>", pdfString(f.typeName+" "+f.folio))
	for i, p := range pages {
		objs[5+2*i] = fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>",
			num(p.w), num(p.h), 7+2*i)
		stream := p.c.b.Bytes()
		objs[6+2*i] = fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream)
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// RenderPDF renders d as LibreDTE's A4 PDF (the OpenFactura simulator
// uses it too: a real PDF for a simulated document).
func RenderPDF(d dte.Document, track int64) []byte { return renderPDF(d, track, 0) }
