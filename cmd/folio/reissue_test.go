package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
	"github.com/folio-cl/folio/internal/store/storetest"
)

// rejectStore makes a store whose first order is in Errors because the SII
// rejected its folio 41 (storetest.Rejected), and whose second is done.
func rejectStore(t *testing.T) (path, rejected, done string) {
	t.Helper()
	path = seedStore(t, 2, func(ctx context.Context, tx *store.Tx, ids []string) error {
		rejected, done = ids[0], ids[1]
		if err := storetest.Rejected(ctx, tx, rejected); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, done, store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeSkipped})
	})
	return path, rejected, done
}

func TestOrderReissue(t *testing.T) {
	isolate(t)
	path, rejected, done := rejectStore(t)

	// Without --yes: says what will happen, asks for --yes, writes nothing.
	out, _, err := runFolio(t, "", "order", "reissue", rejected, "--store", path, "--lang", "en")
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(err.Error(), "--yes") || !strings.Contains(out, "folio 41") {
		t.Fatalf("reissue without --yes: out %q err %v", out, err)
	}
	if cs := controls(t, path, store.CtlReissue); len(cs) != 0 {
		t.Fatalf("a reissue was recorded without --yes: %+v", cs)
	}

	// A retry is refused at once, pointing to reissue, in the asked language.
	t.Setenv("LANG", "en_US.UTF-8")
	if _, _, err := runFolio(t, "", "order", "retry", rejected, "--store", path); err == nil || !strings.Contains(err.Error(), "folio order reissue") {
		t.Fatalf("retry of a rejected order: %v", err)
	}

	// Not for an order with no rejected document.
	if _, _, err := runFolio(t, "", "order", "reissue", done, "--store", path, "--yes", "--lang", "es"); err == nil || !strings.Contains(err.Error(), "no tiene un documento rechazado") {
		t.Fatalf("reissue of a done order: %v", err)
	}

	out, _, err = runFolio(t, "", "order", "reissue", rejected, "--store", path, "--yes", "--lang", "es")
	if err != nil || !strings.Contains(out, "reemisión pedida") {
		t.Fatalf("reissue --yes: out %q err %v", out, err)
	}
	if cs := controls(t, path, store.CtlReissue); len(cs) != 1 || cs[0].Target != rejected {
		t.Fatalf("reissue controls: %+v", cs)
	}
}
