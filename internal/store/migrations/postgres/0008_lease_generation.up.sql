-- Schema 8: the lease carries a generation (a fencing token) that grows at
-- every takeover (see SQLite's 0008).
ALTER TABLE lease ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
