package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// n on an order that needs a credit note asks first, then writes one
// credit control; where it does not apply it says why and asks nothing.
func TestCreditKey(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
		b := setup(t, setupOpts{orders: 5, lang: lang})
		id := b.cancelFirst()
		b.inspect(id)
		if s := ansi.Strip(b.screen()); !strings.Contains(s, "n "+lang.T("key.credit")) {
			t.Errorf("%s: the credit note key is not offered:\n%s", lang, s)
		}
		if s := ansi.Strip(b.screen()); strings.Contains(s, "r "+lang.T("action.retry")) {
			t.Errorf("%s: retry offered on an order that needs a credit note:\n%s", lang, s)
		}
		b.keys("r")
		if cs := b.controls(); len(cs) != 0 || !strings.Contains(b.m.flash, lang.T("credit.refuse_retry", 41, "n", b.m.inspecting().view.Order.Code)) {
			t.Errorf("%s: r on an order that needs a credit note: controls %+v, flash %q", lang, cs, b.m.flash)
		}
		b.keys("n")
		if b.m.mode() != modeConfirm {
			t.Fatalf("%s: n did not ask (mode %d)", lang, b.m.mode())
		}
		s := b.screen()
		checkFits(t, s, 80, 24)
		yn := map[i18n.Lang]string{i18n.ES: "[s/N]", i18n.EN: "[y/N]"}[lang]
		if !strings.Contains(ansi.Strip(s), yn) || !strings.Contains(ansi.Strip(s), "41") {
			t.Errorf("%s: the question at 80×24:\n%s", lang, ansi.Strip(s))
		}
		b.keys("n")
		if cs := b.controls(); len(cs) != 0 || b.m.mode() != modeInspect {
			t.Fatalf("%s: a declined credit note wrote %+v (mode %d)", lang, cs, b.m.mode())
		}
		b.keys("n", lang.T("confirm.yes"))
		cs := b.controls()
		if len(cs) != 1 || cs[0].Kind != store.CtlCredit || cs[0].Target != id || cs[0].By != "test" {
			t.Fatalf("%s: credit wrote %+v", lang, cs)
		}

		b.keys("esc")
		b.inspect(b.errID)
		b.keys("n")
		if b.m.mode() != modeInspect || b.m.flash != lang.T("credit.unavailable") {
			t.Errorf("%s: n on an order that needs no credit note: mode %d, flash %q", lang, b.m.mode(), b.m.flash)
		}
		if s := ansi.Strip(b.screen()); strings.Contains(s, "n "+lang.T("key.credit")) {
			t.Errorf("%s: credit note offered where it does not apply:\n%s", lang, s)
		}
		if cs := b.controls(); len(cs) != 1 {
			t.Errorf("%s: controls %+v", lang, cs)
		}
	}
}
