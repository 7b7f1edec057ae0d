-- Schema 19: the checkout detail's JSON (a few KB) in a table of its own,
-- written when the detail is read. In the orders row it was rewritten,
-- with its overflow pages, by every change of the order's state: about a
-- sixth of the pages each pipeline step commits (BenchmarkPipeline).
CREATE TABLE order_raw (
    seq INTEGER PRIMARY KEY REFERENCES orders (seq),
    raw TEXT    NOT NULL
);
INSERT INTO order_raw (seq, raw) SELECT seq, raw FROM orders WHERE raw <> '';
ALTER TABLE orders DROP COLUMN raw;
