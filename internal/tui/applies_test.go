package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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
			if b.m.flash != want || len(b.controls()) != 0 || b.m.mode() == modeForm || b.m.mode() == modeConfirm {
				t.Errorf("%s: %s on a done order: flash %q, mode %v, controls %d", lang, k, b.m.flash, b.m.mode(), len(b.controls()))
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
	if !b.drv.Quit {
		t.Fatal(":q no longer quits")
	}
}

// The buyer form starts from what the order's checkout carries, shows each
// field's SII limit, says when a value from the order was cut to it, and
// an invalid RUT is called invalid, not missing.
func TestBuyerFormPrefillsAndSaysLimits(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, lang: i18n.EN, w: 120, h: 40})
	ctx := context.Background()
	giro := "Venta al por menor de artículos de ferretería, pinturas y productos de vidrio" // 77 characters
	raw := `{"_id":"` + b.errID + `","Client":{"_id":"c1","fullName":"Comercial Los Aromos SpA","type":"company","taxId":"76.354.771-K","activity":"` + giro +
		`","BillingAddresses":[{"address_1":"Av. Providencia 1234","city":"Providencia"}]}}`
	if err := b.st.Write(ctx, func(tx *store.Tx) error {
		return tx.SetDetail(ctx, b.errID, raw, "Comercial Los Aromos SpA", "76354771-K", "invoice", fixedNow, "completed", "completed")
	}); err != nil {
		t.Fatal(err)
	}
	b.send(b.m.openInspect(b.errID)())
	b.keys("b")
	f, _ := find[*buyerForm](b.m)
	if f == nil {
		t.Fatalf("b did not open the form: mode %v", b.m.mode())
	}
	if b.m.mode() != modeForm || f.fields[0].String() != "76354771-K" || f.fields[1].String() != "Comercial Los Aromos SpA" ||
		f.fields[3].String() != "Av. Providencia 1234" || f.fields[4].String() != "Providencia" || len([]rune(f.fields[2].String())) != 40 {
		t.Fatalf("form %v: %q %q %q %q %q", b.m.mode(), f.fields[0].String(), f.fields[1].String(), f.fields[2].String(), f.fields[3].String(), f.fields[4].String())
	}
	screen := ansi.Strip(b.screen())
	if !regexp.MustCompile(`has 7\d characters: the SII keeps 40`).MatchString(screen) || !strings.Contains(screen, "/12 (the SII's limit)") {
		t.Fatalf("the form does not say its limits:\n%s", screen)
	}
	// A wrong RUT: invalid, with the check digit it should have.
	b.keys("backspace")
	b.typeText("9")
	b.keys("enter")
	if !strings.Contains(f.err, "check digit should be") || len(b.controls()) != 0 {
		t.Fatalf("an invalid RUT: %q, controls %d", f.err, len(b.controls()))
	}
}

// Help goes back to the screen it was opened from, and scrolls when the
// screen is too small for it.
func TestHelpReturnsAndScrolls(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, w: 60, h: 20})
	b.send(b.m.openInspect(b.errID)())
	b.keys("?")
	if b.m.mode() != modeHelp {
		t.Fatalf("? opened mode %v", b.m.mode())
	}
	first := ansi.Strip(b.screen())
	b.keys("esc")
	if b.m.mode() != modeInspect {
		t.Fatalf("esc from help went to mode %v, not back to inspect", b.m.mode())
	}
	b.keys("?")
	all := strings.Join(helpTexts(b), "\n")
	for i := 0; i < 10; i++ {
		b.keys("pgdown")
	}
	scrolled := ansi.Strip(b.screen())
	if scrolled == first {
		t.Fatalf("help does not scroll at 60×20:\n%s", scrolled)
	}
	if !strings.Contains(scrolled, lastHelpLine(all)) {
		t.Fatalf("the end of the help cannot be reached at 60×20:\n%s\nlast: %q", scrolled, lastHelpLine(all))
	}
	checkFits(t, b.screen(), 60, 20)
}

// helpTexts is the whole help as a tall screen shows it.
func helpTexts(b *bundle) []string {
	m := *b.m
	m.height = 200
	return strings.Split(ansi.Strip(strings.Join((&helpLayer{}).view(&m, 197), "\n")), "\n")
}

