package tui

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

func TestPaneTitlesInBothLanguages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lang   i18n.Lang
		titles []string
	}{
		{i18n.EN, []string{"Connections", "Orders", "Queue", "Errors"}},
		{i18n.ES, []string{"Conexiones", "Pedidos", "Cola", "Errores"}},
	} {
		for _, size := range [][2]int{{80, 24}, {200, 60}} {
			b := setup(t, setupOpts{orders: 5, lang: tc.lang, w: size[0], h: size[1]})
			s := ansi.Strip(b.screen())
			for _, title := range tc.titles {
				if !strings.Contains(s, title) {
					t.Errorf("%s at %dx%d: no %q in\n%s", tc.lang, size[0], size[1], title, s)
				}
			}
		}
	}
}

func TestNavigationBetweenPanes(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	if b.m.active != paneOrders {
		t.Fatalf("starts on pane %d, want orders", b.m.active)
	}
	b.keys("tab")
	if b.m.active != paneQueue {
		t.Errorf("tab went to %d", b.m.active)
	}
	b.keys("shift+tab", "shift+tab")
	if b.m.active != paneConnections {
		t.Errorf("shift+tab twice went to %d", b.m.active)
	}
	b.keys("4")
	if b.m.active != paneErrors || !strings.Contains(b.screen(), "RUT") {
		t.Errorf("4 should show Errors with the bad RUT:\n%s", ansi.Strip(b.screen()))
	}
	b.keys("1")
	s := ansi.Strip(b.screen())
	if !strings.Contains(s, "tienda") || !strings.Contains(s, "76086428-5") {
		t.Errorf("connections pane:\n%s", s)
	}
	if strings.Contains(s, "secret") {
		t.Errorf("a secret on screen:\n%s", s)
	}
}

func TestKeysetScrollingShowsOnlyAWindow(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 100})
	rows := b.m.orderPane(paneOrders).list.rows
	if len(rows) == 0 || len(rows) > 24 {
		t.Fatalf("%d rows read for a 24-line terminal", len(rows))
	}
	first := rows[0].ID
	if first != b.ids[99] {
		t.Fatalf("newest first: got %s", first)
	}
	b.keys("pgdown")
	if got := b.m.orderPane(paneOrders).list.rows[0].ID; got == first || got != b.ids[99-len(rows)] {
		t.Errorf("page down starts at %s, want %s", got, b.ids[99-len(rows)])
	}
	b.keys("pgup")
	if got := b.m.orderPane(paneOrders).list.rows[0].ID; got != first {
		t.Errorf("page up came back to %s, want %s", got, first)
	}
	// Down past the last visible row slides the window by one.
	for i := 0; i < len(rows); i++ {
		b.keys("down")
	}
	if got := b.m.orderPane(paneOrders).list.rows[0].ID; got != b.ids[98] {
		t.Errorf("after scrolling one past the window it starts at %s, want %s", got, b.ids[98])
	}
	if o, _ := b.m.selected(); o.ID != b.ids[99-len(rows)] {
		t.Errorf("selected %s, want %s", o.ID, b.ids[99-len(rows)])
	}
	b.keys("g")
	if got := b.m.orderPane(paneOrders).list.rows[0].ID; got != first || b.m.orderPane(paneOrders).cursor != 0 {
		t.Errorf("g went to %s row %d", got, b.m.orderPane(paneOrders).cursor)
	}
}

func TestFilterRunsInTheStore(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 60})
	b.keys("/")
	// Six characters: orders not read in detail yet are found by a code
	// prefix from that length (see store.ListOrders).
	b.typeText("RIP-00")
	rows := b.m.orderPane(paneOrders).list.rows
	if len(rows) == 0 {
		t.Fatal("no rows for RIP-00")
	}
	for _, o := range rows {
		if !strings.HasPrefix(o.Code, "RIP") {
			t.Errorf("filter RIP shows %s", o.Code)
		}
	}
	b.keys("enter")
	if b.m.mode() != modePanes || !strings.Contains(ansi.Strip(b.screen()), "filter: RIP-00") {
		t.Errorf("after enter: mode %d\n%s", b.m.mode(), ansi.Strip(b.screen()))
	}
	b.keys("/")
	b.typeText("zzzz")
	if !strings.Contains(ansi.Strip(b.screen()), "nothing matches") {
		t.Errorf("an empty filter result says nothing:\n%s", ansi.Strip(b.screen()))
	}
	b.keys("esc")
	if b.m.orderPane(paneOrders).win.filter != "" || len(b.m.orderPane(paneOrders).list.rows) == 0 {
		t.Error("esc did not clear the filter")
	}
}

