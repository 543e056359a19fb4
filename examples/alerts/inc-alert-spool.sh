#!/bin/sh
# Feeds every Alertmanager payload waiting in a spool folder to
# `inc alert --push`, oldest first, from cron. A payload file is removed only
# once inc has recorded and pushed it; one that inc can't even parse is moved
# to SPOOL/rejected/ so it can't block the queue. spool-receiver.py fills the
# spool (file names sort by arrival time).
#
# Usage:   inc-alert-spool.sh SPOOL_DIR INCIDENT_REPO
# crontab: * * * * * /usr/local/bin/inc-alert-spool.sh /var/spool/inc-alerts /srv/incidents >>/var/log/inc-alert.log 2>&1
#
# INCIDENT_REPO is a clone of the incident repository whose push credentials
# work non-interactively (a deploy key, a credential helper). Exit 0 when the
# spool is done (or another run holds the lock), 1 when a payload was
# rejected or a push failed (the payload stays for the next run).

set -u

spool=${1:?usage: inc-alert-spool.sh SPOOL_DIR INCIDENT_REPO}
repo=${2:?usage: inc-alert-spool.sh SPOOL_DIR INCIDENT_REPO}

# One run at a time: a slow push must not overlap the next minute's run.
exec 9>>"$spool/.lock"
if ! flock -n 9; then
    echo "inc-alert-spool: another run is still busy; leaving the spool to it" >&2
    exit 0
fi

status=0
for payload in "$spool"/*.json; do
    [ -e "$payload" ] || break
    if inc --repo "$repo" -q alert --push "$payload"; then
        rm -f -- "$payload"
    elif ! inc --repo "$repo" -q alert --dry-run "$payload" >/dev/null 2>&1; then
        # The payload itself is bad (inc said why above): set it aside.
        mkdir -p "$spool/rejected"
        mv -- "$payload" "$spool/rejected/"
        echo "inc-alert-spool: moved $payload to $spool/rejected/" >&2
        status=1
    else
        # Recorded locally or not, it is kept; the next run pushes it (a
        # repeat writes nothing). Later payloads wait, to keep their order.
        echo "inc-alert-spool: kept $payload for the next run" >&2
        status=1
        break
    fi
done
exit $status
