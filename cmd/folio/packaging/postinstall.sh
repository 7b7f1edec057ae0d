#!/bin/sh
# Creates the service user and its private state directory.
set -e
if ! getent passwd folio >/dev/null 2>&1; then
    useradd --system --home-dir /var/lib/folio --shell /usr/sbin/nologin folio 2>/dev/null || \
    adduser --system --home /var/lib/folio --no-create-home folio 2>/dev/null || true
fi
mkdir -p /var/lib/folio
chown folio /var/lib/folio 2>/dev/null || true
chmod 0700 /var/lib/folio
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
fi
