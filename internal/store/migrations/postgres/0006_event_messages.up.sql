-- Schema 6: a timeline event may carry its message as a catalog id and
-- arguments (JSON: {"id": "...", "args": ["...", ...]}).
ALTER TABLE events ADD COLUMN msg TEXT NOT NULL DEFAULT '';
