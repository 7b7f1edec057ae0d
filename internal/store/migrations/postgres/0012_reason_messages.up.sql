-- Schema 12: an order's reason and a control's outcome may carry their
-- words as a catalog id with arguments (JSON, as events.msg), so that each
-- person reads them in their own language; reason and outcome keep the
-- Spanish text for everything that reads the store as it is (and for rows
-- written before).
ALTER TABLE orders ADD COLUMN reason_msg TEXT NOT NULL DEFAULT '';
ALTER TABLE controls ADD COLUMN outcome_msg TEXT NOT NULL DEFAULT '';
