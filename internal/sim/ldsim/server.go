// Package ldsim is a faithful LibreDTE simulator for tests, `folio sim` and
// `folio demo`: HTTP Basic with the API hash, emitir (normalise, validate,
// temporary document), generar (next folio from a finite range per type,
// temporary document deleted, track id), temporary-document info, emitted-
// document search, a real PDF, SII review moving over (simulated) time, and
// the errors invoicers.md lists (400, 401, 403, 404, 506, 508), with faults
// from internal/sim/faults. Reply shapes follow LibreDTE's public code; they
// are written in wire.go.
package ldsim

import (
	"context"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/loopback"
)

// DefaultFolios is the size of each type's folio range when neither Options
// nor the fault spec says otherwise: large enough never to run out.
const DefaultFolios = 1_000_000

// DefaultSIIDelay is how long (simulated) the SII takes to review a document.
const DefaultSIIDelay = 3 * time.Second

// DefaultEmisor is the account's company when Options gives none.
var DefaultEmisor = dte.Emisor{RUTEmisor: "76086428-5", RznSoc: "Tienda Aromos SpA",
	GiroEmis: "Venta al por menor por internet", Acteco: 479100,
	DirOrigen: "Av. Providencia 1234", CmnaOrigen: "Providencia"}

// Options configure a simulator.
type Options struct {
	// Seed makes hashes, codes, track ids and dice rolls repeatable.
	Seed uint64
	// Hash is the API hash the account accepts (generated when empty).
	Hash string
	// Emisor is the account's only company (default DefaultEmisor).
	Emisor dte.Emisor
	// Faults are the injected faults; Faults.Folios overrides Folios and
	// Faults.SIIReject is the fraction of documents the SII rejects.
	Faults faults.Spec
	// Folios is the size of each type's folio range (default DefaultFolios).
	Folios int
	// SIIDelay is how long the SII's review takes (default DefaultSIIDelay).
	SIIDelay time.Duration
	// SIIObjection is the fraction of accepted documents the SII accepts
	// with minor objections (RLV).
	SIIObjection float64
	// NoSignature starts the account without a digital signature (506).
	NoSignature bool
	// NetPrices simulates an account whose price type is not "Solo items
	// afectos con precio bruto": line prices are read as net, so MntBruto
	// is ignored (a factura gets 19 % on top) and a boleta's lines get IVA
	// added. Totals then differ from folio's; SetNetPrices changes it.
	// (Uncertain: how the account's price type reaches API documents is not
	// in LibreDTE's public code; this is the effect folio must catch.)
	NetPrices bool
	// Now is the clock (default time.Now); Server.Advance moves it on.
	Now func() time.Time
}

// Server is a simulator. It is an http.Handler (the API under /api plus
// /_sim/state and /_sim/faults) and safe for concurrent use.
type Server struct {
	opts   Options
	emisor int64 // RUT body
	faults *faults.Injector
	h      http.Handler

	mu          sync.Mutex
	rng         *rand.Rand
	offset      time.Duration // Advance
	used        map[dte.DocType]int64
	tmps        map[string]*tmp // by codigo
	emitted     []*emitted      // in issue order
	byFolio     map[folioKey]*emitted
	noSignature bool
	netPrice    bool
	nextTrack   int64
	srv         *http.Server
	// catalog has its own lock: State reads it while holding mu.
	catalog *itemStore
}

type folioKey struct {
	typ   dte.DocType
	folio int64
}

// tmp is a temporary document: normalised, without folio.
type tmp struct {
	codigo   string
	receptor int64
	fecha    string
	doc      dte.Document
	created  time.Time
}

// emitted is a document with a folio.
type emitted struct {
	doc      dte.Document // normalised, with its folio
	folio    int64
	receptor int64
	fecha    string
	trackID  int64
	created  time.Time
	fate     fate // what the SII will say once it has reviewed it
}

// New makes a simulator.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Emisor.RUTEmisor == "" {
		o.Emisor = DefaultEmisor
	}
	if o.Folios <= 0 {
		o.Folios = DefaultFolios
	}
	if o.SIIDelay <= 0 {
		o.SIIDelay = DefaultSIIDelay
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x11b7e_d7e))
	if o.Hash == "" {
		o.Hash = randomHex(rng, 16) // 32 characters, like LibreDTE's
	}
	r, err := dte.ParseRUT(o.Emisor.RUTEmisor)
	if err != nil {
		r, _ = dte.ParseRUT(DefaultEmisor.RUTEmisor)
		o.Emisor = DefaultEmisor
	}
	o.Emisor.RUTEmisor = r.String()
	s := &Server{opts: o, emisor: int64(r.Body), faults: faults.New(o.Faults, o.Seed+2), rng: rng,
		used: map[dte.DocType]int64{}, tmps: map[string]*tmp{}, byFolio: map[folioKey]*emitted{},
		noSignature: o.NoSignature, netPrice: o.NetPrices, nextTrack: 5_000_000 + int64(rng.IntN(1_000_000)),
		catalog: &itemStore{items: map[string]Item{}}}
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

// Hash is the API hash the account accepts.
func (s *Server) Hash() string { return s.opts.Hash }

// Emisor is the account's company.
func (s *Server) Emisor() dte.Emisor { return s.opts.Emisor }

// Faults is the fault injector (the same one /_sim/faults changes).
func (s *Server) Faults() *faults.Injector { return s.faults }