func TestInspectShowsTheProblemFirst(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	b.keys("4", "enter")
	if b.m.mode() != modeInspect || b.m.inspecting().view == nil || b.m.inspecting().view.Order.ID != b.errID {
		t.Fatalf("enter on the error did not inspect it: mode %d", b.m.mode())
	}
	s := ansi.Strip(b.screen())
	for _, want := range []string{"Problem", "Timeline", "RUT inválido", "r retry"} {
		if !strings.Contains(s, want) {
			t.Errorf("inspect lacks %q:\n%s", want, s)
		}
	}
	b.keys("tab")
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "error") || !strings.Contains(s, "RUT inválido para factura") {
		t.Errorf("timeline:\n%s", s)
	}
	b.keys("4")
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "Comercial Los Aromos") {
		t.Errorf("raw JSON:\n%s", s)
	}
	// / finds text in the section: the view scrolls to its line (on a
	// terminal short enough for the JSON not to fit).
	b.send(tea.WindowSizeMsg{Width: 80, Height: 10})
	b.keys("/")
	b.typeText("fullname")
	b.keys("enter")
	if b.m.mode() != modeInspect || b.m.inspecting().offset == 0 {
		t.Errorf("search did not scroll: mode %d, offset %d", b.m.mode(), b.m.inspecting().offset)
	}
	// The match is on screen (the view stops scrolling at the end).
	lines := strings.Split(ansi.Strip(b.screen()), "\n")
	if len(lines) < 8 || !strings.Contains(strings.Join(lines[4:8], "\n"), "fullName") {
		t.Errorf("the match is not shown:\n%s", strings.Join(lines, "\n"))
	}
	b.keys("/")
	b.typeText("nowhere-to-be-found")
	b.keys("enter")
	if !strings.Contains(b.screen(), "nothing matches") {
		t.Errorf("a search without a match says nothing:\n%s", ansi.Strip(b.screen()))
	}
	b.keys("esc")
	if b.m.mode() != modePanes {
		t.Error("esc did not go back")
	}
}

