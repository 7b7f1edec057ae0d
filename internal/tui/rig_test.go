package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
	"github.com/folio-cl/folio/internal/tui/tuitest"
)

// The console tests' one rig: a console over a fresh store with known
// orders (setup), driven by the one console driver (tuitest), with the
// orders a test puts in Errors the way the engine would (rejectFirst,
// cancelFirst: storetest's stories, which the command tests read too), and the benchmarks' console over a big store.

// bundle is one console over a fresh store with known orders.
type bundle struct {
	t     *testing.T
	st    *store.Store
	m     *Model
	drv   *tuitest.Driver // plays keys and messages into m
	ids   []string        // order ids, oldest first
	errID string          // the order in Errors
}

type setupOpts struct {
	orders   int
	lang     i18n.Lang
	readOnly bool
	noColor  bool
	w, h     int
	actor    *store.Actor
}

var fixedNow = time.Date(2026, 11, 24, 14, 3, 0, 0, time.UTC)

func setup(t *testing.T, o setupOpts) *bundle {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	b := &bundle{t: t, st: st}
	var connID int64
	err := st.Write(ctx, func(tx *store.Tx) (err error) {
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m-1",
			AccessToken: "secret-access-token", RefreshToken: "secret-refresh-token", AccessExpiresAt: fixedNow.Add(5 * time.Hour),
			RefreshExpiresAt: fixedNow.Add(48 * time.Hour)})
		if err != nil {
			return err
		}
		_, err = tx.SaveConnection(ctx, store.Connection{Name: "libredte", Kind: store.KindLibreDTE, BaseURL: "http://ld", EmisorRUT: "76086428-5", APIKey: "secret-api-key"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	markets := []string{"MercadoLibre", "Falabella", "Ripley"}
	var ups []store.OrderUpsert
	for i := 0; i < o.orders; i++ {
		id := fmt.Sprintf("order-%04d", i)
		b.ids = append(b.ids, id)
		code := fmt.Sprintf("%s-%06d", strings.ToUpper(markets[i%3][:3]), i)
		ups = append(ups, store.OrderUpsert{ID: id, ConnectionID: connID, Code: code, Marketplace: markets[i%3], PaymentStatus: "completed",
			Status: "completed", Total: int64(1000 + i*990), SoldAt: fixedNow.Add(time.Duration(i) * time.Second),
			RemoteUpdatedAt: fixedNow.Add(time.Duration(i) * time.Second), Light: `{"_id":"` + id + `"}`, InitialState: store.StateQueued})
	}
	if _, err := st.UpsertOrders(ctx, ups); err != nil {
		t.Fatal(err)
	}
	if o.orders > 0 {
		b.errID = b.ids[o.orders/2]
		err = st.Write(ctx, func(tx *store.Tx) error {
			if err := tx.SetDetail(ctx, b.errID, `{"_id":"`+b.errID+`","client":{"fullName":"Comercial Los Aromos"}}`, "Comercial Los Aromos", "76.354.771-2",
				"factura", fixedNow, "completed", "completed"); err != nil {
				return err
			}
			return tx.MoveOrder(ctx, b.errID, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention,
				Reason: "RUT inválido para factura", ReasonCode: "DTE-RUT-INVALID", Attempts: 1,
				Event: store.Event{Kind: "error", Message: "RUT inválido para factura", Data: `{"error":"bad rut"}`}})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if o.lang == "" {
		o.lang = i18n.EN
	}
	m, err := New(Options{Store: st, Lang: o.lang, ReadOnly: o.readOnly, NoColor: o.noColor, By: "test", Now: func() time.Time { return fixedNow }, Actor: o.actor})
	if err != nil {
		t.Fatal(err)
	}
	b.m = m
	b.drv = &tuitest.Driver{T: t, M: m}
	if o.w == 0 {
		o.w, o.h = 80, 24
	}
	b.send(tea.WindowSizeMsg{Width: o.w, Height: o.h})
	return b
}

// send delivers msg and what its commands produce, as the program would.
func (b *bundle) send(msg tea.Msg) {
	b.t.Helper()
	b.drv.Send(msg)
}

// keys presses each key name: "tab", "enter", or a character.
func (b *bundle) keys(names ...string) {
	b.t.Helper()
	b.drv.Keys(names...)
}

func (b *bundle) typeText(s string) {
	b.t.Helper()
	b.drv.Type(s)
}

// press and run are the console driver's, by the names the tests use.
var (
	press = tuitest.Press
	run   = tuitest.Run
)

func (b *bundle) screen() string { return b.m.Render() }

func (b *bundle) controls() []store.Control {
	b.t.Helper()
	cs, err := b.st.PendingControls(context.Background(), 100)
	if err != nil {
		b.t.Fatal(err)
	}
	return cs
}

// checkFits holds every rendered line within the terminal.
func checkFits(t *testing.T, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%d lines on a %d-line terminal", len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Errorf("line %d is %d columns on a %d-column terminal: %q", i+1, n, w, ansi.Strip(l))
		}
	}
}

// rejectFirst puts the first order in Errors as the engine does after an
// SII rejection of its folio 41, with an earlier 429 on its timeline.
func (b *bundle) rejectFirst() string {
	b.t.Helper()
	return b.story(storetest.Rejected)
}

// story writes one of storetest's stories on the first order.
func (b *bundle) story(write func(context.Context, *store.Tx, string) error) string {
	b.t.Helper()
	ctx := context.Background()
	id := b.ids[0]
	if err := b.st.Write(ctx, func(tx *store.Tx) error { return write(ctx, tx, id) }); err != nil {
		b.t.Fatal(err)
	}
	return id
}

// confirmWrites presses key on the inspected order id: it must ask first
// (the question keeps its [y/N] and the folio at 80×24), write nothing
// when declined, and write one control of kind for id when confirmed.
func (b *bundle) confirmWrites(lang i18n.Lang, key, kind, id string) {
	b.t.Helper()
	b.keys(key)
	if b.m.mode() != modeConfirm {
		b.t.Fatalf("%s: %s did not ask (mode %d)", lang, key, b.m.mode())
	}
	s := b.screen()
	checkFits(b.t, s, 80, 24)
	yn := map[i18n.Lang]string{i18n.ES: "[s/N]", i18n.EN: "[y/N]"}[lang]
	if !strings.Contains(ansi.Strip(s), yn) || !strings.Contains(ansi.Strip(s), "41") {
		b.t.Errorf("%s: the question at 80×24:\n%s", lang, ansi.Strip(s))
	}
	b.keys("n")
	if cs := b.controls(); len(cs) != 0 || b.m.mode() != modeInspect {
		b.t.Fatalf("%s: a declined %s wrote %+v (mode %d)", lang, key, cs, b.m.mode())
	}
	b.keys(key, lang.T("confirm.yes"))
	cs := b.controls()
	if len(cs) != 1 || cs[0].Kind != kind || cs[0].Target != id || cs[0].By != "test" {
		b.t.Fatalf("%s: %s wrote %+v", lang, key, cs)
	}
}

// keyUnavailable presses key on the order in Errors for its own error
// (b.errID), after one control was written: it must say flash, ask
// nothing, not offer "key label", and write nothing more.
func (b *bundle) keyUnavailable(lang i18n.Lang, key string, label, flash i18n.ID) {
	b.t.Helper()
	b.keys("esc")
	b.inspect(b.errID)
	b.keys(key)
	if b.m.mode() != modeInspect || b.m.flash != lang.T(flash) {
		b.t.Errorf("%s: %s where it does not apply: mode %d, flash %q", lang, key, b.m.mode(), b.m.flash)
	}
	if s := ansi.Strip(b.screen()); strings.Contains(s, key+" "+lang.T(label)) {
		b.t.Errorf("%s: %s offered where it does not apply:\n%s", lang, label, s)
	}
	if cs := b.controls(); len(cs) != 1 {
		b.t.Errorf("%s: controls %+v", lang, cs)
	}
}

func (b *bundle) inspect(id string) {
	b.t.Helper()
	for _, msg := range run(b.t, b.m.openInspect(id)) {
		b.send(msg)
	}
	if b.m.inspecting().view == nil || b.m.inspecting().view.Order.ID != id {
		b.t.Fatalf("inspect of %s did not load", id)
	}
}

// cancelFirst puts the first order in Errors as the engine does when an
// order is cancelled after its boleta 41 was issued.
func (b *bundle) cancelFirst() string {
	b.t.Helper()
	return b.story(storetest.NeedsCredit)
}

// console builds a console over st at w×h with its first read done, the
// way the program starts it.
func console(b *testing.B, st *store.Store, w, h int) *Model {
	m, err := New(Options{Store: st, Lang: i18n.ES, By: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	deliver(b, m, tea.WindowSizeMsg{Width: w, Height: h})
	return m
}

// deliver plays msg into m through the console driver.
func deliver(tb testing.TB, m *Model, msg tea.Msg) {
	tb.Helper()
	(&tuitest.Driver{T: tb, M: m}).Send(msg)
}
