package dte

import (
	"fmt"
	"strings"

	"github.com/folio-cl/folio/internal/safetext"
)

// EachText calls f with every text field of d that holds words (names,
// addresses, glosas, references), named as in warnings ("Detalle[1].NmbItem").
// Codes the document is made of (dates, RUTs, TpoMov) are left out.
func (d *Document) EachText(f func(field string, s *string)) {
	e := &d.Encabezado.Emisor
	for _, x := range []struct {
		name string
		p    *string
	}{{"Emisor.RznSoc", &e.RznSoc}, {"Emisor.GiroEmis", &e.GiroEmis}, {"Emisor.DirOrigen", &e.DirOrigen},
		{"Emisor.CmnaOrigen", &e.CmnaOrigen}} {
		f(x.name, x.p)
	}
	r := &d.Encabezado.Receptor
	for _, x := range []struct {
		name string
		p    *string
	}{{"Receptor.RznSocRecep", &r.RznSocRecep}, {"Receptor.GiroRecep", &r.GiroRecep}, {"Receptor.DirRecep", &r.DirRecep},
		{"Receptor.CmnaRecep", &r.CmnaRecep}, {"Receptor.CorreoRecep", &r.CorreoRecep}} {
		f(x.name, x.p)
	}
	for i := range d.Detalle {
		f(fmt.Sprintf("Detalle[%d].CdgItem", i+1), &d.Detalle[i].CdgItem)
		f(fmt.Sprintf("Detalle[%d].NmbItem", i+1), &d.Detalle[i].NmbItem)
	}
	for i := range d.DscRcgGlobal {
		f(fmt.Sprintf("DscRcgGlobal[%d].GlosaDR", i+1), &d.DscRcgGlobal[i].GlosaDR)
	}
	for i := range d.Referencia {
		f(fmt.Sprintf("Referencia[%d].FolioRef", i+1), &d.Referencia[i].FolioRef)
		f(fmt.Sprintf("Referencia[%d].RazonRef", i+1), &d.Referencia[i].RazonRef)
	}
}

// cleanDocument takes control characters (C0, DEL, C1, bidi controls,
// invalid UTF-8) out of d's text: the invoicer's XML signer rejects
// them. Tabs and line breaks become a space; each field changed is a
// warning. A line name left empty becomes "Producto" and a boleta's buyer "Sin
// RUT", as when they were never given.
func cleanDocument(d *Document) []Warning {
	var warns []Warning
	d.EachText(func(field string, s *string) {
		c, changed := safetext.Clean(*s)
		if !changed {
			return
		}
		c = strings.TrimSpace(c)
		switch {
		case c != "":
		case strings.HasSuffix(field, ".NmbItem"):
			c = "Producto"
		case field == "Receptor.RznSocRecep" && d.Encabezado.IdDoc.TipoDTE.IsBoleta():
			c = "Sin RUT"
		}
		*s = c
		warns = append(warns, Warning{Code: "DTE-CONTROL-CHARS", Field: field, Message: Text{
			fmt.Sprintf("%s tenía caracteres de control (que el SII no acepta): se quitaron, queda %q", field, c),
			fmt.Sprintf("%s had control characters (which the SII does not accept): removed, leaving %q", field, c)}})
	})
	return warns
}
