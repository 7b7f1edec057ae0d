package main

import (
	"github.com/folio-cl/folio/internal/app"
	"github.com/folio-cl/folio/internal/dte"
)

// emisorFromConfig returns the issuing company's data from folio's config,
// empty when none is configured (enough for `dte build`). A broken config
// is reported by the commands that need it; here it only means no emisor.
func (cl *cli) emisorFromConfig() dte.Emisor {
	cfg, err := cl.env.Config()
	if err != nil {
		return dte.Emisor{}
	}
	return app.Emisor(cfg)
}
