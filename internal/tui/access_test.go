package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// A viewer's console hides the actions, and an action that gets through
// anyway (a key the keymap left on) is refused where the control is
// written: nothing reaches the controls table.
func TestViewerIsRefusedWhereTheControlIsWritten(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 5, actor: &store.Actor{User: "vera", Fingerprint: "SHA256:v", ReadOnly: true}})
	b.keys("4", "r")
	if cs := b.controls(); len(cs) != 0 {
		t.Fatalf("a viewer's r wrote %+v", cs)
	}
	// Past the console's own check: the store still refuses.
	b.m.opt.ReadOnly = false
	b.m.keys, _ = NewKeyMap(i18n.EN, nil, false)
	b.keys("r")
	if cs := b.controls(); len(cs) != 0 {
		t.Fatalf("a viewer's retry reached the store: %+v", cs)
	}
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "may only look") {
		t.Errorf("no refusal shown:\n%s", s)
	}
}

// An operator limited to one merchant sees only that merchant's orders,
// acts on them with their name on the control, and may not pause
// everything.
func TestOperatorLimitedToTheirConnections(t *testing.T) {
	t.Parallel()
	ana := &store.Actor{User: "ana", Fingerprint: "SHA256:a", Connections: []string{"tienda"}}
	b := setup(t, setupOpts{orders: 5, actor: ana, w: 160, h: 40})
	b.keys("4", "r")
	cs := b.controls()
	if len(cs) != 1 || cs[0].User != "ana" || cs[0].Fingerprint != "SHA256:a" || cs[0].Connection != "tienda" {
		t.Fatalf("ana's retry wrote %+v", cs)
	}
	b.keys("1", "2", "p") // p on the Orders pane: pause everything
	if cs := b.controls(); len(cs) != 1 {
		t.Fatalf("a scoped operator paused everything: %+v", cs)
	}
	if s := ansi.Strip(b.screen()); !strings.Contains(s, "not on all at once") {
		t.Errorf("no refusal shown:\n%s", s)
	}

	// Another merchant's agent sees none of these orders, nor the count.
	otro := setup(t, setupOpts{orders: 5, actor: &store.Actor{User: "otro", Connections: []string{"otra"}}, w: 160, h: 40})
	s := ansi.Strip(otro.screen())
	for _, id := range otro.ids {
		if strings.Contains(s, id) {
			t.Fatalf("another merchant's order %s shown:\n%s", id, s)
		}
	}
	if strings.Contains(s, "MER-") || strings.Contains(s, "Comercial Los Aromos") || otro.m.data.counts[store.StateQueued] != 0 {
		t.Fatalf("another merchant's orders shown:\n%s", s)
	}
	otro.keys("/")
	otro.typeText("Aromos")
	otro.keys("enter")
	if n := len(otro.m.orderPane(paneOrders).list.rows); n != 0 {
		t.Fatalf("the filter found %d of another merchant's orders", n)
	}
	if err := visible(context.Background(), otro.st, otro.m.opt.Actor, store.Order{ID: otro.errID, ConnectionID: 1}); err == nil {
		t.Fatal("inspect would show another merchant's order")
	}
}
