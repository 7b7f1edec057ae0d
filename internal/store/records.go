package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/folio-cl/folio/internal/i18n"
)

// Event is one line of an order's timeline.
type Event struct {
	ID      int64
	OrderID string
	At      time.Time
	Kind    string // e.g. "seen", "built", "issued", "error", "control"
	Message string // plain words (Spanish)
	Data    string // optional JSON
	// MsgID and MsgArgs, when set, name Message in the i18n catalog with
	// its arguments, for showing it in another language.
	MsgID   string
	MsgArgs []string
	// MsgJSON is the message column as stored (i18n.Message's JSON, whose
	// arguments may nest); when set on append it is written instead of
	// MsgID and MsgArgs.
	MsgJSON string
}

// eventMsg is the msg column's JSON.
type eventMsg struct {
	ID   string   `json:"id"`
	Args []string `json:"args,omitempty"`
}

const qAppendEvent = `INSERT INTO events (order_id, at, kind, message, data, msg) VALUES (?,?,?,?,?,?)`

// AppendEvent adds an event to an order's timeline.
func (t *Tx) AppendEvent(ctx context.Context, orderID string, e Event) error {
	at, msg := t.eventValues(e)
	if _, err := t.exec(ctx, qAppendEvent, orderID, at, e.Kind, e.Message, e.Data, msg); err != nil {
		return fmt.Errorf("store: event for %s: %w", orderID, err)
	}
	return nil
}

// eventValues are e's time (the transaction's when unset) and msg column.
func (t *Tx) eventValues(e Event) (at int64, msg string) {
	at = ms(e.At)
	if at == 0 {
		at = t.now
	}
	msg = e.MsgJSON
	if msg == "" && e.MsgID != "" {
		b, _ := json.Marshal(eventMsg{ID: e.MsgID, Args: e.MsgArgs})
		msg = string(b)
	}
	return at, msg
}

// Events returns an order's timeline, oldest first.
func (s *Store) Events(ctx context.Context, orderID string) ([]Event, error) {
	return events(ctx, s.r, orderID)
}

// querier is what reads need: the read pool or a read transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// qEvents is an order's timeline: the first line kept in its row (id 0,
// "seen", from schema 19), then its event rows.
const qEvents = `SELECT 0, id, created_at, 'seen', '', '', seen_msg FROM orders WHERE id = ? AND seen_msg <> ''
	UNION ALL SELECT id, order_id, at, kind, message, data, msg FROM events WHERE order_id = ?
	ORDER BY 1`

func events(ctx context.Context, db querier, orderID string) ([]Event, error) {
	rows, err := db.QueryContext(ctx, qEvents, orderID, orderID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at int64
		var msg string
		if err := rows.Scan(&e.ID, &e.OrderID, &at, &e.Kind, &e.Message, &e.Data, &msg); err != nil {
			return nil, classify(err)
		}
		if msg != "" {
			e.MsgJSON = msg
			var m eventMsg
			if json.Unmarshal([]byte(msg), &m) == nil {
				e.MsgID, e.MsgArgs = m.ID, m.Args
			} else {
				// Nested arguments: the id alone; MsgJSON has the rest.
				var id struct{ ID string }
				_ = json.Unmarshal([]byte(msg), &id)
				e.MsgID = id.ID
			}
		}
		if e.ID == 0 && e.Message == "" {
			// The row keeps the catalog message alone; the store's words
			// are es-CL, as an event row's.
			if m, ok := i18n.ParseMessage(msg); ok {
				e.Message = m.Plain(i18n.ES)
			}
		}
		e.At = fromMS(at)
		out = append(out, e)
	}
	return out, classify(rows.Err())
}

