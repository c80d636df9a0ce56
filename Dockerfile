# forumscraper image: the package and its runtime dependencies in a virtualenv, the Scrapy
# project file and the Alembic migrations in /app. No cron and no root: the schedule lives in
# the database's job queue, run by `forumscraper worker` (the worker service).
#   docker compose build          (or: docker build -t forumscraper .)
# See README "Deploy with Docker"; deploy/docker/ holds the entrypoint and the schedule.

# -- build: install the package into /opt/venv --------------------------------------------------
FROM python:3.12-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv

WORKDIR /src
COPY pyproject.toml README.md ./
COPY forumscraper ./forumscraper
# A regular (not editable) install of the package and its runtime dependencies only, then pip
# itself leaves the virtualenv: nothing in it can install anything afterwards.
RUN /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall -y pip

# -- runtime -------------------------------------------------------------------------------------
FROM python:3.12-slim

RUN groupadd --system --gid 10001 forumscraper \
    && useradd --system --uid 10001 --gid forumscraper --home-dir /home/forumscraper \
        --create-home --shell /usr/sbin/nologin forumscraper

COPY --from=build /opt/venv /opt/venv

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FORUMSCRAPER_MIGRATIONS_DIR=/app/migrations

# /app: scrapy.cfg for `scrapy crawl`, pyproject.toml for `alembic upgrade head` ([tool.alembic]),
# the migrations, and the deployment scripts; owned by root, read-only for the crawler user,
# whose only writable place is its home.
WORKDIR /app
COPY scrapy.cfg pyproject.toml ./
COPY migrations ./migrations
COPY deploy/docker ./deploy

# The forumscraper user, numerically (Kubernetes' runAsNonRoot can check it).
USER 10001:10001
ENTRYPOINT ["/bin/sh", "/app/deploy/entrypoint.sh"]
CMD ["forumscraper", "worker"]
