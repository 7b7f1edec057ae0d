-- Schema 15: several engines share one store. Each engine registers a row
-- in engines and renews it; each connection (merchant) is leased by one
-- engine at a time, with its own generation (a fencing token) raised at
-- every takeover, so a frozen engine's late writes for a connection another
-- engine took over are refused.
CREATE TABLE engines (
    id           TEXT    PRIMARY KEY,   -- Holder.ID(): host/pid/started_ms
    pid          BIGINT  NOT NULL,
    host         TEXT    NOT NULL,
    started_at   BIGINT  NOT NULL,
    heartbeat_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL
);

CREATE TABLE connection_leases (
    connection_id BIGINT  PRIMARY KEY,
    engine        TEXT    NOT NULL,     -- engines.id of the holder
    acquired_at   BIGINT  NOT NULL,
    heartbeat_at  BIGINT  NOT NULL,
    expires_at    BIGINT  NOT NULL,
    generation    BIGINT  NOT NULL DEFAULT 0
);

CREATE TRIGGER engines_notify           AFTER INSERT OR UPDATE OR DELETE ON engines           FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER connection_leases_notify AFTER INSERT OR UPDATE OR DELETE ON connection_leases FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
