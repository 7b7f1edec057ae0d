package dte

import (
	"strings"
	"testing"
)

// issued builds s as Build does and gives it a folio, as the invoicer would.
func issued(t *testing.T, s Sale, opt Options, folio int64) Document {
	t.Helper()
	doc, _ := mustBuild(t, s, opt)
	doc.Encabezado.IdDoc.Folio = folio
	return doc
}

func TestCreditNoteTotals(t *testing.T) {
	t.Parallel()
	worked := saleOf(Item{SKU: "TAZA", Name: "Taza", Qty: 2, UnitGross: 12990})
	worked.Shipping = 3990
	worked.Paid = 29970
	coupon := saleOf(Item{Name: "A", Qty: 1, UnitGross: 10000}, Item{Name: "B", Qty: 1, UnitGross: 5000})
	coupon.Coupons = []int64{1500}
	coupon.Paid = 13500
	halfCoupon := saleOf(Item{Name: "A", Qty: 1, UnitGross: 100}, Item{Name: "B", Qty: 1, UnitGross: 100})
	halfCoupon.Coupons = []int64{1}
	halfCoupon.Paid = 199
	factura := saleOf(Item{Name: "Taladro", Qty: 3, UnitGross: 1000, Discount: 100}, Item{Name: "Broca", Qty: 1, UnitGross: 2990})
	factura.Requested = RequestFactura
	factura.Buyer = facturaBuyer()
	exempt := saleOf(Item{Name: "Libro", Qty: 1, UnitGross: 8000, Exempt: true}, Item{Name: "Taza", Qty: 1, UnitGross: 6})

	cases := []struct {
		name                  string
		sale                  Sale
		lines                 string
		codRef                int
		nLines                int
		neto, exe, iva, total int64
	}{
		{"whole boleta: the original's totals", worked, "", CodRefAnula, 2, 25185, 0, 4785, 29970},
		{"every line whole is a cancellation", worked, "2,1", CodRefAnula, 2, 25185, 0, 4785, 29970},
		{"one unit of two", worked, "1:1", CodRefCorrigeMontos, 1, 10916, 0, 2074, 12990},
		{"one unit and the shipping", worked, "1:1,2", CodRefCorrigeMontos, 2, 14269, 0, 2711, 16980},
		{"only the shipping", worked, "2", CodRefCorrigeMontos, 1, 3353, 0, 637, 3990},
		{"coupon prorated", coupon, "2", CodRefCorrigeMontos, 1, 3782, 0, 718, 4500},
		{"coupon prorated, half rounds away from zero", halfCoupon, "2", CodRefCorrigeMontos, 1, 83, 0, 16, 99},
		{"line discount prorated down (33.3)", factura, "1:1", CodRefCorrigeMontos, 1, 813, 0, 154, 967},
		{"line discount prorated up (66.7)", factura, "1:2", CodRefCorrigeMontos, 1, 1624, 0, 309, 1933},
		{"whole factura", factura, "", CodRefAnula, 2, 4950, 0, 940, 5890},
		{"exempt line only", exempt, "1", CodRefCorrigeMontos, 1, 0, 8000, 0, 8000},
		{"taxable gross 6: net 5, IVA 1", exempt, "2", CodRefCorrigeMontos, 1, 5, 0, 1, 6},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			orig := issued(t, c.sale, Options{}, 4471)
			ret, err := ParseReturnLines(c.lines)
			if err != nil {
				t.Fatal(err)
			}
			nc, _, err := CreditNote(orig, CreditOptions{Date: "2026-12-01", Lines: ret})
			if err != nil {
				t.Fatalf("CreditNote: %v", err)
			}
			id := nc.Encabezado.IdDoc
			if id.TipoDTE != NotaCredito || id.Folio != 0 || id.FchEmis != "2026-12-01" {
				t.Errorf("IdDoc = %+v, want a 61 without folio dated 2026-12-01", id)
			}
			tot := nc.Encabezado.Totales
			if tot.MntNeto != c.neto || tot.MntExe != c.exe || tot.IVA != c.iva || tot.MntTotal != c.total {
				t.Errorf("totals = %+v, want neto %d exe %d iva %d total %d", tot, c.neto, c.exe, c.iva, c.total)
			}
			if tot.MntNeto+tot.IVA+tot.MntExe != tot.MntTotal {
				t.Errorf("totals do not add up: %+v", tot)
			}
			if len(nc.Detalle) != c.nLines {
				t.Errorf("%d lines, want %d", len(nc.Detalle), c.nLines)
			}
			var sum int64
			for i, l := range nc.Detalle {
				if l.NroLinDet != i+1 {
					t.Errorf("line %d numbered %d", i+1, l.NroLinDet)
				}
				if l.MontoItem != l.PrcItem*l.QtyItem-l.DescuentoMonto {
					t.Errorf("line %d: MontoItem %d ≠ %d×%d−%d", i+1, l.MontoItem, l.PrcItem, l.QtyItem, l.DescuentoMonto)
				}
				sum += l.MontoItem
			}
			for _, d := range nc.DscRcgGlobal {
				sum -= d.ValorDR
			}
			if sum != tot.MntTotal {
				t.Errorf("gross lines less discounts = %d, total %d", sum, tot.MntTotal)
			}
			if len(nc.Referencia) != 1 {
				t.Fatalf("Referencia = %+v, want exactly one", nc.Referencia)
			}
			r := nc.Referencia[0]
			if r.TpoDocRef != orig.Encabezado.IdDoc.TipoDTE || r.FolioRef != "4471" || r.FchRef != "2026-11-24" || r.CodRef != c.codRef || r.RazonRef == "" {
				t.Errorf("Referencia = %+v, want %d folio 4471 of 2026-11-24 CodRef %d with a reason", r, orig.Encabezado.IdDoc.TipoDTE, c.codRef)
			}
			if nc.Encabezado.Receptor != orig.Encabezado.Receptor {
				t.Errorf("receptor %+v, want the original's %+v", nc.Encabezado.Receptor, orig.Encabezado.Receptor)
			}
			if c.codRef == CodRefAnula && tot != orig.Encabezado.Totales {
				t.Errorf("a cancellation's totals %+v differ from the original's %+v", tot, orig.Encabezado.Totales)
			}
		})
	}
}

