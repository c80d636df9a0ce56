"""Many boards in one database (issue 17): the migration that keeps every row, and crawls that
never touch another board's rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.engine import make_url

from forumscraper.db.board import board_url, find_board, register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.lock import RunLock
from forumscraper.db.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from forumscraper.db.models import (
    ArticleBand,
    ArticleSignature,
    Board,
    Category,
    CrawlRun,
    Forum,
    NearDuplicate,
    Post,
    PostRevision,
    Topic,
    table_of,
)
from forumscraper.demo.content import Board as DemoBoard
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat

PREVIOUS_HEAD = "0006"
"""The schema head before boards were rows."""

T0 = "2026-11-20 08:00:00"

# Rows as a database made at the previous head holds them: a board, its content, an edited
# post's revision, runs (one left running by a killed process).
OLD_ROWS = (
    "INSERT INTO board_info (id, base_url, timezone, updated_at) "
    "VALUES (1, 'https://Demo.Forumotion.com', 'Asia/Baghdad', {t0})",
    "INSERT INTO categories (id, title, url, position, first_seen_at, last_seen_at) "
    "VALUES (1, 'News', '/c1-news', 0, {t0}, {t0})",
    "INSERT INTO forums (id, parent_id, category_id, category, title, url, position, "
    "topic_count, post_count, first_seen_at, last_crawled_at) "
    "VALUES (2, NULL, 1, 'News', 'World', '/f2-world', 0, 1, 2, {t0}, {t0})",
    "INSERT INTO forums (id, parent_id, category_id, category, title, url, position, "
    "first_seen_at, last_crawled_at) "
    "VALUES (3, 2, 1, 'News', 'Sub', '/f3-sub', 1, {t0}, {t0})",
    "INSERT INTO topics (id, forum_id, title, url, author_name, reply_count, first_seen_at, "
    "last_crawled_at) VALUES (12, 2, 'Hello', '/t12-hello', 'Rocky', 1, {t0}, {t0})",
    "INSERT INTO topics (id, forum_id, title, first_seen_at, deleted_at, moved_to_id) "
    "VALUES (13, 3, 'Moved', {t0}, {t0}, 12)",
    "INSERT INTO posts (id, topic_id, position, author_name, posted_at, posted_at_raw, "
    "edit_count, body_html, body_text, content_hash, links, hidden_link_count, "
    "collapsed_repeats, url, first_seen_at, last_seen_at) "
    "VALUES (100, 12, 0, 'Rocky', {t0}, 'Fri Nov 20, 2026 11:00 am', 1, '<p>First words</p>', "
    "'First words', 'h100', '[]', 0, 0, '/t12-hello#100', {t0}, {t0})",
    "INSERT INTO posts (id, topic_id, position, author_name, edit_count, body_html, body_text, "
    "content_hash, links, hidden_link_count, collapsed_repeats, first_seen_at, last_seen_at, "
    "deleted_at) VALUES (101, 12, 1, 'Ann', 0, '<p>Gone</p>', 'Gone', 'h101', '[]', 0, 0, "
    "{t0}, {t0}, {t0})",
    "INSERT INTO post_revisions (post_id, body_html, body_text, content_hash, seen_at) "
    "VALUES (100, '<p>Early words</p>', 'Early words', 'h0', {t0})",
    "INSERT INTO crawl_runs (spider, base_url, started_at, finished_at, status, requests, pages, "
    "new_posts, updated_posts, errors, stats) VALUES ('forum', 'https://demo.forumotion.com/', "
    "{t0}, {t0}, 'finished', 9, 9, 2, 0, 0, '{{}}')",
    "INSERT INTO crawl_runs (spider, base_url, started_at, status, requests, pages, new_posts, "
    "updated_posts, errors, stats) VALUES ('recent', 'https://demo.forumotion.com/', {t0}, "
    "'running', 0, 0, 0, 0, 0, '{{}}')",
)

CONTENT = ("categories", "forums", "topics", "posts", "post_revisions", "crawl_runs")


def _time(engine: Engine) -> str:
    if engine.dialect.name == "postgresql":
        return f"TIMESTAMPTZ '{T0}+00'"
    return f"'{T0}.000000'"


def _rows(engine: Engine, table: str, *, without: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        result = connection.execute(text(f"SELECT * FROM {table} ORDER BY id"))
        return [{k: v for k, v in row._mapping.items() if k not in without} for row in result]


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def old_database(engine: Engine) -> Engine:
    """A database at the previous head holding one board's rows (written with SQL: the code of
    that revision is gone)."""
    command.upgrade(alembic_config(engine), PREVIOUS_HEAD)
    with engine.begin() as connection:
        for statement in OLD_ROWS:
            connection.execute(text(statement.format(t0=_time(engine))))
    return engine


class TestMigration:
    def test_every_row_is_kept_and_belongs_to_the_board_of_board_info(
        self, old_database: Engine
    ) -> None:
        engine = old_database
        before = {table: _rows(engine, table) for table in CONTENT}
        search = None
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                search = connection.execute(
                    text("SELECT search FROM posts WHERE id = 100")
                ).scalar()
        config = alembic_config(engine)
        command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()

        boards = _rows(engine, "boards")
        assert [(b["id"], b["base_url"], b["timezone"]) for b in boards] == [
            (1, "https://demo.forumotion.com/", "Asia/Baghdad")
        ]
        for table in CONTENT:
            after = _rows(engine, table)
            assert {row["board_id"] for row in after} == {1}, table
            # Every column the rows had keeps its value; later revisions' columns are NULL
            # (posts.attachments, 0011, and topics.description, 0012: not read yet).
            kept = [{k: v for k, v in r.items() if k in before[table][0]} for r in after]
            assert kept == before[table], table
            added = {k for r in after for k, v in r.items() if k not in before[table][0]}
            assert added <= {"board_id", "attachments", "description"}, table
            assert all(r.get("attachments") is None for r in after), table
            if table == "topics":
                assert all(r["description"] is None for r in after), table
        with engine.connect() as connection:
            info = connection.execute(text("SELECT base_url, timezone FROM board_info")).all()
            assert [tuple(row) for row in info] == [
                ("https://demo.forumotion.com/", "Asia/Baghdad")
            ]
            details = connection.execute(
                text("SELECT board_id, post_id, topic_title, forum_title FROM post_details")
            ).all()
            assert [tuple(row) for row in details] == [(1, 100, "Hello", "World")]
            if search is not None:
                kept = connection.execute(text("SELECT search FROM posts WHERE id = 100")).scalar()
                assert kept == search
        command.check(config)

    def test_without_board_info_the_board_comes_from_crawl_runs(self, old_database: Engine) -> None:
        engine = old_database
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM board_info"))
        command.upgrade(alembic_config(engine), "head")
        boards = _rows(engine, "boards")
        assert [(b["base_url"], b["timezone"]) for b in boards] == [
            ("https://demo.forumotion.com/", None)
        ]

    def test_an_empty_database_gets_no_board(self, engine: Engine) -> None:
        command.upgrade(alembic_config(engine), "head")
        assert _rows(engine, "boards") == []

    def test_downgrade_then_upgrade_keeps_the_rows(self, old_database: Engine) -> None:
        engine = old_database
        before = {table: _rows(engine, table) for table in CONTENT}
        config = alembic_config(engine)
        command.upgrade(config, "head")
        command.downgrade(config, PREVIOUS_HEAD)
        assert {table: _rows(engine, table) for table in CONTENT} == before
        command.upgrade(config, "head")
        command.check(config)
        assert {row["board_id"] for row in _rows(engine, "posts")} == {1}


def test_the_downgrade_refuses_a_database_of_two_boards(engine: Engine) -> None:
    """Before 0007 a database held one board: going back would mix two boards' rows."""
    config = alembic_config(engine)
    command.upgrade(config, "head")
    register_board(engine, "https://a.forumotion.com/")
    register_board(engine, "https://b.forumotion.com/")
    with pytest.raises(RuntimeError, match="holds 2 boards"):
        command.downgrade(config, PREVIOUS_HEAD)
    assert current_revision(engine) == head_revision()
    assert len(_rows(engine, "boards")) == 2


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("https://Demo.Forumotion.com", "https://demo.forumotion.com/"),
        ("https://demo.forumotion.com/", "https://demo.forumotion.com/"),
        ("HTTP://demo.forumotion.com/forum?x=1#top", "http://demo.forumotion.com/"),
        ("http://127.0.0.1:8123/", "http://127.0.0.1:8123/"),
        ("  https://demo.forumotion.com/index.htm ", "https://demo.forumotion.com/"),
    ],
)
def test_board_url_is_scheme_host_and_slash(given: str, kept: str) -> None:
    assert board_url(given) == kept


