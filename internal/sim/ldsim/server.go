// Package ldsim is a faithful LibreDTE simulator: Basic auth with the API
// hash, emitir (normalise, validate, temporary document), generar (next
// folio from a finite range, temporary document deleted, track id),
// temporary-document info, emitted-document search, a real PDF, SII status
// moving over time, and the errors invoicers.md lists (401, 403, 404, 506,
// 508), with injected faults.
package ldsim

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
)

// Options configure a simulator.
type Options struct {
	Seed uint64
	// Hash is the API hash the account accepts (generated when empty).
	Hash string
	// Emisor is the account's company; default 76086428-5.
	Emisor dte.Emisor
	// Folios per document type (default 1 000 000); Faults.Folios overrides.
	Folios int
	Faults faults.Spec
	// SIIDelay is how long the SII takes to review (default 3 s).
	SIIDelay time.Duration
	Now      func() time.Time
}

// Server is a running simulator. Safe for concurrent use.
type Server struct {
	opts   Options
	emisor int64
	faults *faults.Injector
	h      http.Handler

	mu          sync.Mutex
	rng         *rand.Rand
	next        map[int]int64 // next folio per type
	tmps        map[string]*tmp
	emitted     []*doc
	noSignature bool
	srv         *http.Server
}

type tmp struct {
	key    map[string]any
	doc    dte.Document
	dte    int
	recep  int64
	fecha  string
	total  int64
	codigo string
}

type doc struct {
	DTE      int    `json:"dte"`
	Folio    int64  `json:"folio"`
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	Total    int64  `json:"total"`
	Fecha    string `json:"fecha"`

	neto, iva, exento int64
	trackID           int64
	issuedAt          time.Time
	rejected          bool
	document          dte.Document
}

// New makes a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Emisor.RUTEmisor == "" {
		o.Emisor = dte.Emisor{RUTEmisor: "76086428-5", RznSoc: "Tienda Aromos SpA", GiroEmis: "Venta al por menor por internet",
			Acteco: 479100, DirOrigen: "Av. Providencia 1234", CmnaOrigen: "Providencia"}
	}
	if o.Folios <= 0 {
		o.Folios = 1_000_000
	}
	if o.SIIDelay <= 0 {
		o.SIIDelay = 3 * time.Second
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x11b7e))
	if o.Hash == "" {
		b := make([]byte, 16)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		o.Hash = hex.EncodeToString(b)
	}
	r, _ := dte.ParseRUT(o.Emisor.RUTEmisor)
	s := &Server{opts: o, emisor: int64(r.Body), faults: faults.New(o.Faults, o.Seed+2), rng: rng,
		next: map[int]int64{}, tmps: map[string]*tmp{}}
	s.h = s.routes()
	return s
}

// Hash is the API hash the account accepts.
func (s *Server) Hash() string { return s.opts.Hash }

// Emisor is the account's company.
func (s *Server) Emisor() dte.Emisor { return s.opts.Emisor }

// Faults is the fault injector.
func (s *Server) Faults() *faults.Injector { return s.faults }

// SetNoSignature makes generar fail with 506 (no digital signature loaded).
func (s *Server) SetNoSignature(v bool) { s.mu.Lock(); s.noSignature = v; s.mu.Unlock() }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Start serves on addr until ctx ends and returns the API root (…/api).
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("libredte simulator: listen %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
	go func() { <-ctx.Done(); _ = srv.Close() }()
	return "http://" + ln.Addr().String() + "/api", nil
}

// Close stops a started server.
func (s *Server) Close() error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Close()
}

// Emitted is one issued document in State.
type Emitted struct {
	DTE      int    `json:"dte"`
	Folio    int64  `json:"folio"`
	Emisor   int64  `json:"emisor"`
	Receptor int64  `json:"receptor"`
	Total    int64  `json:"total"`
	Fecha    string `json:"fecha"`
}

// State is what GET /_sim/state shows.
type State struct {
	Emitted []Emitted `json:"emitted"`
	Tmps    int       `json:"tmps"`
}

