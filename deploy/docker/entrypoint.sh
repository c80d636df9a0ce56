#!/bin/sh
# Entrypoint of the forumscraper image.
#
#   cron       the crawler service: run `scrapy crawl recent` every FORUMSCRAPER_RECENT_EVERY
#              minutes and `scrapy crawl forum` on FORUMSCRAPER_FORUM_SCHEDULE, with Debian's
#              cron in the foreground. cron needs root to start jobs as another user, so the
#              service starts as root; each crawl runs as the unprivileged user (cron-job.sh).
#              On SIGTERM (docker compose stop, up -d with a new image) no new crawl starts and
#              running ones are asked to stop, so that crawl_runs records them as interrupted.
#   anything   run it (`scrapy crawl forum -a full=1`, `alembic upgrade head`, a shell); when the
#   else       container was started as root, as the unprivileged user.
set -eu

app_user=forumscraper
state=/run/forumscraper

log() { printf '%s forumscraper-cron: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
die() { log "$*" >&2; exit 2; }

# Minutes between `recent` runs as a cron schedule: a divisor of 60 ("*/15 * * * *"), a whole
# number of hours dividing 24 ("0 */2 * * *"), or a cron expression given as is.
recent_schedule() {
    every=$1
    case $every in
        *' '*) printf '%s\n' "$every"; return ;;
        '' | *[!0-9]* | 0*) ;;
        *)
            if [ "$every" -lt 60 ] && [ $((60 % every)) -eq 0 ]; then
                printf '*/%s * * * *\n' "$every"; return
            fi
            if [ $((every % 60)) -eq 0 ] && [ $((1440 % every)) -eq 0 ]; then
                printf '0 */%s * * *\n' $((every / 60)); return
            fi
            ;;
    esac
    die "FORUMSCRAPER_RECENT_EVERY=$every: give minutes dividing 60 (5, 10, 15, 20, 30), whole hours dividing 24 (60, 120, 180, 240, 360, 480, 720, 1440), or a cron expression"
}

check_schedule() {
    # Five fields; cron itself reports the finer mistakes.
    printf '%s\n' "$2" | grep -Eq '^[0-9*,/-]+( +[0-9A-Za-z*,/-]+){4}$' \
        || die "$1='$2' is not a cron schedule (five fields, e.g. '30 3 * * *')"
}

stop_crawls() {
    log "stopping: no new crawl starts; asking the running ones to stop"
    touch "$state/stopping"
    kill -TERM "$cron_pid" 2>/dev/null || true
    for pidfile in "$state"/crawl-*.pid; do
        if [ -e "$pidfile" ]; then
            kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
        fi
    done
    # cron-job.sh removes its pid file when its crawl has ended; compose's stop_grace_period
    # bounds this wait.
    while ls "$state"/crawl-*.pid >/dev/null 2>&1; do sleep 1; done
    log "stopped"
    exit 0
}

if [ "${1:-}" = cron ]; then
    [ "$(id -u)" = 0 ] || die "the schedule needs the container to start as root (compose: user: root); the crawls themselves run as $app_user"
    recent=$(recent_schedule "${FORUMSCRAPER_RECENT_EVERY:-15}")
    forum=${FORUMSCRAPER_FORUM_SCHEDULE:-30 3 * * *}
    check_schedule FORUMSCRAPER_RECENT_EVERY "$recent"
    check_schedule FORUMSCRAPER_FORUM_SCHEDULE "$forum"

    # cron starts jobs with an empty environment: keep the container's for cron-job.sh, readable
    # by root only (it holds the database password).
    rm -rf "$state"
    mkdir -m 700 "$state"
    (umask 077 && export -p >"$state/environment")

    umask 022
    sed -e "s|@RECENT_SCHEDULE@|$recent|" -e "s|@FORUM_SCHEDULE@|$forum|" \
        /app/deploy/crontab >/etc/cron.d/forumscraper
    log "schedule (UTC): scrapy crawl recent at '$recent', scrapy crawl forum at '$forum'; crawls run as $app_user, their output follows"
    shift
    cron -f "$@" &
    cron_pid=$!
    trap stop_crawls TERM INT
    status=0
    wait "$cron_pid" || status=$?
    die "cron exited (status $status)"
fi

if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid="$app_user" --regid="$app_user" --init-groups -- \
        env HOME="/home/$app_user" "$@"
fi
exec "$@"