func TestActionsWriteControls(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	b.keys("4", "r")
	cs := b.controls()
	if len(cs) != 1 || cs[0].Kind != store.CtlRetry || cs[0].Target != b.errID || cs[0].By != "test" {
		t.Fatalf("retry wrote %+v", cs)
	}
	if !strings.Contains(b.screen(), "requested") {
		t.Errorf("no flash after retry:\n%s", ansi.Strip(b.screen()))
	}
	// Once the engine applies it, the flash says so in the person's words.
	b.send(controlDoneMsg{id: cs[0].ID, status: store.CtlApplied, outcome: "reintento pedido"})
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "✔ retry: ") || strings.Contains(s, "reintento pedido") {
		t.Errorf("applied flash:\n%s", s)
	}

	// Skip asks a reason, then a confirmation; "n" cancels.
	b.keys("s")
	b.typeText("duplicado")
	b.keys("enter")
	if b.m.mode() != modeConfirm {
		t.Fatalf("skip did not ask for confirmation (mode %d)", b.m.mode())
	}
	b.keys("n")
	if len(b.controls()) != 1 {
		t.Fatal("a cancelled skip wrote a control")
	}
	b.keys("s")
	b.typeText("duplicado")
	b.keys("enter", "y")
	cs = b.controls()
	var args struct{ Reason string }
	if len(cs) != 2 || cs[1].Kind != store.CtlSkip || json.Unmarshal([]byte(cs[1].Args), &args) != nil || args.Reason != "duplicado" {
		t.Fatalf("skip wrote %+v", cs)
	}

	// The buyer form checks the RUT as it is typed.
	b.keys("b")
	if b.m.mode() != modeForm {
		t.Fatalf("b did not open the form")
	}
	b.send(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	b.typeText("76.354.771-2")
	if s := b.screen(); !strings.Contains(s, "the check digit should be K") {
		t.Errorf("a bad RUT is not flagged:\n%s", ansi.Strip(s))
	}
	b.keys("backspace")
	b.typeText("K")
	if s := b.screen(); !strings.Contains(s, "valid RUT") {
		t.Errorf("a good RUT is not acknowledged:\n%s", ansi.Strip(s))
	}
	b.keys("enter")
	if b.m.mode() != modeForm || !strings.Contains(b.screen(), "missing") {
		t.Fatal("the form was saved without a business name")
	}
	for _, v := range []string{"Comercial Los Aromos SpA", "Ferretería", "Av. Providencia 1234", "Providencia"} {
		b.typeText(v)
		b.keys("tab")
	}
	b.keys("enter")
	cs = b.controls()
	if len(cs) != 3 || cs[2].Kind != store.CtlBuyerOverride || !strings.Contains(cs[2].Args, "Ferretería") || !strings.Contains(cs[2].Args, "76354771-K") {
		t.Fatalf("buyer form wrote %+v", cs[len(cs)-1])
	}

	b.keys("B", "y")
	if cs = b.controls(); cs[len(cs)-1].Kind != store.CtlIssueAsBoleta {
		t.Errorf("B wrote %+v", cs[len(cs)-1])
	}
	b.keys("/")
	b.typeText("RUT")
	b.keys("enter", "R", "y")
	if cs = b.controls(); cs[len(cs)-1].Kind != store.CtlRetryFilter || !strings.Contains(cs[len(cs)-1].Args, "RUT") {
		t.Errorf("R wrote %+v", cs[len(cs)-1])
	}
	b.keys("p")
	if cs = b.controls(); cs[len(cs)-1].Kind != store.CtlPause || cs[len(cs)-1].Target != "" {
		t.Errorf("p wrote %+v", cs[len(cs)-1])
	}
	// On the connections pane, p pauses the selected connection.
	b.keys("1", "p")
	if cs = b.controls(); cs[len(cs)-1].Kind != store.CtlPause || cs[len(cs)-1].Target == "" {
		t.Errorf("p on a connection wrote %+v", cs[len(cs)-1])
	}
}

func TestReadOnlyRefusesEveryAction(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, readOnly: true})
	b.keys("4", "r", "s", "b", "B", "R", "p")
	b.keys(":")
	b.typeText("pause")
	b.keys("enter")
	if cs := b.controls(); len(cs) != 0 {
		t.Fatalf("read-only wrote %+v", cs)
	}
	s := ansi.Strip(b.screen())
	if !strings.Contains(s, "read-only") {
		t.Errorf("read-only is not said:\n%s", s)
	}
	if strings.Contains(s, "r retry") || strings.Contains(s, "s skip") {
		t.Errorf("actions still offered:\n%s", s)
	}
	b.keys("enter")
	if s := ansi.Strip(b.screen()); strings.Contains(s, "Actions:") {
		t.Errorf("inspect offers actions in read-only mode:\n%s", s)
	}
}

func TestEveryScreenFitsTheTerminal(t *testing.T) {
	t.Parallel()
	for _, size := range [][2]int{{80, 24}, {200, 60}, {120, 36}, {100, 30}, {60, 15}} {
		for _, lang := range []i18n.Lang{i18n.ES, i18n.EN} {
			b := setup(t, setupOpts{orders: 80, lang: lang, w: size[0], h: size[1]})
			w, h := size[0], size[1]
			checkFits(t, b.screen(), w, h)
			for _, k := range []string{"1", "3", "4"} {
				b.keys(k)
				checkFits(t, b.screen(), w, h)
			}
			b.keys("enter")
			for i := 0; i < 5; i++ {
				checkFits(t, b.screen(), w, h)
				b.keys("tab")
			}
			b.keys("esc", "?")
			checkFits(t, b.screen(), w, h)
			b.keys("esc", "b")
			checkFits(t, b.screen(), w, h)
			b.keys("esc", ":")
			b.typeText(strings.Repeat("x", 300))
			checkFits(t, b.screen(), w, h)
			b.keys("esc")
		}
	}
	// Live resize from large to small and back.
	b := setup(t, setupOpts{orders: 80, w: 200, h: 60})
	for _, size := range [][2]int{{80, 24}, {200, 60}, {81, 23}} {
		b.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		checkFits(t, b.screen(), size[0], size[1])
		if got := len(strings.Split(b.screen(), "\n")); got != size[1] {
			t.Errorf("%d lines at height %d: the screen should fill it", got, size[1])
		}
	}
}

