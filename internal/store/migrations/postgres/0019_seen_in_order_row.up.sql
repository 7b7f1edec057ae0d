-- Schema 19: a new order's first timeline line in its row (see the SQLite
-- migration of the same number).
ALTER TABLE orders ADD COLUMN seen_msg TEXT NOT NULL DEFAULT '';
