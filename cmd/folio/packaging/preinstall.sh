#!/bin/sh
# Creates the folio system user and group before the files are unpacked,
# so that /etc/folio can belong to group folio.
set -e
if ! getent group folio >/dev/null 2>&1; then
    groupadd --system folio 2>/dev/null || addgroup --system folio >/dev/null 2>&1 || true
fi
if ! getent passwd folio >/dev/null 2>&1; then
    useradd --system --gid folio --home-dir /var/lib/folio --no-create-home \
        --shell /usr/sbin/nologin --comment "folio invoicing engine" folio 2>/dev/null || \
    adduser --system --ingroup folio --home /var/lib/folio --no-create-home \
        --shell /usr/sbin/nologin folio >/dev/null 2>&1 || true
fi
exit 0
