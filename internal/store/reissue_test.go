package store

import (
	"context"
	"testing"
)

// An order holds one live DTE; one the SII rejected frees the slot for its
// replacement, keeps its folio spent, and keeps its verdict when the
// replacement's is recorded.
func TestRejectedDocumentMakesRoomForItsReplacement(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	id := b.order(0, "").ID
	add := func(order string, folio int64) error {
		return b.st.Write(ctx, func(tx *Tx) error {
			return tx.AddDocument(ctx, Document{OrderID: order, Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: folio, Total: 100, Fecha: "2026-11-24"})
		})
	}
	sii := func(status string) {
		t.Helper()
		if err := b.st.Write(ctx, func(tx *Tx) error { return tx.SetDocumentSII(ctx, id, status) }); err != nil {
			t.Fatal(err)
		}
	}
	if err := add(id, 7); err != nil {
		t.Fatal(err)
	}
	if err := add(id, 8); err == nil {
		t.Fatal("a second live DTE for one order was recorded")
	}
	sii(DocRejected)
	if err := add(b.order(1, "").ID, 7); err == nil {
		t.Fatal("a rejected folio was claimed again by another order")
	}
	if err := add(id, 8); err != nil {
		t.Fatalf("the replacement of a rejected document: %v", err)
	}
	sii("accepted")
	docs, _ := b.st.Documents(ctx, id)
	if len(docs) != 2 || docs[0].SIIStatus != DocRejected || docs[1].SIIStatus != "accepted" {
		t.Fatalf("documents = %+v", docs)
	}
	var rej []Document
	_ = b.st.Write(ctx, func(tx *Tx) error {
		var err error
		rej, err = tx.RejectedDocuments(ctx, id)
		return err
	})
	if len(rej) != 1 || rej[0].Folio != 7 {
		t.Fatalf("rejected = %+v", rej)
	}
}
