-- Schema 4: SQLite rebuilt its FTS5 index here (it could drift from the
-- orders); the pg_trgm expression index of schema 2 cannot drift. What
-- both gain: a text filter of six characters or more also looks for codes
-- starting with it among orders not yet read in detail, through a partial
-- index as small as that backlog. It orders codes byte by byte (COLLATE
-- "C"), as SQLite does, so that a prefix is a range of it whatever the
-- database's collation.
CREATE INDEX orders_code_nodetail ON orders ((code COLLATE "C")) WHERE buyer_name = '' AND buyer_rut = '';
