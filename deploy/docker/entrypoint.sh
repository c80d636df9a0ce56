#!/bin/sh
# Entrypoint of the forumscraper image: run the command given (`forumscraper worker`, the worker
# service's; `scrapy crawl forum -a full=1`, `alembic upgrade head`, a shell); when the container
# was started as root, as the unprivileged user. `exec`: the command is the container's main
# process and gets its signals (SIGTERM from docker compose stop stops a worker cleanly).
set -eu

app_user=forumscraper

if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid="$app_user" --regid="$app_user" --init-groups -- \
        env HOME="/home/$app_user" "$@"
fi
exec "$@"
