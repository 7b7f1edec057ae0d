package engine_test

import (
	"context"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/i18n"
	"github.com/folio-cl/folio/internal/sim/faults"
	"github.com/folio-cl/folio/internal/store"
)

// quotedWords are words from outside folio, shown quoted as written
// (internal/dte quotes a value it names with "…").
var quotedWords = regexp.MustCompile(`«[^»]*»|“[^”]*”|"[^"]*"`)

// englishOnly fails when text, as an English screen shows it, holds
// Spanish catalog words.
func englishOnly(t *testing.T, what, text string) {
	t.Helper()
	if f := i18n.Foreign(i18n.EN, quotedWords.ReplaceAllString(text, " ")); len(f) > 0 {
		t.Errorf("%s in English holds Spanish words %v: %q", what, f, text)
	}
}

// Issue 15: the engine kept reasons and control outcomes as Spanish text
// only ("done: en pausa: todo" under LANG=en_US). It keeps them as catalog
// messages now, with the Spanish words beside them as before.
func TestReasonsAndOutcomesAreMessages(t *testing.T) {
	t.Parallel()
	synctest.Test(t, reasonsAndOutcomesAreMessages)
}

func reasonsAndOutcomesAreMessages(t *testing.T) {
	// SII rejections and server errors give reasons of several kinds.
	b := setup(t, opts{orders: 40, seed: 4, faults: faults.Spec{SIIReject: 0.4, ServerError: 0.2}})
	b.settle(30 * time.Second)
	ctx := context.Background()

	rows, err := b.st.ListOrders(ctx, store.OrderQuery{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var withReason int
	var doneID string
	for _, o := range rows {
		if o.State == store.StateDone && doneID == "" {
			doneID = o.ID
		}
		if o.Reason == "" {
			continue
		}
		withReason++
		m, ok := i18n.ParseMessage(o.ReasonMsg)
		if !ok || !m.Known() {
			t.Errorf("order %s (%s) has reason %q but no message %q", o.ID, o.State, o.Reason, o.ReasonMsg)
			continue
		}
		if m.Plain(i18n.ES) != o.Reason {
			t.Errorf("order %s: reason %q, message in Spanish %q", o.ID, o.Reason, m.Plain(i18n.ES))
		}
		englishOnly(t, "reason of "+o.ID, m.In(i18n.EN))
	}
	if withReason == 0 {
		t.Fatal("no order has a reason: the test tests nothing")
	}
	if doneID == "" {
		t.Fatal("no order is done")
	}

	id, err := engine.RequestPause(ctx, b.st, "", "ana")
	if err != nil {
		t.Fatal(err)
	}
	c := waitControl(t, b, id)
	m, ok := i18n.ParseMessage(c.OutcomeMsg)
	if c.Status != store.CtlApplied || !ok || c.Outcome != "en pausa: todo" || m.In(i18n.EN) != "paused: everything" {
		t.Fatalf("pause: %s %q %q", c.Status, c.Outcome, c.OutcomeMsg)
	}
	if _, err := engine.RequestResume(ctx, b.st, "", "ana"); err != nil {
		t.Fatal(err)
	}

	// A retry of a done order is refused, in the reader's language.
	rid, err := b.st.AddControl(ctx, store.Control{Kind: store.CtlRetry, Target: doneID, By: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	c = waitControl(t, b, rid)
	m, ok = i18n.ParseMessage(c.OutcomeMsg)
	if c.Status != store.CtlRejected || !ok || m.In(i18n.EN) != "the order is done: there is nothing to retry" {
		t.Fatalf("retry of a done order: %s %q %q", c.Status, c.Outcome, c.OutcomeMsg)
	}
	evs, err := b.st.Events(ctx, doneID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	lm, ok := i18n.ParseMessage(last.MsgJSON)
	if last.Kind != "control" || !ok || lm.In(i18n.EN) != "action retry refused (ana): the order is done: there is nothing to retry" {
		t.Fatalf("control event: %+v", last)
	}
	for _, ev := range evs {
		if em, ok := i18n.ParseMessage(ev.MsgJSON); ok {
			englishOnly(t, "event "+ev.Kind, em.In(i18n.EN))
		} else {
			t.Errorf("event %s %q has no message", ev.Kind, ev.Message)
		}
	}
}
