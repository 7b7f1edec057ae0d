-- Schema 11: the "credit" control issues a nota de crédito (61) for an order
-- cancelled or refunded after its document was issued. SQLite cannot change
-- a CHECK in place: the controls table is rebuilt with the same rows.
CREATE TABLE controls_new (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('pause', 'resume', 'retry', 'skip', 'buyer_override', 'issue_as_boleta', 'retry_filter', 'reissue', 'credit')),
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
