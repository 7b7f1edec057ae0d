package ldsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
)

// maxBody bounds a request body (a 1000-line boleta is ~200 KB).
const maxBody = 4 << 20

// emitir creates a temporary document.
func (s *Server) emitir(w http.ResponseWriter, r *http.Request) {
	if f := r.URL.Query().Get("formato"); f != "" && f != "json" {
		fail(w, http.StatusBadRequest, "Formato "+f+" no soportado por el simulador: use formato=json")
		return
	}
	var d inDoc
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBody))
	if err := dec.Decode(&d); err != nil {
		fail(w, http.StatusBadRequest, msgNotJSON)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	nd, rej := s.normalize(d, now.Format(time.DateOnly))
	if rej != nil {
		fail(w, rej.status, rej.msg)
		return
	}
	rec, _ := dte.ParseRUT(nd.Encabezado.Receptor.RUTRecep)
	t := &tmp{codigo: randomHex(s.rng, 16), receptor: int64(rec.Body), fecha: nd.Encabezado.IdDoc.FchEmis, doc: nd, created: now}
	s.tmps[t.codigo] = t
	reply(w, http.StatusOK, tmpKeyReply{Emisor: s.emisor, Receptor: t.receptor, DTE: int(nd.Encabezado.IdDoc.TipoDTE), Codigo: t.codigo})
}

// generar turns a temporary document into a DTE with a folio. The
// reset-after-generar fault consumes the folio and cuts the connection.
func (s *Server) generar(w http.ResponseWriter, r *http.Request) {
	if s.faults.Roll(func(sp faults.Spec) float64 { return sp.ResetAfterGenerar }) {
		faults.HandleThenReset(w, r, http.HandlerFunc(s.doGenerar))
		return
	}
	s.doGenerar(w, r)
}

func (s *Server) doGenerar(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&body); err != nil || body == nil {
		fail(w, http.StatusBadRequest, "Debe enviar los datos del DTE temporal como objeto.") // LibreDTE
		return
	}
	key := map[string]string{}
	for _, col := range []string{"emisor", "receptor", "dte", "codigo"} {
		v, ok := body[col]
		if !ok {
			fail(w, http.StatusNotFound, msgKeyMissing+col)
			return
		}
		key[col] = rawText(v)
	}
	if !s.isEmisor(key["emisor"]) {
		fail(w, http.StatusForbidden, msgForbidden)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tmps[key["codigo"]]
	if !ok || strconv.Itoa(int(t.doc.Encabezado.IdDoc.TipoDTE)) != key["dte"] || strconv.FormatInt(t.receptor, 10) != key["receptor"] {
		fail(w, http.StatusNotFound, msgTmpMissing)
		return
	}
	if s.noSignature {
		fail(w, 506, msgFirmaGenerar)
		return
	}
	typ := t.doc.Encabezado.IdDoc.TipoDTE
	if s.used[typ] >= s.folioLimit() {
		fail(w, 508, fmt.Sprintf("No se encontró el archivo XML del CAF para %s que contiene el siguiente folio que se debería usar para generar el DTE. Antes de intentar generar nuevamente el DTE, debe cargar el XML de un CAF con folios.", strings.ToLower(tipoName[int(typ)])))
		return
	}
	s.used[typ]++
	now := s.now()
	s.nextTrack += 1 + int64(s.rng.IntN(3))
	d := &emitted{doc: t.doc, folio: s.used[typ], receptor: t.receptor, fecha: t.fecha, trackID: s.nextTrack, created: now, fate: s.rollFate()}
	d.doc.Encabezado.IdDoc.Folio = d.folio
	delete(s.tmps, t.codigo)
	s.emitted = append(s.emitted, d)
	s.byFolio[folioKey{typ, d.folio}] = d
	reply(w, http.StatusOK, s.emitidoRecord(d))
}

func (s *Server) emitidoRecord(d *emitted) emitidoReply {
	tot := d.doc.Encabezado.Totales
	out := emitidoReply{Emisor: s.emisor, DTE: int(d.doc.Encabezado.IdDoc.TipoDTE), Folio: d.folio, Tasa: tot.TasaIVA,
		Fecha: d.fecha, Receptor: strconv.FormatInt(d.receptor, 10), IVA: tot.IVA, Total: tot.MntTotal, Usuario: apiUserID,
		TrackID: d.trackID, FechaHoraCreacion: d.created.Format(timestamp)}
	if tot.MntExe > 0 {
		out.Exento = &tot.MntExe
	}
	if tot.MntNeto > 0 {
		out.Neto = &tot.MntNeto
	}
	return out
}

// rawText reads a JSON string or number as text.
func rawText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return strings.TrimSpace(s)
	}
	return strings.TrimSpace(string(v))
}

