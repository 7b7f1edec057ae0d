package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
)

// A text filter finds the same orders, newest first and page by page,
// whether they lie among the newest orders (PostgreSQL matches those row
// by row, pgTextWindow of them) or past them (its indexes), or on both
// sides, and orders not read yet by the start of their code.
func TestTextFilterPastTheWindow(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	n := pgTextWindow + 600
	b.insert(t, n, StateQueued)
	name := func(i int) string {
		switch {
		case i%500 == 0:
			return "Ana Pérez"
		case i < 100 && i%10 == 3:
			return "Luis Zamora" // only past the window
		case i%10 == 7:
			return "Sofía Rojas" // everywhere
		}
		return "Juan Soto"
	}
	if err := b.st.Write(ctx, func(tx *Tx) error {
		for i := 0; i < n; i++ {
			if i == 5 {
				continue // listed, its detail not read yet
			}
			o := b.order(i, "")
			if err := tx.SetDetail(ctx, o.ID, `{}`, name(i), fmt.Sprintf("%d-5", 10_000_000+i), "bill", o.RemoteUpdatedAt, "completed", "confirmed"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	ids := func(q OrderQuery) []string {
		t.Helper()
		rows, err := b.st.ListOrders(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, o := range rows {
			out = append(out, o.ID)
		}
		return out
	}
	id := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, b.order(i, "").ID)
		}
		return out
	}
	// A folio is found exactly (schema 18), past the window too.
	if err := b.st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, b.order(12, "").ID, Move{From: []State{StateQueued}, To: StateDone, Outcome: OutcomeIssued, Folio: 123456})
	}); err != nil {
		t.Fatal(err)
	}
	// Every "rojas", newest first: 200 in the first window, 60 past it.
	var rojas []string
	for i := n - 1; i >= 0; i-- {
		if name(i) == "Sofía Rojas" {
			rojas = append(rojas, b.order(i, "").ID)
		}
	}
	for _, c := range []struct {
		name string
		q    OrderQuery
		want []string
	}{
		{"both sides", OrderQuery{Text: "pérez"}, id(2500, 2000, 1500, 1000, 500, 0)},
		{"a folio past the window", OrderQuery{Text: "123456"}, id(12)},
		{"a folio, not part of one", OrderQuery{Text: "3456"}, nil},
		{"past only", OrderQuery{Text: "zamora", Limit: 4}, id(93, 83, 73, 63)},
		{"past only, next page", OrderQuery{Text: "zamora", Limit: 4, Before: seqOf(t, b, 63)}, id(53, 43, 33, 23)},
		{"page across the window's edge", OrderQuery{Text: "pérez", Limit: 3, Before: seqOf(t, b, 1500)}, id(1000, 500, 0)},
		{"window fills the page", OrderQuery{Text: "rojas", Limit: 3}, id(n-3, n-13, n-23)},
		{"code of an order not read", OrderQuery{Text: b.order(5, "").Code}, id(5)},
		{"none", OrderQuery{Text: "zzqxw"}, nil},
		// Dense enough in the first window for the second to fill the page.
		{"second window fills the page", OrderQuery{Text: "rojas", Limit: 250}, rojas[:250]},
		// Both windows short of the page: the index past the second, no
		// row twice.
		{"past both windows", OrderQuery{Text: "rojas", Limit: 300}, rojas},
	} {
		if got := ids(c.q); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func seqOf(t *testing.T, b *bundle, i int) int64 {
	t.Helper()
	o, err := b.st.GetOrder(context.Background(), b.order(i, "").ID)
	if err != nil {
		t.Fatal(err)
	}
	return o.Seq
}

// The store's statements are planned for their arguments on PostgreSQL,
// however often they run: a generic plan for "state = $1" walks every
// order for an empty state.
func TestPostgresPlansSeeTheirArguments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := Open(ctx, pgTestStore(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, db := range map[string]interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}{"reader": st.r, "writer": st.w} {
		var mode string
		if err := db.QueryRowContext(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "force_custom_plan" {
			t.Errorf("the %s plans with plan_cache_mode %s", name, mode)
		}
	}
}
