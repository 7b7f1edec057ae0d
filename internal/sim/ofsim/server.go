// Package ofsim is an OpenFactura (Haulmer) simulator for tests, `folio sim`
// and `folio demo`: the apikey header, POST /v2/dte/document with the
// Idempotency-Key remembered 24 hours (a repeat answers 400 OF-06 with the
// original token), folios from a finite range, the SII status moving over
// (simulated) time from no status to Pendiente to Aceptado, Aceptado con
// Reparo or Rechazado, the PDF and the document by token, OpenFactura's
// 3 requests/s and 100/min (429), and faults from internal/sim/faults —
// reset-after-generar here is "the document was accepted, then the
// connection was cut". Shapes it had to choose are in wire.go.
package ofsim

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/sim/loopback"
)

// Defaults.
const (
	DefaultFolios    = 1_000_000
	DefaultSIIDelay  = 3 * time.Second
	DefaultPerSecond = 3   // doc
	DefaultPerMinute = 100 // doc
	KeyMemory        = 24 * time.Hour
)

// Options configure a simulator.
type Options struct {
	Seed   uint64
	APIKey string     // generated when empty
	Emisor dte.Emisor // default ldsim.DefaultEmisor
	Faults faults.Spec
	Folios int
	// SIIDelay is how long the SII's review takes; the first third of it
	// has no status yet, the rest is Pendiente.
	SIIDelay time.Duration
	// SIIObjection is the fraction of accepted documents accepted with
	// objections (Aceptado con Reparo).
	SIIObjection float64
	// PerSecond and PerMinute are the limits (0: OpenFactura's; negative:
	// none).
	PerSecond, PerMinute int
	Now                  func() time.Time
}

// Server is a simulator: an http.Handler (the API under /v2 plus
// /_sim/state and /_sim/faults), safe for concurrent use.
type Server struct {
	opts   Options
	faults *faults.Injector
	h      http.Handler

	mu       sync.Mutex
	rng      *rand.Rand
	offset   time.Duration
	used     map[dte.DocType]int64
	docs     []*document
	byToken  map[string]*document
	byFolio  map[folioKey]*document
	keys     map[string]keyUse // Idempotency-Key → first use
	accepted []time.Time       // requests let through the limits, in order
	maxSec   int
	maxMin   int
	limited  int
	repeats  int // OF-06 answers
	resets   int // documents accepted whose reply was cut
	srv      *http.Server
}

type folioKey struct {
	typ   dte.DocType
	folio int64
}

type keyUse struct {
	token string
	at    time.Time
}

type document struct {
	typ     dte.DocType
	folio   int64
	token   string
	key     string
	fecha   string
	total   int64
	body    json.RawMessage // the dte as received, with its folio
	doc     dte.Document    // for the PDF
	created time.Time
	fate    string // EstadoAceptado, EstadoReparo or EstadoRechazado
}

// New makes a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Emisor.RUTEmisor == "" {
		o.Emisor = ldsim.DefaultEmisor
	}
	if o.Folios <= 0 {
		o.Folios = DefaultFolios
	}
	if o.SIIDelay <= 0 {
		o.SIIDelay = DefaultSIIDelay
	}
	if o.PerSecond == 0 {
		o.PerSecond = DefaultPerSecond
	}
	if o.PerMinute == 0 {
		o.PerMinute = DefaultPerMinute
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x0f_5e_ed))
	if o.APIKey == "" {
		o.APIKey = randomHex(rng, 16)
	}
	if r, err := dte.ParseRUT(o.Emisor.RUTEmisor); err == nil {
		o.Emisor.RUTEmisor = r.String()
	} else {
		o.Emisor = ldsim.DefaultEmisor
	}
	s := &Server{opts: o, faults: faults.New(o.Faults, o.Seed+3), rng: rng, used: map[dte.DocType]int64{},
		byToken: map[string]*document{}, byFolio: map[folioKey]*document{}, keys: map[string]keyUse{}}
	s.h = s.routes()
	return s
}

func randomHex(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return hex.EncodeToString(b)
}

// APIKey is the key the account accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// Emisor is the account's company.
func (s *Server) Emisor() dte.Emisor { return s.opts.Emisor }

// Faults is the fault injector.
func (s *Server) Faults() *faults.Injector { return s.faults }

// Advance moves the simulator's clock on (the SII's review and the key
// memory follow it).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

func (s *Server) now() time.Time { return s.opts.Now().Add(s.offset) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Start serves on addr until ctx ends and returns the API root
// (http://HOST:PORT; the API is under /v2 as at Haulmer).
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	srv, host, err := loopback.Serve(ctx, "openfactura", addr, s)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	return "http://" + host, nil
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
	DTE   int    `json:"dte"`
	Folio int64  `json:"folio"`
	Total int64  `json:"total"`
	Fecha string `json:"fecha"`
	Token string `json:"token"`
	Key   string `json:"idempotency_key,omitempty"`
}

