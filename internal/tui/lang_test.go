package tui

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/store"
)

// One language per screen (issue 15): a test built from the catalog
// itself. Every reason, timeline line and control outcome the engine can
// write is put in a store as the engine writes it (a catalog message), the
// console is driven through its screens in each language, and no screen
// may show a word only the other language's catalog uses. Words from
// outside folio are allowed, quoted; data is chosen in no language.

// verbCount is how many arguments a catalog text takes.
var verbCount = regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z]`)

// sample is catalog message id with a neutral value for each argument.
func sample(id i18n.ID) i18n.Message {
	m, _ := i18n.Lookup(id)
	n := len(verbCount.FindAllString(strings.ReplaceAll(m.ES, "%%", ""), -1))
	args := make([]any, n)
	for i := range args {
		args[i] = "7"
	}
	return i18n.M(id, args...)
}

// quoted drops words shown quoted (outside text, kept as written).
var quoted = regexp.MustCompile(`«[^»]*»|“[^”]*”`)

func idsWithPrefix(prefixes ...string) []i18n.ID {
	var out []i18n.ID
	for _, id := range i18n.IDs() {
		for _, p := range prefixes {
			if strings.HasPrefix(string(id), p) {
				out = append(out, id)
			}
		}
	}
	return out
}

// seedEveryReason fills a store with an order for each reason message in
// Errors, one in each other state, and one whose timeline holds every
// event message and kind; it returns the order ids.
func seedEveryReason(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	var connID int64
	if err := st.Write(ctx, func(tx *store.Tx) error {
		var err error
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "mvmain", Kind: store.KindMultivende, BaseURL: "http://mv", MerchantID: "m-1",
			AccessToken: "a", RefreshToken: "r", AccessExpiresAt: fixedNow.Add(5 * time.Hour), RefreshExpiresAt: fixedNow.Add(48 * time.Hour),
			LastError: "multivende: list checkouts: 503 Service Unavailable: servicio no disponible"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	reasons := idsWithPrefix("reason.")
	states := []store.State{store.StateWaiting, store.StateQueued, store.StateBuilding, store.StateIssuing, store.StateIssued,
		store.StateAttaching, store.StateDone, store.StateRetrying}
	var ids []string
	var ups []store.OrderUpsert
	for i := 0; i < len(reasons)+len(states)+1; i++ {
		id := fmt.Sprintf("o-%03d", i)
		ids = append(ids, id)
		ups = append(ups, store.OrderUpsert{ID: id, ConnectionID: connID, Code: fmt.Sprintf("MEL-%06d", i), Marketplace: "MercadoLibre",
			PaymentStatus: "completed", Status: "completed", Total: 11900, SoldAt: fixedNow, RemoteUpdatedAt: fixedNow,
			Light: `{"_id":"` + id + `"}`, InitialState: store.StateQueued})
	}
	if _, err := st.UpsertOrders(ctx, ups); err != nil {
		t.Fatal(err)
	}
	codes := []string{"DTE-RUT-INVALID", "SII-RCH", "NEEDS-CREDIT-NOTE", "UNCERTAIN", "MAX-ATTEMPTS", "MV-RATE", "ERROR"}
	err := st.Write(ctx, func(tx *store.Tx) error {
		for i, rid := range reasons {
			id := ids[i]
			if err := tx.SetDetail(ctx, id, `{"_id":"`+id+`"}`, "Acme SpA", "76.354.771-2", "factura", fixedNow, "completed", "completed"); err != nil {
				return err
			}
			// An SII reason quotes the SII's own words, as the engine does.
			m := sample(rid)
			if rid == "reason.doc_not_json" { // stands in for a validation reason: internal/dte's words in both languages
				m = i18n.Both("Receptor.GiroRecep: faltan datos del comprador para la factura", "Receptor.GiroRecep: buyer data missing for the factura")
			}
			if rid == "reason.sii_rejected" {
				m = i18n.M(rid, "RCH", i18n.Quote("(CAF-3-517) El CAF que contiene el folio se encuentra vencido"), 41)
			}
			code := codes[i%len(codes)]
			folio := int64(0)
			if code == "SII-RCH" || code == "NEEDS-CREDIT-NOTE" {
				folio = int64(40 + i)
				if err := tx.SaveEmission(ctx, store.Emission{OrderID: id, ExtRef: "folio:" + id, DocType: 39, Folio: folio,
					SIIStatus: store.DocRejected}); err != nil {
					return err
				}
			}
			if err := tx.MoveOrder(ctx, id, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, Reason: m.Plain(i18n.ES),
				ReasonMsg: m.Encode(), ReasonCode: code, Attempts: 2, DocType: 39, Folio: folio,
				Event: store.Event{Kind: "error", Message: m.Plain(i18n.ES), MsgJSON: m.Encode(), Data: `{"error":"upstream 503"}`}}); err != nil {
				return err
			}
		}
		for j, s := range states {
			id := ids[len(reasons)+j]
			m := i18n.M("reason.waiting_reconnect", i18n.M("reason.mv_refused"))
			mv := store.Move{From: []store.State{store.StateQueued}, To: s, Attempts: 1, NextAttemptAt: fixedNow.Add(time.Minute)}
			if s == store.StateDone {
				m = i18n.M("reason.skipped", i18n.Quote("pedido de prueba"))
				mv.Outcome = store.OutcomeSkipped
			}
			if s == store.StateRetrying || s == store.StateDone {
				mv.Reason, mv.ReasonMsg, mv.ReasonCode = m.Plain(i18n.ES), m.Encode(), "WAITING-RECONNECT"
			}
			if s == store.StateQueued {
				continue
			}
			if err := tx.MoveOrder(ctx, id, mv); err != nil {
				return err
			}
		}
		// One timeline with every event message, under every kind, and
		// Multivende's word for the attached document's status.
		tl := ids[len(ids)-1]
		if err := tx.AppendEvent(ctx, tl, store.Event{Kind: "done", At: fixedNow, Message: "documento adjunto en Multivende", MsgID: "event.done",
			Data: `{"_id":"d1","id":"41","ElectronicBillingDocumentFiles":[{"synchronizationStatus":"Pendiente"}]}`}); err != nil {
			return err
		}
		kinds := idsWithPrefix("kind.")
		for i, eid := range idsWithPrefix("event.") {
			m := sample(eid)
			if eid == "event.control_applied" {
				m = i18n.M(eid, i18n.M("ctl.pause"), "ana (cli)", i18n.M("control.paused", i18n.M("control.everything")))
			}
			if eid == "event.sii" {
				m = i18n.M(eid, i18n.M("sii.accepted"), "00")
			}
			kind := strings.TrimPrefix(string(kinds[i%len(kinds)]), "kind.")
			if err := tx.AppendEvent(ctx, tl, store.Event{Kind: kind, At: fixedNow, Message: m.Plain(i18n.ES), MsgID: string(m.ID), MsgJSON: m.Encode()}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// internal/dte's texts are folio's words too, in both languages.
func init() {
	var ms []i18n.Msg
	for _, code := range dte.Codes() {
		e, _ := dte.Lookup(code)
		for _, t := range []dte.Text{e.Title, e.Explain, e.Fix} {
			ms = append(ms, i18n.Msg{ES: t.ES, EN: t.EN})
		}
	}
	i18n.AlsoWords(ms)
}

// typed are what a person types, the same in both languages: key names
// (end, space), palette command names (retry, resume) and theme names.
var typed = func() *regexp.Regexp {
	var names []string
	for _, b := range defaultBindings() {
		names = append(names, b.keys...)
	}
	for _, c := range actions() {
		names = append(names, c.name)
	}
	names = append(names, ThemeNames()...)
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) }) // retry-all before retry
	for i, n := range names {
		names[i] = regexp.QuoteMeta(n)
	}
	return regexp.MustCompile(`(^|[\s/,:«“])(` + strings.Join(names, "|") + `)\b`)
}()

// checkOneLanguage fails for any word of the other language on screen;
// "tienda", setup's connection name, is data.
func checkOneLanguage(t *testing.T, lang i18n.Lang, what, screen string) {
	t.Helper()
	s := quoted.ReplaceAllString(strings.ReplaceAll(ansi.Strip(screen), "tienda", " "), " ")
	s = typed.ReplaceAllString(typed.ReplaceAllString(s, "$1 "), "$1 ")
	if f := i18n.Foreign(lang, s); len(f) > 0 {
		t.Errorf("%s, %s: words of the other language %v on\n%s", lang, what, f, ansi.Strip(screen))
	}
}

func TestConsoleSpeaksOneLanguage(t *testing.T) {
	t.Parallel()
	for _, lang := range i18n.Langs() {
		for _, size := range [][2]int{{80, 24}, {60, 20}} {
			t.Run(fmt.Sprintf("%s-%dx%d", lang, size[0], size[1]), func(t *testing.T) {
				t.Parallel()
				b := setup(t, setupOpts{lang: lang, w: size[0], h: size[1]})
				ids := seedEveryReason(t, b.st)
				b.send(b.m.fetch()())
				check := func(what string) {
					t.Helper()
					checkOneLanguage(t, lang, what, b.screen())
				}
				for _, p := range []string{"1", "2", "3", "4"} {
					b.keys(p)
					for i := 0; i < len(ids)/5+1; i++ {
						check("pane " + p)
						b.keys("pgdown")
					}
				}
				b.keys("?")
				for i := 0; i < 6; i++ {
					check("help")
					b.keys("pgdown")
				}
				b.keys("esc")
				// Palette errors: an unknown command, an ambiguous one, a bad
				// language, a bad theme.
				for _, line := range []string{"nonsense", "re", "lang xx", "theme nope"} {
					b.keys(":")
					b.typeText(line)
					b.keys("enter")
					check("palette " + line)
				}
				// Every order inspected, every section whole (not just what
				// fits), and the confirmations its actions ask.
				for _, id := range ids {
					view, err := b.st.InspectOrder(context.Background(), id, 10)
					if err != nil {
						t.Fatal(err)
					}
					for _, sec := range sections(view.Order) {
						lines := sectionLines(b.m.styles, lang, b.m.keys, view, sec, size[0]-1, b.m.loc)
						checkOneLanguage(t, lang, fmt.Sprintf("%s section %d", id, sec), strings.Join(lines, "\n"))
					}
					b.inspect(id)
					check("inspect " + id)
					for _, k := range []string{"r", "e", "n", "s", "b", "B"} {
						b.keys(k)
						check("inspect " + id + " key " + k)
						b.keys("esc")
						if b.m.mode() != modeInspect {
							b.inspect(id)
						}
					}
					b.keys("esc")
				}
				// A control's outcome, as the engine records it.
				out := i18n.M("control.paused", i18n.M("control.everything"))
				b.m.pending[1] = "x"
				b.send(controlDoneMsg{id: 1, status: store.CtlApplied, outcome: out.Plain(i18n.ES), outcomeMsg: out.Encode()})
				check("control applied")
				ref := i18n.M("control.nothing_to_retry", i18n.M("state.done"))
				b.m.pending[2] = "x"
				b.send(controlDoneMsg{id: 2, status: store.CtlRejected, outcome: ref.Plain(i18n.ES), outcomeMsg: ref.Encode()})
				check("control refused")
			})
		}
	}
}
