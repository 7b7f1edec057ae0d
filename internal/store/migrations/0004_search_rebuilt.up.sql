-- Schema 4: the search index rebuilt so that it cannot drift from the
-- orders.
--
-- Schema 2's index took its content from the orders table and had to be
-- told, on every change, the exact old values to remove. Its two update
-- triggers fired newest first, so the insert of the new values ran before
-- the removal of the old ones, and an order whose folio or buyer changed
-- after it was indexed fell out of the index (a done order could not be
-- found by its buyer). A contentless table with contentless_delete removes
-- a row by its rowid alone, so one trigger can remove and re-add in order,
-- and removing a row that was never indexed is harmless.
--
-- The index holds the orders whose detail was read (a buyer name or RUT is
-- known); orders only listed so far are found by the start of their code
-- through a partial index as small as that backlog.

DROP TRIGGER orders_search_ai;
DROP TRIGGER orders_search_ad;
DROP TRIGGER orders_search_au_del;
DROP TRIGGER orders_search_au_ins;
DROP TABLE orders_search;

CREATE VIRTUAL TABLE orders_search USING fts5 (
    code, buyer_name, buyer_rut, folio,
    content = '', contentless_delete = 1, tokenize = 'trigram'
);

INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
    SELECT seq, code, buyer_name, buyer_rut, folio FROM orders WHERE buyer_name <> '' OR buyer_rut <> '';

CREATE TRIGGER orders_search_ai AFTER INSERT ON orders
    WHEN new.buyer_name <> '' OR new.buyer_rut <> '' BEGIN
    INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
        VALUES (new.seq, new.code, new.buyer_name, new.buyer_rut, new.folio);
END;

CREATE TRIGGER orders_search_ad AFTER DELETE ON orders BEGIN
    DELETE FROM orders_search WHERE rowid = old.seq;
END;

CREATE TRIGGER orders_search_au AFTER UPDATE OF code, buyer_name, buyer_rut, folio ON orders
    WHEN old.code IS NOT new.code OR old.buyer_name IS NOT new.buyer_name
      OR old.buyer_rut IS NOT new.buyer_rut OR old.folio IS NOT new.folio BEGIN
    DELETE FROM orders_search WHERE rowid = old.seq;
    INSERT INTO orders_search (rowid, code, buyer_name, buyer_rut, folio)
        SELECT new.seq, new.code, new.buyer_name, new.buyer_rut, new.folio
        WHERE new.buyer_name <> '' OR new.buyer_rut <> '';
END;

-- A text filter of six characters or more also looks for codes starting
-- with it among orders not yet read in detail. The full code index made
-- that arm sort every order sharing the prefix ("200000…" is half of
-- Mercado Libre); this one holds only the backlog.
CREATE INDEX orders_code_nodetail ON orders (code) WHERE buyer_name = '' AND buyer_rut = '';