// colourSGR matches an SGR sequence that sets a colour.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

func TestNoColorHasNoColourCodes(t *testing.T) {
	t.Parallel()
	for _, noColor := range []bool{false, true} {
		b := setup(t, setupOpts{orders: 20, noColor: noColor, w: 200, h: 60})
		screens := []string{b.screen()}
		b.keys("4", "enter")
		screens = append(screens, b.screen())
		b.keys("tab")
		screens = append(screens, b.screen())
		found := false
		for _, s := range screens {
			if colourSGR.MatchString(s) {
				found = true
			}
		}
		if noColor && found {
			t.Errorf("NO_COLOR screen has colour codes: %q", colourSGR.FindString(strings.Join(screens, "")))
		}
		if !noColor && !found {
			t.Error("the colour screen has no colour at all: the check cannot see colours")
		}
	}
}

func TestPaletteCommands(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, lang: i18n.ES})
	b.keys(":")
	b.typeText("err")
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "errors") {
		t.Errorf("the palette does not suggest errors:\n%s", s)
	}
	b.keys("enter")
	if b.m.active != paneErrors {
		t.Errorf(":err went to pane %d", b.m.active)
	}
	b.keys(":")
	b.typeText("lang en")
	b.keys("enter")
	if b.m.lang != i18n.EN || !strings.Contains(b.screen(), "Orders") {
		t.Errorf(":lang en left %s", b.m.lang)
	}
	b.keys(":")
	b.typeText("theme dark")
	b.keys("enter")
	if b.m.theme.Name != "dark" {
		t.Errorf(":theme dark left %q", b.m.theme.Name)
	}
	b.keys(":")
	b.typeText("theme nope")
	b.keys("enter")
	if !strings.Contains(b.screen(), "high-contrast") {
		t.Errorf("a bad theme does not list the themes:\n%s", ansi.Strip(b.screen()))
	}
	b.keys(":")
	b.typeText("frobnicate")
	b.keys("enter")
	if !strings.Contains(b.screen(), "unknown command") {
		t.Errorf("an unknown command is not said:\n%s", ansi.Strip(b.screen()))
	}
	b.keys(":")
	b.typeText("resume")
	b.keys("enter")
	if cs := b.controls(); len(cs) != 1 || cs[0].Kind != store.CtlResume {
		t.Errorf(":resume wrote %+v", cs)
	}
	b.keys(":")
	b.typeText("q")
	b.keys("enter")
	if !b.drv.Quit {
		t.Error(":q did not quit")
	}
}

func TestQuitAndHelp(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 1})
	b.keys("?")
	s := ansi.Strip(b.screen())
	for _, want := range []string{"next pane", "retry", "filter", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("help lacks %q:\n%s", want, s)
		}
	}
	b.keys("esc")
	if b.drv.Quit {
		t.Fatal("esc quit")
	}
	b.keys("q")
	if !b.drv.Quit {
		t.Error("q did not quit")
	}
	b = setup(t, setupOpts{orders: 1})
	b.keys("/", "ctrl+c")
	if !b.drv.Quit {
		t.Error("ctrl+c in the filter prompt did not quit")
	}
}

