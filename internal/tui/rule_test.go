package tui

import (
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// The inspect view says which rule chose boleta or factura, in the
// person's language, on the document and on the problem of an order in
// Errors (a factura refused for its RUT says why it was a factura).
func TestInspectSaysWhichRuleDecided(t *testing.T) {
	t.Parallel()
	rule := store.Event{Kind: "rule", Message: "x", MsgID: "rule.identity", MsgArgs: []string{"76.354.771-2", "Client"}}
	v := store.OrderView{Order: store.Order{State: store.StateAttention, Reason: "RUT inválido", ReasonCode: "DTE-RUT-INVALID"},
		Events: []store.Event{{Kind: "building", Message: "leyendo"}, rule, {Kind: "error", Message: "RUT inválido"}}}
	for lang, want := range map[i18n.Lang]string{
		i18n.ES: "Regla: factura: el pedido trae la identidad de facturación del comprador (RUT 76.354.771-2",
		i18n.EN: "Rule: factura: the order carries the buyer's billing identity (RUT 76.354.771-2",
	} {
		keys, err := NewKeyMap(lang, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range []section{secDocument, secProblem} {
			got := strings.Join(sectionLines(Styles{}, lang, keys, v, sec, 200, time.UTC), "\n")
			if !strings.Contains(got, want) {
				t.Errorf("%s section %d lacks the rule %q:\n%s", lang, sec, want, got)
			}
		}
	}
	v.Events = v.Events[:1]
	if got := strings.Join(sectionLines(Styles{}, i18n.EN, KeyMap{}, v, secDocument, 200, time.UTC), "\n"); strings.Contains(got, "Rule:") {
		t.Errorf("a rule shown before any build:\n%s", got)
	}
}
