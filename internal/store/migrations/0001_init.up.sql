-- folio store, schema 1. Times are unix milliseconds.

CREATE TABLE connections (
    id                 INTEGER PRIMARY KEY,
    name               TEXT    NOT NULL UNIQUE CHECK (name <> ''),
    kind               TEXT    NOT NULL CHECK (kind IN ('multivende', 'libredte')),
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
    updated_at         INTEGER NOT NULL
);

CREATE TABLE orders (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT    NOT NULL UNIQUE,
    connection_id     INTEGER NOT NULL REFERENCES connections (id),
    code              TEXT    NOT NULL DEFAULT '',
    marketplace       TEXT    NOT NULL DEFAULT '',
    buyer_name        TEXT    NOT NULL DEFAULT '',
    buyer_rut         TEXT    NOT NULL DEFAULT '',
    payment_status    TEXT    NOT NULL DEFAULT '',
    status            TEXT    NOT NULL DEFAULT '',
    requested_type    TEXT    NOT NULL DEFAULT '',
    total             INTEGER NOT NULL DEFAULT 0,
    sold_at           INTEGER NOT NULL DEFAULT 0,
    remote_updated_at INTEGER NOT NULL DEFAULT 0,
    light             TEXT    NOT NULL DEFAULT '',
    raw               TEXT    NOT NULL DEFAULT '',
    detail_at         INTEGER NOT NULL DEFAULT 0,
    state             TEXT    NOT NULL CHECK (state IN ('waiting', 'queued', 'building', 'issuing', 'issued', 'attaching', 'done', 'retrying', 'attention')),
    reason            TEXT    NOT NULL DEFAULT '',
    reason_code       TEXT    NOT NULL DEFAULT '',
    outcome           TEXT    NOT NULL DEFAULT '' CHECK (outcome IN ('', 'issued', 'skipped', 'existing')),
    doc_type          INTEGER NOT NULL DEFAULT 0,
    folio             INTEGER NOT NULL DEFAULT 0,
    attempts          INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at   INTEGER NOT NULL DEFAULT 0,
    state_since       INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    -- a finished order carries how it finished, and only a finished one
    CHECK ((state = 'done') = (outcome <> ''))
);
CREATE INDEX orders_due ON orders (state, next_attempt_at);
CREATE INDEX orders_detail ON orders (connection_id, detail_at, remote_updated_at);

-- The exactly-once intent: one row per order, created before anything is
-- sent to the invoicer; `pending` is committed before the folio-consuming call.
CREATE TABLE emissions (
    order_id        TEXT    PRIMARY KEY REFERENCES orders (id),
    doc_type        INTEGER NOT NULL DEFAULT 0,
    ext_ref         TEXT    NOT NULL UNIQUE,
    document        TEXT    NOT NULL DEFAULT '',
    overrides       TEXT    NOT NULL DEFAULT '',
    pending         TEXT    NOT NULL DEFAULT '',
    issued          TEXT    NOT NULL DEFAULT '',
    folio           INTEGER NOT NULL DEFAULT 0,
    track_id        TEXT    NOT NULL DEFAULT '',
    pdf_size        INTEGER NOT NULL DEFAULT 0,
    mv_document_id  TEXT    NOT NULL DEFAULT '',
    uploaded_at     INTEGER NOT NULL DEFAULT 0,
    sii_status      TEXT    NOT NULL DEFAULT '',
    sii_detail      TEXT    NOT NULL DEFAULT '',
    sii_checked_at  INTEGER NOT NULL DEFAULT 0,
    uncertain       INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
    last_error_code TEXT    NOT NULL DEFAULT '',
    last_error_text TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    order_id   TEXT    NOT NULL REFERENCES orders (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('dte', 'credit_note')),
    emisor     TEXT    NOT NULL,
    dte_type   INTEGER NOT NULL,
    folio      INTEGER NOT NULL CHECK (folio > 0),
    total      INTEGER NOT NULL,
    fecha      TEXT    NOT NULL,
    track_id   TEXT    NOT NULL DEFAULT '',
    sii_status TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (emisor, dte_type, folio),
    UNIQUE (order_id, kind)
);

CREATE TABLE events (
    id       INTEGER PRIMARY KEY,
    order_id TEXT    NOT NULL,
    at       INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    message  TEXT    NOT NULL,
    data     TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX events_order ON events (order_id, id);

CREATE TABLE http_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    connection  TEXT    NOT NULL DEFAULT '',
    order_id    TEXT    NOT NULL DEFAULT '',
    method      TEXT    NOT NULL,
    url         TEXT    NOT NULL,
    status      INTEGER NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL DEFAULT 0,
    req_body    TEXT    NOT NULL DEFAULT '',
    resp_body   TEXT    NOT NULL DEFAULT '',
    error       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX http_log_order ON http_log (order_id, id) WHERE order_id <> '';

CREATE TABLE controls (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('pause', 'resume', 'retry', 'skip', 'buyer_override', 'issue_as_boleta', 'retry_filter')),
    target     TEXT    NOT NULL DEFAULT '',
    args       TEXT    NOT NULL DEFAULT '',
    by         TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'applied', 'rejected')),
    outcome    TEXT    NOT NULL DEFAULT '',
    applied_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX controls_pending ON controls (status, id);

CREATE TABLE lease (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
