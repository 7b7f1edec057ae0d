-- Schema 4: SQLite rebuilt its FTS5 index here (it could drift from the
-- orders); the pg_trgm expression index of schema 2 cannot drift. What
-- both gain: a text filter of six characters or more also looks for codes
-- starting with it among orders not yet read in detail, through a partial
-- index as small as that backlog.
CREATE INDEX orders_code_nodetail ON orders (code) WHERE buyer_name = '' AND buyer_rut = '';