func TestKeymapOverrides(t *testing.T) {
	t.Parallel()
	km, err := NewKeyMap(i18n.EN, map[string][]string{"retry": {"x"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := km.Retry.Keys(); len(got) != 1 || got[0] != "x" {
		t.Errorf("retry keys %v", got)
	}
	if _, err := NewKeyMap(i18n.EN, map[string][]string{"retry": {"q"}}, false); err == nil || !strings.Contains(err.Error(), "quit") {
		t.Errorf("a key given twice: %v", err)
	}
	if _, err := NewKeyMap(i18n.EN, map[string][]string{"explode": {"x"}}, false); err == nil || !strings.Contains(err.Error(), "retry") {
		t.Errorf("an unknown action: %v", err)
	}
	b := setup(t, setupOpts{orders: 5})
	b.m.keys, _ = NewKeyMap(i18n.EN, map[string][]string{"retry": {"x"}}, false)
	b.keys("4", "r")
	if len(b.controls()) != 0 {
		t.Error("r still retries after being remapped")
	}
	b.keys("x")
	if len(b.controls()) != 1 {
		t.Error("the new key does not retry")
	}
}

func TestStaleReadsAreDropped(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	old := b.m.data
	// A read tagged with a window the pane is no longer on (an older page).
	left := b.m.orderPane(paneOrders).win
	left.before = 12345
	var lists [paneCount]listData
	lists[paneOrders] = listData{win: left, read: true}
	b.send(dataMsg(snapshot{lists: lists, counts: map[store.State]int{store.StateDone: 999}}))
	if b.m.data.counts[store.StateDone] == 999 || len(b.m.data.conns) != len(old.conns) || len(b.m.orderPane(paneOrders).list.rows) == 0 {
		t.Error("a stale read replaced newer data")
	}
}

func TestThemesLoad(t *testing.T) {
	t.Parallel()
	names := ThemeNames()
	for _, want := range []string{"default", "dark", "light", "high-contrast"} {
		found := false
		for _, n := range names {
			found = found || n == want
		}
		if !found {
			t.Errorf("theme %s missing from %v", want, names)
		}
		if _, err := LoadTheme(want); err != nil {
			t.Error(err)
		}
	}
}

func TestConnectionsPaneShowsTheCatalogSync(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 1})
	ctx := context.Background()
	r := `{"at":"2026-11-24T13:58:00Z","connection":"tienda","create":3,"update":1,"unchanged":40,"deactivate":0,"note":"LibreDTE has no API to write items: use folio catalog sync --csv"}`
	if err := b.st.Write(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, "catalog.last", r) }); err != nil {
		t.Fatal(err)
	}
	b.keys("1")
	s := ansi.Strip(b.screen())
	if !strings.Contains(s, "Catalog 5m ago: 3 to create, 1 to update, 40 unchanged") || !strings.Contains(s, "no API to write items") {
		t.Errorf("the catalog sync is not shown:\n%s", s)
	}
	checkFits(t, b.screen(), 80, 24)
}

// Keys typed ahead of a read (over SSH) still do what was meant: enter
// right after switching panes inspects the first row once it arrives.
func TestEnterTypedAheadOfTheRows(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	_, fetch := b.m.Update(press("4")) // the read is out, not back yet
	b.send(press("enter"))
	for _, msg := range run(t, fetch) {
		b.send(msg)
	}
	if b.m.mode() != modeInspect || b.m.inspecting().view == nil || b.m.inspecting().view.Order.ID != b.errID {
		t.Fatalf("enter before the rows arrived: mode %d", b.m.mode())
	}
}

// The engine's timeline lines come from the catalog: the console shows
// them in the person's language.
func TestTimelineInThePersonsLanguage(t *testing.T) {
	t.Parallel()
	for lang, want := range map[i18n.Lang]string{i18n.EN: "folio 42 assigned", i18n.ES: "folio 42 asignado"} {
		b := setup(t, setupOpts{orders: 5, lang: lang})
		ctx := context.Background()
		err := b.st.Write(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(ctx, b.errID, store.Event{Kind: "issued", Message: "folio 42 asignado", MsgID: "event.folio", MsgArgs: []string{"42"}})
		})
		if err != nil {
			t.Fatal(err)
		}
		b.keys("4", "enter", "2")
		if s := ansi.Strip(b.screen()); !strings.Contains(s, want) {
			t.Errorf("%s timeline lacks %q:\n%s", lang, want, s)
		}
	}
}

