-- Schema 9: an order may hold several DTEs (a rejected one and its
-- replacement), of which at most one is not rejected; the "reissue"
-- control. PostgreSQL changes constraints in place where SQLite rebuilt
-- the tables.
ALTER TABLE documents DROP CONSTRAINT documents_order_kind;
CREATE UNIQUE INDEX documents_one_live ON documents (order_id, kind) WHERE sii_status <> 'rejected';
CREATE INDEX documents_order ON documents (order_id, id);

ALTER TABLE controls DROP CONSTRAINT controls_kind;
ALTER TABLE controls ADD CONSTRAINT controls_kind
    CHECK (kind IN ('pause', 'resume', 'retry', 'skip', 'buyer_override', 'issue_as_boleta', 'retry_filter', 'reissue'));
