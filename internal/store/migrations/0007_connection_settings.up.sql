-- Schema 7: a connection's per-merchant choices (JSON, see ConnSettings):
-- how documents are attached in Multivende (emitter id, provider code, the
-- type per document kind) and when an order gets a factura. Kept as one
-- JSON column because every value in it is uncertain in Multivende's
-- public evidence and may grow without a migration each time.
ALTER TABLE connections ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
