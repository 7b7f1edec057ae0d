package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// creditStore makes a store whose first order is in Errors for
// NEEDS-CREDIT-NOTE (storetest.NeedsCredit: boleta folio 41 of 2026-11-24,
// 2 tazas and shipping), and whose second is done.
func creditStore(t *testing.T) (path, cancelled, done string) {
	t.Helper()
	path = seedStore(t, 2, func(ctx context.Context, tx *store.Tx, ids []string) error {
		cancelled, done = ids[0], ids[1]
		if err := storetest.NeedsCredit(ctx, tx, cancelled); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, done, store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeSkipped})
	})
	return path, cancelled, done
}

func TestOrderCredit(t *testing.T) {
	isolate(t)
	t.Setenv("LANG", "en_US.UTF-8")
	path, cancelled, done := creditStore(t)

	// Without --yes: prints the 61 it would issue, asks for --yes, writes nothing.
	out, _, err := runFolio(t, "", "order", "credit", cancelled, "--store", path, "--lang", "en", "--lines", "1:1")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "--yes") || !strings.Contains(out, "folio 41") ||
		!strings.Contains(out, "CodRef 3") || !strings.Contains(out, "$12.990") {
		t.Fatalf("credit without --yes: out %q err %v", out, err)
	}
	if cs := controls(t, path, store.CtlCredit); len(cs) != 0 {
		t.Fatalf("a credit note was recorded without --yes: %+v", cs)
	}
	// A retry would finish the order with a document that no longer has a
	// sale behind it: refused, pointing to the credit note.
	if _, _, err := runFolio(t, "", "order", "retry", cancelled, "--store", path); err == nil || !strings.Contains(err.Error(), "folio order credit") {
		t.Fatalf("retry of an order that needs a credit note: %v", err)
	}
	// Bad lines are refused before anything is recorded.
	if _, _, err := runFolio(t, "", "order", "credit", cancelled, "--store", path, "--lang", "en", "--lines", "7", "--yes"); err == nil || !strings.Contains(err.Error(), "line 7") {
		t.Fatalf("credit of a line the document lacks: %v", err)
	}
	// Not for an order that does not wait for one.
	if _, _, err := runFolio(t, "", "order", "credit", done, "--store", path, "--yes", "--lang", "es"); err == nil || !strings.Contains(err.Error(), "no espera una nota de crédito") {
		t.Fatalf("credit of a done order: %v", err)
	}
	out, _, err = runFolio(t, "", "order", "credit", cancelled, "--store", path, "--yes", "--lang", "es", "--reason", "Cliente arrepentido")
	if err != nil || !strings.Contains(out, "nota de crédito pedida") {
		t.Fatalf("credit --yes: out %q err %v", out, err)
	}
	cs := controls(t, path, store.CtlCredit)
	if len(cs) != 1 || cs[0].Target != cancelled || !strings.Contains(cs[0].Args, "Cliente arrepentido") {
		t.Fatalf("credit controls: %+v", cs)
	}
}
