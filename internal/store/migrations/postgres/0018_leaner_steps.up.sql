-- Schema 18: the checkout detail's JSON in a table of its own, written
-- when the detail is read, not with every change of the order (see the
-- SQLite migration of the same number).
CREATE TABLE order_raw (
    seq BIGINT PRIMARY KEY REFERENCES orders (seq),
    raw TEXT   NOT NULL
);
INSERT INTO order_raw (seq, raw) SELECT seq, raw FROM orders WHERE raw <> '';
ALTER TABLE orders DROP COLUMN raw;

-- The search index without the folio, as SQLite's (a number finds its
-- folio exactly through orders_folio). The expression is the store's
-- pgSearch, word for word.
DROP INDEX orders_search;
DO $$
DECLARE trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    EXECUTE format($q$CREATE INDEX orders_search ON orders USING gin
        ((code || E'\x1f' || buyer_name || E'\x1f' || buyer_rut) %I.gin_trgm_ops)
        WHERE (buyer_name <> '' OR buyer_rut <> '')$q$, trgm_schema);
END
$$;
