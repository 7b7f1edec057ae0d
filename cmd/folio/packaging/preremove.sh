#!/bin/sh
# On removal (not on upgrade) stops and disables the service. The store
# in /var/lib/folio is kept: it is the record of every issued document.
# deb passes "remove"; rpm passes the number of versions left (0).
set -e
case "$1" in
    remove|0)
        if [ -d /run/systemd/system ]; then
            systemctl disable --now folio.service >/dev/null 2>&1 || true
        fi
        ;;
esac
exit 0
