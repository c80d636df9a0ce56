"""Every timestamp goes through the UTC column type, on every write path: one text format on
SQLite, the same instants read back on PostgreSQL, and no datetime left for the driver to adapt
(Python 3.12 deprecates sqlite3's own datetime adapter; the suite turns that into an error)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from alembic import command
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Column, DateTime, Engine, Text, event, select, text, type_coerce

from forumscraper.db.board import record_board, register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import alembic_config, upgrade_to_head
from forumscraper.db.models import Base, Post, PostRevision, Topic, UTCDateTime
from forumscraper.db.runs import finish_run, start_run
from forumscraper.db.store import Batch, Store
from forumscraper.demo.content import Board
from forumscraper.demo.server import FixtureForumServer
from tests.crawling import crawl, stat
from tests.test_crawl_forum import check_database_holds_the_board
from tests.test_db import base_batch, post_row
from tests.test_incremental import full_crawl, minute, recent

SQLITE_TEXT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
"""How SQLAlchemy's SQLite ``DATETIME`` writes the UTC value the column type hands it."""

BAGHDAD = timezone(timedelta(hours=3))
NOW = datetime(2024, 12, 1, 12, 0, 0, 250000, tzinfo=BAGHDAD)
LATER = NOW + timedelta(hours=2)


def timestamp_columns() -> list[Column[Any]]:
    """Every date-time column of the schema, found through the metadata."""
    return [
        column
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UTCDateTime | DateTime)
    ]


def sqlite_texts(engine: Engine) -> dict[str, list[Any]]:
    """The values of every timestamp column as SQLite holds them (``table.column``: values)."""
    with engine.connect() as connection:
        return {
            f"{column.table.name}.{column.name}": list(
                connection.execute(
                    select(type_coerce(column, Text())).where(column.is_not(None))
                ).scalars()
            )
            for column in timestamp_columns()
        }


def check_one_utc_format(engine: Engine) -> dict[str, list[Any]]:
    """On SQLite, every stored timestamp is text in the column type's one format."""
    texts = sqlite_texts(engine)
    odd = {
        name: [v for v in values if not (isinstance(v, str) and SQLITE_TEXT.fullmatch(v))]
        for name, values in texts.items()
    }
    assert {name: values for name, values in odd.items() if values} == {}
    return texts


def _parameters(value: Any) -> Iterable[Any]:
    """The single values of a statement's parameters (one set or many, lists for ``unnest``)."""
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, list | tuple):
        for item in value:
            yield from _parameters(item)
    else:
        yield value


