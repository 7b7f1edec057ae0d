package ldsim

import (
	"fmt"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
)

// fate is what the SII will answer once it has reviewed a document.
type fate struct {
	code   string // EPR, RLV or RCH
	detail string
}

// Rejections carry the SII's own error codes (those LibreDTE's
// DteEmitido::$envio_sii_ayudas explains); objections are plain words.
var (
	rejections = []string{
		"(HED-3-305) Fecha de emisión anterior a la fecha de autorización del documento",
		"(CAF-3-517) El CAF que contiene el folio se encuentra vencido",
		"(DTE-3-101) El folio ya fue usado para enviar un DTE al SII con otros datos",
		"(DTE-3-601) El folio del documento fue anulado previo a su emisión",
	}
	objections = []string{
		"Reparo leve: el giro del receptor no coincide con el registrado en el SII",
		"Reparo leve: la dirección del receptor está incompleta",
	}
)

// rollFate decides a new document's review. Called with s.mu held.
func (s *Server) rollFate() fate {
	switch {
	case s.faults.Roll(func(sp faults.Spec) float64 { return sp.SIIReject }):
		return fate{code: "RCH", detail: rejections[s.rng.IntN(len(rejections))]}
	case s.opts.SIIObjection > 0 && s.rng.Float64() < s.opts.SIIObjection:
		return fate{code: "RLV", detail: objections[s.rng.IntN(len(objections))]}
	}
	return fate{code: "EPR", detail: "DTE aceptado"}
}

// reviewStages are the SII's intermediate envío states, in order, each
// lasting a fifth of the review.
var reviewStages = []string{"REC - Envío Recibido", "SOK - Schema Validado", "CRT - Carátula OK",
	"FOK - Firma de Envío Validada", "PRD - Envío en Proceso"}

// review is the revision LibreDTE records for d at time now, as
// actualizar_estado answers it. Called with s.mu held.
func (s *Server) review(d *emitted, now time.Time) revisionReply {
	r := revisionReply{TrackID: d.trackID}
	elapsed := now.Sub(d.created)
	if elapsed < s.opts.SIIDelay {
		i := 0
		if elapsed > 0 {
			i = int(elapsed * time.Duration(len(reviewStages)) / s.opts.SIIDelay)
		}
		r.RevisionEstado = reviewStages[min(i, len(reviewStages)-1)]
		return r
	}
	detail := d.fate.detail
	r.RevisionDetalle = &detail
	switch d.fate.code {
	case "RCH":
		r.RevisionEstado = "RCH - DTE Rechazado"
	case "RLV":
		r.RevisionEstado = "RLV - DTE Aceptado con Reparos Leves"
	default:
		r.RevisionEstado = "EPR - Envío Procesado"
	}
	return r
}

// respHdrFor is estado's RESP_HDR for a non-boleta at time now.
func (s *Server) respHdrFor(d *emitted, now time.Time) respHdr {
	at := fmt.Sprintf("%d (%s)", d.trackID%100000, now.Format("2006/01/02 15:04:05"))
	if now.Sub(d.created) >= s.opts.SIIDelay && d.fate.code != "RCH" {
		return respHdr{Estado: "DOK", GlosaEstado: "Documento Recibido por el SII. Datos Coinciden con los Registrados",
			ErrCode: "0", GlosaErr: "", NumAtencion: at}
	}
	return respHdr{Estado: "FAU", GlosaEstado: "Documento No Recibido por el SII", ErrCode: "1", GlosaErr: "Documento no recibido", NumAtencion: at}
}
