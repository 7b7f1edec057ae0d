package dte

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// DocType is the SII's TipoDTE code.
type DocType int

// Document types folio knows (dte.md).
const (
	Factura       DocType = 33
	FacturaExenta DocType = 34
	Boleta        DocType = 39
	BoletaExenta  DocType = 41
	GuiaDespacho  DocType = 52
	NotaDebito    DocType = 56
	NotaCredito   DocType = 61
)

// IsBoleta reports whether t is a boleta (39 or 41).
func (t DocType) IsBoleta() bool { return t == Boleta || t == BoletaExenta }

// IsFactura reports whether t is a factura (33 or 34).
func (t DocType) IsFactura() bool { return t == Factura || t == FacturaExenta }

// Name is the Chilean name of the document type, used in both languages.
func (t DocType) Name() string {
	switch t {
	case Factura:
		return "factura electrónica"
	case FacturaExenta:
		return "factura exenta electrónica"
	case Boleta:
		return "boleta electrónica"
	case BoletaExenta:
		return "boleta exenta electrónica"
	case GuiaDespacho:
		return "guía de despacho"
	case NotaDebito:
		return "nota de débito"
	case NotaCredito:
		return "nota de crédito"
	}
	return "DTE"
}

// Document is a DTE as folio sends it to the invoicer. JSON keys are the
// SII's names, which LibreDTE's emitir reads.
type Document struct {
	Encabezado   Encabezado     `json:"Encabezado"`
	Detalle      []Detalle      `json:"Detalle"`
	DscRcgGlobal []DscRcgGlobal `json:"DscRcgGlobal,omitempty"`
	Referencia   []Referencia   `json:"Referencia,omitempty"`
}

// Encabezado is the document's header.
type Encabezado struct {
	IdDoc    IdDoc    `json:"IdDoc"`
	Emisor   Emisor   `json:"Emisor"`
	Receptor Receptor `json:"Receptor"`
	Totales  Totales  `json:"Totales"`
}

// IdDoc identifies the document. Folio is assigned by the invoicer; MntBruto
// 1 says line prices include IVA.
type IdDoc struct {
	TipoDTE  DocType `json:"TipoDTE"`
	Folio    int64   `json:"Folio,omitempty"`
	FchEmis  string  `json:"FchEmis,omitempty"`
	MntBruto int     `json:"MntBruto,omitempty"`
}

// Emisor is the issuing company (from folio's config).
type Emisor struct {
	RUTEmisor  string `json:"RUTEmisor,omitempty"`
	RznSoc     string `json:"RznSoc,omitempty"`
	GiroEmis   string `json:"GiroEmis,omitempty"`
	Acteco     int    `json:"Acteco,omitempty"`
	DirOrigen  string `json:"DirOrigen,omitempty"`
	CmnaOrigen string `json:"CmnaOrigen,omitempty"`
}

// Receptor is the buyer.
type Receptor struct {
	RUTRecep    string `json:"RUTRecep"`
	RznSocRecep string `json:"RznSocRecep,omitempty"`
	GiroRecep   string `json:"GiroRecep,omitempty"`
	DirRecep    string `json:"DirRecep,omitempty"`
	CmnaRecep   string `json:"CmnaRecep,omitempty"`
	CorreoRecep string `json:"CorreoRecep,omitempty"`
}

// Totales are the document's totals, computed by folio (never left to the
// invoicer) so that what folio shows is what gets issued.
type Totales struct {
	MntNeto  int64 `json:"MntNeto"`
	MntExe   int64 `json:"MntExe"`
	TasaIVA  int   `json:"TasaIVA,omitempty"`
	IVA      int64 `json:"IVA"`
	MntTotal int64 `json:"MntTotal"`
}

// Detalle is one line. CdgItem carries the SKU as a plain string, which
// LibreDTE normalises into the SII's {TpoCodigo: INT1, VlrCodigo: SKU}.
type Detalle struct {
	NroLinDet      int    `json:"NroLinDet"`
	CdgItem        string `json:"CdgItem,omitempty"`
	IndExe         int    `json:"IndExe,omitempty"`
	NmbItem        string `json:"NmbItem"`
	QtyItem        int64  `json:"QtyItem"`
	PrcItem        int64  `json:"PrcItem,omitempty"`
	DescuentoMonto int64  `json:"DescuentoMonto,omitempty"`
	MontoItem      int64  `json:"MontoItem"`
}

// DscRcgGlobal is a global discount (TpoMov D) or surcharge (R).
type DscRcgGlobal struct {
	NroLinDR int    `json:"NroLinDR"`
	TpoMov   string `json:"TpoMov"`
	GlosaDR  string `json:"GlosaDR,omitempty"`
	TpoValor string `json:"TpoValor"`
	ValorDR  int64  `json:"ValorDR"`
	IndExeDR int    `json:"IndExeDR,omitempty"`
}

// Referencia points at another document (credit notes). FolioRef is text:
// the SII's schema types it so, and a reference may be an order number
// such as "OC-4471".
type Referencia struct {
	NroLinRef int     `json:"NroLinRef"`
	TpoDocRef DocType `json:"TpoDocRef"`
	FolioRef  string  `json:"FolioRef"`
	FchRef    string  `json:"FchRef"`
	CodRef    int     `json:"CodRef,omitempty"`
	RazonRef  string  `json:"RazonRef,omitempty"`
}

// Reference codes of a credit note (CodRef).
const (
	CodRefAnula         = 1
	CodRefCorrigeTexto  = 2
	CodRefCorrigeMontos = 3
)

// UnmarshalJSON reads FolioRef as text or as a number (documents stored
// before it was text).
func (r *Referencia) UnmarshalJSON(b []byte) error {
	type plain Referencia
	var v struct {
		plain
		FolioRef json.RawMessage `json:"FolioRef"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Referencia(v.plain)
	r.FolioRef = ""
	if raw := bytes.TrimSpace(v.FolioRef); len(raw) > 0 && string(raw) != "null" {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			r.FolioRef = s
		} else {
			var n json.Number
			if err := json.Unmarshal(raw, &n); err != nil {
				return fmt.Errorf("FolioRef: %w", err)
			}
			r.FolioRef = n.String()
		}
	}
	return nil
}
