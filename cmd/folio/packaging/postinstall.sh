#!/bin/sh
# Gives the service user its directories and read access to the config,
# and restarts a running service after an upgrade. It does not enable or
# start folio: connect it first (see README: Run as a service).
set -e
if getent group folio >/dev/null 2>&1; then
    chgrp folio /etc/folio /etc/folio/config.yaml 2>/dev/null || true
fi
chmod 0750 /etc/folio 2>/dev/null || true
chmod 0640 /etc/folio/config.yaml 2>/dev/null || true
chmod 0600 /etc/folio/folio.env 2>/dev/null || true
mkdir -p /var/lib/folio
if getent passwd folio >/dev/null 2>&1; then
    chown folio:folio /var/lib/folio 2>/dev/null || true
fi
chmod 0700 /var/lib/folio
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
    systemctl try-restart folio.service >/dev/null 2>&1 || true
fi
exit 0