func lastHelpLine(all string) string {
	lines := strings.Split(strings.TrimRight(all, "\n "), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

// The filter field uses the width it has: at 60 columns a filter of 30
// characters is seen whole, not its last ten.
func TestFilterFieldUsesTheWidth(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, lang: i18n.ES, w: 60, h: 20})
	b.keys("/")
	text := "Comercial Los Aromos Ltda 7635"
	b.typeText(text)
	var field string
	for _, l := range strings.Split(ansi.Strip(b.screen()), "\n") {
		if strings.Contains(l, "filtro") && strings.Contains(l, "█") {
			field = l
		}
	}
	if !strings.Contains(field, text) {
		t.Fatalf("the filter %q is not shown whole at 60 columns: %q", text, field)
	}
	checkFits(t, b.screen(), 60, 20)
}

// After a person corrects the buyer, the inspect header names the buyer
// the document will carry, not the order's old one.
func TestInspectHeaderShowsTheCorrectedBuyer(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, w: 160, h: 40})
	ctx := context.Background()
	if err := b.st.Write(ctx, func(tx *store.Tx) error {
		return tx.SaveEmission(ctx, store.Emission{OrderID: b.errID, ExtRef: "folio:" + b.errID,
			Overrides: `{"buyer":{"RUT":"76354771-K","BusinessName":"Ferretería Nueva SpA","Giro":"x","Address":"y","Comuna":"z"}}`})
	}); err != nil {
		t.Fatal(err)
	}
	b.send(b.m.openInspect(b.errID)())
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "Ferretería Nueva SpA 76354771-K") || strings.Contains(s, "Comercial Los Aromos") {
		t.Fatalf("the header does not name the corrected buyer:\n%s", s)
	}
}

// The timeline shows every time in the merchant's zone, names the zone
// with its offset, and agrees with the engine's own words (its retry time
// is written in the same zone): one zone on the screen, whatever the host's.
func TestTimelineInTheMerchantsZone(t *testing.T) {
	t.Parallel()
	scl, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Skip(err)
	}
	at := time.Date(2026, 11, 24, 17, 3, 0, 0, time.UTC)
	v := store.OrderView{Order: store.Order{ID: "o1", State: store.StateRetrying},
		Events: []store.Event{{Kind: "error", At: at, Message: "Falla — reintento 1/8 a las 14:04:00"}}}
	for lang, zone := range map[i18n.Lang]string{i18n.EN: "times in America/Santiago, UTC−03:00", i18n.ES: "horas de America/Santiago, UTC−03:00"} {
		keys, _ := NewKeyMap(lang, nil, false)
		got := strings.Join(sectionLines(NewStyles(mustTheme(t), true), lang, keys, v, secTimeline, 120, scl), "\n")
		if !strings.Contains(got, zone) || !strings.Contains(got, " 14:03 ") {
			t.Errorf("%s: the timeline is not in the merchant's zone:\n%s", lang, got)
		}
	}
}

// What / finds in an inspect section is marked on screen, every match in
// view, without colour too.
func TestInspectSearchMarksMatches(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, noColor: true, w: 120, h: 40})
	b.send(b.m.openInspect(b.errID)())
	b.keys("2", "/")
	b.typeText("factura")
	b.keys("enter")
	mark := b.m.styles.Selected.Render("factura")
	if mark == "cola" {
		t.Fatal("the mark style draws nothing")
	}
	if n := strings.Count(strings.ToLower(b.screen()), strings.ToLower(mark)); n == 0 {
		t.Fatalf("no match marked:\n%q", b.screen())
	}
	checkFits(t, b.screen(), 120, 40)
}

