package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

// A batch longer than the big statement and not a multiple of it takes
// every statement shape (100, 10 and 1 rows); each order keeps its own
// values and the batch's order, its first event lands on its own timeline.
func TestUpsertAndEventsAcrossStatementShapes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	const n = 2*batchRows + 3*batchRowsSmall + 7
	batch := make([]OrderUpsert, n)
	for i := range batch {
		batch[i] = b.order(i, StateQueued)
		batch[i].Total = int64(1000 + i)
		if i%3 == 0 {
			batch[i].InitialState = StateWaiting
		}
	}
	err := b.st.Write(ctx, func(tx *Tx) error {
		ups, err := tx.UpsertOrders(ctx, batch)
		if err != nil {
			return err
		}
		if len(ups) != n {
			return fmt.Errorf("%d reported, want %d", len(ups), n)
		}
		evs := make([]Event, len(ups))
		for i, u := range ups {
			evs[i] = Event{OrderID: u.ID, Kind: "seen", Message: "visto " + u.ID, MsgID: "event.seen_paid", Data: fmt.Sprint(i)}
		}
		return tx.AppendEvents(ctx, evs)
	})
	if err != nil {
		t.Fatal(err)
	}
	var prev int64
	for i, want := range batch {
		o, err := b.st.GetOrder(ctx, want.ID)
		if err != nil {
			t.Fatal(err)
		}
		st := StateQueued
		if i%3 == 0 {
			st = StateWaiting
		}
		if o.Total != want.Total || o.Code != want.Code || o.State != st || !o.RemoteUpdatedAt.Equal(want.RemoteUpdatedAt) {
			t.Fatalf("order %d = %+v, want %+v in %s", i, o, want, st)
		}
		if o.Seq <= prev {
			t.Fatalf("order %d has seq %d after %d: not in batch order", i, o.Seq, prev)
		}
		prev = o.Seq
		evs, err := b.st.Events(ctx, want.ID)
		if err != nil || len(evs) != 1 || evs[0].Message != "visto "+want.ID || evs[0].Data != fmt.Sprint(i) ||
			evs[0].MsgID != "event.seen_paid" || evs[0].At.IsZero() {
			t.Fatalf("order %d events = %+v, %v", i, evs, err)
		}
	}
	waiting := (n + 2) / 3
	if c, _ := b.st.CountOrders(ctx, OrderQuery{States: []State{StateWaiting}}); c != waiting {
		t.Fatalf("waiting count %d, want %d", c, waiting)
	}
	if c, _ := b.st.CountOrders(ctx, OrderQuery{States: []State{StateQueued}}); c != n-waiting {
		t.Fatalf("queued count %d, want %d", c, n-waiting)
	}
}

func TestAppendEventsNeedsTheOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.AppendEvents(ctx, []Event{{OrderID: b.order(0, "").ID, Kind: "a", Message: "a"}, {Kind: "b", Message: "b"}})
	})
	if err == nil || !strings.Contains(err.Error(), "without its order") {
		t.Fatalf("an event without its order: %v", err)
	}
	if evs, _ := b.st.Events(ctx, b.order(0, "").ID); len(evs) != 0 {
		t.Fatalf("a failed batch wrote %d events", len(evs))
	}
}

// The orders table's CHECKs (schema 17) build no temporary table per row:
// an IN list of constants in a CHECK does (OpenEphemeral and an insert per
// constant, for every order inserted or moved). They still refuse what
// they refused.
func TestOrderChecksBuildNoTablePerRow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	for name, c := range map[string]struct {
		q    string
		args int
	}{"insert": {qInsertOrdersOne, insertOrdersCols}, "move": {qMoveOrder, strings.Count(qMoveOrder, "?")}} {
		rows, err := b.st.w.QueryContext(ctx, "EXPLAIN "+c.q, make([]any, c.args)...)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		prev := int64(-1)
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			addr, _ := vals[0].(int64)
			if addr < prev {
				break // the triggers' programs follow, each from 0 (the search index's uses one)
			}
			prev = addr
			if op := fmt.Sprintf("%s", vals[1]); op == "OpenEphemeral" {
				t.Errorf("%s: the program opens a temporary table (%v): an IN list in a CHECK of orders?", name, vals)
			}
		}
		rows.Close()
	}
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	for _, bad := range []string{`UPDATE orders SET state='lost' WHERE id=?`, `UPDATE orders SET outcome='lost' WHERE id=?`,
		`UPDATE orders SET state='done' WHERE id=?`, `UPDATE orders SET outcome='issued' WHERE id=?`} {
		if _, err := b.st.w.ExecContext(ctx, bad, id); err == nil || !strings.Contains(err.Error(), "CHECK") {
			t.Errorf("%s: %v, want a CHECK constraint failure", bad, err)
		}
	}
	if _, err := b.st.w.ExecContext(ctx, `UPDATE orders SET state='done', outcome='skipped' WHERE id=?`, id); err != nil {
		t.Fatal(err)
	}
	var check string
	if err := b.st.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
}

// A new order's first line rides in its row (SeenMsg): its timeline reads
// it first, in the store's words and as its catalog message, at the
// moment the order was inserted, before the events written after it; a
// later upsert of the changed order leaves it as it was, and an order
// inserted without one has none.
func TestSeenLineRidesInTheOrderRow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	seen := i18n.M("event.seen_unpaid", "pending")
	first := b.order(1, StateWaiting)
	first.PaymentStatus, first.SeenMsg = "pending", seen.Encode()
	bare := b.order(2, StateQueued)
	if _, err := b.st.UpsertOrders(ctx, []OrderUpsert{first, bare}); err != nil {
		t.Fatal(err)
	}
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.AppendEvent(ctx, first.ID, Event{Kind: "paid", Message: "pagada", MsgID: "event.paid"})
	}); err != nil {
		t.Fatal(err)
	}
	changed := first
	changed.PaymentStatus, changed.RemoteUpdatedAt = "completed", first.RemoteUpdatedAt.Add(time.Minute)
	changed.SeenMsg = i18n.M("event.seen_paid").Encode()
	if ups, err := b.st.UpsertOrders(ctx, []OrderUpsert{changed}); err != nil || len(ups) != 1 || ups[0].New {
		t.Fatalf("second upsert: %+v %v", ups, err)
	}
	o, err := b.st.GetOrder(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := b.st.Events(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 || evs[0].Kind != "seen" || evs[1].Kind != "paid" {
		t.Fatalf("timeline = %+v, want seen then paid", evs)
	}
	got := evs[0]
	if got.Message != seen.Plain(i18n.ES) || got.MsgID != "event.seen_unpaid" || len(got.MsgArgs) != 1 || got.MsgArgs[0] != "pending" ||
		got.OrderID != first.ID || !got.At.Equal(o.CreatedAt) {
		t.Fatalf("first line = %+v, want %q as event.seen_unpaid(pending) at %v", got, seen.Plain(i18n.ES), o.CreatedAt)
	}
	if evs, err := b.st.Events(ctx, bare.ID); err != nil || len(evs) != 0 {
		t.Fatalf("an order inserted without a first line: %+v %v", evs, err)
	}
}