@pytest.fixture
def raw_datetimes() -> Iterator[list[str]]:
    """Datetimes that reached the driver without the column type, whatever the Python: on
    SQLite any (the type hands over text), on PostgreSQL any not in UTC (it converts)."""
    found: list[str] = []

    def check(conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sqlite = conn.dialect.name == "sqlite"
        for value in _parameters(parameters):
            if not isinstance(value, date | time):
                continue
            utc = isinstance(value, datetime) and value.utcoffset() == timedelta(0)
            if sqlite or not utc:
                found.append(f"{value!r} in {statement[:80]}")

    event.listen(Engine, "before_cursor_execute", check)
    try:
        yield found
    finally:
        event.remove(Engine, "before_cursor_execute", check)


def test_every_date_time_column_is_a_utc_column() -> None:
    columns = timestamp_columns()
    assert columns
    assert [str(c) for c in columns if not isinstance(c.type, UTCDateTime)] == []


def test_times_stored_by_sqlite3s_adapter_are_rewritten_in_utc(sqlite_url: str) -> None:
    """A SQLite database written before the fix: its adapter-made text, offsets included."""
    engine = make_engine(sqlite_url)
    config = alembic_config(engine)
    command.upgrade(config, "0004")
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO topics (id, first_seen_at, last_post_at) VALUES (:id, :seen, :last)"),
            [
                {
                    "id": 1,
                    "seen": "2024-12-01 09:00:00.000000",
                    "last": "2025-01-03 20:21:00+00:00",
                },
                {"id": 2, "seen": "2024-12-01 09:00:00.000000", "last": NOW.isoformat(" ")},
                {"id": 3, "seen": "2024-12-01 09:00:00.000000", "last": "2024-01-01 12:00:00"},
            ],
        )
    command.upgrade(config, "head")
    texts = check_one_utc_format(engine)
    assert sorted(texts["topics.last_post_at"]) == [
        "2024-01-01 12:00:00.000000",  # naive: read as UTC before, kept
        "2024-12-01 09:00:00.250000",  # +03:00 applied (read 3 hours late before)
        "2025-01-03 20:21:00.000000",
    ]
    with engine.connect() as connection:
        read = connection.execute(select(Topic.last_post_at).order_by(Topic.id)).scalars().all()
    assert read == [
        datetime(2025, 1, 3, 20, 21, tzinfo=UTC),
        NOW,
        datetime(2024, 1, 1, 12, tzinfo=UTC),
    ]
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-executemany"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated, empty database: SQLite, PostgreSQL (``unnest``), PostgreSQL (executemany)."""
    kind = str(request.param)
    engine = make_engine(request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url"))
    upgrade_to_head(engine)
    store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
    store.unnest = kind == "postgresql"
    yield store
    engine.dispose()


def test_every_write_path_stores_board_times_in_utc(store: Store, raw_datetimes: list[str]) -> None:
    """Times at +03:00 (a board's zone) through every write: upserts, a revision, watermarks,
    vanished posts, a gone and a moved topic, the board row and a run row."""
    first = base_batch()
    first.topics += [{"id": 12, "forum_id": 3}]
    first.topics[0]["first_post_at"] = NOW - timedelta(days=1)
    first.posts[0] |= {"posted_at": NOW - timedelta(days=1), "edited_at": NOW - timedelta(hours=5)}
    first.posts.append(post_row(103, topic_id=12))
    store.write(first, NOW)
    edited = post_row(101, text="Edited") | {
        "posted_at": NOW - timedelta(days=1),
        "edited_at": NOW - timedelta(hours=1),
    }
    watermark = NOW + timedelta(minutes=30)
    done = {"id": 11, "complete": True, "reply_count": 0, "last_post_at": watermark}
    store.write(
        Batch(
            posts=[edited],
            topics=[
                done | {"post_ids": [101], "first_position": 0},
                {"id": 12, "gone": True},
                {"id": 13, "moved_to_id": 11},
            ],
        ),
        LATER,
    )
    record_board(store.engine, store.board_id, timezone=BAGHDAD)
    finish_run(
        store.engine,
        start_run(store.engine, "forum", None, store.board_id)[0],
        status="finished",
        message=None,
        counts={},
        stats={"start_time": NOW},
    )

    assert raw_datetimes == []
    with store.engine.connect() as connection:
        topics = {
            row[0]: row[1]
            for row in connection.execute(
                select(Topic.id, Topic.last_post_at).where(Topic.last_post_at.is_not(None))
            )
        }
        gone = {row[0]: row[1] for row in connection.execute(select(Topic.id, Topic.deleted_at))}
        posts = {
            row[0]: tuple(row[1:])
            for row in connection.execute(
                select(Post.id, Post.posted_at, Post.edited_at, Post.deleted_at)
            )
        }
        revision = connection.execute(select(PostRevision.edited_at, PostRevision.seen_at)).one()
    assert topics == {11: watermark}
    assert topics[11].utcoffset() == timedelta(0)
    assert gone == {11: None, 12: LATER, 13: LATER}
    assert posts[101] == (NOW - timedelta(days=1), NOW - timedelta(hours=1), None)
    assert posts[102][2] == LATER  # vanished from the complete topic
    assert posts[103][2] == LATER  # its topic is gone
    assert tuple(revision) == (NOW - timedelta(hours=5), NOW)
    if store.dialect == "sqlite":
        texts = check_one_utc_format(store.engine)
        assert texts["topics.last_post_at"] == [
            watermark.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        ]


@deferred_f_from_coro_f
async def test_a_crawl_and_incremental_runs_store_one_utc_format(
    server: FixtureForumServer,
    board: Board,
    db_url: str,
    engine: Engine,
    raw_datetimes: list[str],
) -> None:
    """A board at +03:00 crawled, then changed and crawled again incrementally (watermarks
    move, a post is edited) and in full (deletions): the same instants on both databases
    (compared with the board's), and one text format on SQLite."""
    assert board.tzinfo.utcoffset(datetime.now(UTC)) != timedelta(0)
    await full_crawl(server, board, db_url)
    rocky = board.member_by_name("Rocky")
    assert rocky is not None
    topic = max(board.live_topics(), key=lambda t: len(t.live_posts))
    board.edit_post(topic.live_posts[-1].id, "<i>Corrected</i>", rocky, minute(-3))
    board.add_post(topic.id, rocky, "A reply after the edit", minute(-2))
    new_topic = board.add_topic(5, "A brand new topic", rocky, "First post of it", minute(-1))
    await recent(server, board, db_url)
    check_database_holds_the_board(engine, board, unknown_views=frozenset({new_topic.id}))

    board.delete_post(topic.live_posts[1].id)
    board.delete_topic(39)
    crawler = await crawl(
        "forum",
        db_url,
        base_url=server.base_url,
        spider_args={"full": "1"},
        FORUMSCRAPER_TIMEZONE=board.timezone,
    )
    assert stat(crawler, "forumscraper/run/status") == "finished"

    assert raw_datetimes == []
    if engine.dialect.name == "sqlite":
        texts = check_one_utc_format(engine)
        for name in (
            "topics.last_post_at",
            "topics.last_crawled_at",
            "topics.deleted_at",
            "posts.edited_at",
            "posts.deleted_at",
            "post_revisions.seen_at",
            "crawl_runs.finished_at",
            "boards.updated_at",
        ):
            assert texts[name], name