func TestCreditNoteRefusals(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "Taza", Qty: 2, UnitGross: 12990})
	orig := issued(t, s, Options{}, 10)
	noFolio := issued(t, s, Options{}, 0)
	ncOrig := orig
	ncOrig.Encabezado.IdDoc.TipoDTE = NotaCredito
	for _, c := range []struct {
		name  string
		orig  Document
		lines []ReturnLine
		code  string
	}{
		{"line out of range", orig, []ReturnLine{{Line: 2}}, "DTE-NC-BAD-LINES"},
		{"more units than issued", orig, []ReturnLine{{Line: 1, Qty: 3}}, "DTE-NC-BAD-LINES"},
		{"no folio", noFolio, nil, "DTE-NC-BAD-REF"},
		{"a credit note of a credit note", ncOrig, nil, "DTE-NC-BAD-REF"},
	} {
		_, _, err := CreditNote(c.orig, CreditOptions{Date: "2026-12-01", Lines: c.lines})
		if ve, ok := AsValidation(err); !ok || ve.Code != c.code {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
	for _, in := range []string{"0", "x", "1:0", "1:-2", "1,1"} {
		if _, err := ParseReturnLines(in); err == nil {
			t.Errorf("ParseReturnLines(%q) accepted", in)
		}
	}
	got, err := ParseReturnLines(" 1, 3:2 ")
	if err != nil || len(got) != 2 || got[0] != (ReturnLine{Line: 1}) || got[1] != (ReturnLine{Line: 3, Qty: 2}) {
		t.Errorf("ParseReturnLines = %v, %v", got, err)
	}
}

func TestCreditNoteWindowAndReason(t *testing.T) {
	t.Parallel()
	s := saleOf(Item{Name: "Taza", Qty: 1, UnitGross: 12990})
	s.Date = "2026-05-15"
	orig := issued(t, s, Options{}, 7)
	hasWindow := func(ws []Warning) bool {
		for _, w := range ws {
			if w.Code == "DTE-NC-WINDOW" {
				return true
			}
		}
		return false
	}
	if _, ws, _ := CreditNote(orig, CreditOptions{Date: "2026-11-15"}); hasWindow(ws) {
		t.Error("the last day of the 6-month window warned")
	}
	nc, ws, _ := CreditNote(orig, CreditOptions{Date: "2026-11-16", Reason: "Cliente devolvió " + strings.Repeat("x", 100)})
	if !hasWindow(ws) {
		t.Error("a day past the 6-month window did not warn")
	}
	if n := len([]rune(nc.Referencia[0].RazonRef)); n != MaxRazonRef {
		t.Errorf("RazonRef has %d characters, want cut to %d", n, MaxRazonRef)
	}
}
