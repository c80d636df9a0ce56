"""Shared fixtures: a real PostgreSQL server, fresh databases, the fixture forum server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from forumscraper.db.engine import make_engine
from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.members import PASSWORD
from tests.pgserver import PostgresServer, find_bindir

BoardAsOf = Callable[[timedelta], Board]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the whole run (started here, never a mock)."""
    bindir = find_bindir()
    if bindir is None:
        message = "PostgreSQL binaries not found (install postgresql, or set PG_BINDIR)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server.url).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A new SQLite database file."""
    return f"sqlite:///{tmp_path / 'forumscraper.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each test using it runs once on SQLite and once on PostgreSQL."""
    return str(request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))


@pytest.fixture
def board() -> Board:
    """A fresh demo board (tests may change it: add posts, edit, delete)."""
    return build_demo_board()


@pytest.fixture
def short_pages(board: Board) -> Board:
    """The demo board with lists of 20 topics a page: the big forum's (64 topics) has four."""
    board.topics_per_page = 20
    board.changed()
    return board


@pytest.fixture
def board_as_of() -> BoardAsOf:
    """Builds the demo board as it stood ``ago`` before now: its dates count back from then
    (whole minutes), for tests that add posts later than all of its own, or want none of its
    posts recent. Each call builds a fresh board."""

    def build(ago: timedelta) -> Board:
        return build_demo_board(datetime.now(UTC) - ago)

    return build


@pytest.fixture
def server(board: Board) -> Iterator[FixtureForumServer]:
    """The fixture forum serving ``board`` (phpBB3 markup) on 127.0.0.1."""
    with FixtureForumServer(board, version="prosilver") as server:
        yield server


@pytest.fixture
def as_member(monkeypatch: pytest.MonkeyPatch) -> None:
    """Crawls log in as Rocky (see ``tests.members``)."""
    monkeypatch.setenv("FORUMSCRAPER_USERNAME", "Rocky")
    monkeypatch.setenv("FORUMSCRAPER_PASSWORD", PASSWORD)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on ``db_url`` (each test runs on SQLite and on PostgreSQL)."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()