// State is the ledger GET /_sim/state shows: every document issued, in
// order, and the limits' counters.
type State struct {
	Emitted []Emitted `json:"emitted"`
	// Requests is how many API requests passed the limits; MaxPerSecond
	// and MaxPerMinute the most of them in any sliding window; Limited
	// how many were answered 429 for exceeding a limit.
	Requests     int `json:"requests"`
	MaxPerSecond int `json:"max_per_second"`
	MaxPerMinute int `json:"max_per_minute"`
	Limited      int `json:"limited"`
	// Repeats counts OF-06 answers; Resets the documents accepted whose
	// reply the reset-after-generar fault cut.
	Repeats int `json:"repeats"`
	Resets  int `json:"resets"`
}

// State returns the ledger.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Emitted: make([]Emitted, 0, len(s.docs)), Requests: len(s.accepted), MaxPerSecond: s.maxSec, MaxPerMinute: s.maxMin, Limited: s.limited,
		Repeats: s.repeats, Resets: s.resets}
	for _, d := range s.docs {
		st.Emitted = append(st.Emitted, Emitted{DTE: int(d.typ), Folio: d.folio, Total: d.total, Fecha: d.fecha, Token: d.token, Key: d.key})
	}
	return st
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /v2/dte/document", s.issue)
	api.HandleFunc("GET /v2/dte/document/{token}/{value}", s.byTokenValue)
	api.HandleFunc("GET /v2/dte/document/{rut}/{tipo}/{folio}/{value}", s.byFolioValue)
	api.HandleFunc("GET /v2/dte/organization", s.organization)
	api.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		ofError(w, http.StatusNotFound, codeNotFound, "Recurso "+r.URL.Path+" no encontrado (simulador)")
	})
	mux := http.NewServeMux()
	mux.Handle("/v2/", s.authed(s.paced(s.faults.Middleware(api, nil))))
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { reply(w, http.StatusOK, s.State()) })
	mux.Handle("/_sim/faults", s.faults.Handler())
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"message":"simulator error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// authed checks the apikey header, as the gateway in front of the API does.
func (s *Server) authed(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k := r.Header.Get("apikey")
		if k == "" {
			reply(w, http.StatusUnauthorized, map[string]string{"message": msgNoKey})
			return
		}
		if subtle.ConstantTimeCompare([]byte(k), []byte(s.opts.APIKey)) != 1 {
			reply(w, http.StatusUnauthorized, map[string]string{"message": msgBadKey})
			return
		}
		h.ServeHTTP(w, r)
	})
}

// paced answers 429 to a request that would make more than PerSecond in
// the last second or PerMinute in the last minute (sliding windows, the
// strictest reading), and counts the rest.
func (s *Server) paced(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		now := s.now()
		inSec, inMin := 0, 0
		for i := len(s.accepted) - 1; i >= 0; i-- {
			d := now.Sub(s.accepted[i])
			if d >= time.Minute {
				break
			}
			inMin++
			if d < time.Second {
				inSec++
			}
		}
		if (s.opts.PerSecond > 0 && inSec >= s.opts.PerSecond) || (s.opts.PerMinute > 0 && inMin >= s.opts.PerMinute) {
			s.limited++
			s.mu.Unlock()
			w.Header().Set("Retry-After", "1")
			reply(w, http.StatusTooManyRequests, map[string]string{"message": msgRateLimit})
			return
		}
		s.accepted = append(s.accepted, now)
		s.maxSec, s.maxMin = max(s.maxSec, inSec+1), max(s.maxMin, inMin+1)
		if len(s.accepted) > 4096 { // keep the last minute's worth at most
			s.accepted = append([]time.Time(nil), s.accepted[len(s.accepted)-2048:]...)
		}
		s.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// issue is POST /v2/dte/document.
func (s *Server) issue(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimSpace(r.Header.Get("Idempotency-Key"))
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		ofError(w, http.StatusBadRequest, codeValidation, "no se pudo leer el cuerpo")
		return
	}
	s.mu.Lock()
	if key != "" {
		if u, ok := s.keys[key]; ok && s.now().Sub(u.at) < KeyMemory {
			s.repeats++
			s.mu.Unlock()
			repeat(w, u.token)
			return
		}
	}
	d, status, code, msg := s.create(body, key)
	s.mu.Unlock()
	if d == nil {
		ofError(w, status, code, msg)
		return
	}
	var req struct {
		Response []string `json:"response"`
	}
	_ = json.Unmarshal(body, &req)
	out := map[string]any{"token": d.token}
	for _, p := range req.Response {
		switch strings.ToUpper(p) {
		case "FOLIO":
			out["folio"] = d.folio
		case "PDF":
			out["pdf"] = base64.StdEncoding.EncodeToString(ldsim.RenderPDF(d.doc, 0))
		}
	}
	if s.faults.Roll(func(sp faults.Spec) float64 { return sp.ResetAfterGenerar }) {
		s.mu.Lock()
		s.resets++
		s.mu.Unlock()
		faults.Reset(w) // accepted and stored; the client never hears it
		return
	}
	reply(w, http.StatusOK, out)
}