// State returns the ledger: every folio consumed, and the temporary
// documents left.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Emitted: make([]Emitted, 0, len(s.emitted)), Tmps: len(s.tmps)}
	for _, d := range s.emitted {
		st.Emitted = append(st.Emitted, Emitted{DTE: d.DTE, Folio: d.Folio, Emisor: d.Emisor, Receptor: d.Receptor, Total: d.Total, Fecha: d.Fecha})
	}
	return st
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /api/dte/documentos/emitir", s.authed(s.emitir))
	api.HandleFunc("POST /api/dte/documentos/generar", s.authed(s.generar))
	api.HandleFunc("GET /api/dte/dte_tmps/info/{receptor}/{dte}/{codigo}/{emisor}", s.authed(s.tmpInfo))
	api.HandleFunc("POST /api/dte/dte_emitidos/buscar/{emisor}", s.authed(s.buscar))
	api.HandleFunc("GET /api/dte/dte_emitidos/pdf/{dte}/{folio}/{emisor}", s.authed(s.pdf))
	api.HandleFunc("GET /api/dte/dte_emitidos/estado/{dte}/{folio}/{emisor}", s.authed(s.estado))
	api.HandleFunc("GET /api/dte/dte_emitidos/actualizar_estado/{dte}/{folio}/{emisor}", s.authed(s.estado))
	mux := http.NewServeMux()
	mux.Handle("/api/", s.faults.Middleware(api, nil))
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, s.State()) })
	mux.Handle("/_sim/faults", s.faults.Handler())
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers like LibreDTE: the body is a bare JSON string.
func fail(w http.ResponseWriter, status int, msg string) { reply(w, status, msg) }

func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "X" || subtle.ConstantTimeCompare([]byte(pass), []byte(s.opts.Hash)) != 1 {
			fail(w, http.StatusUnauthorized, "Usuario o contraseña incorrectos (hash de la API)")
			return
		}
		if e := r.PathValue("emisor"); e != "" && e != strconv.FormatInt(s.emisor, 10) {
			fail(w, http.StatusForbidden, "No está autorizado a operar con el emisor "+e)
			return
		}
		h(w, r)
	}
}

// totals recomputes a document's totals the way dte.md says.
func totals(d dte.Document) (neto, iva, exento, total int64) {
	var gross int64
	for _, l := range d.Detalle {
		if l.IndExe == 1 {
			exento += l.MontoItem
		} else {
			gross += l.MontoItem
		}
	}
	for _, g := range d.DscRcgGlobal {
		if g.TpoMov == "D" && g.TpoValor == "$" && g.IndExeDR == 0 {
			gross -= g.ValorDR
		}
	}
	if gross > 0 {
		neto = dte.NetFromGross(gross)
		if d.Encabezado.IdDoc.TipoDTE.IsFactura() {
			iva = dte.IVAOf(neto)
		} else {
			iva = gross - neto
		}
	}
	return neto, iva, exento, neto + iva + exento
}

func (s *Server) emitir(w http.ResponseWriter, r *http.Request) {
	var d dte.Document
	if err := json.NewDecoder(io.LimitReader(r.Body, 4<<20)).Decode(&d); err != nil {
		fail(w, http.StatusBadRequest, "El documento no es un JSON válido")
		return
	}
	if msg := s.validate(d); msg != "" {
		fail(w, http.StatusBadRequest, msg)
		return
	}
	neto, iva, exento, total := totals(d)
	d.Encabezado.Totales = dte.Totales{MntNeto: neto, IVA: iva, MntExe: exento, MntTotal: total, TasaIVA: d.Encabezado.Totales.TasaIVA}
	rec, _ := dte.ParseRUT(d.Encabezado.Receptor.RUTRecep)
	fecha := d.Encabezado.IdDoc.FchEmis
	if fecha == "" {
		fecha = s.opts.Now().Format(time.DateOnly)
	}
	s.mu.Lock()
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(s.rng.UintN(256))
	}
	codigo := hex.EncodeToString(b)
	t := &tmp{doc: d, dte: int(d.Encabezado.IdDoc.TipoDTE), recep: int64(rec.Body), fecha: fecha, total: total, codigo: codigo}
	s.tmps[codigo] = t
	s.mu.Unlock()
	reply(w, 200, map[string]any{"emisor": s.emisor, "receptor": t.recep, "dte": t.dte, "codigo": codigo, "fecha": fecha, "total": total})
}

