package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio-cl/folio/internal/store"
)

// rejectStore makes a store whose first order is in Errors because the SII
// rejected its folio 41, and whose second is done.
func rejectStore(t *testing.T) (path, rejected, done string) {
	t.Helper()
	ctx := context.Background()
	path = ordersStore(t, 2)
	st, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.ListOrders(ctx, store.OrderQuery{Limit: 2})
	if err != nil || len(rows) != 2 {
		t.Fatalf("orders: %v %v", rows, err)
	}
	rejected, done = rows[0].ID, rows[1].ID
	err = st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveEmission(ctx, store.Emission{OrderID: rejected, ExtRef: "folio:" + rejected, DocType: 39, Folio: 41,
			TrackID: "7", SIIStatus: store.DocRejected, MVDocumentID: "mv-doc-1"}); err != nil {
			return err
		}
		if err := tx.AddDocument(ctx, store.Document{OrderID: rejected, Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: 41, Total: 1000, Fecha: "2026-11-24"}); err != nil {
			return err
		}
		if err := tx.SetDocumentSII(ctx, rejected, store.DocRejected); err != nil {
			return err
		}
		if err := tx.MoveOrder(ctx, rejected, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention,
			ReasonCode: "SII-RCH", Reason: "rechazado por el SII (RCH): (CAF-3-517) El CAF que contiene el folio se encuentra vencido", DocType: 39, Folio: 41}); err != nil {
			return err
		}
		return tx.MoveOrder(ctx, done, store.Move{From: []store.State{store.StateQueued}, To: store.StateDone, Outcome: store.OutcomeSkipped})
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, rejected, done
}

func pendingReissues(t *testing.T, path string) []store.Control {
	t.Helper()
	st, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cs, _ := st.PendingControls(context.Background(), 10)
	var out []store.Control
	for _, c := range cs {
		if c.Kind == store.CtlReissue {
			out = append(out, c)
		}
	}
	return out
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
	if cs := pendingReissues(t, path); len(cs) != 0 {
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
	if cs := pendingReissues(t, path); len(cs) != 1 || cs[0].Target != rejected {
		t.Fatalf("reissue controls: %+v", cs)
	}
}