// create validates and stores a document. Called with s.mu held.
func (s *Server) create(body []byte, key string) (*document, int, string, string) {
	var req struct {
		DTE json.RawMessage `json:"dte"`
	}
	if err := json.Unmarshal(body, &req); err != nil || len(req.DTE) == 0 {
		return nil, http.StatusBadRequest, codeValidation, "el cuerpo debe ser JSON con el DTE en \"dte\""
	}
	var raw map[string]any
	if err := json.Unmarshal(req.DTE, &raw); err != nil {
		return nil, http.StatusBadRequest, codeValidation, "dte no es un objeto JSON"
	}
	doc, problems := readDTE(req.DTE)
	t := doc.Encabezado.IdDoc.TipoDTE
	switch {
	case len(problems) > 0:
		return nil, http.StatusBadRequest, codeValidation, strings.Join(problems, "; ")
	case doc.Encabezado.Emisor.RUTEmisor != s.opts.Emisor.RUTEmisor:
		return nil, http.StatusBadRequest, codeEmisor, "el RUTEmisor " + doc.Encabezado.Emisor.RUTEmisor + " no es el de la API key"
	}
	limit := int64(s.opts.Folios)
	if n := s.faults.Spec().Folios; n > 0 {
		limit = int64(n)
	}
	if s.used[t] >= limit {
		return nil, http.StatusBadRequest, codeNoFolios, fmt.Sprintf("no quedan folios (CAF) para el tipo %d", t)
	}
	s.used[t]++
	folio := s.used[t]
	setFolio(raw, folio)
	stored, _ := json.Marshal(raw)
	doc.Encabezado.IdDoc.Folio = folio
	d := &document{typ: t, folio: folio, token: randomHex(s.rng, 32), key: key, fecha: doc.Encabezado.IdDoc.FchEmis,
		total: doc.Encabezado.Totales.MntTotal, body: stored, doc: doc, created: s.now(), fate: s.rollFate()}
	s.docs = append(s.docs, d)
	s.byToken[d.token] = d
	s.byFolio[folioKey{t, folio}] = d
	if key != "" {
		s.keys[key] = keyUse{token: d.token, at: d.created}
	}
	return d, 0, "", ""
}

func (s *Server) rollFate() string {
	switch {
	case s.faults.Roll(func(sp faults.Spec) float64 { return sp.SIIReject }):
		return EstadoRechazado
	case s.opts.SIIObjection > 0 && s.rng.Float64() < s.opts.SIIObjection:
		return EstadoReparo
	}
	return EstadoAceptado
}

// estado is what the status call answers for d now: no status yet, then
// Pendiente, then the SII's verdict.
func (s *Server) estado(d *document) string {
	age := s.now().Sub(d.created)
	switch {
	case age < s.opts.SIIDelay/3:
		return ""
	case age < s.opts.SIIDelay:
		return EstadoPendiente
	}
	return d.fate
}

func (s *Server) byTokenValue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := s.byToken[r.PathValue("token")]
	s.mu.Unlock()
	s.answer(w, d, r.PathValue("value"))
}

func (s *Server) byFolioValue(w http.ResponseWriter, r *http.Request) {
	rut, err := dte.ParseRUT(r.PathValue("rut"))
	tipo, terr := strconv.Atoi(r.PathValue("tipo"))
	folio, ferr := strconv.ParseInt(r.PathValue("folio"), 10, 64)
	if err != nil || terr != nil || ferr != nil {
		ofError(w, http.StatusBadRequest, codeValidation, "rut, tipo o folio inválido")
		return
	}
	var d *document
	s.mu.Lock()
	if rut.String() == s.opts.Emisor.RUTEmisor {
		d = s.byFolio[folioKey{dte.DocType(tipo), folio}]
	}
	s.mu.Unlock()
	s.answer(w, d, r.PathValue("value"))
}

func (s *Server) answer(w http.ResponseWriter, d *document, value string) {
	if d == nil {
		ofError(w, http.StatusNotFound, codeNotFound, "documento no encontrado")
		return
	}
	switch value {
	case "status":
		s.mu.Lock()
		e := s.estado(d)
		s.mu.Unlock()
		reply(w, http.StatusOK, map[string]any{"estado": e, "token": d.token})
	case "pdf":
		reply(w, http.StatusOK, map[string]any{"pdf": base64.StdEncoding.EncodeToString(ldsim.RenderPDF(d.doc, 0)), "folio": d.folio})
	case "json":
		reply(w, http.StatusOK, map[string]any{"json": d.body, "folio": d.folio, "token": d.token})
	default:
		ofError(w, http.StatusBadRequest, codeValidation, "value debe ser status, xml, json, pdf o cedible")
	}
}

func (s *Server) organization(w http.ResponseWriter, _ *http.Request) {
	e := s.opts.Emisor
	reply(w, http.StatusOK, map[string]any{"rut": e.RUTEmisor, "razonSocial": e.RznSoc, "giro": e.GiroEmis})
}
