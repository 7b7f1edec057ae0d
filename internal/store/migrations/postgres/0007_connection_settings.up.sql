-- Schema 7: a connection's per-merchant choices (JSON, see ConnSettings).
ALTER TABLE connections ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
