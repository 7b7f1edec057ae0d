package main

import (
	"github.com/folio-cl/folio/internal/config"
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/sim/ldsim"
	"github.com/folio-cl/folio/internal/store"
)

// emisorFromConfig returns the issuing company's data from folio's config,
// empty when none is configured (enough for `dte build`). A broken config
// is reported by the commands that need it; here it only means no emisor.
func emisorFromConfig() dte.Emisor {
	cfg, err := loadConfig()
	if err != nil {
		return dte.Emisor{}
	}
	return emisorOf(cfg)
}

// emisorOf is the emisor data of a loaded config, its RUT normalised.
func emisorOf(cfg config.Loaded) dte.Emisor {
	e := cfg.Emisor
	rut := e.RUT
	if r, err := dte.ParseRUT(e.RUT); err == nil {
		rut = r.String()
	}
	return dte.Emisor{RUTEmisor: rut, RznSoc: e.RazonSocial, GiroEmis: e.Giro, Acteco: e.Acteco, DirOrigen: e.Direccion, CmnaOrigen: e.Comuna}
}

// simEmisor fills what the config leaves out of the emisor with the
// simulators' company when the config names no other (OpenFactura wants the
// razón social and giro on every document; LibreDTE's account knows them).
func simEmisor(e dte.Emisor, simRUT string) dte.Emisor {
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

// attachDefaults are the config's values for attaching documents in
// Multivende; a connection's own settings win over them.
func attachDefaults(cfg config.Loaded) store.ConnSettings {
	return store.ConnSettings{EmitterID: cfg.Multivende.EmitterID, Provider: cfg.Multivende.Provider}
}
