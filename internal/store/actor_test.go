package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestAddControlRecordsAndChecksTheActor(t *testing.T) {
	t.Parallel()
	b, _ := actorBundle(t)
	ctx := context.Background()
	ana := WithActor(ctx, Actor{User: "ana", Fingerprint: "SHA256:abc", Connections: []string{"tienda"}})

	id, err := b.st.AddControl(ana, Control{Kind: CtlRetry, Target: "co-000001", By: "ana"})
	if err != nil {
		t.Fatalf("in scope: %v", err)
	}
	c, err := b.st.Control(ctx, id)
	if err != nil || c.User != "ana" || c.Fingerprint != "SHA256:abc" || c.Connection != "tienda" {
		t.Fatalf("control = %+v, %v", c, err)
	}

	_, err = b.st.AddControl(ana, Control{Kind: CtlRetry, Target: "co-000002", By: "ana"})
	if se, ok := errors.AsType[*ScopeError](err); !ok || se.Connection != "otra" {
		t.Fatalf("another merchant's order: err = %v", err)
	}
	for _, c := range []Control{{Kind: CtlPause}, {Kind: CtlRetryFilter, Args: `{"filter":""}`}, {Kind: CtlPause, Target: "otra"}} {
		if _, err := b.st.AddControl(ana, c); !errors.As(err, new(*ScopeError)) {
			t.Errorf("%s %q by a scoped operator: err = %v", c.Kind, c.Target, err)
		}
	}
	if _, err := b.st.AddControl(ana, Control{Kind: CtlPause, Target: "tienda"}); err != nil {
		t.Errorf("pausing their own connection: %v", err)
	}

	viewer := WithActor(ctx, Actor{User: "vera", Fingerprint: "SHA256:def", ReadOnly: true})
	if _, err := b.st.AddControl(viewer, Control{Kind: CtlRetry, Target: "co-000001"}); !errors.Is(err, ErrActorReadOnly) {
		t.Fatalf("viewer: err = %v", err)
	}

	// Without an actor (the CLI) nothing is checked and no one is named.
	if _, err := b.st.AddControl(ctx, Control{Kind: CtlRetry, Target: "co-000002", By: "cli"}); err != nil {
		t.Fatal(err)
	}
	audit, err := b.st.Audit(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	// Refused attempts are kept, rejected, with who tried and why: six
	// refused, three accepted.
	if len(audit) != 8 || audit[0].By != "cli" || audit[0].User != "" || audit[7].User != "ana" || audit[2].Connection != "tienda" {
		t.Fatalf("audit (newest first) = %+v", audit)
	}
	refused := 0
	for _, c := range audit {
		if c.Status == CtlRejected {
			refused++
			if c.User == "" || c.OutcomeMsg == "" || !strings.HasPrefix(c.Outcome, "rechazado: ") {
				t.Errorf("a refused attempt recorded as %+v", c)
			}
		}
	}
	if refused != 5 {
		t.Errorf("%d refused attempts recorded, want 5", refused)
	}
	if pending, _ := b.st.PendingControls(ctx, 100); len(pending) != 3 {
		t.Errorf("the engine would apply %d controls, want the 3 accepted: %+v", len(pending), pending)
	}
	older, err := b.st.Audit(ctx, audit[0].ID, 10)
	if err != nil || len(older) != 7 || older[0].ID != audit[1].ID {
		t.Fatalf("audit before %d = %+v, %v", audit[0].ID, older, err)
	}
}

func TestScopedListsAndCounts(t *testing.T) {
	t.Parallel()
	b, other := actorBundle(t)
	ctx := context.Background()
	rows, err := b.st.ListOrders(ctx, OrderQuery{ConnectionIDs: []int64{other}})
	if err != nil || len(rows) != 1 || rows[0].ID != "co-000002" {
		t.Fatalf("scoped list = %+v, %v", rows, err)
	}
	rows, err = b.st.ListOrders(ctx, OrderQuery{States: []State{StateAttention}, Text: "000000001", ConnectionIDs: []int64{other}})
	if err != nil || len(rows) != 0 {
		t.Fatalf("the other merchant's order found through the filter: %+v, %v", rows, err)
	}
	if rows, _ := b.st.ListOrders(ctx, OrderQuery{ConnectionIDs: []int64{}}); len(rows) != 0 {
		t.Fatalf("an empty scope shows %d orders", len(rows))
	}
	counts, err := b.st.CountByStateIn(ctx, []int64{other})
	if err != nil || counts[StateAttention] != 1 {
		t.Fatalf("scoped counts = %v, %v", counts, err)
	}
	if n, err := b.st.CountOrders(ctx, OrderQuery{ConnectionIDs: []int64{other}}); err != nil || n != 1 {
		t.Fatalf("scoped CountOrders = %d, %v", n, err)
	}
}

// Pages of a scoped list, walked per connection and state, come newest
// first across states, each order once.
func TestScopedPages(t *testing.T) {
	t.Parallel()
	b, other := actorBundle(t)
	ctx := context.Background()
	var ups []OrderUpsert
	for i := 10; i < 70; i++ {
		o := b.order(i, []State{StateQueued, StateAttention, StateRetrying}[i%3])
		if i%2 == 0 {
			o.ConnectionID = other
		}
		ups = append(ups, o)
	}
	if _, err := b.st.UpsertOrders(ctx, ups); err != nil {
		t.Fatal(err)
	}
	for _, states := range [][]State{nil, QueueStates()} {
		var got []int64
		for before := int64(0); ; {
			rows, err := b.st.ListOrders(ctx, OrderQuery{States: states, ConnectionIDs: []int64{b.conn}, Before: before, Limit: 7})
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) == 0 {
				break
			}
			for _, o := range rows {
				if o.ConnectionID != b.conn || len(got) > 0 && o.Seq >= got[len(got)-1] {
					t.Fatalf("states %v: order %+v after seq %v", states, o, got)
				}
				got = append(got, o.Seq)
			}
			before = rows[len(rows)-1].Seq
		}
		want, _ := b.st.CountOrders(ctx, OrderQuery{States: states, ConnectionIDs: []int64{b.conn}})
		if len(got) != want || want == 0 {
			t.Errorf("states %v: %d orders paged, %d counted", states, len(got), want)
		}
	}
}
