"""A throw-away PostgreSQL server for the benchmark (the test suite's, ``tests/pgserver.py``).

Started once per benchmark run, on 127.0.0.1 with fsync off; every measurement gets a fresh
database on it.
"""

from __future__ import annotations

import itertools

import psycopg
from sqlalchemy.engine import make_url

from tests.pgserver import PostgresServer, find_bindir

_COUNTER = itertools.count(1)


class BenchPostgres:
    """The server and the databases made on it."""

    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL binaries not found (install postgresql, or set PG_BINDIR)")
        self.server = PostgresServer(bindir)

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    def admin_dsn(self, database: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.server.port} user=postgres dbname={database}"

    def fresh_database(self, label: str) -> str:
        """Create an empty database; returns its SQLAlchemy URL."""
        name = f"bench_{label}_{next(_COUNTER)}"
        with psycopg.connect(self.admin_dsn(), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        url = make_url(self.server.url).set(database=name)
        return url.render_as_string(hide_password=False)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with psycopg.connect(self.admin_dsn(), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
