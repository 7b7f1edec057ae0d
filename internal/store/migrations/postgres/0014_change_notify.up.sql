-- Schema 14: every committed change to the store notifies the channel
-- folio_<schema> (store/pglisten.go listens): one notification per
-- statement, and PostgreSQL folds a transaction's identical ones into one
-- delivered at commit. Consoles count them instead of polling the server.
CREATE FUNCTION folio_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('folio_' || current_schema(), '');
    RETURN NULL;
END $$;

CREATE TRIGGER connections_notify AFTER INSERT OR UPDATE OR DELETE ON connections FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER orders_notify      AFTER INSERT OR UPDATE OR DELETE ON orders      FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER emissions_notify   AFTER INSERT OR UPDATE OR DELETE ON emissions   FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER documents_notify   AFTER INSERT OR UPDATE OR DELETE ON documents   FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER events_notify      AFTER INSERT ON events                          FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER controls_notify    AFTER INSERT OR UPDATE OR DELETE ON controls    FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER settings_notify    AFTER INSERT OR UPDATE OR DELETE ON settings    FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER lease_notify       AFTER INSERT OR UPDATE OR DELETE ON lease       FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
CREATE TRIGGER http_log_notify    AFTER INSERT ON http_log                        FOR EACH STATEMENT EXECUTE FUNCTION folio_notify_change();
