-- Schema 8: the lease carries a generation (a fencing token) that grows at
-- every takeover. An engine's writes carry the generation it was given and
-- fail once another engine took the lease, so an engine that was frozen
-- (SIGSTOP, a VM pause, a stalled disk) past its lease cannot commit work
-- as if it still held it. A released lease keeps its row (expired), so the
-- generation never goes back.
ALTER TABLE lease ADD COLUMN generation INTEGER NOT NULL DEFAULT 0;
