// Package storetest puts orders in the states the engine leaves them in,
// for the tests of what shows or acts on them: the console's keys and the
// order commands (reissue, credit) read the same stories, written once
// here. Imported by tests only.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/engine"
	"github.com/folio-cl/folio/internal/store"
)

// Emisor is the RUT the stories' documents are issued by.
const Emisor = "76086428-5"

// SIIReason is why a Rejected order waits in Errors.
const SIIReason = "rechazado por el SII (RCH): (CAF-3-517) El CAF que contiene el folio se encuentra vencido"

// Rejected puts the queued order id in Errors as the engine does after the
// SII rejected its boleta folio 41, attached at Multivende, with an earlier
// 429 on its timeline.
func Rejected(ctx context.Context, tx *store.Tx, id string) error {
	if err := tx.MoveOrder(ctx, id, store.Move{From: []store.State{store.StateQueued}, To: store.StateRetrying, Reason: "Multivende pide esperar",
		ReasonCode: "MV-RATE", Attempts: 1, Event: store.Event{Kind: "error", Message: "Multivende pide esperar — reintento 1/8",
			Data: `{"error":"multivende: create billing document: 429 Too Many Requests"}`}}); err != nil {
		return fmt.Errorf("the 429 before the rejection: %w", err)
	}
	if err := tx.SaveEmission(ctx, store.Emission{OrderID: id, ExtRef: "folio:" + id, DocType: 39, Folio: 41, TrackID: "7",
		SIIStatus: store.DocRejected, MVDocumentID: "mv-doc-1"}); err != nil {
		return err
	}
	if err := tx.AddDocument(ctx, store.Document{OrderID: id, Kind: "dte", Emisor: Emisor, DTEType: 39, Folio: 41, Total: 1000, Fecha: "2026-11-24"}); err != nil {
		return err
	}
	if err := tx.SetDocumentSII(ctx, id, store.DocRejected); err != nil {
		return err
	}
	return tx.MoveOrder(ctx, id, store.Move{From: []store.State{store.StateRetrying}, To: store.StateAttention, Reason: SIIReason,
		ReasonCode: "SII-RCH", DocType: 39, Folio: 41, Event: store.Event{Kind: "sii", Message: SIIReason}})
}

// CreditSale is what a NeedsCredit order sold: 2 tazas at $12.990 (line
// 1) and $3.990 of shipping (line 2), on 2026-11-24.
var CreditSale = dte.Sale{Items: []dte.Item{{Name: "Taza", Qty: 2, UnitGross: 12990}}, Shipping: 3990, Date: "2026-11-24"}

// NeedsCredit puts the queued order id in Errors as the engine does when
// the order was cancelled after its boleta folio 41 (CreditSale) was
// issued and attached: it waits for a credit note.
func NeedsCredit(ctx context.Context, tx *store.Tx, id string) error {
	doc, _, err := dte.Build(CreditSale, dte.Options{})
	if err != nil {
		return fmt.Errorf("the boleta of the credit story: %w", err)
	}
	body, _ := json.Marshal(doc)
	if err := tx.SaveEmission(ctx, store.Emission{OrderID: id, ExtRef: "folio:" + id, DocType: 39, Folio: 41,
		Document: string(body), MVDocumentID: "mv-doc-1"}); err != nil {
		return err
	}
	if err := tx.AddDocument(ctx, store.Document{OrderID: id, Kind: "dte", Emisor: Emisor, DTEType: 39, Folio: 41, Total: 29970, Fecha: "2026-11-24"}); err != nil {
		return err
	}
	reason := "requiere nota de crédito: el pedido se anuló después de emitir el folio 41"
	return tx.MoveOrder(ctx, id, store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, Reason: reason,
		ReasonCode: engine.ReasonNeedsCredit, DocType: 39, Folio: 41, Event: store.Event{Kind: "credit_note", Message: reason, Data: string(body)}})
}

// Open is a fresh SQLite store in t's temporary directory, closed when
// the test ends: the store most tests of other packages begin with.
func Open(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
