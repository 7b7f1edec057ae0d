package engine

import (
	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// event makes a timeline event whose words come from the i18n catalog:
// the Spanish text is stored as the message, and the id with its
// arguments lets the console show it in the person's language.
// An argument may be an i18n.Message (a word the reader's language names,
// words from outside quoted).
func event(kind string, id i18n.ID, args ...any) store.Event {
	m := i18n.M(id, args...)
	strs := make([]string, len(m.Args))
	for i, a := range m.Args {
		strs[i] = es(a)
	}
	return store.Event{Kind: kind, Message: es(m), MsgID: string(id), MsgArgs: strs, MsgJSON: m.Encode()}
}

// withData is ev carrying a JSON payload.
func withData(ev store.Event, data string) store.Event {
	ev.Data = data
	return ev
}

// ruleEvent is the timeline's record of which rule chose the document: the
// order's rule, or a person's choice.
func ruleEvent(rule dte.Rule, choice dte.Choice) store.Event {
	if choice == dte.ChoiceBoleta || choice == dte.ChoiceFactura {
		return event("rule", "rule.person", string(choice))
	}
	args := make([]any, len(rule.Args))
	for i, a := range rule.Args {
		args[i] = a
	}
	return event("rule", i18n.ID(rule.ID), args...)
}
