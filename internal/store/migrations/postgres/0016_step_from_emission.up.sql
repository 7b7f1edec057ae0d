-- Schema 16: where an order stands is recorded once. orders.state says
-- where the order is in its life; for an order in the pipeline, the step
-- (building, issuing, issued, attaching) is what its emission shows, and
-- the store writes that name only as derived from the emission (stepSQL in
-- store/transitions.go, the same CASE as below). A store from before had
-- the engine write the step itself: name each in-flight order's step from
-- its emission once, so that the column agrees with what the store derives
-- from now on. (The counters follow through their update trigger.)
UPDATE orders SET state = coalesce((SELECT CASE WHEN e.mv_document_id <> '' THEN 'attaching' WHEN e.folio <> 0 THEN 'issued'
        WHEN e.pending <> '' THEN 'issuing' ELSE 'building' END FROM emissions e WHERE e.order_id = orders.id), 'building')
    WHERE state IN ('building', 'issuing', 'issued', 'attaching');
