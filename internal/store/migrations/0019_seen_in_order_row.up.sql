-- Schema 19: a new order's first timeline line ("seen", paid or not) is
-- kept in its row, as the message's catalog JSON, instead of as an event
-- row: ingest wrote that event and its index entry for every order it
-- inserted, two of the seven B-trees a new order touched. Events reads it
-- back as the timeline's first line. Orders from before keep their stored
-- "seen" event and an empty seen_msg.
ALTER TABLE orders ADD COLUMN seen_msg TEXT NOT NULL DEFAULT '';
