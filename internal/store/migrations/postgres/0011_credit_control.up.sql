-- Schema 11: the "credit" control issues a nota de crédito (61).
ALTER TABLE controls DROP CONSTRAINT controls_kind;
ALTER TABLE controls ADD CONSTRAINT controls_kind
    CHECK (kind IN ('pause', 'resume', 'retry', 'skip', 'buyer_override', 'issue_as_boleta', 'retry_filter', 'reissue', 'credit'));
