-- Schema 5: less work per ingested order (an initial sync brings tens of
-- thousands at once), measured with BenchmarkStoreIngest.
--
-- Every trigger on INSERT makes each insert a statement with its own
-- journal and a trigger program to run, even when the trigger does
-- nothing. Orders are inserted in one place only (UpsertOrders), always
-- without a buyer, so:
--   * the search index needs no insert trigger: an order enters it when
--     SetDetail gives it a buyer (orders_search_au);
--   * the per-state counters of new orders are added by UpsertOrders, once
--     per batch and state, in the same transaction.
-- Updates and deletes keep their triggers.
DROP TRIGGER orders_search_ai;
DROP TRIGGER order_counts_ai;

-- The due queue needs (state, next_attempt_at) only for retrying orders:
-- queued ones run in arrival order, which orders_state_seq gives.
DROP INDEX orders_due;
CREATE INDEX orders_retry_due ON orders (next_attempt_at) WHERE state = 'retrying';

-- Exact code lookups served only one- and two-character filters; codes
-- are found through the search index (and orders_code_nodetail for orders
-- not yet read in detail).
DROP INDEX orders_code;

-- Nothing asks for "orders whose detail is stale" any more: ingest hands
-- the new and changed orders to the engine in the same transaction.
DROP INDEX orders_stale_detail;