// Emission is an order's exactly-once intent and what became of it.
type Emission struct {
	OrderID       string
	DocType       int
	ExtRef        string
	Document      string // the DTE folio built (the invoicer adapter sends its own payload from it)
	Overrides     string // JSON: buyer data override, forced type
	Pending       string // the invoicer's temporary-document key (JSON)
	Issued        string // the invoicer's reply (JSON)
	Folio         int64
	TrackID       string
	PDFSize       int
	PDFSHA256     string // hex SHA-256 of the PDF sent to Multivende
	MVDocumentID  string
	UploadedAt    time.Time
	SIIStatus     string
	SIIDetail     string
	SIICheckedAt  time.Time
	Uncertain     bool
	LastErrorCode string
	LastErrorText string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const emissionCols = `order_id, doc_type, ext_ref, document, overrides, pending, issued, folio, track_id, pdf_size,
	pdf_sha256, mv_document_id, uploaded_at, sii_status, sii_detail, sii_checked_at, uncertain, last_error_code, last_error_text,
	created_at, updated_at`

func scanEmission(sc scanner) (Emission, error) {
	var e Emission
	var up, chk, cr, upd int64
	err := sc.Scan(&e.OrderID, &e.DocType, &e.ExtRef, &e.Document, &e.Overrides, &e.Pending, &e.Issued, &e.Folio,
		&e.TrackID, &e.PDFSize, &e.PDFSHA256, &e.MVDocumentID, &up, &e.SIIStatus, &e.SIIDetail, &chk, &e.Uncertain,
		&e.LastErrorCode, &e.LastErrorText, &cr, &upd)
	e.UploadedAt, e.SIICheckedAt, e.CreatedAt, e.UpdatedAt = fromMS(up), fromMS(chk), fromMS(cr), fromMS(upd)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("emission: %w", ErrNotFound)
	}
	return e, classify(err)
}

const qSaveEmission = `INSERT INTO emissions (` + emissionCols + `) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (order_id) DO UPDATE SET doc_type=excluded.doc_type, ext_ref=excluded.ext_ref, document=excluded.document,
		overrides=excluded.overrides, pending=excluded.pending, issued=excluded.issued, folio=excluded.folio,
		track_id=excluded.track_id, pdf_size=excluded.pdf_size, pdf_sha256=excluded.pdf_sha256, mv_document_id=excluded.mv_document_id,
		uploaded_at=excluded.uploaded_at, sii_status=excluded.sii_status, sii_detail=excluded.sii_detail,
		sii_checked_at=excluded.sii_checked_at, uncertain=excluded.uncertain, last_error_code=excluded.last_error_code,
		last_error_text=excluded.last_error_text, updated_at=excluded.updated_at`

// SaveEmission writes an order's emission row whole (insert or replace of
// every field but created_at): for starting a new emission (a reissue, a
// credit note) in the transaction that decided it. The steps after it
// write their own columns (emissions.go), never a copy of the row. ExtRef
// is unique: a second intent for the same reference fails.
func (t *Tx) SaveEmission(ctx context.Context, e Emission) error {
	_, err := t.exec(ctx, qSaveEmission,
		e.OrderID, e.DocType, e.ExtRef, e.Document, e.Overrides, e.Pending, e.Issued, e.Folio, e.TrackID, e.PDFSize,
		e.PDFSHA256, e.MVDocumentID, ms(e.UploadedAt), e.SIIStatus, e.SIIDetail, ms(e.SIICheckedAt), e.Uncertain,
		e.LastErrorCode, e.LastErrorText, t.now, t.now)
	if err != nil {
		return fmt.Errorf("store: emission of %s: %w", e.OrderID, err)
	}
	return nil
}

const qSetSII = `UPDATE emissions SET sii_status=?, sii_detail=?, sii_checked_at=?, updated_at=? WHERE order_id=?`

