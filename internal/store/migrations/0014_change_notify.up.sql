-- Schema 14: PostgreSQL's stores notify their changes (LISTEN/NOTIFY) for
-- consoles to redraw; SQLite's change counter is PRAGMA data_version, so
-- there is nothing to do here. The number is kept so that both drivers'
-- schema versions mean the same.
SELECT 1;