// Overlays stack: esc (or an answer) pops the top one and shows what was
// under it, however deep — a confirmation over the buyer form returns to
// the form, and the form then to the inspect view it was opened from.
func TestOverlaysStack(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	b.inspect(b.errID)
	b.keys("?")
	if b.m.mode() != modeHelp {
		t.Fatalf("? over inspect: mode %v", b.m.mode())
	}
	b.keys("esc")
	if b.m.mode() != modeInspect {
		t.Fatalf("esc from help over inspect: mode %v", b.m.mode())
	}
	b.keys("b")
	if b.m.mode() != modeForm {
		t.Fatalf("b in inspect: mode %v", b.m.mode())
	}
	b.m.ask("discard? [y/N]", func() tea.Cmd { return nil })
	b.keys("n")
	if b.m.mode() != modeForm {
		t.Fatalf("a confirmation over the form answered no: mode %v, want the form", b.m.mode())
	}
	b.keys("esc")
	if b.m.mode() != modeInspect {
		t.Fatalf("esc from the form: mode %v, want inspect", b.m.mode())
	}
	b.keys(":")
	b.typeText("help")
	b.keys("enter")
	if b.m.mode() != modeHelp {
		t.Fatalf(":help in inspect: mode %v", b.m.mode())
	}
	b.keys("esc", "esc")
	if b.m.mode() != modePanes || len(b.m.stack) != 0 {
		t.Fatalf("esc twice from help over inspect: mode %v, %d layers left", b.m.mode(), len(b.m.stack))
	}
}

// The palette runs the same actions as the keys (not only the few it used
// to know), and help lists every action of the same table.
func TestPaletteAndHelpShareTheActions(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, w: 120, h: 40})
	b.m.keys, _ = NewKeyMap(i18n.EN, map[string][]string{"buyer": {"ctrl+o"}, "skip": {"ctrl+k"}}, false)
	b.keys("4", ":")
	b.typeText("buyer")
	b.keys("enter")
	if b.m.mode() != modeForm {
		t.Fatalf(":buyer with buyer on ctrl+o: mode %v", b.m.mode())
	}
	b.keys("esc", ":")
	b.typeText("skip")
	b.keys("enter")
	if p, ok := b.m.top().(*promptState); !ok || p.pkind != promptSkip || p.order.ID != b.errID {
		t.Fatalf(":skip did not ask the reason to skip the selected order: %#v", b.m.top())
	}
	b.keys("esc", "?")
	help := ansi.Strip(b.screen())
	for _, a := range b.m.actions {
		want := ":" + a.name
		if a.binding != "" {
			want = keyLabel(a.key(b.m.keys).Keys()[0])
		}
		if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(want) + `(/|\s)`).MatchString(help) {
			t.Errorf("help does not list %s as %q:\n%s", a.name, want, help)
		}
	}
}

// The RUT field is edited where the cursor is: left/right, home/end, and
// delete or backspace in the middle, with the live check following; the
// cursor is drawn where it stands.
func TestRUTFieldCursorMoves(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, noColor: true})
	b.keys("4", "b")
	f, _ := find[*buyerForm](b.m)
	if f == nil {
		t.Fatalf("b did not open the form: mode %v", b.m.mode())
	}
	b.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	b.typeText("763547791-K") // one digit too many, in the middle
	b.keys("left", "left", "left", "backspace")
	if got := f.fields[0].String(); got != "76354771-K" {
		t.Fatalf("backspace three from the end: %q", got)
	}
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "valid RUT") || strings.Contains(s, "invalid") {
		t.Errorf("the fixed RUT is not acknowledged:\n%s", s)
	}
	if s := b.screen(); !strings.Contains(s, "7635477"+reverseOn+"1"+reverseOff+"-K") {
		t.Errorf("the cursor is not drawn on the 1:\n%q", s)
	}
	b.keys("home", "delete")
	if got := f.fields[0].String(); got != "6354771-K" {
		t.Fatalf("delete at home: %q", got)
	}
	b.typeText("7")
	b.keys("right", "right", "end")
	b.typeText("x")
	b.keys("backspace")
	if got := f.fields[0].String(); got != "76354771-K" {
		t.Fatalf("typed at home and at the end: %q", got)
	}
	b.keys("tab")
	b.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	b.typeText("Comercial Los Aromos SpA")
	b.keys("home", "right", "right", "right", "right", "right", "right", "right", "right", "right")
	b.typeText("ito")
	if got := f.fields[1].String(); got != "Comercialito Los Aromos SpA" {
		t.Fatalf("typed in the middle of the business name: %q", got)
	}
}
