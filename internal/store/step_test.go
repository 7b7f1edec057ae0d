package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// A move to working stores the step the order's emission shows, written in
// the same commit: nothing, an intent, a folio, a Multivende document. An
// order requeued with its folio spent is named issued at its first commit,
// from queued, with no step to pick.
func TestWorkNamesTheStepFromTheEmission(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	step := func(name string, m Move, write func(*Tx) error, want State) {
		t.Helper()
		if err := b.st.Write(ctx, func(tx *Tx) error {
			if write != nil {
				if err := write(tx); err != nil {
					return err
				}
			}
			return tx.MoveOrder(ctx, id, m)
		}); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o, err := b.st.GetOrder(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.State != want || o.State.Life() != m.To.Life() {
			t.Fatalf("%s: %s, want %s", name, o.State, want)
		}
		if counts, _ := b.st.CountByState(ctx); counts[want] != 1 {
			t.Fatalf("%s: counted %v", name, counts)
		}
	}
	step("taken without an emission", Work(StateQueued, Event{}), nil, StateBuilding)
	step("the intent", Work(StateWorking, Event{}), func(tx *Tx) error {
		return tx.RecordIntent(ctx, Intent{OrderID: id, ExtRef: "folio:" + id, DocType: 39, Document: "{}", Pending: `{"p":1}`})
	}, StateIssuing)
	step("uncertain", Work(StateWorking, Event{}), func(tx *Tx) error { return tx.MarkUncertain(ctx, id) }, StateIssuing)
	step("the folio", Work(StateWorking, Event{}).Naming(39, 7), func(tx *Tx) error {
		return tx.RecordIssued(ctx, id, 39, 7, "t", "{}")
	}, StateIssued)
	step("failed after the folio", Retry(StateWorking, 1, time.Now(), "MV-5XX", "caído", Event{}), nil, StateRetrying)
	step("to Errors", NeedsAttention(StateRetrying, "X", "x", Event{}), nil, StateAttention)
	step("a person retries", Requeue(StateAttention, Event{}), nil, StateQueued)
	step("resumed from queued", Work(StateQueued, Event{}), nil, StateIssued)
	step("attached", Work(StateWorking, Event{}), func(tx *Tx) error { return tx.RecordAttached(ctx, id, "mv-1", 10) }, StateAttaching)
	step("uploaded", Finish(StateWorking, OutcomeIssued, "", Event{}), func(tx *Tx) error {
		return tx.RecordUploaded(ctx, id, time.Now())
	}, StateDone)
	if o, _ := b.st.GetOrder(ctx, id); o.Folio != 7 || o.DocType != 39 {
		t.Fatalf("done as %d/%d", o.DocType, o.Folio)
	}
	// Working is a set of steps to move from; the order has left it.
	err := b.st.Write(ctx, func(tx *Tx) error { return tx.MoveOrder(ctx, id, Work(StateWorking, Event{})) })
	if !errors.Is(err, ErrStateChanged) {
		t.Fatalf("a working move of a done order: %v", err)
	}
}

// An order with an intent may have a folio: Wait from working applies to
// one still building, and is refused once the intent is committed.
func TestWaitOnlyBeforeTheIntent(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	building, issuing := b.order(0, "").ID, b.order(1, "").ID
	if err := b.st.Write(ctx, func(tx *Tx) error {
		if err := tx.MoveOrder(ctx, building, Work(StateQueued, Event{})); err != nil {
			return err
		}
		if err := tx.RecordIntent(ctx, Intent{OrderID: issuing, ExtRef: "folio:" + issuing, DocType: 39, Document: "{}", Pending: "{}"}); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, issuing, Work(StateQueued, Event{}))
	}); err != nil {
		t.Fatal(err)
	}
	wait := func(id string) error {
		return b.st.Write(ctx, func(tx *Tx) error { return tx.MoveOrder(ctx, id, Wait(StateWorking, Event{})) })
	}
	if err := wait(issuing); !errors.Is(err, ErrStateChanged) {
		t.Fatalf("an order with an intent went back to waiting: %v", err)
	}
	if err := wait(building); err != nil {
		t.Fatalf("a building order not paid: %v", err)
	}
	if o, _ := b.st.GetOrder(ctx, building); o.State != StateWaiting {
		t.Fatalf("building → %s", o.State)
	}
}

