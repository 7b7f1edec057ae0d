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

		b.confirmWrites(lang, "e", store.CtlReissue, id)
		if !strings.Contains(b.m.flash, lang.T("key.reissue")) {
			t.Errorf("%s: no flash after reissue: %q", lang, b.m.flash)
		}

		// Where it does not apply: says why, asks nothing.
		b.keyUnavailable(lang, "e", "key.reissue", "reissue.unavailable")
	}
}
