package store

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// detailAll gives every order of the bundle a buyer (so it is in the
// trigram index), sends every seventh to attention and gives folios to
// every third.
func (b *bundle) detailAll(t *testing.T, n int) {
	t.Helper()
	ctx := context.Background()
	err := b.st.Write(ctx, func(tx *Tx) error {
		for i := 0; i < n; i++ {
			id := b.order(i, "").ID
			name, rut, _ := fakeBuyer(i)
			if err := tx.SetDetail(ctx, id, "{}", name, rut, "bill", time.Time{}, "completed", "confirmed"); err != nil {
				return err
			}
			switch {
			case i%7 == 0:
				err := tx.MoveOrder(ctx, id, Move{From: []State{StateQueued}, To: StateAttention, Reason: "r"})
				if err != nil {
					return err
				}
			case i%3 == 0:
				err := tx.MoveOrder(ctx, id, Move{From: []State{StateQueued}, To: StateDone, Outcome: OutcomeIssued, DocType: 39, Folio: int64(1000 + i)})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// pages lists every order q selects, page by page, checking the keyset
// order on the way.
func pages(t *testing.T, list func(OrderQuery) ([]Order, error), q OrderQuery) []string {
	t.Helper()
	var ids []string
	last := int64(1 << 62)
	for range 10000 {
		rows, err := list(q)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			return ids
		}
		for _, o := range rows {
			if o.Seq >= last {
				t.Fatalf("%s (seq %d) after seq %d: not newest first", o.ID, o.Seq, last)
			}
			last = o.Seq
			ids = append(ids, o.ID)
		}
		q.Before = rows[len(rows)-1].Seq
	}
	t.Fatal("pagination does not end")
	return nil
}

// The two ways of answering a text filter (trigram index, or LIKE along
// the state index) must select the same orders; which one runs depends
// only on how many orders the states hold.
func TestTextFilterPathsAgree(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 700, StateQueued)
	b.detailAll(t, 700)
	like := func(text string) func(OrderQuery) ([]Order, error) {
		return func(q OrderQuery) ([]Order, error) {
			l := "%" + text + "%"
			folio, _ := strconv.ParseInt(text, 10, 64)
			return b.st.listByState(ctx, q, `(code LIKE ? OR buyer_name LIKE ? OR buyer_rut LIKE ? OR (folio > 0 AND folio = ?))`,
				[]any{l, l, l, folio})
		}
	}
	fts := func(text string) func(OrderQuery) ([]Order, error) {
		return func(q OrderQuery) ([]Order, error) { return b.st.listText(ctx, q, text) }
	}
	for _, text := range []string{"rojas", "Muñoz", "aromos", "1-K", "000004", "1063", "SpA", "zzqx"} {
		for _, states := range [][]State{{StateAttention}, QueueStates(), {StateAttention, StateDone}} {
			q := OrderQuery{States: states, Limit: 7}
			a, f := pages(t, like(text), q), pages(t, fts(text), q)
			if !slices.Equal(a, f) {
				t.Errorf("%q in %v: LIKE path %d orders, trigram path %d", text, states, len(a), len(f))
			}
			if text == "rojas" && len(a) == 0 {
				t.Errorf("%q in %v: nothing found; the test data is wrong", text, states)
			}
		}
	}
	if onPostgres(t) {
		return // an expression index: nothing to check against the rows
	}
	if _, err := b.st.w.Exec(`INSERT INTO orders_search (orders_search) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("search index: %v", err)
	}
}

func TestShortAndSpecialFilters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 60, StateQueued)
	b.detailAll(t, 60) // folios 1000+i for every third order not in attention
	rut := "76354771-K"
	err := b.st.Write(ctx, func(tx *Tx) error {
		if err := tx.SetDetail(ctx, b.order(5, "").ID, "{}", "Comercial Los Aromos SpA", rut, "invoice", time.Time{}, "completed", ""); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, b.order(4, "").ID, Move{From: []State{StateQueued}, To: StateDone, Outcome: OutcomeIssued, Folio: 42})
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		text   string
		states []State
		want   []string
	}{
		{"42", nil, []string{b.order(4, "").ID}},
		{"42", QueueStates(), nil},
		{"0", nil, nil}, // not every order without a folio
		{"ab", nil, nil},
		{"76.354.771-K", nil, []string{b.order(5, "").ID}},
		{"76.354.771-k", nil, []string{b.order(5, "").ID}},
		{"1003", nil, []string{b.order(3, "").ID}}, // a folio
		{"100", nil, nil},                          // a folio, exactly (schema 18)
		{"ATTENTION", QueueStates(), nil},          // a state outside the pane's
	} {
		rows, err := b.st.ListOrders(ctx, OrderQuery{Text: tc.text, States: tc.states, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, o := range rows {
			got = append(got, o.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("filter %q in %v: %v, want %v", tc.text, tc.states, got, tc.want)
		}
	}
	rows, _ := b.st.ListOrders(ctx, OrderQuery{Text: "attention", States: QueueStates()})
	if len(rows) != 0 {
		t.Errorf("a state outside the pane matched %d", len(rows))
	}
	rows, _ = b.st.ListOrders(ctx, OrderQuery{Text: "attention"})
	if len(rows) != 9 {
		t.Errorf("state named as text: %d orders, want 9", len(rows))
	}
}

// Every query behind the panes and the engine's loops must be answered
// from an index: a plan that scans the orders table is fine at a thousand
// orders and hopeless at a million, so it is caught here, at any size.
func TestListQueriesUseIndexes(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 30, StateQueued)
	var captured []struct {
		q    string
		args []any
	}
	b.st.trace = func(q string, args []any) {
		captured = append(captured, struct {
			q    string
			args []any
		}{q, args})
	}
	calls := map[string]func(){
		"errors pane":         func() { b.st.ListOrders(ctx, OrderQuery{States: []State{StateAttention}, Before: 10}) },
		"queue pane":          func() { b.st.ListOrders(ctx, OrderQuery{States: QueueStates(), ConnectionID: b.conn}) },
		"short folio":         func() { b.st.ListOrders(ctx, OrderQuery{Text: "42", States: QueueStates()}) },
		"next due":            func() { b.st.NextDue(ctx) },
		"text in few states":  func() { b.st.ListOrders(ctx, OrderQuery{Text: "rojas", States: []State{StateAttention}}) },
		"text":                func() { b.st.ListOrders(ctx, OrderQuery{Text: "rojas", Before: 20}) },
		"text with prefix":    func() { b.st.ListOrders(ctx, OrderQuery{Text: "FAL-100001", Before: 20}) },
		"text in many states": func() { b.st.listText(ctx, OrderQuery{States: []State{StateDone}, Limit: 5}, "rojas") },
		"due":                 func() { b.st.DueOrders(ctx, time.Now(), 10) },
	}
	for name, call := range calls {
		captured = nil
		call()
		if len(captured) != 1 {
			t.Fatalf("%s: %d queries", name, len(captured))
		}
		plan := explain(t, b.st, captured[0].q, captured[0].args...)
		for i, line := range plan {
			if line == "SCAN orders" || line == "SCAN o" {
				t.Errorf("%s scans the orders table:\n%s", name, strings.Join(plan, "\n"))
			}
			if strings.HasPrefix(line, "SEARCH orders USING INDEX orders_code (") && i+1 < len(plan) &&
				plan[i+1] == "USE TEMP B-TREE FOR ORDER BY" && !strings.Contains(line, "nodetail") {
				t.Errorf("%s sorts every order sharing a code prefix:\n%s", name, strings.Join(plan, "\n"))
			}
		}
	}
	if plan := explain(t, b.st, `SELECT id FROM http_log WHERE order_id=? ORDER BY id DESC LIMIT 10`, "o"); !strings.Contains(plan[0], "http_log_order") {
		t.Errorf("the per-order HTTP log scans: %v", plan)
	}
	if plan := explain(t, b.st, qUpsertExisting, `["a","b"]`); !slices.ContainsFunc(plan, func(l string) bool {
		return strings.HasPrefix(l, "SEARCH orders USING INDEX sqlite_autoindex_orders_1 (id=?)")
	}) {
		t.Errorf("ingest's lookup of a batch does not seek by id:\n%s", strings.Join(plan, "\n"))
	}
}

func explain(t *testing.T, st *Store, q string, args ...any) []string {
	t.Helper()
	rows, err := st.r.Query("EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, q)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return plan
}

// The per-state counters are kept by triggers; they must agree with a
// real count after inserts, moves and deletes.
func TestCountsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 50, StateQueued)
	err := b.st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.UpsertOrders(ctx, []OrderUpsert{b.order(100, StateWaiting), b.order(101, StateWaiting)}); err != nil {
			return err
		}
		for i := 0; i < 50; i += 5 {
			if err := tx.MoveOrder(ctx, b.order(i, "").ID, Move{From: []State{StateQueued}, To: StateBuilding}); err != nil {
				return err
			}
		}
		// A move to the same state changes nothing.
		if err := tx.MoveOrder(ctx, b.order(1, "").ID, Move{From: []State{StateQueued}, To: StateQueued}); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `DELETE FROM orders WHERE id = ?`, b.order(2, "").ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := b.st.CountByState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[State]int{}
	rows, _ := b.st.r.Query(`SELECT state, count(*) FROM orders GROUP BY state`)
	for rows.Next() {
		var s State
		var n int
		rows.Scan(&s, &n)
		want[s] = n
	}
	rows.Close()
	for _, s := range States() {
		if got[s] != want[s] {
			t.Errorf("%s: counter %d, real %d", s, got[s], want[s])
		}
	}
	if want[StateBuilding] != 10 || want[StateQueued] != 39 || want[StateWaiting] != 2 {
		t.Fatalf("unexpected real counts %v", want)
	}
	for _, q := range []OrderQuery{{}, {States: QueueStates()}, {ConnectionID: b.conn, States: []State{StateWaiting}}, {Text: "building"}} {
		n, err := b.st.CountOrders(ctx, q)
		rows, _ := b.st.ListOrders(ctx, OrderQuery{States: q.States, Text: q.Text, ConnectionID: q.ConnectionID, Limit: 1000})
		if err != nil || n != len(rows) {
			t.Errorf("CountOrders(%+v) = %d, %v; listing finds %d", q, n, err, len(rows))
		}
	}
}

func TestDueOrders(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	now := time.UnixMilli(1_800_000_000_000)
	b.insert(t, 8, StateQueued)
	err := b.st.Write(ctx, func(tx *Tx) error {
		for i, next := range map[int]time.Duration{2: -time.Minute, 4: -time.Hour, 6: time.Minute} {
			err := tx.MoveOrder(ctx, b.order(i, "").ID, Move{From: []State{StateQueued}, To: StateRetrying, Attempts: 1, NextAttemptAt: now.Add(next)})
			if err != nil {
				return err
			}
		}
		return tx.MoveOrder(ctx, b.order(7, "").ID, Move{From: []State{StateQueued}, To: StateAttention})
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(os []Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, strings.TrimPrefix(o.ID, "co-00000"))
		}
		return out
	}
	due, err := b.st.DueOrders(ctx, now, 100)
	if err != nil {
		t.Fatal(err)
	}
	// Queued in arrival order, then the due retries in the order they fell due.
	if got, want := ids(due), []string{"0", "1", "3", "5", "4", "2"}; !slices.Equal(got, want) {
		t.Fatalf("due = %v, want %v", got, want)
	}
	due, _ = b.st.DueOrders(ctx, now, 3)
	if got := ids(due); !slices.Equal(got, []string{"0", "1", "3"}) {
		t.Fatalf("limited due = %v", got)
	}
	next, err := b.st.NextDue(ctx)
	if err != nil || !next.Equal(now.Add(-time.Hour)) {
		t.Fatalf("NextDue = %v, %v", next, err)
	}
}

func TestRecentActivity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := time.UnixMilli(1_800_000_000_000)
	st, err := Open(ctx, storePathFor(t), Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := &bundle{st: st}
	st.Write(ctx, func(tx *Tx) (err error) {
		b.conn, err = tx.SaveConnection(ctx, Connection{Name: "c", Kind: KindMultivende})
		return
	})
	b.insert(t, 5, StateQueued)
	clock = clock.Add(10 * time.Minute)
	err = st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.UpsertOrders(ctx, []OrderUpsert{b.order(10, StateQueued), b.order(11, StateQueued)}); err != nil {
			return err
		}
		return tx.AddDocument(ctx, Document{OrderID: b.order(10, "").ID, Kind: "dte", Emisor: "1-9", DTEType: 39, Folio: 1, Total: 1, Fecha: "2026-11-24"})
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.RecentActivity(ctx, clock.Add(-time.Minute))
	if err != nil || a != (Activity{Orders: 2, Documents: 1}) {
		t.Fatalf("last minute: %+v %v", a, err)
	}
	if a, _ := st.RecentActivity(ctx, clock.Add(-time.Hour)); a.Orders != 7 {
		t.Fatalf("last hour: %+v", a)
	}
	if a, _ := st.RecentActivity(ctx, clock.Add(time.Second)); a != (Activity{}) {
		t.Fatalf("future: %+v", a)
	}
}

func TestInspectOrder(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	id := b.order(0, "").ID
	err := b.st.Write(ctx, func(tx *Tx) error {
		if err := tx.SetDetail(ctx, id, `{"_id":"x"}`, "Camila", "", "bill", time.Time{}, "completed", ""); err != nil {
			return err
		}
		if err := tx.SaveEmission(ctx, Emission{OrderID: id, DocType: 39, ExtRef: "folio-" + id, PDFSHA256: "ab12"}); err != nil {
			return err
		}
		if err := tx.AddDocument(ctx, Document{OrderID: id, Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: 9, Total: 100, Fecha: "2026-11-24"}); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, id, Move{From: []State{StateQueued}, To: StateIssued, Folio: 9, DocType: 39,
			Event: Event{Kind: "issued", Message: "folio 9 asignado"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.st.AppendHTTP(ctx, []Exchange{{At: time.Now(), OrderID: id, Method: "POST", URL: "/dte", Status: 200},
		{At: time.Now(), OrderID: "other", Method: "GET", URL: "/x", Status: 200}}); err != nil {
		t.Fatal(err)
	}
	v, err := b.st.InspectOrder(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if v.Order.Raw != `{"_id":"x"}` || v.Emission == nil || v.Emission.PDFSHA256 != "ab12" || len(v.Documents) != 1 ||
		len(v.Events) != 1 || len(v.HTTP) != 1 || v.HTTP[0].URL != "/dte" || v.Order.CreatedAt.IsZero() {
		t.Fatalf("view = %+v", v)
	}
	v, err = b.st.InspectOrder(ctx, b.order(1, "").ID, 10)
	if err != nil || v.Emission != nil || len(v.Events) != 0 {
		t.Fatalf("order without emission: %+v %v", v, err)
	}
	if _, err := b.st.InspectOrder(ctx, "nope", 10); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing order: %v", err)
	}
	if owner, ok, err := b.st.FolioOwner(ctx, "76086428-5", 39, 9); err != nil || !ok || owner != id {
		t.Fatalf("FolioOwner = %q %v %v", owner, ok, err)
	}
	if _, ok, _ := b.st.FolioOwner(ctx, "76086428-5", 39, 10); ok {
		t.Fatal("an unclaimed folio has an owner")
	}
}

func TestTimelineIsAppendOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	if err := b.st.Write(ctx, func(tx *Tx) error { return tx.AppendEvent(ctx, id, Event{Kind: "seen", Message: "visto"}) }); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{`UPDATE events SET message = 'otro'`, `DELETE FROM events`} {
		err := b.st.Write(ctx, func(tx *Tx) error { _, err := tx.exec(ctx, q); return err })
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

// Like River's TestJobStates: every State constant in the source is listed
// by States(), so a new state cannot be forgotten by the CHECK or the panes.
func TestStatesListsEveryConstant(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "orders.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []State
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "State" {
			for _, v := range vs.Values {
				if lit, ok := v.(*ast.BasicLit); ok {
					declared = append(declared, State(strings.Trim(lit.Value, `"`)))
				}
			}
		}
		return true
	})
	if len(declared) != 9 {
		t.Fatalf("found %d State constants in orders.go, want the 9 public states", len(declared))
	}
	for _, s := range declared {
		if !slices.Contains(States(), s) {
			t.Errorf("state %q is not in States()", s)
		}
		if _, err := ParseState(string(s)); err != nil {
			t.Error(err)
		}
	}
	if len(States()) != len(declared) {
		t.Errorf("States() has %d, source declares %d", len(States()), len(declared))
	}
	// The schema's CHECK knows every state too.
	b := setup(t)
	b.insert(t, 1, StateQueued)
	for _, s := range States() {
		err := b.st.Write(context.Background(), func(tx *Tx) error {
			m := Move{From: States(), To: s}
			if s == StateDone {
				m.Outcome = OutcomeIssued
			}
			return tx.MoveOrder(context.Background(), b.order(0, "").ID, m)
		})
		if err != nil {
			t.Errorf("the schema refuses state %s: %v", s, err)
		}
	}
	if err := b.st.Write(context.Background(), func(tx *Tx) error {
		return tx.MoveOrder(context.Background(), b.order(0, "").ID, Move{From: States(), To: "lost"})
	}); err == nil {
		t.Error("the schema accepts an unknown state")
	}
}
