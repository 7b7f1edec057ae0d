-- Schema 17: the orders table's CHECKs on state and outcome say the same
-- thing as ORs instead of IN lists. SQLite codes an IN list of more than
-- two constants as a temporary table, and inside a CHECK it builds that
-- table again for every row written: two tables and thirteen inserts per
-- order inserted, and per state change. The ORs cost a few comparisons.
--
-- A CHECK cannot be altered, and rebuilding orders (its triggers, the
-- tables that reference it) to change one is far more than this needs:
-- this is SQLite's documented procedure for changing a constraint that
-- every row already meets (lang_altertable.html, "Making Other Kinds Of
-- Table Schema Changes"). If the text is not found (a schema written some
-- other way), nothing changes. RESET reloads this connection's schema.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(replace(sql,
    'state IN (''waiting'', ''queued'', ''building'', ''issuing'', ''issued'', ''attaching'', ''done'', ''retrying'', ''attention'')',
    'state = ''waiting'' OR state = ''queued'' OR state = ''building'' OR state = ''issuing'' OR state = ''issued'' OR state = ''attaching'' OR state = ''done'' OR state = ''retrying'' OR state = ''attention'''),
    'outcome IN ('''', ''issued'', ''skipped'', ''existing'')',
    'outcome = '''' OR outcome = ''issued'' OR outcome = ''skipped'' OR outcome = ''existing''')
WHERE type = 'table' AND name = 'orders';
PRAGMA writable_schema = RESET;

-- The UPDATE above does not move the schema cookie; a change of schema
-- does, so that other connections to the file read the new text too.
CREATE TABLE schema_17_reload (x);
DROP TABLE schema_17_reload;