// tmpAt finds the temporary document a request's path names (receptor,
// dte and codigo must all match); the caller holds s.mu.
func (s *Server) tmpAt(r *http.Request) (*tmp, bool) {
	t, ok := s.tmps[r.PathValue("codigo")]
	if !ok || strconv.Itoa(int(t.doc.Encabezado.IdDoc.TipoDTE)) != r.PathValue("dte") || strconv.FormatInt(t.receptor, 10) != r.PathValue("receptor") {
		return nil, false
	}
	return t, true
}

// tmpInfo answers a temporary document's record, 404 once generated.
func (s *Server) tmpInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tmpAt(r)
	if !ok {
		fail(w, http.StatusNotFound, msgTmpInfo)
		return
	}
	out := tmpInfoReply{Emisor: s.emisor, Receptor: t.receptor, DTE: int(t.doc.Encabezado.IdDoc.TipoDTE), Codigo: t.codigo,
		Fecha: t.fecha, Total: t.doc.Encabezado.Totales.MntTotal, Usuario: apiUserID, Tipo: tipoName[int(t.doc.Encabezado.IdDoc.TipoDTE)]}
	if on(r.URL.Query().Get("getDatosDte")) {
		out.Datos = t.doc
	}
	reply(w, http.StatusOK, out)
}

// tmpEliminar deletes a temporary document (DteTmps::_api_eliminar_GET):
// true, or 404 when there is none.
func (s *Server) tmpEliminar(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tmpAt(r)
	if !ok {
		fail(w, http.StatusNotFound, msgTmpInfo)
		return
	}
	delete(s.tmps, t.codigo)
	reply(w, http.StatusOK, true)
}

func on(v string) bool { return v != "" && v != "0" && v != "false" }

// buscar filters the emitted documents as Contribuyente::getDocumentosEmitidos
// does (dte, folio, fecha, total, receptor, fecha_desde/hasta,
// total_desde/hasta, limit, offset), newest first; 404 when nothing matches.
func (s *Server) buscar(w http.ResponseWriter, r *http.Request) {
	var f map[string]any
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	if err != nil {
		fail(w, http.StatusBadRequest, "No fue posible leer los filtros de la búsqueda.")
		return
	}
	if len(strings.TrimSpace(string(raw))) > 0 {
		if err := json.Unmarshal(raw, &f); err != nil {
			fail(w, http.StatusBadRequest, "Los filtros de la búsqueda deben ser un objeto JSON.")
			return
		}
	}
	match, err := buscarFilter(f)
	if err != nil {
		fail(w, http.StatusBadRequest, err.Error())
		return
	}
	s.mu.Lock()
	var found []*emitted
	for i := len(s.emitted) - 1; i >= 0; i-- { // newest first among equals
		if d := s.emitted[i]; match(d) {
			found = append(found, d)
		}
	}
	rows := make([]buscarRow, 0, len(found))
	for _, d := range found {
		estado := s.review(d, s.now()).RevisionEstado
		rows = append(rows, buscarRow{DTE: int(d.doc.Encabezado.IdDoc.TipoDTE), Tipo: tipoName[int(d.doc.Encabezado.IdDoc.TipoDTE)],
			Folio: d.folio, Receptor: d.receptor, RazonSocial: d.doc.Encabezado.Receptor.RznSocRecep, Fecha: d.fecha,
			Total: d.doc.Encabezado.Totales.MntTotal, Estado: &estado, Usuario: apiUserName, HasXML: true, TrackID: d.trackID,
			FechaHoraCreacion: d.created.Format(timestamp)})
	}
	s.mu.Unlock()
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].Fecha != rows[j].Fecha {
			return rows[i].Fecha > rows[j].Fecha
		}
		return rows[i].FechaHoraCreacion > rows[j].FechaHoraCreacion
	})
	if off := intOf(f["offset"]); off > 0 {
		rows = rows[min(int(off), len(rows)):]
	}
	if lim := intOf(f["limit"]); lim > 0 && int(lim) < len(rows) {
		rows = rows[:lim]
	}
	if len(rows) == 0 {
		fail(w, http.StatusNotFound, msgBuscarNone)
		return
	}
	reply(w, http.StatusOK, rows)
}

