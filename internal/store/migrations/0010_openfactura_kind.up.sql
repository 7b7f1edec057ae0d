-- Schema 10: a connection may be an OpenFactura account. SQLite cannot
-- change a CHECK in place, so the table is rebuilt with the same columns
-- and ids; orders keep pointing at them (the foreign keys are checked at
-- commit, once the rows are back).
PRAGMA defer_foreign_keys = ON;

CREATE TEMP TABLE connections_v8 AS SELECT * FROM connections;

DROP TABLE connections;

CREATE TABLE connections (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE CHECK (name <> ''),
    kind               TEXT    NOT NULL CHECK (kind IN ('multivende', 'libredte', 'openfactura')),
    base_url           TEXT    NOT NULL DEFAULT '',
    merchant_id        TEXT    NOT NULL DEFAULT '',
    emisor_rut         TEXT    NOT NULL DEFAULT '',
    client_id          TEXT    NOT NULL DEFAULT '',
    access_token       TEXT    NOT NULL DEFAULT '',
    refresh_token      TEXT    NOT NULL DEFAULT '',
    api_key            TEXT    NOT NULL DEFAULT '',
    access_expires_at  INTEGER NOT NULL DEFAULT 0,
    refresh_expires_at INTEGER NOT NULL DEFAULT 0,
    scopes             TEXT    NOT NULL DEFAULT '',
    status             TEXT    NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'needs_reconnect', 'error')),
    paused             INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),
    high_water         INTEGER NOT NULL DEFAULT 0,
    last_poll_at       INTEGER NOT NULL DEFAULT 0,
    last_error         TEXT    NOT NULL DEFAULT '',
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    settings           TEXT    NOT NULL DEFAULT '{}'
);

INSERT INTO connections SELECT * FROM connections_v8;

DROP TABLE connections_v8;
