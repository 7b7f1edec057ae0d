package store

import (
	"context"
	"errors"
	"testing"
	"time"
)

// The named transitions set what they name and leave the rest of the row
// as it is, whatever the caller knows of it.
func TestNamedTransitionsLeaveTheRestAlone(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 1, StateQueued)
	id := b.order(0, "").ID
	next := time.UnixMilli(1_900_000_000_000)
	steps := []struct {
		name      string
		m         Move
		state     State
		attempts  int
		docType   int
		folio     int64
		reasonSet bool
	}{
		{"retry sets its count", Retry(StateQueued, 3, next, "MV-5XX", "caído", Event{}), StateRetrying, 3, 0, 0, true},
		{"work keeps the count", Work(StateRetrying, Event{}), StateBuilding, 3, 0, 0, false},
		{"naming sets the document", Work(StateWorking, Event{}).Naming(39, 7), StateBuilding, 3, 39, 7, false},
		{"attention keeps both", NeedsAttention(StateWorking, "SII-RCH", "rechazado", Event{}), StateAttention, 3, 39, 7, true},
		{"requeue starts the count over", Requeue(StateAttention, Event{}), StateQueued, 0, 39, 7, false},
		{"attention with a count", NeedsAttention(StateQueued, "X", "x", Event{}).WithAttempts(5), StateAttention, 5, 39, 7, true},
		{"finish keeps both", Finish(StateAttention, OutcomeSkipped, "omitido", Event{Kind: "skipped", Message: "m"}), StateDone, 5, 39, 7, true},
	}
	for _, s := range steps {
		if err := b.st.Write(ctx, func(tx *Tx) error { return tx.MoveOrder(ctx, id, s.m) }); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		o, err := b.st.GetOrder(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.State != s.state || o.Attempts != s.attempts || o.DocType != s.docType || o.Folio != s.folio || (o.Reason != "") != s.reasonSet {
			t.Errorf("%s: %s attempts %d doc %d/%d reason %q", s.name, o.State, o.Attempts, o.DocType, o.Folio, o.Reason)
		}
	}
	// Guarded like any move: the order is done, not queued.
	err := b.st.Write(ctx, func(tx *Tx) error { return tx.MoveOrder(ctx, id, Work(StateQueued, Event{})) })
	if !errors.Is(err, ErrStateChanged) {
		t.Fatalf("a move from a state the order left: %v", err)
	}
}

// Each emission write sets its own columns only: the SII's verdict, a
// person's overrides and the later steps' columns survive the others.
func TestEmissionWritesSetOnlyTheirColumns(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	b.insert(t, 2, StateQueued)
	id := b.order(0, "").ID
	write := func(fn func(*Tx) error) {
		t.Helper()
		if err := b.st.Write(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	write(func(tx *Tx) error {
		return tx.SaveEmission(ctx, Emission{OrderID: id, ExtRef: "folio:" + id, Overrides: `{"type":"boleta"}`})
	})
	write(func(tx *Tx) error {
		return tx.RecordIntent(ctx, Intent{OrderID: id, ExtRef: "folio:" + id, DocType: 39, Document: `{"d":1}`, Pending: `{"p":1}`})
	})
	write(func(tx *Tx) error { return tx.MarkUncertain(ctx, id) })
	checked := time.UnixMilli(1_800_000_000_000)
	write(func(tx *Tx) error { return tx.SetSII(ctx, id, "accepted", "EPR", checked) })
	write(func(tx *Tx) error { return tx.RecordIssued(ctx, id, 39, 7, "t-7", `{"folio":7}`) })
	write(func(tx *Tx) error { return tx.RecordAttached(ctx, id, "mv-1", 1234) })
	up := time.UnixMilli(1_800_000_100_000)
	write(func(tx *Tx) error { return tx.RecordUploaded(ctx, id, up) })
	write(func(tx *Tx) error { return tx.SetLastError(ctx, id, "MV-5XX", "caído") })
	em, err := b.st.GetEmission(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := Emission{OrderID: id, DocType: 39, ExtRef: "folio:" + id, Document: `{"d":1}`, Overrides: `{"type":"boleta"}`, Pending: `{"p":1}`,
		Issued: `{"folio":7}`, Folio: 7, TrackID: "t-7", PDFSize: 1234, MVDocumentID: "mv-1", UploadedAt: up, SIIStatus: "accepted",
		SIIDetail: "EPR", SIICheckedAt: checked, LastErrorCode: "MV-5XX", LastErrorText: "caído"}
	em.CreatedAt, em.UpdatedAt = time.Time{}, time.Time{}
	if em != want {
		t.Fatalf("emission after every step:\n got %+v\nwant %+v", em, want)
	}
	// A person's correction rewrites the intent's columns, no others.
	write(func(tx *Tx) error { return tx.ReviseIntent(ctx, id, `{"type":"factura"}`, "", "", false) })
	if em, _ = b.st.GetEmission(ctx, id); em.Overrides != `{"type":"factura"}` || em.Document != "" || em.Pending != "" ||
		em.SIIStatus != "accepted" || em.MVDocumentID != "mv-1" {
		t.Fatalf("after a correction: %+v", em)
	}
	// An order without an emission: each targeted write says so.
	other := b.order(1, "").ID
	for name, fn := range map[string]func(*Tx) error{
		"uncertain": func(tx *Tx) error { return tx.MarkUncertain(ctx, other) },
		"issued":    func(tx *Tx) error { return tx.RecordIssued(ctx, other, 39, 8, "", "") },
		"attached":  func(tx *Tx) error { return tx.RecordAttached(ctx, other, "mv-2", 1) },
		"uploaded":  func(tx *Tx) error { return tx.RecordUploaded(ctx, other, up) },
		"error":     func(tx *Tx) error { return tx.SetLastError(ctx, other, "X", "x") },
		"revise":    func(tx *Tx) error { return tx.ReviseIntent(ctx, other, "", "", "", false) },
	} {
		if err := b.st.Write(ctx, fn); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s on an order without an emission: %v", name, err)
		}
	}
}
