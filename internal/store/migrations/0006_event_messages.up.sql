-- Schema 6: a timeline event may carry its message as a catalog id and
-- arguments (JSON: {"id": "...", "args": ["...", ...]}), so the console
-- can show it in the person's language; message keeps the Spanish text
-- for everything that reads the store as it is.
ALTER TABLE events ADD COLUMN msg TEXT NOT NULL DEFAULT '';
