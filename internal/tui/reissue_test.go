package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// The Problem section shows the error that put the order in Errors (the
// SII's rejection), not an earlier 429; the 429 stays in the timeline.
func TestProblemShowsTheErrorThatPutTheOrderInErrors(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
		b := setup(t, setupOpts{orders: 5, lang: lang})
		id := b.rejectFirst()
		b.inspect(id)
		s := ansi.Strip(b.screen())
		checkFits(t, b.screen(), 80, 24)
		if strings.Contains(s, "429") {
			t.Errorf("%s: Problem shows the earlier 429:\n%s", lang, s)
		}
		for _, want := range []string{"CAF-3-517", lang.T("inspect.earlier_errors", 1), "e " + lang.T("key.reissue")} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: Problem lacks %q:\n%s", lang, want, s)
			}
		}
		if strings.Contains(s, "r "+lang.T("action.retry")) {
			t.Errorf("%s: Problem offers retry on a rejected order:\n%s", lang, s)
		}
		b.keys("tab")
		if s := ansi.Strip(b.screen()); !strings.Contains(s, "reintento 1/8") {
			t.Errorf("%s: the earlier error is not in the timeline:\n%s", lang, s)
		}
		// An order in Errors for its own error still shows its raw error.
		b.keys("esc")
		b.inspect(b.errID)
		if s := ansi.Strip(b.screen()); !strings.Contains(s, "bad rut") {
			t.Errorf("%s: the raw error of the cause is missing:\n%s", lang, s)
		}
	}
}

// e on a rejected order asks first (the question keeps its [y/N] at 80
// columns), then writes a reissue control; r is refused pointing to e; e
// where it does not apply says why and asks nothing.
func TestReissueKey(t *testing.T) {
	t.Parallel()
	for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
		b := setup(t, setupOpts{orders: 5, lang: lang})
		id := b.rejectFirst()
		b.inspect(id)

		b.keys("r")
		if cs := b.controls(); len(cs) != 0 {
			t.Fatalf("%s: r on a rejected order wrote %+v", lang, cs)
		}
		if !strings.Contains(b.m.flash, lang.T("reissue.refuse_retry", 41, "e", b.m.inspecting().view.Order.Code)) {
			t.Errorf("%s: r on a rejected order says %q", lang, b.m.flash)
		}

		b.keys("e")
		if b.m.mode() != modeConfirm {
			t.Fatalf("%s: e did not ask (mode %d)", lang, b.m.mode())
		}
		s := b.screen()
		checkFits(t, s, 80, 24)
		yn := map[i18n.Lang]string{i18n.ES: "[s/N]", i18n.EN: "[y/N]"}[lang]
		if !strings.Contains(ansi.Strip(s), yn) || !strings.Contains(ansi.Strip(s), "41") {
			t.Errorf("%s: the question at 80×24:\n%s", lang, ansi.Strip(s))
		}
		b.keys("n")
		if cs := b.controls(); len(cs) != 0 || b.m.mode() != modeInspect {
			t.Fatalf("%s: a cancelled reissue wrote %+v (mode %d)", lang, cs, b.m.mode())
		}
		b.keys("e", lang.T("confirm.yes"))
		cs := b.controls()
		if len(cs) != 1 || cs[0].Kind != store.CtlReissue || cs[0].Target != id || cs[0].By != "test" {
			t.Fatalf("%s: reissue wrote %+v", lang, cs)
		}
		if !strings.Contains(b.m.flash, lang.T("key.reissue")) {
			t.Errorf("%s: no flash after reissue: %q", lang, b.m.flash)
		}

		// Where it does not apply: says why, asks nothing.
		b.keys("esc")
		b.inspect(b.errID)
		b.keys("e")
		if b.m.mode() != modeInspect || b.m.flash != lang.T("reissue.unavailable") {
			t.Errorf("%s: e on an order not rejected: mode %d, flash %q", lang, b.m.mode(), b.m.flash)
		}
		if s := ansi.Strip(b.screen()); strings.Contains(s, "e "+lang.T("key.reissue")) {
			t.Errorf("%s: reissue offered on an order the SII did not reject:\n%s", lang, s)
		}
		if cs := b.controls(); len(cs) != 1 {
			t.Errorf("%s: controls %+v", lang, cs)
		}
	}
}
