# Test stand-in for postgres:16, built by deploy/standins/build.sh when no image registry can be
# reached: Debian bookworm's PostgreSQL (15) behind an entrypoint that honours POSTGRES_USER,
# POSTGRES_PASSWORD and POSTGRES_DB like the official image, with the same PGDATA, socket
# folder, local trust / remote scram-sha-256 authentication, and pg_isready and psql on PATH.
FROM forumscraper-standin/bookworm:minbase

ENV LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive

# No cluster from the package: the entrypoint makes one in PGDATA on first start.
# hadolint ignore=DL3008
RUN mkdir -p /etc/postgresql-common \
    && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf \
    && apt-get update \
    && apt-get install -y --no-install-recommends postgresql-15 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/run/postgresql /var/lib/postgresql/data \
    && chown postgres:postgres /var/run/postgresql /var/lib/postgresql/data

ENV PATH=/usr/lib/postgresql/15/bin:$PATH \
    PGDATA=/var/lib/postgresql/data

COPY postgres-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
VOLUME /var/lib/postgresql/data
EXPOSE 5432
STOPSIGNAL SIGINT
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["postgres"]
