-- Schema 2: the console's filter stays fast at a million orders.
--
-- SQLite's schema 2 is an FTS5 trigram index; here it is pg_trgm's: a GIN
-- trigram index over the searched fields (code, buyer, RUT, folio, a unit
-- separator between them so that no match spans two), holding, as SQLite's,
-- only orders whose detail was read. The store's filter (listTextPG) writes
-- the same expression and repeats the predicate. An expression index cannot
-- drift from the rows, so it needs no triggers.
--
-- pg_trgm is a trusted extension: the database's owner may create it. Its
-- operator class is named through the schema it lives in, which need not
-- be on the search path.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

DO $$
DECLARE trgm_schema text;
BEGIN
    SELECT n.nspname INTO trgm_schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    EXECUTE format($q$CREATE INDEX orders_search ON orders USING gin
        ((code || E'\x1f' || buyer_name || E'\x1f' || buyer_rut || E'\x1f' || folio::text) %I.gin_trgm_ops)
        WHERE (buyer_name <> '' OR buyer_rut <> '')$q$, trgm_schema);
END
$$;

CREATE INDEX orders_code ON orders (code);
CREATE INDEX orders_state_seq ON orders (state, seq);
