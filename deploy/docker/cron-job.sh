#!/bin/sh
# One scheduled crawl, started by cron as root (see crontab): `cron-job.sh recent|forum`.
#
# Restores the container's environment, takes the crawl lock (a `recent` run is skipped while
# another crawl runs; the nightly `forum` run waits for it), runs `scrapy crawl SPIDER` as the
# unprivileged user under a time limit, and says in the container's log when it started and how
# it ended. A failed run exits non-zero here and is recorded in crawl_runs by the crawl itself;
# cron goes on with the next runs whatever happens. The crawl's pid file lets entrypoint.sh stop
# it gracefully when the container stops.
set -u

spider=${1:?usage: cron-job.sh recent|forum}
state=/run/forumscraper

log() { printf '%s forumscraper-cron: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

# shellcheck disable=SC1091
. "$state/environment"
cd /app || exit 1

case $spider in
    recent) wait=-n limit=${FORUMSCRAPER_RECENT_TIMEOUT:-2h} ;;
    forum) wait='' limit=${FORUMSCRAPER_FORUM_TIMEOUT:-20h} ;;
    *) log "unknown spider '$spider'" >&2; exit 2 ;;
esac

exec 9>"$state/crawl.lock"
# shellcheck disable=SC2086 # $wait is one option or none
if ! flock $wait 9; then
    log "skipped scrapy crawl $spider: the previous crawl is still running"
    exit 0
fi
if [ -e "$state/stopping" ]; then
    exit 0
fi

log "starting scrapy crawl $spider (time limit $limit)"
started=$(date +%s)
# timeout passes a SIGTERM it receives (or its time limit's) on to the crawl, which then stops
# cleanly. --foreground: without it timeout signals the crawl and then its whole process group,
# so the crawl got SIGTERM twice and Scrapy took the second one for "force an unclean shutdown"
# whenever it had handled the first in between (3 stops in 6, measured), leaving the run's row
# at "running". The crawl's worker processes end by themselves when the crawl does.
timeout --foreground --kill-after=5m "$limit" \
    setpriv --reuid=forumscraper --regid=forumscraper --init-groups -- \
    env HOME=/home/forumscraper scrapy crawl "$spider" 9>&- &
crawl=$!
echo "$crawl" >"$state/crawl-$spider.pid"
status=0
wait "$crawl" || status=$?
rm -f "$state/crawl-$spider.pid"
seconds=$(($(date +%s) - started))

if [ "$status" -eq 0 ]; then
    log "scrapy crawl $spider finished in ${seconds}s"
elif [ -e "$state/stopping" ]; then
    log "scrapy crawl $spider stopped after ${seconds}s: the container is stopping (exit status $status)" >&2
elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    log "FAILED: scrapy crawl $spider stopped after the time limit of $limit (exit status $status)" >&2
else
    log "FAILED: scrapy crawl $spider exited with status $status after ${seconds}s; its log is above, its row in crawl_runs says why" >&2
fi
exit "$status"
