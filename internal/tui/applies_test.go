package tui

import (
	"context"
	"regexp"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// Only what applies is offered: a done order offers no retry, buyer data
// or boleta, and a key pressed anyway says why and writes nothing; a
// factura waiting in Errors offers all three.
func TestActionsOfferedOnlyWhereTheyApply(t *testing.T) {
	t.Parallel()
	for lang, want := range map[i18n.Lang]string{i18n.EN: "does not apply: the order is done", i18n.ES: "no aplica: el pedido ya está listo"} {
		b := setup(t, setupOpts{orders: 5, lang: lang, w: 200, h: 50})
		ctx := context.Background()
		done := b.ids[0]
		if err := b.st.Write(ctx, func(tx *store.Tx) error {
			return tx.MoveOrder(ctx, done, store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeIssued, DocType: 39, Folio: 7})
		}); err != nil {
			t.Fatal(err)
		}
		b.send(b.m.openInspect(done)())
		help := ansi.Strip(b.m.helpLine())
		for _, k := range []string{"r", "b", "B"} {
			if offers(help, k) {
				t.Errorf("%s: a done order's help offers %q: %s", lang, k, help)
			}
		}
		for _, k := range []string{"r", "b", "B"} {
			b.keys(k)
			if b.m.flash != want || len(b.controls()) != 0 || b.m.mode == modeForm || b.m.mode == modeConfirm {
				t.Errorf("%s: %s on a done order: flash %q, mode %v, controls %d", lang, k, b.m.flash, b.m.mode, len(b.controls()))
			}
		}
		// The factura in Errors (setup's) is offered the three.
		b.keys("esc")
		b.send(b.m.openInspect(b.errID)())
		help = ansi.Strip(b.m.helpLine())
		for _, k := range []string{"r", "b", "B"} {
			if !offers(help, k) {
				t.Errorf("%s: the factura in Errors is not offered %q: %s", lang, k, help)
			}
		}
	}
}

// offers says the help line holds the key k as a key hint ("r retry").
func offers(help, k string) bool {
	return regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(k) + ` \S`).MatchString(help)
}

// A palette prefix that could be several commands asks for more instead of
// running the first (":re" ran retry).
func TestAmbiguousPaletteAsks(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	b.keys("4", ":")
	b.typeText("re")
	b.keys("enter")
	if len(b.controls()) != 0 || !regexp.MustCompile(`could be .*retry`).MatchString(b.m.flash) {
		t.Fatalf(":re: flash %q, controls %+v", b.m.flash, b.controls())
	}
	b.keys(":")
	b.typeText("q")
	b.keys("enter")
	if !b.quit {
		t.Fatal(":q no longer quits")
	}
}
