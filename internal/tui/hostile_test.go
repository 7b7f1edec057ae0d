package tui

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/safetext/safetexttest"
	"github.com/folio-cl/folio/internal/store"
)

// sgr is the theme's own styling: Select Graphic Rendition, nothing else.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// hostileBundle is a console whose orders, events, documents, HTTP log and
// connections carry the hostile strings in every text from outside.
func hostileBundle(t *testing.T, noColor bool, w, h int) (*bundle, []string) {
	t.Helper()
	b := setup(t, setupOpts{orders: 3, noColor: noColor, w: w, h: h})
	ctx := context.Background()
	var names []string
	for n := range safetexttest.Hostile {
		names = append(names, n)
	}
	sort.Strings(names)
	conns, err := b.st.Connections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	err = b.st.Write(ctx, func(tx *store.Tx) error {
		for _, c := range conns {
			if err := tx.SetConnectionStatus(ctx, c.ID, store.ConnError, "401 "+safetexttest.Hostile["osc52 clip"]+"\r\nfake"); err != nil {
				return err
			}
		}
		for i, n := range names {
			hs := safetexttest.Hostile[n]
			if len(hs) > 300 {
				hs = hs[:300]
			}
			id := "hostile-" + n
			ids = append(ids, id)
			if _, err := tx.UpsertOrders(ctx, []store.OrderUpsert{{ID: id, ConnectionID: conns[0].ID, Code: "C" + hs, Marketplace: hs,
				PaymentStatus: "completed", Total: 1000, SoldAt: fixedNow.Add(time.Hour + time.Duration(i)*time.Second),
				RemoteUpdatedAt: fixedNow, Light: "{}", InitialState: store.StateQueued}}); err != nil {
				return err
			}
			raw, _ := json.Marshal(map[string]string{"fullName": hs})
			if err := tx.SetDetail(ctx, id, string(raw)+"\x1b[2J"+hs, hs, hs, "factura", fixedNow, "completed", "completed"); err != nil {
				return err
			}
			doc, _ := json.Marshal(map[string]any{"Encabezado": map[string]any{"IdDoc": map[string]any{"TipoDTE": 39},
				"Receptor": map[string]any{"RznSocRecep": hs}}, "Detalle": []map[string]any{{"NmbItem": hs, "QtyItem": 1, "PrcItem": 1000}}})
			if err := tx.SaveEmission(ctx, store.Emission{OrderID: id, ExtRef: id, DocType: 39, Document: string(doc), Issued: hs}); err != nil {
				return err
			}
			if err := tx.AppendEvent(ctx, id, store.Event{Kind: "rule", Message: hs, MsgID: "rule.identity", MsgArgs: []string{hs, hs}}); err != nil {
				return err
			}
			if err := tx.MoveOrder(ctx, id, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, Reason: "SII: " + hs,
				ReasonCode: "DTE-RUT-INVALID", Attempts: 1, Event: store.Event{Kind: "error", Message: "refused " + hs, Data: hs}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var exs []store.Exchange
	for _, id := range ids {
		hs := safetexttest.Hostile["csi clear"] + safetexttest.Hostile["cr fake line"]
		exs = append(exs, store.Exchange{At: fixedNow, OrderID: id, Method: "POST", URL: "http://ld/api?x=" + hs, Status: 400,
			ReqBody: `{"a":"` + hs + `"}`, RespBody: hs + "\n" + hs, Error: hs})
	}
	if err := b.st.AppendHTTP(ctx, exs); err != nil {
		t.Fatal(err)
	}
	b.keys("2") // reload
	return b, ids
}

// checkSafeScreen: the screen is exactly w×h, every ESC starts an SGR,
// and no other raw control or bidi character is there.
func checkSafeScreen(t *testing.T, what, screen string, noColor bool, w, h int) {
	t.Helper()
	checkFits(t, screen, w, h)
	if n := len(strings.Split(screen, "\n")); n != h {
		t.Errorf("%s: %d lines on a %d-line terminal (a text broke a line)", what, n, h)
	}
	rest := sgr.ReplaceAllString(screen, "")
	if i := strings.IndexByte(rest, 0x1b); i >= 0 {
		t.Errorf("%s: an escape sequence that is not the theme's styling: %q", what, rest[i:min(len(rest), i+30)])
	}
	if bad := safetexttest.Raw(screen, true); bad != "" {
		t.Errorf("%s: %s", what, bad)
	}
	if noColor && colourSGR.MatchString(screen) {
		t.Errorf("%s: a colour code under NO_COLOR: %q", what, colourSGR.FindString(screen))
	}
}

func TestHostileTextOnEveryScreen(t *testing.T) {
	t.Parallel()
	for _, noColor := range []bool{true, false} {
		for _, size := range [][2]int{{80, 24}, {200, 60}} {
			w, h := size[0], size[1]
			b, ids := hostileBundle(t, noColor, w, h)
			for _, k := range []string{"1", "2", "3", "4"} {
				b.keys(k)
				checkSafeScreen(t, "pane "+k, b.screen(), noColor, w, h)
			}
			b.keys("4")
			for i := range ids {
				b.keys("enter")
				for s := 0; s < 5; s++ {
					checkSafeScreen(t, ids[i]+" inspect", b.screen(), noColor, w, h)
					b.keys("tab")
				}
				b.keys("esc", "down")
			}
			b.keys("2")
			for range ids {
				b.keys("down")
				checkSafeScreen(t, "orders", b.screen(), noColor, w, h)
			}
			b.m.pending = map[int64]string{7: "retry"}
			b.send(controlDoneMsg{id: 7, status: store.CtlRejected, outcome: safetexttest.Hostile["osc0 title"] + "\nfake"})
			checkSafeScreen(t, "flash", b.screen(), noColor, w, h)
			if !strings.Contains(ansi.Strip(b.screen()), `\x1b]0;pwned\x07`) {
				t.Errorf("the flash does not show the control characters:\n%s", ansi.Strip(b.screen()))
			}
		}
	}
}

func TestHostileTextInTheConnectView(t *testing.T) {
	t.Parallel()
	b := setup(t, setupOpts{orders: 1, noColor: true})
	flow := &fakeFlow{link: "http://mv.test/apps/authorize?state=xyz", pasted: make(chan string, 1)}
	b.m.opt.Connect = func(context.Context, string) (ConnectFlow, error) { return flow, nil }
	b.keys("1")
	_ = b.m.startConnect() // its wait is not run: the flow stays open
	b.send(pasteMsg(safetexttest.Hostile["bidi isolate"] + safetexttest.Hostile["c1 csi rune"]))
	c, _ := find[*connectState](b.m)
	c.err = "not a redirect URL: " + safetexttest.Hostile["colour"]
	checkSafeScreen(t, "connect view", b.screen(), true, 80, 24)
	if !strings.Contains(b.screen(), `\x1b[31m`) {
		t.Errorf("the paste error is not shown visibly:\n%s", b.screen())
	}
	flow.err = errors.New("consent refused: " + safetexttest.Hostile["csi clear"])
	b.send(connectDoneMsg{flow: c.flow, err: flow.err})
	checkSafeScreen(t, "connect failed", b.screen(), true, 80, 24)
}
