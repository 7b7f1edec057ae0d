package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The writes below each set only their own step's columns of an emission
// (SaveEmission, the whole row, is for starting a new one). Two writers
// share the row: the worker running the order and the SII check; each
// writes what it learnt, never a copy of what it read earlier.

// Intent is what the engine commits before the folio-consuming call: the
// document built and the invoicer's temporary-document key.
type Intent struct {
	OrderID  string
	ExtRef   string
	DocType  int
	Document string
	Pending  string
}

const qRecordIntent = `INSERT INTO emissions (order_id, doc_type, ext_ref, document, pending, created_at, updated_at)
	VALUES (?,?,?,?,?,?,?)
	ON CONFLICT (order_id) DO UPDATE SET doc_type=excluded.doc_type, ext_ref=excluded.ext_ref, document=excluded.document,
	pending=excluded.pending, uncertain=0, updated_at=excluded.updated_at`

// RecordIntent records (or replaces) the order's intent: the document and
// its temporary key, certain again. A person's overrides and what later
// steps wrote are left alone. ExtRef is unique: another order's reference
// fails.
func (t *Tx) RecordIntent(ctx context.Context, in Intent) error {
	_, err := t.exec(ctx, qRecordIntent, in.OrderID, in.DocType, in.ExtRef, in.Document, in.Pending, t.now, t.now)
	if err != nil {
		return fmt.Errorf("store: intent of %s: %w", in.OrderID, err)
	}
	return nil
}

const qMarkUncertain = `UPDATE emissions SET uncertain=1, updated_at=? WHERE order_id=?`

// MarkUncertain records that the folio-consuming call may have consumed a
// folio without an answer: the next step resolves it before anything else.
func (t *Tx) MarkUncertain(ctx context.Context, orderID string) error {
	return t.emissionUpdate(ctx, orderID, "uncertain", qMarkUncertain, t.now, orderID)
}

const qRecordIssued = `UPDATE emissions SET doc_type=?, folio=?, track_id=?, issued=?, uncertain=0, updated_at=? WHERE order_id=?`

// RecordIssued records the folio the invoicer gave, its track id and reply.
func (t *Tx) RecordIssued(ctx context.Context, orderID string, docType int, folio int64, trackID, issued string) error {
	return t.emissionUpdate(ctx, orderID, "issued folio", qRecordIssued, docType, folio, trackID, issued, t.now, orderID)
}

const qRecordAttached = `UPDATE emissions SET mv_document_id=?, pdf_size=?, updated_at=? WHERE order_id=?`

// RecordAttached records the document created on the order in Multivende.
func (t *Tx) RecordAttached(ctx context.Context, orderID, mvDocumentID string, pdfSize int) error {
	return t.emissionUpdate(ctx, orderID, "attachment", qRecordAttached, mvDocumentID, pdfSize, t.now, orderID)
}

const qRecordUploaded = `UPDATE emissions SET uploaded_at=?, updated_at=? WHERE order_id=?`

// RecordUploaded records when the PDF was seen on the order after upload.
func (t *Tx) RecordUploaded(ctx context.Context, orderID string, at time.Time) error {
	return t.emissionUpdate(ctx, orderID, "upload", qRecordUploaded, ms(at), t.now, orderID)
}

const qSetLastError = `UPDATE emissions SET last_error_code=?, last_error_text=?, updated_at=? WHERE order_id=?`

// SetLastError records the emission's latest failure.
func (t *Tx) SetLastError(ctx context.Context, orderID, code, text string) error {
	return t.emissionUpdate(ctx, orderID, "last error", qSetLastError, code, text, t.now, orderID)
}

const qReviseIntent = `UPDATE emissions SET overrides=?, document=?, pending=?, uncertain=?, updated_at=? WHERE order_id=?`

// ReviseIntent rewrites the intent's columns at a person's request, before
// any folio: a correction (overrides, the document to build again) or a
// verified "not issued" (the temporary document left behind).
func (t *Tx) ReviseIntent(ctx context.Context, orderID, overrides, document, pending string, uncertain bool) error {
	return t.emissionUpdate(ctx, orderID, "intent", qReviseIntent, overrides, document, pending, uncertain, t.now, orderID)
}

// emissionUpdate runs one targeted UPDATE of an order's emission: ErrNotFound
// when the order has none.
func (t *Tx) emissionUpdate(ctx context.Context, orderID, what, q string, args ...any) error {
	r, err := t.exec(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: %s of %s: %w", what, orderID, err)
	}
	return oneEmission(r, orderID, what)
}

func oneEmission(r sql.Result, orderID, what string) error {
	if n, err := r.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("store: %s of %s: emission: %w", what, orderID, ErrNotFound)
	}
	return nil
}