// Inspect's document section shows Multivende's synchronizationStatus for
// the order's document, and what "Pendiente" means, in both languages.
func TestInspectShowsMultivendeSyncStatus(t *testing.T) {
	t.Parallel()
	doc := `{"_id":"d1","id":"10482","ElectronicBillingDocumentFiles":[{"synchronizationStatus":"Pendiente","url":"http://mv/files/d1.pdf"}]}`
	v := store.OrderView{Order: store.Order{ID: "o1", State: store.StateDone, Outcome: store.OutcomeExisting},
		Events: []store.Event{{Kind: "seen"}, {Kind: "existing", Data: doc}}}
	for lang, want := range map[i18n.Lang][]string{
		i18n.ES: {"documento 10482, sincronización: «Pendiente»", "envío automático"},
		i18n.EN: {"document 10482, synchronization: “Pendiente”", "automatic sending"},
	} {
		keys, err := NewKeyMap(lang, nil, false)
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Join(sectionLines(NewStyles(mustTheme(t), true), lang, keys, v, secDocument, 200, time.UTC), "\n")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", lang, w, got)
			}
		}
	}
	// Another status is shown as Multivende sends it, without the
	// "Pendiente" explanation.
	v.Events[1].Data = strings.Replace(doc, "Pendiente", "Sincronizado", 1)
	keys, _ := NewKeyMap(i18n.EN, nil, false)
	got := strings.Join(sectionLines(NewStyles(mustTheme(t), true), i18n.EN, keys, v, secDocument, 200, time.UTC), "\n")
	if !strings.Contains(got, "synchronization: “Sincronizado”") || strings.Contains(got, "automatic sending") {
		t.Errorf("another status:\n%s", got)
	}
}

func mustTheme(t *testing.T) Theme {
	t.Helper()
	th, err := LoadTheme("default")
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// The document section names the folio once it is issued: the document was
// stored before the folio was known.
func TestInspectDocumentShowsItsFolio(t *testing.T) {
	t.Parallel()
	doc := `{"Encabezado":{"IdDoc":{"TipoDTE":39,"FchEmis":"2026-11-24"},"Totales":{"MntTotal":1190,"MntNeto":1000,"IVA":190}},"Detalle":[{"NroLinDet":1,"NmbItem":"Taza","QtyItem":1,"PrcItem":1190,"MontoItem":1190}]}`
	v := store.OrderView{Order: store.Order{ID: "o1", State: store.StateIssuing, Total: 1190},
		Emission: &store.Emission{OrderID: "o1", DocType: 39, Document: doc}}
	keys, _ := NewKeyMap(i18n.EN, nil, false)
	lines := func() string {
		return strings.Join(sectionLines(NewStyles(mustTheme(t), true), i18n.EN, keys, v, secDocument, 100, time.UTC), "\n")
	}
	if got := lines(); !strings.Contains(got, "folio to be assigned") {
		t.Fatalf("before the folio:\n%s", got)
	}
	v.Emission.Folio = 4471
	if got := lines(); !strings.Contains(got, "N° 4471") || strings.Contains(got, "to be assigned") {
		t.Fatalf("after the folio:\n%s", got)
	}
}

// :retry and :retry-all do what the actions do, whatever keys they are
// bound to (they used to replay the first key, which a remapped ctrl+r
// could not be).
func TestPaletteRetryWithRemappedKeys(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5})
	b.m.keys, _ = NewKeyMap(i18n.EN, map[string][]string{"retry": {"ctrl+r"}, "retry_all": {"ctrl+a"}}, false)
	b.keys("4", ":")
	b.typeText("retry")
	b.keys("enter")
	if cs := b.controls(); len(cs) != 1 || cs[0].Kind != store.CtlRetry || cs[0].Target != b.errID {
		t.Fatalf(":retry with retry on ctrl+r wrote %+v", cs)
	}
	b.keys(":")
	b.typeText("retry-all")
	b.keys("enter")
	if !strings.Contains(ansi.Strip(b.screen()), "?") {
		t.Fatalf(":retry-all did not ask first:\n%s", ansi.Strip(b.screen()))
	}
	b.typeText("y")
	if cs := b.controls(); len(cs) != 2 {
		t.Fatalf(":retry-all with retry_all on ctrl+a wrote %+v", cs)
	}
}

