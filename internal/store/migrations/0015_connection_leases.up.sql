-- Schema 15: several engines can share one store (PostgreSQL). Each engine
-- registers a row in engines and renews it; each connection (merchant) is
-- leased by one engine at a time, with its own generation (a fencing token)
-- raised at every takeover, so a frozen engine's late writes for a
-- connection another engine took over are refused. A SQLite store keeps
-- its one engine (the lease table), which leases every connection.
CREATE TABLE engines (
    id           TEXT    PRIMARY KEY,   -- Holder.ID(): host/pid/started_ms
    pid          INTEGER NOT NULL,
    host         TEXT    NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);

CREATE TABLE connection_leases (
    connection_id INTEGER PRIMARY KEY,
    engine        TEXT    NOT NULL,     -- engines.id of the holder
    acquired_at   INTEGER NOT NULL,
    heartbeat_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    generation    INTEGER NOT NULL DEFAULT 0
);
