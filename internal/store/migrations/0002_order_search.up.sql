-- Schema 2: the console's filter stays fast at a million orders.
--
-- A trigram index answers substring searches over code, buyer, RUT and
-- folio. It holds only orders whose detail was read (buyer known): indexing
-- every listed order would make ingest several times slower, and a listed
-- order without a detail is found by its code through orders_code.
-- A row is indexed exactly when buyer_name or buyer_rut is not empty; the
-- triggers keep to that rule so 'delete' never names a row not indexed.

CREATE VIRTUAL TABLE orders_search USING fts5 (
    code, buyer_name, buyer_rut, folio,
    content = 'orders', content_rowid = 'seq', tokenize = 'trigram'
);

INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
    SELECT seq, code, buyer_name, buyer_rut, folio FROM orders WHERE buyer_name <> '' OR buyer_rut <> '';

CREATE TRIGGER orders_search_ai AFTER INSERT ON orders
    WHEN new.buyer_name <> '' OR new.buyer_rut <> '' BEGIN
    INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
        VALUES (new.seq, new.code, new.buyer_name, new.buyer_rut, new.folio);
END;

CREATE TRIGGER orders_search_ad AFTER DELETE ON orders
    WHEN old.buyer_name <> '' OR old.buyer_rut <> '' BEGIN
    INSERT INTO orders_search (orders_search, rowid, code, buyer_name, buyer_rut, folio)
        VALUES ('delete', old.seq, old.code, old.buyer_name, old.buyer_rut, old.folio);
END;

CREATE TRIGGER orders_search_au_del AFTER UPDATE OF code, buyer_name, buyer_rut, folio ON orders
    WHEN (old.buyer_name <> '' OR old.buyer_rut <> '')
     AND (old.code IS NOT new.code OR old.buyer_name IS NOT new.buyer_name
          OR old.buyer_rut IS NOT new.buyer_rut OR old.folio IS NOT new.folio) BEGIN
    INSERT INTO orders_search (orders_search, rowid, code, buyer_name, buyer_rut, folio)
        VALUES ('delete', old.seq, old.code, old.buyer_name, old.buyer_rut, old.folio);
END;

CREATE TRIGGER orders_search_au_ins AFTER UPDATE OF code, buyer_name, buyer_rut, folio ON orders
    WHEN (new.buyer_name <> '' OR new.buyer_rut <> '')
     AND (old.code IS NOT new.code OR old.buyer_name IS NOT new.buyer_name
          OR old.buyer_rut IS NOT new.buyer_rut OR old.folio IS NOT new.folio) BEGIN
    INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
        VALUES (new.seq, new.code, new.buyer_name, new.buyer_rut, new.folio);
END;

CREATE INDEX orders_code ON orders (code);
CREATE INDEX orders_state_seq ON orders (state, seq);