// buscarFilter builds the matcher of LibreDTE's filters; empty values do not
// filter, as PHP's empty() has it.
func buscarFilter(f map[string]any) (func(*emitted) bool, error) {
	var tests []func(*emitted) bool
	if v := intOf(f["folio"]); v != 0 {
		tests = append(tests, func(d *emitted) bool { return d.folio == v })
	}
	if v := textOf(f["fecha"]); v != "" {
		tests = append(tests, func(d *emitted) bool { return d.fecha == v })
	}
	if v := intOf(f["total"]); v != 0 {
		tests = append(tests, func(d *emitted) bool { return d.doc.Encabezado.Totales.MntTotal == v })
	}
	if v := textOf(f["fecha_desde"]); v != "" {
		tests = append(tests, func(d *emitted) bool { return d.fecha >= v })
	}
	if v := textOf(f["fecha_hasta"]); v != "" {
		tests = append(tests, func(d *emitted) bool { return d.fecha <= v })
	}
	if v := intOf(f["total_desde"]); v != 0 {
		tests = append(tests, func(d *emitted) bool { return d.doc.Encabezado.Totales.MntTotal >= v })
	}
	if v := intOf(f["total_hasta"]); v != 0 {
		tests = append(tests, func(d *emitted) bool { return d.doc.Encabezado.Totales.MntTotal <= v })
	}
	switch v := f["dte"].(type) {
	case nil:
	case []any:
		set := map[int64]bool{}
		for _, x := range v {
			set[intOf(x)] = true
		}
		tests = append(tests, func(d *emitted) bool { return set[int64(d.doc.Encabezado.IdDoc.TipoDTE)] })
	default:
		if t := textOf(v); t != "" {
			neg := strings.HasPrefix(t, "!")
			n, err := strconv.ParseInt(strings.TrimPrefix(t, "!"), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("filtro dte %q inválido", t)
			}
			tests = append(tests, func(d *emitted) bool { return (int64(d.doc.Encabezado.IdDoc.TipoDTE) == n) != neg })
		}
	}
	if t := textOf(f["receptor"]); t != "" && t != "0" {
		neg := strings.HasPrefix(t, "!")
		t = strings.TrimPrefix(t, "!")
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			tests = append(tests, func(d *emitted) bool { return (d.receptor == n) != neg })
		} else if strings.Contains(t, "-") {
			body, _ := strconv.ParseInt(strings.ReplaceAll(strings.SplitN(t, "-", 2)[0], ".", ""), 10, 64)
			tests = append(tests, func(d *emitted) bool { return (d.receptor == body) != neg })
		} else { // razón social, or part of it
			low := strings.ToLower(t)
			tests = append(tests, func(d *emitted) bool {
				return strings.Contains(strings.ToLower(d.doc.Encabezado.Receptor.RznSocRecep), low)
			})
		}
	}
	return func(d *emitted) bool {
		for _, t := range tests {
			if !t(d) {
				return false
			}
		}
		return true
	}, nil
}

// intOf reads a JSON number or numeric string; anything else is 0.
func intOf(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// textOf reads a JSON string or number as text.
func textOf(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case float64:
		return strconv.FormatInt(int64(x), 10)
	}
	return ""
}

// find returns the emitted document the path names. Called with s.mu held.
func (s *Server) find(r *http.Request) (*emitted, string) {
	t, _ := strconv.Atoi(r.PathValue("dte"))
	folio, _ := strconv.ParseInt(r.PathValue("folio"), 10, 64)
	d := s.byFolio[folioKey{dte.DocType(t), folio}]
	return d, fmt.Sprintf("No existe el documento solicitado T%sF%s.", r.PathValue("dte"), r.PathValue("folio")) // LibreDTE
}

// pdf renders an emitted document.
func (s *Server) pdf(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d, missing := s.find(r)
	var doc dte.Document
	var track int64
	if d != nil {
		doc, track = d.doc, d.trackID
	}
	s.mu.Unlock()
	if d == nil {
		fail(w, http.StatusNotFound, missing)
		return
	}
	width := 0
	if v, err := strconv.Atoi(r.URL.Query().Get("papelContinuo")); err == nil && v > 0 {
		width = v
	}
	b := renderPDF(doc, track, width)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachement; filename="LibreDTE_%d_T%dF%d.pdf"`, s.emisor, int(doc.Encabezado.IdDoc.TipoDTE), doc.Encabezado.IdDoc.Folio))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// estado answers the SII's status: the revision for boletas, the SII's
// RESP_HDR for other types. It needs the signature.
func (s *Server) estado(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noSignature {
		fail(w, 506, msgFirmaEstado)
		return
	}
	d, missing := s.find(r)
	if d == nil {
		fail(w, http.StatusNotFound, missing)
		return
	}
	if d.doc.Encabezado.IdDoc.TipoDTE.IsBoleta() {
		reply(w, http.StatusOK, s.review(d, s.now()))
		return
	}
	reply(w, http.StatusOK, s.respHdrFor(d, s.now()))
}

// actualizarEstado answers the revision of any type; without a signature
// LibreDTE's exception becomes a 500.
func (s *Server) actualizarEstado(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, missing := s.find(r)
	if d == nil {
		fail(w, http.StatusNotFound, missing)
		return
	}
	if s.noSignature {
		fail(w, http.StatusInternalServerError, msgFirmaActualiz)
		return
	}
	reply(w, http.StatusOK, s.review(d, s.now()))
}
