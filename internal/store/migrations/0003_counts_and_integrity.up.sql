-- Schema 3: cheap counts for the status bar, indexes that the planner can
-- really use, the PDF's checksum, and an append-only timeline.

-- Orders per state, kept by triggers so the console's counts cost nine
-- rows instead of a scan of a million.
CREATE TABLE order_counts (
    state TEXT    PRIMARY KEY CHECK (state IN ('waiting', 'queued', 'building', 'issuing', 'issued', 'attaching', 'done', 'retrying', 'attention')),
    n     INTEGER NOT NULL CHECK (n >= 0)
) WITHOUT ROWID;

INSERT INTO order_counts (state, n)
    SELECT s.state, (SELECT count(*) FROM orders o WHERE o.state = s.state)
    FROM (SELECT 'waiting' AS state UNION ALL SELECT 'queued' UNION ALL SELECT 'building' UNION ALL SELECT 'issuing'
          UNION ALL SELECT 'issued' UNION ALL SELECT 'attaching' UNION ALL SELECT 'done' UNION ALL SELECT 'retrying'
          UNION ALL SELECT 'attention') s;

CREATE TRIGGER order_counts_ai AFTER INSERT ON orders BEGIN
    UPDATE order_counts SET n = n + 1 WHERE state = new.state;
END;

CREATE TRIGGER order_counts_ad AFTER DELETE ON orders BEGIN
    UPDATE order_counts SET n = n - 1 WHERE state = old.state;
END;

CREATE TRIGGER order_counts_au AFTER UPDATE OF state ON orders WHEN old.state <> new.state BEGIN
    UPDATE order_counts SET n = n - 1 WHERE state = old.state;
    UPDATE order_counts SET n = n + 1 WHERE state = new.state;
END;

-- When an order was first seen (orders per minute for an attached console).
ALTER TABLE orders ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;

-- Orders whose detail is older than their last remote change: a partial
-- index stays as small as the backlog, where the old one made every call
-- walk all of a connection's orders.
DROP INDEX orders_detail;
CREATE INDEX orders_stale_detail ON orders (connection_id, seq) WHERE detail_at < remote_updated_at;

-- Exact folio lookups (short filters, support questions "whose is folio 42?").
CREATE INDEX orders_folio ON orders (folio) WHERE folio > 0;

-- The partial index of schema 1 could not serve `order_id = ?` (SQLite
-- cannot prove a bound value is not ''), so the per-order view scanned the
-- whole log.
DROP INDEX http_log_order;
CREATE INDEX http_log_order ON http_log (order_id, id);

ALTER TABLE emissions ADD COLUMN pdf_sha256 TEXT NOT NULL DEFAULT '';

-- The timeline is a record of what happened: never rewritten.
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
