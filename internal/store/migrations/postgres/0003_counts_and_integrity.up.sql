-- Schema 3: cheap counts for the status bar, the PDF's checksum, and an
-- append-only timeline (SQLite's 0003, in PostgreSQL's triggers).

-- Orders per state, kept by triggers so the console's counts cost nine
-- rows instead of a scan of a million.
CREATE TABLE order_counts (
    state TEXT   PRIMARY KEY CHECK (state IN ('waiting', 'queued', 'building', 'issuing', 'issued', 'attaching', 'done', 'retrying', 'attention')),
    n     BIGINT NOT NULL CHECK (n >= 0)
);

INSERT INTO order_counts (state, n)
    SELECT s.state, (SELECT count(*) FROM orders o WHERE o.state = s.state)
    FROM (VALUES ('waiting'), ('queued'), ('building'), ('issuing'), ('issued'), ('attaching'), ('done'),
          ('retrying'), ('attention')) AS s (state);

CREATE FUNCTION order_counts_ai() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE order_counts SET n = n + 1 WHERE state = NEW.state;
    RETURN NULL;
END $$;
CREATE TRIGGER order_counts_ai AFTER INSERT ON orders FOR EACH ROW EXECUTE FUNCTION order_counts_ai();

CREATE FUNCTION order_counts_ad() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE order_counts SET n = n - 1 WHERE state = OLD.state;
    RETURN NULL;
END $$;
CREATE TRIGGER order_counts_ad AFTER DELETE ON orders FOR EACH ROW EXECUTE FUNCTION order_counts_ad();

CREATE FUNCTION order_counts_au() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE order_counts SET n = n - 1 WHERE state = OLD.state;
    UPDATE order_counts SET n = n + 1 WHERE state = NEW.state;
    RETURN NULL;
END $$;
CREATE TRIGGER order_counts_au AFTER UPDATE OF state ON orders FOR EACH ROW
    WHEN (OLD.state <> NEW.state) EXECUTE FUNCTION order_counts_au();

-- When an order was first seen (orders per minute for an attached console).
ALTER TABLE orders ADD COLUMN created_at BIGINT NOT NULL DEFAULT 0;

-- Orders whose detail is older than their last remote change.
DROP INDEX orders_detail;
CREATE INDEX orders_stale_detail ON orders (connection_id, seq) WHERE detail_at < remote_updated_at;

-- Exact folio lookups (short filters, support questions "whose is folio 42?").
CREATE INDEX orders_folio ON orders (folio) WHERE folio > 0;

DROP INDEX http_log_order;
CREATE INDEX http_log_order ON http_log (order_id, id);

ALTER TABLE emissions ADD COLUMN pdf_sha256 TEXT NOT NULL DEFAULT '';

-- The timeline is a record of what happened: never rewritten.
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END $$;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_delete BEFORE DELETE ON events FOR EACH ROW EXECUTE FUNCTION events_append_only();