// A page read still out when the person pages again is not shown: its
// rows would sit under the cursor of another page, and an action would
// pick an order the person never saw selected.
func TestAReplyForAPageLeftIsNotShown(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 100})
	first := b.m.orderPane(paneOrders).list.rows[0].ID
	_, out := b.m.Update(press("pgdown")) // the read of page 2 goes out…
	if out == nil {
		t.Fatal("page down read nothing")
	}
	_, again := b.m.Update(press("pgup")) // …and the person is back on page 1 before it returns
	if again != nil {
		t.Fatal("a second read went out while one was in flight")
	}
	reply := out()
	if rows := reply.(dataMsg).lists[paneOrders].rows; len(rows) == 0 || rows[0].ID == first {
		t.Fatalf("the reply is not page 2: %+v", rows)
	}
	_, next := b.m.Update(reply)
	if got := b.m.orderPane(paneOrders).list.rows[0].ID; got != first {
		t.Fatalf("page 2's rows were shown on page 1 (first row %s, want %s)", got, first)
	}
	if next == nil {
		t.Fatal("no read of page 1 followed the dropped reply")
	}
	b.send(next())
	if o, ok := b.m.selected(); !ok || o.ID != first || b.m.orderPane(paneOrders).list.rows[0].ID != first {
		t.Fatalf("after the fresh read: selected %s (%v), first row %s", o.ID, ok, b.m.orderPane(paneOrders).list.rows[0].ID)
	}
}

// A connection that needs a reconnect says how many orders wait for it.
func TestConnectionsPaneCountsOrdersWaitingForReconnect(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lang i18n.Lang
		want string
	}{{i18n.EN, "orders waiting for it: 4"}, {i18n.ES, "pedidos que la esperan: 4"}} {
		b := setup(t, setupOpts{orders: 5, lang: tt.lang})
		ctx := context.Background()
		c, _ := b.st.Connection(ctx, "tienda")
		if err := b.st.Write(ctx, func(tx *store.Tx) error {
			return tx.SetConnectionStatus(ctx, c.ID, store.ConnNeedsReconnect, "refresh refused")
		}); err != nil {
			t.Fatal(err)
		}
		b.keys("1")
		if s := ansi.Strip(b.screen()); !strings.Contains(s, tt.want) {
			t.Errorf("%s: no %q:\n%s", tt.lang, tt.want, s)
		}
		checkFits(t, b.screen(), 80, 24)
	}
}

// The engine's "disk full" reaches the status bar, in both languages.
func TestStatusBarSaysDiskFull(t *testing.T) {
	t.Parallel()
	for lang, want := range map[i18n.Lang]string{i18n.EN: "disk full", i18n.ES: "disco lleno"} {
		b := setup(t, setupOpts{orders: 1, lang: lang})
		b.m.data.status = status{running: true, diskFull: true}
		if s := ansi.Strip(b.screen()); !strings.Contains(s, want) {
			t.Errorf("%s: no %q in the status bar:\n%s", lang, want, s)
		}
	}
}

// A yes/no question too long for the terminal is cut in its text, never in
// its answers.
func TestConfirmKeepsItsAnswersAt80Columns(t *testing.T) {
	t.Parallel()
	for lang, answers := range map[i18n.Lang]string{i18n.EN: "[y/N]", i18n.ES: "[s/N]"} {
		b := setup(t, setupOpts{orders: 5, lang: lang})
		b.m.ask(b.m.lang.T("reissue.confirm", "FAL-118000015-EXTRA-LONG-CODE", int64(123456)), func() tea.Cmd { return nil })
		lines := strings.Split(ansi.Strip(b.screen()), "\n")
		found := false
		for _, l := range lines {
			if strings.Contains(l, "FAL-118000015") {
				found = true
				if !strings.HasSuffix(strings.TrimRight(l, " "), answers) || ansi.StringWidth(l) > 80 {
					t.Errorf("%s: the question lost its answers or overflowed: %q", lang, l)
				}
			}
		}
		if !found {
			t.Errorf("%s: no question on screen:\n%s", lang, strings.Join(lines, "\n"))
		}
	}
}

// Between a page move and its rows, an action has no order to act on: the
// rows still on screen were read for the window the person left.
func TestActionsWaitForTheRowsOfTheWindowShown(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 100})
	_, out := b.m.Update(press("pgdown"))
	b.send(press("s"))
	if b.m.mode() != modePanes || !strings.Contains(b.m.flash, "no order selected") {
		t.Fatalf("s while page 2 is read: mode %v, flash %q", b.m.mode(), b.m.flash)
	}
	b.send(out())
	want := b.m.orderPane(paneOrders).list.rows[0]
	b.send(press("s"))
	if p, ok := b.m.top().(*promptState); !ok || p.order.ID != want.ID {
		t.Fatalf("s once page 2 is shown: %#v, want a skip of %s", b.m.top(), want.ID)
	}
}
