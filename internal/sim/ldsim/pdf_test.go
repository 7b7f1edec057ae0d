package ldsim_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/ldsim"
)

// checkPDF validates a PDF's structure the way a strict reader would: the
// header, the trailer, every cross-reference offset pointing at its object,
// every stream's /Length, and the page count. It returns the text drawn on
// the pages, decoded from WinAnsi.
func checkPDF(t *testing.T, b []byte) (text string, pages int) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(b, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF 1.4 file: %.20q … %q", b, b[max(0, len(b)-10):])
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatal("no startxref")
	}
	x, _ := strconv.Atoi(string(m[1]))
	if x >= len(b) || !bytes.HasPrefix(b[x:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", x)
	}
	hdr := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(b[x:])
	n, _ := strconv.Atoi(string(hdr[1]))
	entries := b[x+len(hdr[0]):]
	if len(entries) < 20*n {
		t.Fatalf("xref table cut short")
	}
	if string(entries[:20]) != "0000000000 65535 f \n" {
		t.Fatalf("xref entry 0: %q", entries[:20])
	}
	objs := map[int][]byte{}
	for i := 1; i < n; i++ {
		e := entries[20*i : 20*i+20]
		if !regexp.MustCompile(`^\d{10} 00000 n \n$`).Match(e) {
			t.Fatalf("xref entry %d malformed: %q", i, e)
		}
		off, _ := strconv.Atoi(string(e[:10]))
		head := fmt.Sprintf("%d 0 obj\n", i)
		if !bytes.HasPrefix(b[off:], []byte(head)) {
			t.Fatalf("xref entry %d points at %q", i, b[off:min(off+15, len(b))])
		}
		end := bytes.Index(b[off:], []byte("\nendobj\n"))
		if end < 0 {
			t.Fatalf("object %d has no endobj", i)
		}
		objs[i] = b[off+len(head) : off+end]
	}
	trailer := b[x+len(hdr[0])+20*n:]
	if !bytes.Contains(trailer, []byte(fmt.Sprintf("/Size %d", n))) || !bytes.Contains(trailer, []byte("/Root 1 0 R")) {
		t.Fatalf("trailer: %q", trailer)
	}
	if !bytes.Contains(objs[1], []byte("/Type /Catalog")) {
		t.Fatalf("object 1 is not the catalog: %q", objs[1])
	}
	lengthRE := regexp.MustCompile(`/Length (\d+) >>\nstream\n`)
	var content bytes.Buffer
	for i := 1; i < n; i++ {
		o := objs[i]
		if bytes.Contains(o, []byte("/Type /Page ")) {
			pages++
		}
		lm := lengthRE.FindSubmatchIndex(o)
		if lm == nil {
			continue
		}
		l, _ := strconv.Atoi(string(o[lm[2]:lm[3]]))
		data := o[lm[1]:]
		if len(data) < l || string(data[l:]) != "\nendstream" {
			t.Fatalf("object %d: /Length %d does not end at endstream", i, l)
		}
		content.Write(data[:l])
	}
	cm := regexp.MustCompile(`/Count (\d+)`).FindSubmatch(objs[2])
	if cm == nil || string(cm[1]) != strconv.Itoa(pages) {
		t.Fatalf("page tree counts %s, %d pages found", cm, pages)
	}
	return decodeStrings(content.Bytes()), pages
}

// decodeStrings collects the literal strings of content streams, one per
// line, decoding escapes and Latin-1.
func decodeStrings(c []byte) string {
	var out strings.Builder
	for i := 0; i < len(c); i++ {
		if c[i] != '(' {
			continue
		}
		for i++; i < len(c) && c[i] != ')'; i++ {
			ch := c[i]
			if ch == '\\' && i+1 < len(c) {
				i++
				ch = c[i]
				if ch >= '0' && ch <= '7' && i+2 < len(c) {
					v, _ := strconv.ParseUint(string(c[i:i+3]), 8, 8)
					ch = byte(v)
					i += 2
				}
			}
			out.WriteRune(rune(ch)) // WinAnsi = Latin-1 for what the simulator writes
		}
		out.WriteByte('\n')
	}
	return out.String()
}

func TestPDFShowsTheDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 21})
	d := boleta(line("Taza (cerámica) \\ 350 ml", 2, 12990), line(dte.ShippingLineName, 1, 3990))
	d.DscRcgGlobal = []dte.DscRcgGlobal{{TpoMov: "D", TpoValor: "$", ValorDR: 990, GlosaDR: "Cupón BIENVENIDA"}}
	if st, b := e.generar(e.emitir(d)); st != 200 {
		t.Fatalf("generar: %d %s", st, b)
	}
	st, b := e.call("GET", docPath("pdf", 39, 1), nil)
	if st != 200 {
		t.Fatalf("pdf: %d %s", st, b)
	}
	if len(b) > 64<<10 {
		t.Errorf("a two-line boleta's PDF is %d bytes", len(b))
	}
	text, pages := checkPDF(t, b)
	if pages != 1 {
		t.Errorf("%d pages", pages)
	}
	for _, want := range []string{"BOLETA ELECTRÓNICA", "N° 1", "R.U.T.: 76.086.428-5", "Tienda Aromos SpA", "Fecha de emisión: 24-11-2026",
		"Ana Pérez", "Taza (cerámica) \\ 350 ml", "Costo de envío", "$12.990", "$25.980", "Cupón BIENVENIDA", "-$990",
		"Monto neto:", "$24.353", "IVA 19%:", "$4.627", "Total:", "$28.980", "Timbre Electrónico SII"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q; it shows:\n%s", want, text)
		}
	}
	if st, b := e.call("GET", docPath("pdf", 39, 2), nil); st != 404 || !strings.Contains(bareString(t, b), "T39F2") {
		t.Errorf("missing folio: %d %s", st, b)
	}
}

func TestPDFOfALongBoletaStaysSmallAndValid(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 22})
	lines := make([]dte.Detalle, dte.MaxLinesBoleta)
	for i := range lines {
		lines[i] = line(fmt.Sprintf("Producto con nombre largo que ocupa dos líneas en la columna número %d", i+1), 3, 9990)
		lines[i].CdgItem = fmt.Sprintf("SKU-%06d", i)
	}
	if st, b := e.generar(e.emitir(boleta(lines...))); st != 200 {
		t.Fatalf("generar: %d %s", st, b)
	}
	st, b := e.call("GET", docPath("pdf", 39, 1), nil)
	if st != 200 {
		t.Fatalf("pdf: %d", st)
	}
	if len(b) >= 1<<20 {
		t.Fatalf("a %d-line boleta's PDF is %d bytes, over Multivende's 1 MB", len(lines), len(b))
	}
	text, pages := checkPDF(t, b)
	if pages < 10 {
		t.Errorf("%d lines on %d pages", len(lines), pages)
	}
	for _, want := range []string{"SKU-000999", "número 1000", "(continuación)", fmt.Sprintf("página %d de %d", pages, pages), "$29.970.000"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF does not show %q", want)
		}
	}
}

func TestPDFOnAReceiptRoll(t *testing.T) {
	t.Parallel()
	e := newEnv(t, ldsim.Options{Seed: 23})
	if st, b := e.generar(e.emitir(factura(1, line("Taza", 2, 12990)))); st != 200 {
		t.Fatalf("generar: %d %s", st, b)
	}
	st, b := e.call("GET", docPath("pdf", 33, 1)+"?papelContinuo=80", nil)
	if st != 200 {
		t.Fatalf("pdf: %d", st)
	}
	text, pages := checkPDF(t, b)
	if pages != 1 || !bytes.Contains(b, []byte("/MediaBox [0 0 226.77")) {
		t.Errorf("an 80 mm roll: %d pages, %s", pages, regexp.MustCompile(`/MediaBox \[[^\]]*\]`).Find(b))
	}
	for _, want := range []string{"FACTURA ELECTRÓNICA", "Comercial Los Andes Ltda.", "Giro: Comercio", "2 x $12.990", "$25.980", "Total"} {
		if !strings.Contains(text, want) {
			t.Errorf("the roll does not show %q:\n%s", want, text)
		}
	}
}
