package engine

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folio-cl/folio/internal/dte"
	"github.com/folio-cl/folio/internal/invoicer"
	"github.com/folio-cl/folio/internal/store"
)

// siiOnly is an invoicer whose Status answers at a moment the test picks.
type siiOnly struct {
	invoicer.Invoicer
	asked func()
}

func (siiOnly) Capabilities() invoicer.Capabilities { return invoicer.Capabilities{HasSIIStatus: true} }
func (s siiOnly) Status(context.Context, invoicer.Issued) (invoicer.SIIStatus, error) {
	s.asked()
	return invoicer.SIIStatus{State: invoicer.SIIAccepted, Code: "EPR"}, nil
}

// The SII check reads an emission, asks the invoicer, and records the
// verdict; a worker that attached the PDF meanwhile must keep its
// attachment (the check used to write back the whole row it had read).
func TestSIICheckKeepsAnAttachmentWrittenMeanwhile(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var connID int64
	err = st.Write(ctx, func(tx *store.Tx) (err error) {
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertOrders(ctx, []store.OrderUpsert{{ID: "o1", ConnectionID: connID, Code: "C1", PaymentStatus: "completed",
		Status: "confirmed", Total: 1190, Light: "{}", InitialState: store.StateQueued}}); err != nil {
		t.Fatal(err)
	}
	em := store.Emission{OrderID: "o1", DocType: 39, ExtRef: "folio:o1", Document: "{}", Folio: 7, TrackID: "t-1"}
	if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SaveEmission(ctx, em) }); err != nil {
		t.Fatal(err)
	}
	pending, err := st.PendingSII(ctx, time.Now().Add(time.Hour), 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending SII: %v %v", pending, err)
	}
	uploaded := time.UnixMilli(1_800_000_000_000)
	attach := func() { // the worker, while the SII is asked
		cur := em
		cur.MVDocumentID, cur.UploadedAt = "mv-doc-1", uploaded
		if err := st.Write(ctx, func(tx *store.Tx) error { return tx.SaveEmission(ctx, cur) }); err != nil {
			t.Fatal(err)
		}
	}
	e, err := New(Config{Store: st, Invoicer: siiOnly{asked: attach}, Markets: func(store.Connection) (Marketplace, error) { return nil, nil },
		Emisor: dte.Emisor{RUTEmisor: "76086428-5"}})
	if err != nil {
		t.Fatal(err)
	}
	e.checkSII(ctx, pending[0])
	got, err := st.GetEmission(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	if got.MVDocumentID != "mv-doc-1" || !got.UploadedAt.Equal(uploaded) {
		t.Fatalf("the SII check wiped the attachment: %+v", got)
	}
	if got.SIIStatus != string(invoicer.SIIAccepted) || got.SIICheckedAt.IsZero() {
		t.Fatalf("the SII verdict was not recorded: %+v", got)
	}
}

// An order waiting for its credit note gets a reason that follows the
// 6-month window as days pass: the warning comes as the end nears, not only
// as things stood when the order arrived in Errors.
func TestCreditReasonFollowsTheWindow(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "folio.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var connID int64
	if err := st.Write(ctx, func(tx *store.Tx) (err error) {
		connID, err = tx.SaveConnection(ctx, store.Connection{Name: "tienda", Kind: store.KindMultivende})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertOrders(ctx, []store.OrderUpsert{{ID: "o1", ConnectionID: connID, Code: "C1", PaymentStatus: "completed",
		Status: "confirmed", Total: 1190, Light: "{}", InitialState: store.StateQueued}}); err != nil {
		t.Fatal(err)
	}
	doc := `{"Encabezado":{"IdDoc":{"TipoDTE":39,"FchEmis":"2026-05-15"},"Totales":{"MntTotal":1190}},"Detalle":[{"NroLinDet":1,"NmbItem":"Taza","QtyItem":1,"PrcItem":1190}]}`
	now := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	e, err := New(Config{Store: st, Invoicer: siiOnly{}, Markets: func(store.Connection) (Marketplace, error) { return nil, nil },
		Location: time.UTC, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Write(ctx, func(tx *store.Tx) error {
		if err := tx.SaveEmission(ctx, store.Emission{OrderID: "o1", DocType: 39, ExtRef: "folio:o1", Document: doc, Folio: 7}); err != nil {
			return err
		}
		if err := tx.AddDocument(ctx, store.Document{OrderID: "o1", Kind: "dte", Emisor: "76086428-5", DTEType: 39, Folio: 7, Total: 1190, Fecha: "2026-05-15"}); err != nil {
			return err
		}
		o, _ := tx.GetOrder(ctx, "o1")
		return tx.MoveOrder(ctx, "o1", store.Move{From: []store.State{store.StateQueued}, To: store.StateAttention, ReasonCode: ReasonNeedsCredit,
			DocType: 39, Folio: 7, Reason: es(e.creditReason(o, dte.Document{Encabezado: dte.Encabezado{IdDoc: dte.IdDoc{FchEmis: "2026-05-15"}}}))})
	}); err != nil {
		t.Fatal(err)
	}
	reason := func() string {
		o, err := st.GetOrder(ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		return o.Reason
	}
	if r := reason(); !strings.Contains(r, "hasta el 2026-11-15") {
		t.Fatalf("in June: %q", r)
	}
	now = time.Date(2026, 11, 5, 15, 0, 0, 0, time.UTC)
	e.refreshCreditWindows(ctx)
	if r := reason(); !strings.Contains(r, "quedan 10 días") {
		t.Fatalf("ten days before the end: %q", r)
	}
	now = time.Date(2026, 11, 20, 15, 0, 0, 0, time.UTC)
	e.refreshCreditWindows(ctx)
	if r := reason(); !strings.Contains(r, "venció el plazo") {
		t.Fatalf("after the end: %q", r)
	}
}