// SetNoSignature makes generar and estado fail with 506 (no digital
// signature loaded), or lifts that.
func (s *Server) SetNoSignature(v bool) {
	s.mu.Lock()
	s.noSignature = v
	s.mu.Unlock()
}

// SetNetPrices sets the account's price type to net (true) or to "Solo
// items afectos con precio bruto" (false); see Options.NetPrices.
func (s *Server) SetNetPrices(v bool) {
	s.mu.Lock()
	s.netPrice = v
	s.mu.Unlock()
}

// netPrices is the account's price type. Called with s.mu held.
func (s *Server) netPrices() bool { return s.netPrice }

// Advance moves the simulator's clock on by d (the SII's review follows it).
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	s.offset += d
	s.mu.Unlock()
}

// Now is the simulator's clock.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now()
}

func (s *Server) now() time.Time { return s.opts.Now().Add(s.offset) }

// folioLimit is the size of each folio range now.
func (s *Server) folioLimit() int64 {
	if n := s.faults.Spec().Folios; n > 0 {
		return int64(n)
	}
	return int64(s.opts.Folios)
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.h.ServeHTTP(w, r) }

// Start serves on addr (such as 127.0.0.1:0) until ctx ends and returns the
// API root, http://HOST:PORT/api.
func (s *Server) Start(ctx context.Context, addr string) (string, error) {
	srv, host, err := loopback.Serve(ctx, "libredte", addr, s)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	return "http://" + host + "/api", nil
}

// Close stops a started server at once.
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

// State is the ledger GET /_sim/state shows: every folio consumed, in order,
// and how many temporary documents are left.
type State struct {
	Emitted []Emitted `json:"emitted"`
	Tmps    int       `json:"tmps"`
	Items   []Item    `json:"items,omitempty"` // the item catalog (items.go); absent when empty
}

// State returns the ledger.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{Emitted: make([]Emitted, 0, len(s.emitted)), Tmps: len(s.tmps), Items: s.Items()}
	for _, d := range s.emitted {
		st.Emitted = append(st.Emitted, Emitted{DTE: int(d.doc.Encabezado.IdDoc.TipoDTE), Folio: d.folio, Emisor: s.emisor,
			Receptor: d.receptor, Total: d.doc.Encabezado.Totales.MntTotal, Fecha: d.fecha})
	}
	return st
}

// Document returns an emitted document as LibreDTE normalised it, with its
// folio.
func (s *Server) Document(t dte.DocType, folio int64) (dte.Document, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.byFolio[folioKey{t, folio}]
	if !ok {
		return dte.Document{}, false
	}
	return d.doc, true
}

func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	api.HandleFunc("POST /api/dte/documentos/emitir", s.authed(s.emitir))
	api.HandleFunc("POST /api/dte/documentos/generar", s.authed(s.generar))
	api.HandleFunc("GET /api/dte/dte_tmps/info/{receptor}/{dte}/{codigo}/{emisor}", s.authed(s.tmpInfo))
	api.HandleFunc("GET /api/dte/dte_tmps/eliminar/{receptor}/{dte}/{codigo}/{emisor}", s.authed(s.tmpEliminar))
	api.HandleFunc("POST /api/dte/dte_emitidos/buscar/{emisor}", s.authed(s.buscar))
	api.HandleFunc("GET /api/dte/dte_emitidos/pdf/{dte}/{folio}/{emisor}", s.authed(s.pdf))
	api.HandleFunc("POST /api/dte/dte_emitidos/pdf/{dte}/{folio}/{emisor}", s.authed(s.pdf))
	api.HandleFunc("GET /api/dte/dte_emitidos/estado/{dte}/{folio}/{emisor}", s.authed(s.estado))
	api.HandleFunc("GET /api/dte/dte_emitidos/actualizar_estado/{dte}/{folio}/{emisor}", s.authed(s.actualizarEstado))
	s.itemRoutes(api)
	api.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "Recurso "+r.URL.Path+" no encontrado en la API (simulador)")
	})
	mux := http.NewServeMux()
	mux.Handle("/api/", s.faults.Middleware(api, nil))
	mux.HandleFunc("GET /_sim/state", func(w http.ResponseWriter, r *http.Request) { reply(w, http.StatusOK, s.State()) })
	mux.Handle("/_sim/faults", s.faults.Handler())
	return mux
}

func reply(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`"error interno del simulador"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// fail answers like LibreDTE: the body is a bare JSON string.
func fail(w http.ResponseWriter, status int, msg string) { reply(w, status, msg) }

// authed checks HTTP Basic as an older self-hosted LibreDTE does: the API
// hash is the user and the password is not looked at (the official clients
// send X). The X:hash form newer servers also take is looked up as a user
// named X and refused. It also checks that a path's {emisor} is the
// account's company.
func (s *Server) authed(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, _, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(user), []byte(s.opts.Hash)) != 1 {
			fail(w, http.StatusUnauthorized, msgAuth)
			return
		}
		if e := r.PathValue("emisor"); e != "" && !s.isEmisor(e) {
			fail(w, http.StatusForbidden, msgForbidden)
			return
		}
		h(w, r)
	}
}

// isEmisor reads a RUT body (or a RUT with check digit) and says whether it
// is the account's company.
func (s *Server) isEmisor(v string) bool {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n == s.emisor
	}
	r, err := dte.ParseRUT(v)
	return err == nil && int64(r.Body) == s.emisor
}
