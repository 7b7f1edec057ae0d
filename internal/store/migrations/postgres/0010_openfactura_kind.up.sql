-- Schema 10: a connection may be an OpenFactura account.
ALTER TABLE connections DROP CONSTRAINT connections_kind;
ALTER TABLE connections ADD CONSTRAINT connections_kind CHECK (kind IN ('multivende', 'libredte', 'openfactura'));
