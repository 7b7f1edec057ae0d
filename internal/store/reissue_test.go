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

// Schema 9 rebuilds documents and controls: their rows survive it.
func TestSchema9KeepsDocumentsAndControls(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, reopen := oldStore(t, false, 8)
	_, err := db.Exec(`INSERT INTO connections (name, kind, created_at, updated_at) VALUES ('c','multivende',1,1);
		INSERT INTO orders (id, connection_id, code, state, state_since, updated_at) VALUES ('o1',1,'FAL-1','attention',1,1);
		INSERT INTO documents (order_id, kind, emisor, dte_type, folio, total, fecha, sii_status, created_at) VALUES ('o1','dte','76086428-5',39,41,1000,'2026-11-24','rejected',1);
		INSERT INTO controls (at, kind, target) VALUES (1, 'retry', 'o1')`)
	if err != nil {
		t.Fatal(err)
	}
	st2, err := reopen()
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	docs, err := st2.Documents(ctx, "o1")
	if err != nil || len(docs) != 1 || docs[0].Folio != 41 || docs[0].SIIStatus != DocRejected {
		t.Fatalf("documents after schema 9: %+v %v", docs, err)
	}
	cs, err := st2.PendingControls(ctx, 10)
	if err != nil || len(cs) != 1 || cs[0].Kind != CtlRetry {
		t.Fatalf("controls after schema 9: %+v %v", cs, err)
	}
	if _, err := st2.AddControl(ctx, Control{Kind: CtlReissue, Target: "o1"}); err != nil {
		t.Fatalf("a reissue control: %v", err)
	}
}
