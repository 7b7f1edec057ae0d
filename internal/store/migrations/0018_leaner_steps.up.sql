-- Schema 18: fewer pages written per pipeline step (BenchmarkPipelinePages).
--
-- The checkout detail's JSON (a few KB) in a table of its own,
-- written when the detail is read. In the orders row it was rewritten,
-- with its overflow pages, by every change of the order's state: about a
-- sixth of the pages each pipeline step commits (BenchmarkPipeline).
CREATE TABLE order_raw (
    seq INTEGER PRIMARY KEY REFERENCES orders (seq),
    raw TEXT    NOT NULL
);
INSERT INTO order_raw (seq, raw) SELECT seq, raw FROM orders WHERE raw <> '';
ALTER TABLE orders DROP COLUMN raw;

-- The search index without the folio: an order's issued step set it, and
-- the trigger removed and re-added the order's row, a new segment of
-- the index in that commit. A filter that is a number finds its folio
-- exactly through orders_folio instead (store.ListOrders).
DROP TRIGGER orders_search_ad;
DROP TRIGGER orders_search_au;
DROP TABLE orders_search;

CREATE VIRTUAL TABLE orders_search USING fts5 (
    code, buyer_name, buyer_rut,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut)
    SELECT seq, code, buyer_name, buyer_rut FROM orders WHERE buyer_name <> '' OR buyer_rut <> '';

CREATE TRIGGER orders_search_ad AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search WHERE rowid = old.seq;
END;

CREATE TRIGGER orders_search_au AFTER UPDATE OF code, buyer_name, buyer_rut ON orders
    WHEN old.code IS NOT new.code OR old.buyer_name IS NOT new.buyer_name
      OR old.buyer_rut IS NOT new.buyer_rut BEGIN
    DELETE FROM orders_search WHERE rowid = old.seq;
    INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut)
        SELECT new.seq, new.code, new.buyer_name, new.buyer_rut
        WHERE new.buyer_name <> '' OR new.buyer_rut <> '';
END;
