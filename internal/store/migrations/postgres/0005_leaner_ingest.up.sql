-- Schema 5: less work per ingested order, as SQLite's 0005. Orders are
-- inserted in one place only (UpsertOrders), always without a buyer, and
-- UpsertOrders adds the per-state counters of new orders itself, once per
-- batch and state: the insert trigger goes. (The trigram index has no
-- trigger to drop.)
DROP TRIGGER order_counts_ai ON orders;
DROP FUNCTION order_counts_ai();

-- The due queue needs (state, next_attempt_at) only for retrying orders.
DROP INDEX orders_due;
CREATE INDEX orders_retry_due ON orders (next_attempt_at) WHERE state = 'retrying';

DROP INDEX orders_code;
DROP INDEX orders_stale_detail;
