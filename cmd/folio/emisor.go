package main

import "github.com/folio-cl/folio/internal/dte"

// emisorFromConfig returns the issuing company's data from folio's config,
// empty when none is configured (enough for `dte build`).
func emisorFromConfig() dte.Emisor {
	return dte.Emisor{}
}
