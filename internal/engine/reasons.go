package engine

import (
	"errors"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/multivende"
	"github.com/folio-cl/folio/internal/store"
)

// Reasons and control outcomes are kept as catalog messages (schema 12),
// so that each person reads them in their own language; the store keeps
// the Spanish words beside them for whatever reads it as it is.

// es is m as the store keeps it beside the id.
func es(m i18n.Message) string { return m.Plain(i18n.ES) }

// msgEvent is a timeline event carrying m.
func msgEvent(kind string, m i18n.Message) store.Event {
	return store.Event{Kind: kind, Message: es(m), MsgID: string(m.ID), MsgJSON: m.Encode()}
}

// explainTitle is internal/dte's title for code in both languages, or a
// zero message when it has none.
func explainTitle(code string) i18n.Message {
	t, _, _ := dte.Explain(code, dte.ES)
	if t == "" {
		return i18n.Message{}
	}
	en, _, _ := dte.Explain(code, dte.EN)
	return i18n.Both(t, en)
}

// messageOf is an error as words for a person: a refusal or a permanent
// failure as its catalog message, anything else as it was written.
func messageOf(err error) i18n.Message {
	if ref, ok := errors.AsType[*Refusal](err); ok {
		return ref.Message()
	}
	if p, ok := errors.AsType[*permanent](err); ok {
		return p.reason
	}
	return i18n.Quote(err.Error())
}

// ServiceReason is what an error from Multivende or the invoicer means
// for a person, as the pipeline says it for an order (the catalog's title,
// then the service's own words, quoted); ok is false for any other error.
func ServiceReason(err error) (reason i18n.Message, ok bool) {
	_, isInv := invoicer.AsError(err)
	_, isMV := multivende.AsError(err)
	if !isInv && !isMV {
		return i18n.Message{}, false
	}
	_, reason, _, _, _ = classify(err)
	return reason, true
}

// ServiceWords is a failed call to a service as a person reads it: the
// catalog's words for it (ServiceReason), then the system's own words
// for what broke underneath (a refused connection), quoted; an error of
// no service is quoted whole.
func ServiceWords(err error) i18n.Message {
	reason, ok := ServiceReason(err)
	if !ok {
		return i18n.Quote(err.Error())
	}
	var cause error
	if ie, isInv := invoicer.AsError(err); isInv {
		cause = ie.Err
	} else if mv, isMV := multivende.AsError(err); isMV {
		cause = mv.Err
	}
	if cause == nil {
		return reason
	}
	return i18n.M("reason.detail", reason, i18n.Quote(cause.Error()))
}

// refuse is a control refused with catalog message id.
func refuse(id i18n.ID, args ...any) error { return &Refusal{ID: id, Args: args} }
