package tui

import (
	"strings"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// act names an order action, for unavailable.
type act int

const (
	actRetry act = iota
	actSkip
	actBuyer
	actBoleta
	actReissue
	actCredit
)

// unavailable says why an action does not apply to the order as it stands
// ("" when it does): keys, the help line and the Problem section offer
// only what applies, and a key pressed anyway says why not.
func unavailable(lang i18n.Lang, o store.Order, a act) string {
	done := o.State == store.StateDone
	switch a {
	case actReissue:
		if !needsReissue(o) {
			return lang.T("reissue.unavailable")
		}
		return ""
	case actCredit:
		if !needsCredit(o) {
			return lang.T("applies.no_credit")
		}
		return ""
	case actSkip:
		if done {
			return lang.T("applies.done")
		}
		return ""
	}
	switch {
	case needsReissue(o):
		return lang.T("applies.rejected", o.Folio)
	case needsCredit(o) && a != actSkip:
		return lang.T("applies.needs_credit", o.Folio)
	case done:
		return lang.T("applies.done")
	case a == actRetry && o.State != store.StateAttention && o.State != store.StateRetrying && o.State != store.StateWaiting:
		return lang.T("applies.in_progress", i18n.StateName(lang, string(o.State)))
	case (a == actBuyer || a == actBoleta) && o.Folio > 0:
		return lang.T("applies.has_folio", o.Folio)
	case a == actBoleta && !wantsFactura(o):
		return lang.T("applies.not_factura")
	}
	return ""
}

// wantsFactura says the order is (to be) a factura: its document's type,
// or what it asked for before one was built.
func wantsFactura(o store.Order) bool {
	if o.DocType != 0 {
		return dte.DocType(o.DocType).IsFactura()
	}
	return strings.Contains(strings.ToLower(o.RequestedType), "factura") || strings.EqualFold(o.RequestedType, "invoice")
}