// SetSII records the SII's verdict on an order's document (or only when it
// was asked, with an empty status after a failed check), touching no other
// column: a worker may be writing the attachment at the same time.
func (t *Tx) SetSII(ctx context.Context, orderID, status, detail string, checkedAt time.Time) error {
	r, err := t.exec(ctx, qSetSII, status, detail, ms(checkedAt), t.now, orderID)
	if err != nil {
		return fmt.Errorf("store: SII status of %s: %w", orderID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("store: SII status of %s: %w", orderID, ErrNotFound)
	}
	return nil
}

const qGetEmission = `SELECT ` + emissionCols + ` FROM emissions WHERE order_id=?`

// GetEmission reads an order's emission inside the transaction.
func (t *Tx) GetEmission(ctx context.Context, orderID string) (Emission, error) {
	return scanEmission(t.queryRow(ctx, qGetEmission, orderID))
}

// GetEmission reads an order's emission (ErrNotFound if none yet).
func (s *Store) GetEmission(ctx context.Context, orderID string) (Emission, error) {
	return scanEmission(s.reads.QueryRowContext(ctx, `SELECT `+emissionCols+` FROM emissions WHERE order_id=?`, orderID))
}

// Document is an issued DTE (or credit note) and the order it belongs to.
type Document struct {
	ID        int64
	OrderID   string
	Kind      string // "dte" or "credit_note"
	Emisor    string
	DTEType   int
	Folio     int64
	Total     int64
	Fecha     string
	TrackID   string
	SIIStatus string
	CreatedAt time.Time
}

// ErrFolioTaken means a folio is already recorded for another order.
var ErrFolioTaken = errors.New("folio already belongs to another order")

const qAddDocument = `INSERT INTO documents (order_id, kind, emisor, dte_type, folio, total, fecha, track_id, sii_status, created_at)
		VALUES (?,?,?,?,?,?,?,?,?,?)`

// AddDocument records an issued document. One folio (emisor, type, folio)
// belongs to one order only: a second claim fails with ErrFolioTaken.
func (t *Tx) AddDocument(ctx context.Context, d Document) error {
	_, err := t.exec(ctx, qAddDocument, d.OrderID, d.Kind, d.Emisor, d.DTEType, d.Folio, d.Total, d.Fecha, d.TrackID, d.SIIStatus, t.now)
	if err != nil {
		if isConstraint(err) {
			return fmt.Errorf("store: document %d/%d for order %s: %w (%v)", d.DTEType, d.Folio, d.OrderID, ErrFolioTaken, err)
		}
		return fmt.Errorf("store: document for order %s: %w", d.OrderID, err)
	}
	return nil
}

// ClaimedFolios lists the folios of type dteType already recorded, so that
// resolving an uncertain issue never adopts another order's document.
func (s *Store) ClaimedFolios(ctx context.Context, emisor string, dteType int) (map[int64]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT folio, order_id FROM documents WHERE emisor=? AND dte_type=?`, emisor, dteType)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var f int64
		var id string
		if err := rows.Scan(&f, &id); err != nil {
			return nil, classify(err)
		}
		out[f] = id
	}
	return out, classify(rows.Err())
}

// FolioOwner returns the order holding folio of type dteType from emisor,
// if any: a point lookup on the UNIQUE index, for checking one folio
// without loading every claimed one.
func (s *Store) FolioOwner(ctx context.Context, emisor string, dteType int, folio int64) (string, bool, error) {
	var id string
	err := s.r.QueryRowContext(ctx, `SELECT order_id FROM documents WHERE emisor=? AND dte_type=? AND folio=?`,
		emisor, dteType, folio).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, classify(err)
	}
	return id, true, nil
}

// DocRejected is a document's sii_status once the SII rejected it: final,
// and it frees the order for a replacement (schema 9).
const DocRejected = "rejected"

// SetDocumentSII records the SII's verdict on an order's live DTE: a
// rejected one keeps its verdict once its replacement is issued.
func (t *Tx) SetDocumentSII(ctx context.Context, orderID, status string) error {
	return t.SetKindSII(ctx, orderID, "dte", status)
}

// SetKindSII records the SII's verdict on an order's live document of a
// kind ("dte" or "credit_note").
func (t *Tx) SetKindSII(ctx context.Context, orderID, kind, status string) error {
	_, err := t.exec(ctx, `UPDATE documents SET sii_status=? WHERE order_id=? AND kind=? AND sii_status <> 'rejected'`, status, orderID, kind)
	return err
}

// Documents lists an order's documents, inside a transaction.
func (t *Tx) Documents(ctx context.Context, orderID string) ([]Document, error) {
	return documents(ctx, t.tx, orderID)
}

// RejectedDocuments lists an order's DTEs the SII rejected, oldest first.
func (t *Tx) RejectedDocuments(ctx context.Context, orderID string) ([]Document, error) {
	all, err := documents(ctx, t.tx, orderID)
	var out []Document
	for _, d := range all {
		if d.Kind == "dte" && d.SIIStatus == DocRejected {
			out = append(out, d)
		}
	}
	return out, err
}

// Documents lists an order's documents.
func (s *Store) Documents(ctx context.Context, orderID string) ([]Document, error) {
	return documents(ctx, &s.reads, orderID)
}

func documents(ctx context.Context, db querier, orderID string) ([]Document, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, order_id, kind, emisor, dte_type, folio, total, fecha, track_id, sii_status, created_at
		FROM documents WHERE order_id=? ORDER BY id`, orderID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []Document
	for rows.Next() {
		var d Document
		var cr int64
		if err := rows.Scan(&d.ID, &d.OrderID, &d.Kind, &d.Emisor, &d.DTEType, &d.Folio, &d.Total, &d.Fecha, &d.TrackID, &d.SIIStatus, &cr); err != nil {
			return nil, classify(err)
		}
		d.CreatedAt = fromMS(cr)
		out = append(out, d)
	}
	return out, classify(rows.Err())
}

// PendingSII lists emissions whose document's SII verdict is not final
// and was last checked before olderThan.
func (s *Store) PendingSII(ctx context.Context, olderThan time.Time, limit int) ([]Emission, error) {
	return s.PendingSIIOf(ctx, olderThan, limit, nil)
}
