// Package sim runs the Multivende, LibreDTE and OpenFactura simulators
// together, as `folio sim` and `folio demo` use them.
package sim

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/sim/loopback"
	"github.com/folio-cl/folio/internal/sim/mvsim"
	"github.com/folio-cl/folio/internal/sim/ofsim"
)

// Options configure both simulators.
type Options struct {
	MultivendeAddr string // default 127.0.0.1:0
	LibreDTEAddr   string // default 127.0.0.1:0
	// OpenFacturaAddr is the OpenFactura simulator's address (default
	// 127.0.0.1:0); OpenFacturaNoLimits lifts its 3/s and 100/min (tests).
	OpenFacturaAddr     string
	OpenFacturaNoLimits bool
	Orders              int
	Rate                float64 // new orders per second
	Faults              faults.Spec
	Seed                uint64
	RateLimit           float64 // Multivende req/s per token (negative: none)
	SIIDelay            time.Duration
	AutoSend            bool   // Multivende's automatic sending of documents (off: "Pendiente")
	Webhook             string // the app's Callback URL for "Checkouts" notifications ("": none)
	// InMemory serves the simulators without sockets, through Sims.Client
	// (tests inside testing/synctest bubbles); the addresses are ignored.
	InMemory bool
	// Merchants is how many Multivende merchants the one Multivende
	// simulator serves (default 1), each with its own orders (Orders and
	// Rate each), tokens and faults; all issue through the one invoicer
	// account of each invoicer simulator.
	Merchants int
}

// Info is the startup JSON of `folio sim --json` and GET /_sim/info.
type Info struct {
	Multivende   string `json:"multivende"`
	LibreDTE     string `json:"libredte"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	LibreDTEHash string `json:"libredte_hash"`
	Emisor       string `json:"emisor"`
	// OpenFactura is the OpenFactura simulator's API root and
	// OpenFacturaKey the apikey it accepts (same emisor).
	OpenFactura    string `json:"openfactura"`
	OpenFacturaKey string `json:"openfactura_key"`
	// Merchants are the Multivende merchants served, in order (Connect
	// names their connections simulador, simulador-2, …).
	Merchants []mvsim.MerchantRef `json:"merchants,omitempty"`
}

// Sims are the running simulators.
type Sims struct {
	MV   *mvsim.Server
	LD   *ldsim.Server
	OF   *ofsim.Server
	Info Info
	// Client reaches the simulators: over loopback.Transport when started
	// InMemory, else a plain client.
	Client *http.Client
	// Transport is the in-memory transport (nil on sockets); a test serves
	// the app's webhook callback on it (Handle) for Multivende's notifications.
	Transport *loopback.Transport
}

// In-memory hosts: names, not addresses, so no request can reach a socket.
const (
	memMultivende  = "multivende.sim.invalid"
	memLibreDTE    = "libredte.sim.invalid"
	memOpenFactura = "openfactura.sim.invalid"
)

// Start starts the simulators on loopback until ctx ends.
func Start(ctx context.Context, o Options) (*Sims, error) {
	if o.MultivendeAddr == "" {
		o.MultivendeAddr = "127.0.0.1:0"
	}
	if o.LibreDTEAddr == "" {
		o.LibreDTEAddr = "127.0.0.1:0"
	}
	mv := mvsim.New(mvsim.Options{Seed: o.Seed, Orders: o.Orders, Rate: o.Rate, Faults: o.Faults, RateLimit: o.RateLimit, AutoSend: o.AutoSend, Webhook: o.Webhook, Merchants: o.Merchants})
	ld := ldsim.New(ldsim.Options{Seed: o.Seed, Faults: o.Faults, SIIDelay: o.SIIDelay})
	ofo := ofsim.Options{Seed: o.Seed, Emisor: ld.Emisor(), Faults: o.Faults, SIIDelay: o.SIIDelay}
	if o.OpenFacturaNoLimits {
		ofo.PerSecond, ofo.PerMinute = -1, -1
	}
	of := ofsim.New(ofo)
	if o.InMemory {
		tr := &loopback.Transport{}
		tr.Handle(memMultivende, mv)
		tr.Handle(memLibreDTE, ld)
		tr.Handle(memOpenFactura, of)
		mvURL := mv.StartInMemory(ctx, memMultivende, tr.Client())
		s, err := finish(mv, ld, of, mvURL, "http://"+memLibreDTE+"/api", "http://"+memOpenFactura, tr.Client())
		if s != nil {
			s.Transport = tr
		}
		return s, err
	}
	mvURL, err := mv.Start(ctx, o.MultivendeAddr)
	if err != nil {
		return nil, err
	}
	ldURL, err := ld.Start(ctx, o.LibreDTEAddr)
	if err != nil {
		mv.Close()
		return nil, err
	}
	if o.OpenFacturaAddr == "" {
		o.OpenFacturaAddr = "127.0.0.1:0"
	}
	ofURL, err := of.Start(ctx, o.OpenFacturaAddr)
	if err != nil {
		mv.Close()
		ld.Close()
		return nil, err
	}
	return finish(mv, ld, of, mvURL, ldURL, ofURL, &http.Client{})
}

func finish(mv *mvsim.Server, ld *ldsim.Server, of *ofsim.Server, mvURL, ldURL, ofURL string, hc *http.Client) (*Sims, error) {
	info := Info{Multivende: mvURL, LibreDTE: ldURL, ClientID: mv.ClientID(), ClientSecret: mv.ClientSecret(),
		LibreDTEHash: ld.Hash(), Emisor: ld.Emisor().RUTEmisor, OpenFactura: ofURL, OpenFacturaKey: of.APIKey(), Merchants: mv.MerchantRefs()}
	if err := mv.SetInfo(info); err != nil {
		return nil, fmt.Errorf("simulator info: %w", err)
	}
	return &Sims{MV: mv, LD: ld, OF: of, Info: info, Client: hc}, nil
}

// SetFaults changes the simulators' faults at run time.
func (s *Sims) SetFaults(sp faults.Spec) {
	s.MV.SetFaults(sp)
	s.LD.Faults().Set(sp)
	s.OF.Faults().Set(sp)
}
