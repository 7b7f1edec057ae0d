package ldsim

// What emitir accepts, as LibreDTE's PHP normaliser takes it (invoicers.md):
// numbers as JSON numbers or numeric strings ("2", "3990.0000", 9990.0),
// false or null for an absent optional field, CdgItem as text, as
// {TpoCodigo, VlrCodigo} or as a list of those, Detalle, DscRcgGlobal and
// Referencia as one object or a list, and FolioRef as text ("OC-4471").
// Numbers are read exactly (math/big rationals), never as floats.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// phpNum is a number PHP-style. v is nil when the field is absent, null,
// false or "".
type phpNum struct{ v *big.Rat }

func (n *phpNum) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch s {
	case "null", "false", `""`:
		n.v = nil
		return nil
	case "true":
		n.v = big.NewRat(1, 1)
		return nil
	}
	if uq, err := strconv.Unquote(s); err == nil {
		s = strings.TrimSpace(uq)
		if s == "" {
			n.v = nil
			return nil
		}
	}
	if strings.ContainsAny(s, "/") {
		return fmt.Errorf("not a number: %.20s", string(b))
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return fmt.Errorf("not a number: %.20s", string(b))
	}
	n.v = r
	return nil
}

func (n phpNum) set() bool { return n.v != nil }

// empty is PHP's empty(): absent or zero.
func (n phpNum) empty() bool { return n.v == nil || n.v.Sign() == 0 }

// round is the value rounded half away from zero (PHP's round), 0 when
// absent.
func (n phpNum) round() int64 {
	if n.v == nil {
		return 0
	}
	return roundRat(n.v)
}

func (n phpNum) rat() *big.Rat {
	if n.v == nil {
		return new(big.Rat)
	}
	return n.v
}

// roundRat rounds half away from zero.
func roundRat(r *big.Rat) int64 {
	nm, den := new(big.Int).Set(r.Num()), r.Denom()
	neg := nm.Sign() < 0
	nm.Abs(nm)
	// (2·nm + den) / (2·den)
	q := new(big.Int).Mul(nm, big.NewInt(2))
	q.Add(q, den)
	q.Quo(q, new(big.Int).Mul(den, big.NewInt(2)))
	if !q.IsInt64() {
		return 0
	}
	if neg {
		return -q.Int64()
	}
	return q.Int64()
}

// text is a string, or a number written as text; false and null are "".
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	s := strings.TrimSpace(string(b))
	switch {
	case s == "null" || s == "false":
		*t = ""
	case strings.HasPrefix(s, `"`):
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*t = text(v)
	case s == "true":
		*t = "1"
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("not text: %.20s", string(b))
		}
		*t = text(n.String())
	}
	return nil
}

// cdgItem is CdgItem: a code as text, {TpoCodigo, VlrCodigo}, or a list of
// those (the first is the item's code).
type cdgItem string

func (c *cdgItem) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	type code struct {
		TpoCodigo text `json:"TpoCodigo"`
		VlrCodigo text `json:"VlrCodigo"`
	}
	switch {
	case len(b) > 0 && b[0] == '{':
		var v code
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*c = cdgItem(v.VlrCodigo)
	case len(b) > 0 && b[0] == '[':
		var v []code
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*c = ""
		if len(v) > 0 {
			*c = cdgItem(v[0].VlrCodigo)
		}
	default:
		var t text
		if err := t.UnmarshalJSON(b); err != nil {
			return err
		}
		*c = cdgItem(t)
	}
	return nil
}

// list is one object or a list of objects; false and null are none.
type list[T any] []T

func (l *list[T]) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == "null", string(b) == "false":
		*l = nil
	case b[0] == '[':
		var v []T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = v
	default:
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*l = []T{v}
	}
	return nil
}

// inDoc is emitir's body as the simulator reads it.
type inDoc struct {
	Encabezado struct {
		IdDoc struct {
			TipoDTE  phpNum `json:"TipoDTE"`
			Folio    phpNum `json:"Folio"`
			FchEmis  text   `json:"FchEmis"`
			MntBruto phpNum `json:"MntBruto"`
		} `json:"IdDoc"`
		Emisor struct {
			RUTEmisor  text   `json:"RUTEmisor"`
			RznSoc     text   `json:"RznSoc"`
			GiroEmis   text   `json:"GiroEmis"`
			Acteco     phpNum `json:"Acteco"`
			DirOrigen  text   `json:"DirOrigen"`
			CmnaOrigen text   `json:"CmnaOrigen"`
		} `json:"Emisor"`
		Receptor struct {
			RUTRecep    text `json:"RUTRecep"`
			RznSocRecep text `json:"RznSocRecep"`
			GiroRecep   text `json:"GiroRecep"`
			DirRecep    text `json:"DirRecep"`
			CmnaRecep   text `json:"CmnaRecep"`
			CorreoRecep text `json:"CorreoRecep"`
		} `json:"Receptor"`
		Totales inTotales `json:"Totales"`
	} `json:"Encabezado"`
	Detalle      list[inDetalle] `json:"Detalle"`
	DscRcgGlobal list[inDscRcg]  `json:"DscRcgGlobal"`
	Referencia   list[inRef]     `json:"Referencia"`
}

// inTotales are the totals a client sent; LibreDTE starts from them.
type inTotales struct {
	MntNeto  phpNum `json:"MntNeto"`
	MntExe   phpNum `json:"MntExe"`
	TasaIVA  phpNum `json:"TasaIVA"`
	IVA      phpNum `json:"IVA"`
	MntTotal phpNum `json:"MntTotal"`
}

// UnmarshalJSON takes false or null as no totals.
func (t *inTotales) UnmarshalJSON(b []byte) error {
	if s := string(bytes.TrimSpace(b)); s == "false" || s == "null" {
		*t = inTotales{}
		return nil
	}
	type plain inTotales
	return json.Unmarshal(b, (*plain)(t))
}

type inDetalle struct {
	NroLinDet      phpNum  `json:"NroLinDet"`
	CdgItem        cdgItem `json:"CdgItem"`
	IndExe         phpNum  `json:"IndExe"`
	NmbItem        text    `json:"NmbItem"`
	QtyItem        phpNum  `json:"QtyItem"`
	PrcItem        phpNum  `json:"PrcItem"`
	DescuentoMonto phpNum  `json:"DescuentoMonto"`
	MontoItem      phpNum  `json:"MontoItem"`
}

type inDscRcg struct {
	TpoMov   text   `json:"TpoMov"`
	GlosaDR  text   `json:"GlosaDR"`
	TpoValor text   `json:"TpoValor"`
	ValorDR  phpNum `json:"ValorDR"`
	IndExeDR phpNum `json:"IndExeDR"`
}

type inRef struct {
	TpoDocRef text   `json:"TpoDocRef"`
	FolioRef  text   `json:"FolioRef"`
	FchRef    text   `json:"FchRef"`
	CodRef    phpNum `json:"CodRef"`
	RazonRef  text   `json:"RazonRef"`
}