// A store from before schema 16 had the engine write each step itself;
// opening it names each in-flight order's step from its emission, so that
// the engine resumes it from where the emission says (and the counters
// follow).
func TestSchema16NamesInFlightStepsFromTheEmission(t *testing.T) {
	t.Parallel()
	db, reopen := oldStore(t, false, 15)
	schema16(t, context.Background(), db, reopen)
}

func TestPostgresSchema16NamesInFlightStepsFromTheEmission(t *testing.T) {
	t.Parallel()
	db, reopen := oldStore(t, true, 15)
	schema16(t, context.Background(), db, reopen)
}

// schema16 fills a store at schema 15 through db with in-flight orders
// whose column and emission disagree (and one that agrees), opens it, and
// checks each order's step.
func schema16(t *testing.T, ctx context.Context, db *sql.DB, open func() (*Store, error)) {
	t.Helper()
	for _, q := range []string{
		`INSERT INTO connections (name, kind, created_at, updated_at) VALUES ('c','multivende',1,1)`,
		`INSERT INTO orders (id, connection_id, code, state, state_since, updated_at) VALUES
			('none',1,'A','issuing',1,1), ('intent',1,'B','building',1,1), ('folio',1,'C','issuing',1,1),
			('mv',1,'D','issued',1,1), ('same',1,'E','attaching',1,1), ('q',1,'F','queued',1,1)`,
		`INSERT INTO emissions (order_id, ext_ref, document, pending, folio, mv_document_id, created_at, updated_at) VALUES
			('intent','r1','{}','{"p":1}',0,'',1,1), ('folio','r2','{}','{"p":1}',41,'',1,1),
			('mv','r3','{}','{"p":1}',42,'mv-3',1,1), ('same','r4','{}','{"p":1}',43,'mv-4',1,1), ('q','r5','{}','{"p":1}',44,'',1,1)`,
		`UPDATE order_counts SET n = CASE state WHEN 'issuing' THEN 2 WHEN 'building' THEN 1 WHEN 'issued' THEN 1
			WHEN 'attaching' THEN 1 WHEN 'queued' THEN 1 ELSE 0 END`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	st, err := open()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	want := map[string]State{"none": StateBuilding, "intent": StateIssuing, "folio": StateIssued, "mv": StateAttaching,
		"same": StateAttaching, "q": StateQueued}
	for id, w := range want {
		if o, err := st.GetOrder(ctx, id); err != nil || o.State != w {
			t.Errorf("%s: %s %v, want %s", id, o.State, err, w)
		}
	}
	counts, err := st.CountByState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for s, n := range map[State]int{StateBuilding: 1, StateIssuing: 1, StateIssued: 1, StateAttaching: 2, StateQueued: 1} {
		if counts[s] != n {
			t.Errorf("%s counted %d, want %d (%v)", s, counts[s], n, counts)
		}
	}
	inflight, err := st.InFlightOrders(ctx, 10)
	if err != nil || len(inflight) != 5 {
		t.Fatalf("in flight after opening: %d %v", len(inflight), err)
	}
}

// Schema 16 names the steps of a store from before with stepSQL's CASE,
// word for word, on both drivers: the rule has one text.
func TestSchema16UsesStepSQL(t *testing.T) {
	t.Parallel()
	norm := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	for _, p := range []string{"migrations/0016_step_from_emission.up.sql", "migrations/postgres/0016_step_from_emission.up.sql"} {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(norm(string(b)), "SET state = "+norm(stepSQL)+" WHERE state IN ("+strings.ReplaceAll(stepList, ",", ", ")+")") {
			t.Errorf("%s does not name the steps with stepSQL over store.Steps()", p)
		}
	}
}
