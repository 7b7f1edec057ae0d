-- Schema 19: the checkout detail's JSON in a table of its own, written
-- when the detail is read, not with every change of the order (see the
-- SQLite migration of the same number).
CREATE TABLE order_raw (
    seq BIGINT PRIMARY KEY REFERENCES orders (seq),
    raw TEXT   NOT NULL
);
INSERT INTO order_raw (seq, raw) SELECT seq, raw FROM orders WHERE raw <> '';
ALTER TABLE orders DROP COLUMN raw;
