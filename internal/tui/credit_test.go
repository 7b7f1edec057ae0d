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
		b.confirmWrites(lang, "n", store.CtlCredit, id)
		b.keyUnavailable(lang, "n", "key.credit", "credit.unavailable")
	}
}
