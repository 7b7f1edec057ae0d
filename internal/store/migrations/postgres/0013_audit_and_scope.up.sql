-- Schema 13: who acted (user, key fingerprint, the connection a control
-- touches), for folio audit; an index for a console scoped to some
-- connections. "user" is quoted: a reserved word in PostgreSQL.
ALTER TABLE controls ADD COLUMN "user"      TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN connection  TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_connection_state ON orders (connection_id, state, seq);