func (s *Server) validate(d dte.Document) string {
	h := d.Encabezado
	switch h.IdDoc.TipoDTE {
	case dte.Boleta, dte.BoletaExenta, dte.Factura, dte.FacturaExenta:
	default:
		return fmt.Sprintf("Tipo de documento %d no soportado", h.IdDoc.TipoDTE)
	}
	if h.Emisor.RUTEmisor != "" {
		if r, err := dte.ParseRUT(h.Emisor.RUTEmisor); err != nil || int64(r.Body) != s.emisor {
			return "RUTEmisor " + h.Emisor.RUTEmisor + " no corresponde al contribuyente"
		}
	}
	if _, err := dte.ParseRUT(h.Receptor.RUTRecep); err != nil {
		return "RUT del receptor " + h.Receptor.RUTRecep + " es inválido"
	}
	if h.IdDoc.TipoDTE.IsFactura() {
		for f, v := range map[string]string{"RznSocRecep": h.Receptor.RznSocRecep, "GiroRecep": h.Receptor.GiroRecep, "DirRecep": h.Receptor.DirRecep, "CmnaRecep": h.Receptor.CmnaRecep} {
			if strings.TrimSpace(v) == "" {
				return "Falta " + f + " del receptor"
			}
		}
	}
	if len(d.Detalle) == 0 {
		return "El documento no tiene detalle"
	}
	for i, l := range d.Detalle {
		if l.QtyItem <= 0 || l.MontoItem < 0 || l.NmbItem == "" {
			return fmt.Sprintf("Detalle %d inválido", i+1)
		}
	}
	if _, _, _, total := totals(d); total <= 0 {
		return "El total del documento debe ser positivo"
	}
	return ""
}

func (s *Server) generar(w http.ResponseWriter, r *http.Request) {
	if s.faults.Roll(func(sp faults.Spec) float64 { return sp.ResetAfterGenerar }) {
		faults.HandleThenReset(w, r, http.HandlerFunc(s.doGenerar))
		return
	}
	s.doGenerar(w, r)
}

func (s *Server) doGenerar(w http.ResponseWriter, r *http.Request) {
	var key struct {
		Emisor int64  `json:"emisor"`
		DTE    int    `json:"dte"`
		Codigo string `json:"codigo"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&key); err != nil {
		fail(w, http.StatusBadRequest, "Cuerpo inválido")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.noSignature {
		fail(w, 506, "No hay firma electrónica cargada para el usuario")
		return
	}
	t, ok := s.tmps[key.Codigo]
	if !ok || t.dte != key.DTE {
		fail(w, http.StatusNotFound, "No existe el documento temporal solicitado")
		return
	}
	limit := int64(s.opts.Folios)
	if n := s.faults.Spec().Folios; n > 0 {
		limit = int64(n)
	}
	if s.next[t.dte] >= limit {
		fail(w, 508, fmt.Sprintf("No hay folios disponibles para el DTE %d", t.dte))
		return
	}
	s.next[t.dte]++
	delete(s.tmps, key.Codigo)
	neto, iva, exento, total := totals(t.doc)
	d := &doc{DTE: t.dte, Folio: s.next[t.dte], Emisor: s.emisor, Receptor: t.recep, Total: total, Fecha: t.fecha,
		neto: neto, iva: iva, exento: exento, trackID: 7_000_000 + int64(len(s.emitted))*3 + 1, issuedAt: s.opts.Now(), document: t.doc}
	d.rejected = s.faults.Roll(func(sp faults.Spec) float64 { return sp.SIIReject })
	s.emitted = append(s.emitted, d)
	reply(w, 200, map[string]any{"emisor": d.Emisor, "receptor": d.Receptor, "dte": d.DTE, "folio": d.Folio, "fecha": d.Fecha,
		"total": d.Total, "neto": d.neto, "iva": d.iva, "exento": d.exento, "track_id": d.trackID})
}

func (s *Server) tmpInfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	t, ok := s.tmps[r.PathValue("codigo")]
	s.mu.Unlock()
	if !ok || strconv.Itoa(t.dte) != r.PathValue("dte") || strconv.FormatInt(t.recep, 10) != r.PathValue("receptor") {
		fail(w, http.StatusNotFound, "No existe el documento temporal solicitado")
		return
	}
	reply(w, 200, map[string]any{"emisor": s.emisor, "receptor": t.recep, "dte": t.dte, "codigo": t.codigo, "fecha": t.fecha, "total": t.total})
}

func (s *Server) buscar(w http.ResponseWriter, r *http.Request) {
	var q struct {
		DTE      int    `json:"dte"`
		Receptor int64  `json:"receptor"`
		Fecha    string `json:"fecha"`
		Total    int64  `json:"total"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&q); err != nil {
		fail(w, http.StatusBadRequest, "Búsqueda inválida")
		return
	}
	s.mu.Lock()
	out := []map[string]any{}
	for _, d := range s.emitted {
		if (q.DTE == 0 || d.DTE == q.DTE) && (q.Receptor == 0 || d.Receptor == q.Receptor) && (q.Fecha == "" || d.Fecha == q.Fecha) && (q.Total == 0 || d.Total == q.Total) {
			out = append(out, map[string]any{"emisor": d.Emisor, "receptor": d.Receptor, "dte": d.DTE, "folio": d.Folio, "fecha": d.Fecha, "total": d.Total, "track_id": d.trackID})
		}
	}
	s.mu.Unlock()
	reply(w, 200, out)
}