# -- crawls of several boards into one database -------------------------------------------------

BOARD_TABLES = (Category, Forum, Topic, Post, PostRevision)
NEAR_DUPLICATE_TABLES = (NearDuplicate, ArticleBand, ArticleSignature)
"""Derived from the posts of every board (a group may span boards): emptied, not compared."""
CRAWL_TIMES = frozenset({"first_seen_at", "last_seen_at", "last_crawled_at", "seen_at"})
"""When a row was stored: differs between two crawls of the same pages."""


def board_rows(engine: Engine, board_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of one board, without ``board_id``, surrogate ids and the times of storing
    (``deleted_at`` as whether it is set)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for model in BOARD_TABLES:
            table = table_of(model)
            columns = [
                c
                for c in table.columns
                if c.name not in CRAWL_TIMES | {"board_id", "search"}
                and not (model is PostRevision and c.name == "id")
            ]
            result = connection.execute(select(*columns).where(table.c.board_id == board_id))
            rows[table.name] = sorted(
                (
                    tuple(
                        (value is not None) if column.name == "deleted_at" else value
                        for column, value in zip(columns, row, strict=True)
                    )
                    for row in result
                ),
                key=repr,
            )
    return rows


def board_b() -> DemoBoard:
    """The demo board with other content under the same ids: an edited post, a new reply."""
    board = build_demo_board()
    topic = board.live_topics()[0]
    rocky = board.member_by_name("Rocky")
    assert rocky is not None
    at = datetime.now(UTC) - timedelta(minutes=3)
    board.edit_post(topic.live_posts[0].id, "<p>Board B says otherwise.</p>", rocky, at)
    board.add_post(topic.id, rocky, "<p>A reply only board B has.</p>", at)
    return board


async def crawl_board(
    server: FixtureForumServer, board: DemoBoard, url: str, spider: str = "forum"
) -> Crawler:
    crawler = await crawl(
        spider, url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
    )
    assert stat(crawler, "forumscraper/run/status") == "finished", stat(
        crawler, "forumscraper/run/summary"
    )
    return crawler


def the_board(engine: Engine, server: FixtureForumServer) -> int:
    board_id = find_board(engine, server.base_url)
    assert board_id is not None
    return board_id


@pytest.fixture
def other_url(request: pytest.FixtureRequest, db_url: str, tmp_path: Path) -> str:
    """A second database of the same kind as ``db_url``."""
    if db_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'alone.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    name = f"test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    request.addfinalizer(admin.dispose)

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    request.addfinalizer(drop)
    return make_url(server.url).set(database=name).render_as_string(hide_password=False)


@deferred_f_from_coro_f
async def test_crawl_a_b_a_leaves_each_board_as_a_crawl_of_it_alone(
    db_url: str, other_url: str
) -> None:
    """Two boards with the same ids (``/t12`` on both) and different content: crawled A, B, A
    into one database, each board's rows are those of a crawl of that board alone; nothing of
    one became a "revision" of the other."""
    a, b = build_demo_board(), board_b()
    with (
        FixtureForumServer(a, version="prosilver") as server_a,
        FixtureForumServer(b, version="prosilver") as server_b,
    ):
        alone: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        for name, board, server in (("a", a, server_a), ("b", b, server_b)):
            await crawl_board(server, board, other_url)
            engine = make_engine(other_url)
            try:
                alone[name] = board_rows(engine, the_board(engine, server))
            finally:
                engine.dispose()
            with engine.begin() as connection:  # the next board alone: an empty database
                for model in (*NEAR_DUPLICATE_TABLES, *reversed(BOARD_TABLES), CrawlRun, Board):
                    connection.execute(table_of(model).delete())
            engine.dispose()
        assert alone["a"]["posts"] != alone["b"]["posts"]

        await crawl_board(server_a, a, db_url)
        await crawl_board(server_b, b, db_url)
        await crawl_board(server_a, a, db_url)
        engine = make_engine(db_url)
        try:
            id_a, id_b = the_board(engine, server_a), the_board(engine, server_b)
            assert id_a != id_b
            assert board_rows(engine, id_a) == alone["a"]
            assert board_rows(engine, id_b) == alone["b"]
            with engine.connect() as connection:
                revisions = connection.execute(select(func.count()).select_from(PostRevision))
                assert revisions.scalar_one() == 0
                runs = connection.execute(
                    select(CrawlRun.board_id, CrawlRun.status).order_by(CrawlRun.id)
                ).all()
                boards = connection.execute(
                    select(
                        Board.base_url, Board.title, Board.template_version, Board.timezone
                    ).order_by(Board.id)
                ).all()
        finally:
            engine.dispose()
    assert [tuple(run) for run in runs] == [
        (id_a, "finished"),
        (id_b, "finished"),
        (id_a, "finished"),
    ]
    assert [tuple(row) for row in boards] == [
        (server_a.base_url, a.title, "prosilver", a.timezone),
        (server_b.base_url, b.title, "prosilver", b.timezone),
    ]


@deferred_f_from_coro_f
async def test_two_boards_crawl_at_once_and_the_same_board_twice_refuses(pg_url: str) -> None:
    """Against one PostgreSQL, two boards crawl at the same time (each holds its own board's
    run lock) and both finish; while a board's lock is held, its crawl stops at once and the
    other board's crawls go on. (Scrapy counts every ERROR record of the process in each
    crawler's stats, so the refused crawl runs apart from the concurrent ones.)"""
    engine = make_engine(pg_url)
    upgrade_to_head(engine)  # a database in use: the runs do not race to create the schema
    a, b = build_demo_board(), board_b()
    try:
        with (
            FixtureForumServer(a, version="prosilver") as server_a,
            FixtureForumServer(b, version="prosilver") as server_b,
        ):
            id_a = register_board(engine, server_a.base_url)[0]
            held = RunLock(engine, id_a)
            assert held.acquire()
            try:
                refused = await crawl(
                    "forum", pg_url, base_url=server_a.base_url, FORUMSCRAPER_TIMEZONE=a.timezone
                )
            finally:
                held.release()
            assert stat(refused, "forumscraper/run/status") == "failed"
            assert stat(refused, "finish_reason") == "locked"

            crawls = await asyncio.gather(
                crawl(
                    "forum", pg_url, base_url=server_a.base_url, FORUMSCRAPER_TIMEZONE=a.timezone
                ),
                crawl(
                    "forum", pg_url, base_url=server_b.base_url, FORUMSCRAPER_TIMEZONE=b.timezone
                ),
            )
            assert [stat(c, "forumscraper/run/status") for c in crawls] == ["finished"] * 2
            with engine.connect() as connection:
                posts = dict(
                    connection.execute(
                        select(Board.base_url, func.count())
                        .select_from(table_of(Post).join(table_of(Board)))
                        .where(Post.deleted_at.is_(None))
                        .group_by(Board.base_url)
                    ).all()
                )
                runs = connection.execute(
                    select(CrawlRun.board_id, CrawlRun.status).order_by(CrawlRun.id)
                ).all()
    finally:
        engine.dispose()
    assert posts == {
        server_a.base_url: len(a.live_posts()),
        server_b.base_url: len(b.live_posts()),
    }
    # The refused run wrote no row; the two concurrent ones one each, of their own board.
    assert sorted(tuple(run) for run in runs) == sorted(
        [(id_a, "finished"), (find_board_id(pg_url, server_b.base_url), "finished")]
    )


def find_board_id(url: str, base_url: str) -> int | None:
    engine = make_engine(url)
    try:
        return find_board(engine, base_url)
    finally:
        engine.dispose()


def test_locks_of_two_boards_are_apart_and_reprocess_takes_the_whole_database(
    db_url: str,
) -> None:
    """One :class:`RunLock` per board: two boards at once, the same board twice refused, the
    whole-database lock (``reprocess``) refused while a board's is held, and the reverse."""
    engine = make_engine(db_url)
    try:
        upgrade_to_head(engine)
        first, second = RunLock(engine, 1), RunLock(engine, 2)
        again, whole = RunLock(engine, 1), RunLock(engine)
        assert first.acquire()
        assert second.acquire()
        assert not again.acquire()
        if engine.url.database:  # an in-memory SQLite database has nothing to share
            assert not whole.acquire()
        first.release()
        assert again.acquire()
        again.release()
        second.release()
        assert whole.acquire()
        assert not RunLock(engine, 1).acquire()
        whole.release()
        assert first.acquire()
        first.release()
    finally:
        engine.dispose()
