-- Schema 13: who acted. A control written from a session with a known
-- person (folio serve over SSH, or the local console) carries the user's
-- name, the key fingerprint and the connection the control touches, for
-- folio audit. Orders get an index for a console scoped to some
-- connections (a support agent for one merchant).
ALTER TABLE controls ADD COLUMN "user"      TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN fingerprint TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN connection  TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_connection_state ON orders (connection_id, state, seq);
