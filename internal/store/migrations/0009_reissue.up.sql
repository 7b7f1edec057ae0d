-- Schema 9: a document the SII rejected has no legal effect, and its order
-- gets a replacement with a new folio (the "reissue" control). The rejected
-- document stays recorded (its folio is spent: UNIQUE (emisor, dte_type,
-- folio) still holds it), so an order may now hold several DTEs, of which
-- at most one is not rejected. SQLite cannot drop a constraint: both tables
-- are rebuilt.
CREATE TABLE documents_new (
    id         INTEGER PRIMARY KEY,
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('dte', 'credit_note')),
    emisor     TEXT    NOT NULL,
    dte_type   INTEGER NOT NULL,
    folio      INTEGER NOT NULL CHECK (folio > 0),
    total      INTEGER NOT NULL,
    fecha      TEXT    NOT NULL,
    track_id   TEXT    NOT NULL DEFAULT '',
    sii_status TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (emisor, dte_type, folio)
);
INSERT INTO documents_new SELECT id, order_id, kind, emisor, dte_type, folio, total, fecha, track_id, sii_status, created_at FROM documents;
DROP TABLE documents;
ALTER TABLE documents_new RENAME TO documents;
CREATE UNIQUE INDEX documents_one_live ON documents (order_id, kind) WHERE sii_status <> 'rejected';
CREATE INDEX documents_order ON documents (order_id, id);

CREATE TABLE controls_new (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('pause', 'resume', 'retry', 'skip', 'buyer_override', 'issue_as_boleta', 'retry_filter', 'reissue')),
    target     TEXT    NOT NULL DEFAULT '',
    args       TEXT    NOT NULL DEFAULT '',
    by         TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
    outcome    TEXT    NOT NULL DEFAULT '',
    applied_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO controls_new SELECT id, at, kind, target, args, by, status, outcome, applied_at FROM controls;
DROP TABLE controls;
ALTER TABLE controls_new RENAME TO controls;
CREATE INDEX controls_pending ON controls (status, id);
