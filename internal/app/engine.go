package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/httplog"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/store"
)

// SIIInterval is how often an issued document's SII status is asked.
const SIIInterval = 30 * time.Second

// SimLookback is the first poll's reach against a simulator, whose orders
// span the last day: a week (the engine's default) would be 84 window
// requests, most of them empty, before the first order shows.
const SimLookback = 25 * time.Hour

// EngineSpec is an engine before it is built: engine.Config's knobs
// (NewEngine fills Store, Invoicer, InvoicerName, Markets and
// CatalogSync from the store's connections) and what its clients need.
type EngineSpec struct {
	engine.Config
	// RateLimit is Multivende's requests per second per merchant.
	RateLimit float64
	// Lang is the language of the engine's refusals and notes.
	Lang i18n.Lang
}

// EngineFromConfig is the engine the config describes, the same for folio
// run, folio console and folio serve; each command adds only what it
// alone knows (a listener, a flag).
func EngineFromConfig(cfg config.Loaded, lang i18n.Lang, log *slog.Logger) EngineSpec {
	return EngineSpec{Lang: lang, RateLimit: cfg.RateLimit, Config: engine.Config{
		PollInterval: time.Duration(cfg.PollInterval), Workers: cfg.Workers,
		Retry:  engine.RetryPolicy{MaxAttempts: cfg.Retry.MaxAttempts, Base: time.Duration(cfg.Retry.BaseDelay), Max: time.Duration(cfg.Retry.MaxDelay)},
		Emisor: Emisor(cfg), Attach: AttachDefaults(cfg), SIIInterval: SIIInterval, CatalogInterval: time.Duration(cfg.CatalogSyncInterval),
		Log: log, Location: cfg.Location(), CreditAuto: cfg.CreditNotesAuto}}
}

// DemoEngine is folio demo's engine: it has no config and a person
// watches it, so it runs at the simulator's pace (2 s polls and SII
// checks, short retries) issuing as the simulated company.
func DemoEngine(lang i18n.Lang, log *slog.Logger, emisor dte.Emisor) EngineSpec {
	return EngineSpec{Lang: lang, RateLimit: 5, Config: engine.Config{PollInterval: 2 * time.Second, Workers: 4,
		Retry:  engine.RetryPolicy{MaxAttempts: 8, Base: time.Second, Max: 10 * time.Second},
		Emisor: emisor, SIIInterval: 2 * time.Second, Log: log, Lookback: SimLookback}}
}

// NewEngine builds an engine over the store's connections: the invoicer
// account (LibreDTE or OpenFactura, by its kind) and one Multivende client
// per merchant, whose refreshed tokens are saved and whose HTTP exchanges
// go to the HTTP log; with a CatalogInterval, the periodic catalog sync.
func (e *Env) NewEngine(ctx context.Context, st *store.Store, spec EngineSpec) (*engine.Engine, error) {
	conns, err := st.Connections(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := InvoicerConnection(conns, spec.Lang)
	if err != nil {
		return nil, err
	}
	var eng *engine.Engine
	iv, err := Invoicer(inv, ClientOptions{Hook: logExchanges(&eng, inv.Name)})
	if err != nil {
		return nil, fmt.Errorf("invoicer connection %q: %w", inv.Name, err)
	}
	cfg := spec.Config
	if cfg.Emisor.RUTEmisor == "" {
		cfg.Emisor.RUTEmisor = inv.EmisorRUT
	}
	cfg.Store, cfg.Invoicer, cfg.InvoicerName = st, iv, inv.Name
	cfg.Markets = func(c store.Connection) (engine.Marketplace, error) {
		return e.Multivende(st, c, ClientOptions{RateLimit: spec.RateLimit, Hook: logExchanges(&eng, c.Name)}), nil
	}
	cfg.CatalogSync = e.PeriodicCatalog(st, spec.Lang, spec.RateLimit)
	eng, err = engine.New(cfg)
	return eng, err
}

// logExchanges sends a client's HTTP exchanges to the engine's HTTP log
// under the connection's name, once *eng exists (clients are built before
// the engine they serve).
func logExchanges(eng **engine.Engine, connection string) httplog.Hook {
	return func(ctx context.Context, ex httplog.Exchange) {
		if *eng != nil {
			(*eng).LogExchange(ctx, connection, store.Exchange{At: time.Now(), Method: ex.Method, URL: ex.URL, Status: ex.Status,
				Duration: ex.Duration, ReqBody: ex.ReqBody, RespBody: ex.RespBody, Error: ex.Err})
		}
	}
}

// Emisor is the emisor data of a loaded config, its RUT normalised.
func Emisor(cfg config.Loaded) dte.Emisor {
	e := cfg.Emisor
	rut := e.RUT
	if r, err := dte.ParseRUT(e.RUT); err == nil {
		rut = r.String()
	}
	return dte.Emisor{RUTEmisor: rut, RznSoc: e.RazonSocial, GiroEmis: e.Giro, Acteco: e.Acteco, DirOrigen: e.Direccion, CmnaOrigen: e.Comuna}
}

// SimEmisor fills what the config leaves out of the emisor with the
// simulators' company when the config names no other (OpenFactura wants the
// razón social and giro on every document; LibreDTE's account knows them).
func SimEmisor(e dte.Emisor, simRUT string) dte.Emisor {
	if e.RUTEmisor != "" && e.RUTEmisor != simRUT {
		return e
	}
	d := ldsim.DefaultEmisor
	e.RUTEmisor = simRUT
	for _, f := range []struct {
		dst *string
		src string
	}{{&e.RznSoc, d.RznSoc}, {&e.GiroEmis, d.GiroEmis}, {&e.DirOrigen, d.DirOrigen}, {&e.CmnaOrigen, d.CmnaOrigen}} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if e.Acteco == 0 {
		e.Acteco = d.Acteco
	}
	return e
}

// AttachDefaults are the config's values for attaching documents in
// Multivende; a connection's own settings win over them.
func AttachDefaults(cfg config.Loaded) store.ConnSettings {
	return store.ConnSettings{EmitterID: cfg.Multivende.EmitterID, Provider: cfg.Multivende.Provider}
}

// ConnectSim connects the store to the running simulator at simURL
// (sim.Connect), issuing through its invoicer of kind invKind, and keeps
// the simulator's client secret for this environment's clients.
func (e *Env) ConnectSim(ctx context.Context, st *store.Store, simURL, invKind string) (sim.Info, error) {
	info, err := sim.Connect(ctx, st, simURL, invKind)
	if info.ClientID != "" && info.ClientSecret != "" {
		e.RememberClientSecret(info.ClientID, info.ClientSecret)
	}
	return info, err
}
