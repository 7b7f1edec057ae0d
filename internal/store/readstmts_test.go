package store

import (
	"context"
	"fmt"
	"testing"
)

// The engine's per-order reads are parsed once, not at every call; a
// query that does not parse still reports its error, and past the bound
// reads run unprepared.
func TestReadsArePreparedOnce(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	for range 3 {
		if _, err := b.st.GetEmission(ctx, id); err == nil {
			t.Fatal("an order without an intent has an emission")
		}
		if _, err := b.st.Documents(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(b.st.reads.m); n != 2 {
		t.Fatalf("%d statements prepared for two queries read three times", n)
	}
	var x int
	if err := b.st.reads.QueryRowContext(ctx, `SELECT nope FROM nowhere`).Scan(&x); err == nil {
		t.Fatal("a query that does not parse read a row")
	}
	for i := range maxReadStmts + 5 {
		if err := b.st.reads.QueryRowContext(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&x); err != nil || x != i {
			t.Fatalf("SELECT %d: %d %v", i, x, err)
		}
	}
	if n := len(b.st.reads.m); n != maxReadStmts {
		t.Fatalf("%d statements kept, want the bound %d", n, maxReadStmts)
	}
}
