package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// A store from before schema 18 kept the detail JSON in the orders row:
// opening it moves the JSON to order_raw, where the order still shows it,
// and a later change of the order leaves it as it was.
func TestSchema18MovesTheDetailJSON(t *testing.T) {
	t.Parallel()
	db, reopen := oldStore(t, false, 17)
	schema18(t, context.Background(), db, reopen)
}

func TestPostgresSchema18MovesTheDetailJSON(t *testing.T) {
	t.Parallel()
	db, reopen := oldStore(t, true, 17)
	schema18(t, context.Background(), db, reopen)
}

func schema18(t *testing.T, ctx context.Context, db *sql.DB, open func() (*Store, error)) {
	t.Helper()
	const detail = `{"_id":"read","Client":{"name":"Ana Pérez"}}`
	for _, q := range []string{
		`INSERT INTO connections (name, kind, created_at, updated_at) VALUES ('c','multivende',1,1)`,
		`INSERT INTO orders (id, connection_id, code, buyer_name, raw, state, state_since, updated_at) VALUES
			('read',1,'A','Ana Pérez','` + detail + `','queued',1,1), ('listed',1,'B','','','queued',1,1)`,
		`UPDATE order_counts SET n = 2 WHERE state = 'queued'`,
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
	for id, want := range map[string]string{"read": detail, "listed": ""} {
		if o, err := st.GetOrder(ctx, id); err != nil || o.Raw != want {
			t.Errorf("%s after opening: raw %q %v, want %q", id, o.Raw, err, want)
		}
	}
	if err := st.Write(ctx, func(tx *Tx) error {
		return tx.MoveOrder(ctx, "read", Move{From: []State{StateQueued}, To: StateDone, Outcome: OutcomeIssued, Folio: 9})
	}); err != nil {
		t.Fatal(err)
	}
	if v, err := st.InspectOrder(ctx, "read", 0); err != nil || v.Order.Raw != detail || v.Order.Folio != 9 {
		t.Errorf("after a move: raw %q folio %d %v", v.Order.Raw, v.Order.Folio, err)
	}
}

// SetDetail writes the JSON when it is new or changed, and an order's
// page of the list never carries it.
func TestSetDetailKeepsTheJSONApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Write(ctx, func(tx *Tx) error {
		if _, err := tx.SaveConnection(ctx, Connection{Name: "c", Kind: KindMultivende, MerchantID: "m"}); err != nil {
			return err
		}
		_, err := tx.UpsertOrders(ctx, []OrderUpsert{{ID: "o1", ConnectionID: 1, Code: "A-1", InitialState: StateQueued}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for _, raw := range []string{`{"v":1}`, `{"v":1}`, `{"v":2}`} {
		if err := st.Write(ctx, func(tx *Tx) error {
			return tx.SetDetail(ctx, "o1", raw, "Ana", "", "bill", time.Now(), "completed", "confirmed")
		}); err != nil {
			t.Fatal(err)
		}
		if o, err := st.GetOrder(ctx, "o1"); err != nil || o.Raw != raw || o.BuyerName != "Ana" {
			t.Fatalf("after SetDetail(%s): %q %q %v", raw, o.Raw, o.BuyerName, err)
		}
	}
	if err := st.Write(ctx, func(tx *Tx) error {
		return tx.SetDetail(ctx, "missing", `{}`, "X", "", "bill", time.Now(), "", "")
	}); err == nil {
		t.Fatal("SetDetail of a missing order succeeded")
	}
	got, err := st.ListOrders(ctx, OrderQuery{})
	if err != nil || len(got) != 1 || got[0].Raw != "" {
		t.Fatalf("list: %+v %v", got, err)
	}
}