func (s *Server) find(r *http.Request) *doc {
	typ, _ := strconv.Atoi(r.PathValue("dte"))
	folio, _ := strconv.ParseInt(r.PathValue("folio"), 10, 64)
	for _, d := range s.emitted {
		if d.DTE == typ && d.Folio == folio {
			return d
		}
	}
	return nil
}

func (s *Server) pdf(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.find(r)
	s.mu.Unlock()
	if d == nil {
		fail(w, http.StatusNotFound, "No existe el DTE solicitado")
		return
	}
	e := s.opts.Emisor
	h := d.document.Encabezado
	lines := []string{fmt.Sprintf("%s N° %d", strings.ToUpper(dte.DocType(d.DTE).Name()), d.Folio),
		"", e.RznSoc + "  RUT " + e.RUTEmisor, e.GiroEmis, e.DirOrigen + ", " + e.CmnaOrigen, "Fecha: " + d.Fecha, "",
		"Receptor: " + h.Receptor.RznSocRecep + "  RUT " + h.Receptor.RUTRecep, ""}
	for _, l := range d.document.Detalle {
		lines = append(lines, fmt.Sprintf("%d x %s  %s", l.QtyItem, l.NmbItem, dte.FormatCLP(l.MontoItem)))
	}
	lines = append(lines, "", "Neto "+dte.FormatCLP(d.neto), "IVA "+dte.FormatCLP(d.iva))
	if d.exento > 0 {
		lines = append(lines, "Exento "+dte.FormatCLP(d.exento))
	}
	lines = append(lines, "TOTAL "+dte.FormatCLP(d.Total), "", "Timbre electrónico SII (simulado)")
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(renderPDF(lines))
}

func (s *Server) estado(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.find(r)
	now := s.opts.Now()
	s.mu.Unlock()
	if d == nil {
		fail(w, http.StatusNotFound, "No existe el DTE solicitado")
		return
	}
	st := map[string]any{"track_id": d.trackID, "revision_estado": "SOK - Schema Validado", "revision_detalle": "En revisión por el SII"}
	switch {
	case now.Sub(d.issuedAt) < s.opts.SIIDelay:
	case d.rejected:
		st["revision_estado"], st["revision_detalle"] = "RCH - DTE Rechazado", "Error en monto total: no cuadra con la suma del detalle"
	default:
		st["revision_estado"], st["revision_detalle"] = "EPR - Envío Procesado", "DTE aceptado"
	}
	reply(w, 200, st)
}
