"""The README's "Querying" section, run for real: the demo board is crawled once into a fresh
PostgreSQL database and once into a SQLite file, then every ```sql block of the section is
executed on its database (``-- q: name`` for PostgreSQL, ``-- q: name (SQLite)`` for SQLite) and
its answer compared with what the board holds (one expected-value check per name, the same for
both forms). The question that needs two boards ("which board carried this article first") runs
on two demo boards crawled into one database. Also: full-text search finds a post by its own
words, and SQLite's FTS5 index finds every word in the same posts as PostgreSQL's ``tsvector``;
the board time zone is stored the way PostgreSQL reads it, the read-only role reads everything
and writes nothing, and migration 0002 goes down and up again with its views in place, on
PostgreSQL and on SQLite."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import psycopg
import pytest
import pytest_twisted
from alembic import command
from psycopg.rows import dict_row
from scrapy.utils.defer import deferred_f_from_coro_f, deferred_from_coro
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from forumscraper.db.board import database_timezone, find_board, record_board, register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import alembic_config
from forumscraper.db.models import Base, UTCDateTime
from forumscraper.db.store import Batch, Store
from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, Board, Post, Topic, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.readme import CHECKOUT_README as README
from forumscraper.readme import Example, readme_examples
from forumscraper.text.clean import CleanPost, clean_post
from tests.crawling import crawl
from tests.pgserver import PostgresServer

VIEWS = {"post_details", "topic_activity", "daily_activity", "duplicate_articles"}
Row = dict[str, Any]


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))
"""The README's ```sql blocks (its parser is shared with ``forumscraper browse``)."""


# -- the crawled database -----------------------------------------------------------------------


@dataclass(frozen=True)
class Crawled:
    """The demo board and the PostgreSQL database its crawl was stored in."""

    board: Board
    url: str
    """SQLAlchemy URL of the database."""
    base_url: str
    stats: dict[str, Any]
    """The crawl's final Scrapy stats."""
    clean: dict[int, CleanPost]
    """Each live post cleaned by the pipeline's function, by post id."""
    sqlite: Path | None = None
    """The SQLite file, when the crawl went to SQLite (``url`` names it too)."""

    def dsn(self, user: str | None = None) -> str:
        """A libpq URL for psycopg (``user``: connect as that role)."""
        url = make_url(self.url).set(drivername="postgresql")
        if user:
            url = url.set(username=user)
        return url.render_as_string(hide_password=False)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.board.timezone)

    @property
    def clock(self) -> tzinfo:
        """The zone of the examples' days and hours: the board's; UTC on SQLite."""
        return UTC if self.sqlite else self.tz

    def live(self) -> list[tuple[Topic, int, Post]]:
        """(topic, position, post) of every live post, in topic then position order."""
        return [
            (topic, position, post)
            for topic in self.board.live_topics()
            for position, post in enumerate(topic.live_posts)
        ]

    def text(self, post: Post) -> str:
        return self.clean[post.id].body_text

    def forum_title(self, topic: Topic) -> str:
        forum = self.board.forum(topic.forum_id)
        assert forum is not None
        return forum.title

    def post_url(self, topic: Topic, post: Post) -> str:
        return urljoin(self.base_url, f"/t{topic.id}-{topic.slug}#{post.id}")

    def words(self, topic: Topic, post: Post) -> list[str]:
        """What ``posts.search`` holds, near enough: the title's and the text's words, lower."""
        return re.findall(r"\w+", f"{topic.title}\n{self.text(post)}".lower())


def create_database(server: PostgresServer) -> tuple[Engine, str, str]:
    """A new database on the test server: (admin engine, its name, its URL)."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server.url).set(database=name).render_as_string(hide_password=False)
    return admin, name, url


def crawl_demo(url: str, board: Board) -> tuple[str, dict[str, Any]]:
    """Crawl ``board`` into ``url`` with the real spider: (its base URL, the crawl's stats)."""
    return pytest_twisted.blockon(deferred_from_coro(crawl_board(url, board)))  # type: ignore[no-any-return]


async def crawl_board(url: str, board: Board) -> tuple[str, dict[str, Any]]:
    with FixtureForumServer(board, version="prosilver") as server:
        crawler = await crawl(
            "forum", url, base_url=server.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
        )
        base_url = server.base_url
    assert crawler.stats is not None
    stats = crawler.stats.get_stats()
    assert stats.get("forumscraper/run/status") == "finished", stats
    engine = make_engine(url)
    try:
        board_id = find_board(engine, base_url)
        assert board_id is not None
        record_board(engine, board_id, timezone=board.timezone)
    finally:
        engine.dispose()
    return base_url, stats


def cleaned(board: Board) -> dict[int, CleanPost]:
    return {post.id: clean_post(post.body_html) for post in board.live_posts()}


@pytest.fixture(scope="module")
def crawled_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    """The demo board crawled by the real spider into a new SQLite file (once per module)."""
    path = tmp_path_factory.mktemp("queries") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    board = build_demo_board()
    base_url, stats = crawl_demo(url, board)
    return Crawled(
        board=board, url=url, base_url=base_url, stats=stats, clean=cleaned(board), sqlite=path
    )


@pytest.fixture(scope="module")
def crawled(postgres_server: PostgresServer) -> Iterator[Crawled]:
    """The demo board crawled by the real spider into a fresh database (once per module)."""
    admin, name, url = create_database(postgres_server)
    board = build_demo_board()
    try:
        base_url, stats = crawl_demo(url, board)
        yield Crawled(board=board, url=url, base_url=base_url, stats=stats, clean=cleaned(board))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text("DROP ROLE IF EXISTS analyst, forum_reader"))
        admin.dispose()


def run(dsn: str, sql: str) -> tuple[list[Row], datetime]:
    """Execute ``sql`` as written (no parameters, several statements allowed) and return its rows
    and ``now()`` of the same transaction, which is what its ``now()`` saw."""
    with psycopg.connect(dsn, row_factory=dict_row) as connection, connection.cursor() as cursor:
        cursor.execute(sql.encode("utf-8"))
        rows = cursor.fetchall() if cursor.description else []
        cursor.execute("SELECT now() AS now")
        now = cursor.fetchone()
        assert now is not None
        return rows, now["now"]


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def sqlite_value(name: str, value: Any) -> tuple[str, Any]:
    """A SQLite answer's column as PostgreSQL's would be: UTC text is a timestamp, a date text
    a date, and ``NAME_seconds`` the interval ``NAME``."""
    if name.endswith("_seconds") and isinstance(value, int | float):
        return name.removesuffix("_seconds"), timedelta(seconds=value)
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value):
        return name, datetime.fromisoformat(value).replace(tzinfo=UTC)
    if isinstance(value, str) and _DATE.fullmatch(value):
        return name, date.fromisoformat(value)
    return name, value


def run_sqlite(path: Path, sql: str) -> tuple[list[Row], datetime]:
    """Execute ``sql`` as written on the SQLite file (Python's sqlite3, as the ``sqlite3`` shell
    would) and return its rows, read as PostgreSQL's (:func:`sqlite_value`), and the time."""
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute(sql)
        names = [column[0] for column in cursor.description or ()]
        rows = [dict(sqlite_value(n, v) for n, v in zip(names, row, strict=True)) for row in cursor]
        (now,) = connection.execute("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')").fetchone()
    finally:
        connection.close()
    return rows, datetime.fromisoformat(now).replace(tzinfo=UTC)


def run_example(example: Example, db: Crawled) -> tuple[list[Row], datetime]:
    if example.database == "sqlite":
        assert db.sqlite is not None
        return run_sqlite(db.sqlite, example.sql)
    return run(db.dsn(), example.sql)


# -- one expected answer per example ------------------------------------------------------------

Check = Callable[[list[Row], datetime, Crawled], None]
CHECKS: dict[str, Check] = {}


def check(name: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[name] = function
        return function

    return register


@check("read-only-role")
def _read_only_role(rows: list[Row], now: datetime, db: Crawled) -> None:
    with psycopg.connect(db.dsn()) as connection:
        relations = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    names = {name for (name,) in relations}
    assert VIEWS | {"posts", "topics", "forums", "crawl_runs", "boards", "board_info"} <= names
    with psycopg.connect(db.dsn("analyst"), autocommit=True) as connection:
        for name in sorted(names):
            connection.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            connection.execute("DELETE FROM posts")
        # The read-only default is a convenience; the privileges are what protect the data.
        connection.execute("SET default_transaction_read_only = off")
        for statement in (
            "INSERT INTO boards (base_url, added_at, updated_at) VALUES ('x', now(), now())",
            "UPDATE posts SET body_text = ''",
            "DELETE FROM crawl_runs",
            "CREATE TABLE mine (id int)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                connection.execute(statement)


@check("rocky-recent")
def _rocky_recent(rows: list[Row], now: datetime, db: Crawled) -> None:
    posts = [
        (topic, post)
        for topic, _, post in db.live()
        if post.author_name == "Rocky" and post.posted_at >= now - timedelta(days=30)
    ]
    posts.sort(key=lambda tp: tp[1].posted_at, reverse=True)
    assert posts
    assert rows == [
        {
            "posted_at": post.posted_at,
            "topic_title": topic.title,
            "forum_title": db.forum_title(topic),
            "start": db.text(post)[:60],
            "url": db.post_url(topic, post),
        }
        for topic, post in posts
    ]


@check("rocky-about")
def _rocky_about(rows: list[Row], now: datetime, db: Crawled) -> None:
    def about(words: list[str]) -> bool:
        return any(pair == ("integrity", "commission") for pair in pairwise(words))

    posts = [
        (topic, post)
        for topic, _, post in db.live()
        if post.author_name == "Rocky"
        and post.posted_at >= now - timedelta(days=60)
        and about(db.words(topic, post))
    ]
    posts.sort(key=lambda tp: tp[1].posted_at)
    assert posts
    assert rows == [
        {"posted_at": post.posted_at, "topic_title": topic.title, "url": db.post_url(topic, post)}
        for topic, post in posts
    ]


@check("search")
def _search(rows: list[Row], now: datetime, db: Crawled) -> None:
    seed = db.board.topic(DEMO_SEED_TOPIC_ID)
    assert seed is not None
    matching = {
        post.id for topic, _, post in db.live() if {"audio", "leaks"} <= set(db.words(topic, post))
    }
    assert len(matching) > 1
    assert {row["post_id"] for row in rows} == matching
    # bm25 (SQLite) favours the short post quoting the article's first line; ts_rank does not.
    first = rows[0] if db.sqlite is None else rows[1]
    assert first["post_id"] == seed.first_post.id, "the article itself ranks first"
    assert first["topic_title"] == seed.title
    assert first["url"] == db.post_url(seed, seed.first_post)
    assert [row["rank"] for row in rows] == sorted((row["rank"] for row in rows), reverse=True)
    assert re.search(r"<b>(audio|leaks)</b>", rows[0]["extract"], re.IGNORECASE)


@check("search-arabic")
def _search_arabic(rows: list[Row], now: datetime, db: Crawled) -> None:
    word = "الكهرباء"
    in_title = {post.id for topic, _, post in db.live() if word in db.words(topic, post)}
    in_text = {post.id for _, _, post in db.live() if word in re.findall(r"\w+", db.text(post))}
    assert in_text and in_title - in_text, "the fixture has both kinds of match"
    assert {row["post_id"] for row in rows} == in_title
    assert rows[0]["post_id"] in in_text, "title and text rank above title alone"


@check("busiest-this-week")
def _busiest_this_week(rows: list[Row], now: datetime, db: Crawled) -> None:
    recent: dict[int, list[Post]] = defaultdict(list)
    topics = {topic.id: topic for topic in db.board.live_topics()}
    for topic, _, post in db.live():
        if post.posted_at >= now - timedelta(days=7):
            recent[topic.id].append(post)
    expected: list[Row] = [
        {
            "topic_id": topic_id,
            "topic_title": topics[topic_id].title,
            "forum_title": db.forum_title(topics[topic_id]),
            "posts": len(posts),
            "last_post_at": max(post.posted_at for post in posts),
        }
        for topic_id, posts in recent.items()
    ]
    expected.sort(
        key=lambda row: (-row["posts"], -row["last_post_at"].timestamp(), row["topic_id"])
    )
    assert len(expected) > 1
    assert rows == expected[:10]


@check("biggest-topics")
def _biggest_topics(rows: list[Row], now: datetime, db: Crawled) -> None:
    expected: list[Row] = [
        {
            "topic_id": topic.id,
            "topic_title": topic.title,
            "forum_title": db.forum_title(topic),
            "post_count": len(topic.live_posts),
            "author_count": len({post.author_name for post in topic.live_posts}),
            "ran_for": topic.last_post.posted_at - topic.first_post.posted_at,
        }
        for topic in db.board.live_topics()
    ]
    expected.sort(key=lambda row: (-row["post_count"], row["topic_id"]))
    assert rows == expected[:10]


@check("daily-activity")
def _daily_activity(rows: list[Row], now: datetime, db: Crawled) -> None:
    today = now.astimezone(db.clock).date()
    days: dict[tuple[Any, str], list[tuple[Topic, Post]]] = defaultdict(list)
    for topic, _, post in db.live():
        day = post.posted_at.astimezone(db.clock).date()
        if day > today - timedelta(days=7):
            days[day, db.forum_title(topic)].append((topic, post))
    expected: list[Row] = [
        {
            "day": day,
            "forum_title": forum,
            "post_count": len(posts),
            "topic_count": len({topic.id for topic, _ in posts}),
            "author_count": len({post.author_name for _, post in posts}),
        }
        for (day, forum), posts in days.items()
    ]
    expected.sort(key=lambda row: row["forum_title"])
    expected.sort(key=lambda row: row["day"], reverse=True)
    assert len({row["day"] for row in expected}) > 1
    assert rows == expected


@check("posting-hours")
def _posting_hours(rows: list[Row], now: datetime, db: Crawled) -> None:
    hours = Counter(post.posted_at.astimezone(db.clock).hour for _, _, post in db.live())
    assert rows == [{"hour": hour, "posts": count} for hour, count in sorted(hours.items())]


@check("read-topic")
def _read_topic(rows: list[Row], now: datetime, db: Crawled) -> None:
    topic = db.board.topic(DEMO_SEED_TOPIC_ID)
    assert topic is not None
    assert rows == [
        {
            "position": position,
            "author_name": post.author_name,
            "posted": post.posted_at.astimezone(db.clock).strftime("%Y-%m-%d %H:%M"),
            "start": db.text(post)[:70],
        }
        for position, post in enumerate(topic.live_posts)
    ]


@check("duplicates")
def _duplicates(rows: list[Row], now: datetime, db: Crawled) -> None:
    groups: dict[str, list[tuple[Topic, Post]]] = defaultdict(list)
    for topic, _, post in db.live():
        if db.text(post):
            groups[db.clean[post.id].content_hash].append((topic, post))
    expected = [
        (
            len(posts),
            content_hash,
            post.posted_at,
            {
                "text": db.text(post)[:40],
                "copies": len(posts),
                "topic_count": len({t.id for t, _ in posts}),
                "forum_count": len({t.forum_id for t, _ in posts}),
                "board_title": db.board.title,
                "post_id": post.id,
                "topic_id": topic.id,
                "forum_title": db.forum_title(topic),
                "author_name": post.author_name,
            },
        )
        for content_hash, posts in groups.items()
        if len({t.id for t, _ in posts}) > 1
        for topic, post in posts
    ]
    expected.sort(key=lambda e: (-e[0], e[1], e[2], e[3]["post_id"]))
    assert expected, "the demo board repeats a text in several topics"
    assert rows == [e[3] for e in expected]


@check("edited-posts")
def _edited_posts(rows: list[Row], now: datetime, db: Crawled) -> None:
    expected: list[Row] = [
        {
            "post_id": post.id,
            "author_name": post.author_name,
            "topic_title": topic.title,
            "edit_count": post.edit_count,
            "edited_after": post.edited_at - post.posted_at,
        }
        for topic, _, post in db.live()
        if post.edited_at is not None
    ]
    expected.sort(key=lambda row: (-row["edited_after"], row["post_id"]))
    assert expected
    assert rows == expected


@check("last-run")
def _last_run(rows: list[Row], now: datetime, db: Crawled) -> None:
    (row,) = rows
    assert row["status"] == "finished"
    assert row["finish_reason"] == "finished"
    assert timedelta(0) < row["took"] < timedelta(minutes=5)
    assert row["new_posts"] == len(db.board.live_posts())
    assert row["hidden_links"] == sum(clean.hidden_link_count for clean in db.clean.values())


@check("last-run-counters")
def _last_run_counters(rows: list[Row], now: datetime, db: Crawled) -> None:
    # SQLite's json_each gives an object or an array (the forums of a stat) as its JSON text.
    counters = {
        row["key"]: json.loads(row["value"])
        if isinstance(db.stats.get(row["key"]), dict | list) and isinstance(row["value"], str)
        else row["value"]
        for row in rows
    }
    assert [row["key"] for row in rows] == sorted(counters)
    assert all(key.startswith("forumscraper/") for key in counters)
    # What the run stored is what the crawler counted (the crawler adds a summary afterwards).
    assert {key: db.stats.get(key) for key in counters} == counters
    assert {"forumscraper/clean/posts", "forumscraper/db/batches"} <= counters.keys()
    assert counters["forumscraper/db/new_posts"] == len(db.board.live_posts())
    assert counters["forumscraper/run/status"] == "finished"


# -- the tests ----------------------------------------------------------------------------------


MULTI_BOARD = {"first-board"}
"""Examples whose answer needs two boards in the database (see the cross-board test)."""
ONE_BOARD = [example for example in EXAMPLES if example.name not in MULTI_BOARD]


def test_every_example_has_a_marker_a_question_and_a_check() -> None:
    ids = [example.id for example in EXAMPLES]
    assert len(ids) == len(set(ids)), "duplicate -- q: markers"
    postgres = {example.name for example in EXAMPLES if example.database == "postgresql"}
    sqlite = {example.name for example in EXAMPLES if example.database == "sqlite"}
    assert postgres == set(CHECKS)
    assert sqlite == postgres - {"read-only-role"}, "every question has a SQLite form"
    questions = [example for example in EXAMPLES if example.question]
    assert len(questions) >= 16
    assert all(example.question for example in EXAMPLES if example.name != "read-only-role")


POSTGRESQL_EXAMPLES = [example for example in ONE_BOARD if example.database == "postgresql"]
SQLITE_EXAMPLES = [example for example in ONE_BOARD if example.database == "sqlite"]


@pytest.mark.parametrize(
    "example", POSTGRESQL_EXAMPLES, ids=[example.id for example in POSTGRESQL_EXAMPLES]
)
def test_readme_example_gives_the_board_answer(example: Example, crawled: Crawled) -> None:
    rows, now = run_example(example, crawled)
    CHECKS[example.name](rows, now, crawled)


@pytest.mark.parametrize(
    "example", SQLITE_EXAMPLES, ids=[example.id for example in SQLITE_EXAMPLES]
)
def test_readme_sqlite_example_gives_the_board_answer(
    example: Example, crawled_sqlite: Crawled
) -> None:
    rows, now = run_example(example, crawled_sqlite)
    CHECKS[example.name](rows, now, crawled_sqlite)


def test_a_post_is_found_first_by_a_word_only_it_has(crawled: Crawled) -> None:
    owners: dict[str, set[int]] = defaultdict(set)
    for topic, _, post in crawled.live():
        for word in crawled.words(topic, post):
            owners[word].add(post.id)
    probes: dict[int, str] = {}  # post id -> its longest word no other post has
    for word, ids in sorted(owners.items(), key=lambda item: (-len(item[0]), item[0])):
        if len(ids) == 1 and word.isalpha() and len(word) >= 4:
            probes.setdefault(min(ids), word)
    seed = crawled.board.topic(DEMO_SEED_TOPIC_ID)
    assert seed is not None and seed.first_post.id in probes
    assert len(probes) > 10
    query = (
        "SELECT p.id FROM posts AS p, websearch_to_tsquery('simple', %s) AS q "
        "WHERE p.search @@ q ORDER BY ts_rank(p.search, q) DESC"
    )
    with psycopg.connect(crawled.dsn()) as connection:
        for post_id, word in probes.items():
            found = [pid for (pid,) in connection.execute(query, (word,)).fetchall()]
            assert found[:1] == [post_id], word


def east(hours: int, minutes: int = 0) -> tzinfo:
    return timezone(timedelta(hours=hours, minutes=minutes))


@pytest.mark.parametrize(
    ("zone", "stored", "wall_clock_tz"),
    [
        ("Asia/Baghdad", "Asia/Baghdad", ZoneInfo("Asia/Baghdad")),
        ("Europe/Paris", "Europe/Paris", ZoneInfo("Europe/Paris")),
        ("UTC", "UTC", UTC),
        ("+00:00", "UTC", UTC),
        ("+03:00", "Etc/GMT-3", east(3)),
        ("-0500", "Etc/GMT+5", east(-5)),
        ("+05:30", "<+0530>-05:30", east(5, 30)),
        ("-03:30", "<-0330>+03:30", east(-3, -30)),
        (east(4, 30), "<+0430>-04:30", east(4, 30)),
    ],
)
def test_board_timezone_is_stored_the_way_postgresql_reads_it(
    zone: str | tzinfo, stored: str, wall_clock_tz: tzinfo, crawled: Crawled
) -> None:
    assert database_timezone(zone) == stored
    instant = datetime(2025, 7, 1, 22, 45, tzinfo=UTC)
    with psycopg.connect(crawled.dsn()) as connection:
        row = connection.execute("SELECT %s::timestamptz AT TIME ZONE %s", (instant, stored))
        (wall_clock,) = row.fetchone() or (None,)
    assert wall_clock == instant.astimezone(wall_clock_tz).replace(tzinfo=None)


def test_an_unknown_timezone_is_refused() -> None:
    with pytest.raises(ValueError):
        database_timezone("Mars/Olympus_Mons")


# -- migration 0002 on both databases -----------------------------------------------------------

NOW = datetime(2024, 11, 30, 21, 30, tzinfo=UTC)
"""00:30 on 1 December in Baghdad."""


def small_batch() -> Batch:
    post = {
        "topic_id": 11,
        "author_name": "Rocky",
        "author_id": 1,
        "links": [],
        "hidden_link_count": 0,
        "collapsed_repeats": 0,
        "edit_count": 0,
    }
    return Batch(
        categories=[{"id": 1, "title": "News", "url": "/c1-news", "position": 0}],
        forums=[{"id": 3, "title": "Iraq", "category_id": 1, "category": "News", "position": 0}],
        topics=[{"id": 11, "forum_id": 3, "title": "Central Bank reserves", "url": "/t11-x"}],
        posts=[
            post
            | {
                "id": 101,
                "position": 0,
                "posted_at": NOW,
                "body_html": "Gold bought",
                "body_text": "Gold bought",
                "content_hash": "h1",
                "url": "/t11-x#101",
            },
            post
            | {
                "id": 102,
                "position": 1,
                "posted_at": NOW - timedelta(hours=1),
                "body_html": "Dinar falls",
                "body_text": "Dinar falls",
                "content_hash": "h2",
                "url": "/t11-x#102",
            },
        ],
    )


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def views_answer(engine: Engine) -> dict[str, Any]:
    with engine.connect() as connection:
        return {
            "post_details": connection.execute(
                text("SELECT post_id, topic_title, forum_title, category, url FROM post_details")
            ).all(),
            "topic_activity": connection.execute(
                text("SELECT topic_id, post_count, author_count FROM topic_activity")
            ).all(),
            "daily_activity": connection.execute(
                text("SELECT CAST(day AS TEXT), timezone, post_count FROM daily_activity")
            ).all(),
            "duplicate_articles": connection.execute(
                text("SELECT count(*) FROM duplicate_articles")
            ).scalar_one(),
        }


def test_migration_goes_down_and_up_with_the_views_in_place(engine: Engine) -> None:
    config = alembic_config(engine)
    command.upgrade(config, "head")
    board_id = register_board(engine, "https://example.forumotion.com/")[0]
    Store(engine, board_id).write(small_batch(), NOW)
    record_board(engine, board_id, timezone="Asia/Baghdad")
    postgres = engine.dialect.name == "postgresql"
    # 00:30 and 23:30 in Baghdad: two board days on PostgreSQL, one UTC day on SQLite.
    days = (
        [("2024-11-30", "Asia/Baghdad", 1), ("2024-12-01", "Asia/Baghdad", 1)]
        if postgres
        else [("2024-11-30", "UTC", 2)]
    )
    expected = {
        "post_details": [
            (101, "Central Bank reserves", "Iraq", "News", "/t11-x#101"),
            (102, "Central Bank reserves", "Iraq", "News", "/t11-x#102"),
        ],
        "topic_activity": [(11, 2, 1)],
        "daily_activity": days,
        "duplicate_articles": 0,
    }
    assert sorted_answer(views_answer(engine)) == sorted_answer(expected)

    command.downgrade(config, "0001")
    inspector = inspect(engine)
    assert set(inspector.get_view_names()) == set()
    assert "board_info" not in inspector.get_table_names()
    assert "search" not in {column["name"] for column in inspector.get_columns("posts")}

    command.upgrade(config, "head")
    fts = set() if postgres else {"posts_fts_content"}  # what SQLite's FTS5 index reads
    views = VIEWS | {"board_info", "near_duplicate_articles"} | fts  # the second: migration 0010
    assert set(inspect(engine).get_view_names()) == views
    # The rows were kept through the downgrade to one board; its zone went with board_info.
    record_board(engine, board_id, timezone="Asia/Baghdad")
    assert sorted_answer(views_answer(engine)) == sorted_answer(expected)
    # The search index was filled for the rows already there.
    if postgres:
        assert search_hits(engine, "central & gold") == [101]
    else:
        with engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT p.id FROM posts_fts JOIN posts AS p ON p.rowid = posts_fts.rowid "
                    "WHERE posts_fts MATCH 'central gold'"
                )
            ).scalars()
            assert list(found) == [101]


def sorted_answer(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        key: sorted(tuple(row) for row in value) if isinstance(value, list) else value
        for key, value in answer.items()
    }


def search_hits(engine: Engine, query: str) -> list[int]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text("SELECT id FROM posts WHERE search @@ to_tsquery('simple', :q) ORDER BY id"),
                {"q": query},
            ).scalars()
        )


def test_search_follows_text_and_title_changes(pg_url: str) -> None:
    engine = make_engine(pg_url)
    try:
        command.upgrade(alembic_config(engine), "head")
        board_id = register_board(engine, "https://example.forumotion.com/")[0]
        with engine.begin() as connection:  # a post stored before its topic (deferred key)
            connection.execute(
                text(
                    "INSERT INTO posts (board_id, id, topic_id, position, edit_count, body_html,"
                    " body_text, content_hash, links, hidden_link_count, collapsed_repeats,"
                    " first_seen_at, last_seen_at) VALUES (:b, 100, 11, 0, 0, 'Early', 'Early',"
                    " 'h0', '[]', 0, 0, now(), now())"
                ),
                {"b": board_id},
            )
            connection.execute(
                text(
                    "INSERT INTO topics (board_id, id, title, first_seen_at)"
                    " VALUES (:b, 11, 'Central', now())"
                ),
                {"b": board_id},
            )
        assert search_hits(engine, "central & early") == [100]
        store = Store(engine, board_id)
        store.write(small_batch(), NOW)
        assert search_hits(engine, "central") == [100, 101, 102]
        edited = small_batch()
        edited.posts[1] |= {"body_text": "Dinar rises", "content_hash": "h3"}
        edited.topics[0]["title"] = "Reserves of the treasury"
        store.write(edited, NOW + timedelta(hours=1))
        assert search_hits(engine, "rises") == [102]
        assert search_hits(engine, "falls") == []
        assert search_hits(engine, "treasury") == [100, 101, 102]
        assert search_hits(engine, "central") == []
    finally:
        engine.dispose()


def test_board_info_shows_each_board_with_its_zone(sqlite_url: str) -> None:
    """``board_info`` is a view over ``boards`` now: one row per board, same columns."""
    engine = make_engine(sqlite_url)
    try:
        command.upgrade(alembic_config(engine), "head")
        first = register_board(engine, "https://A.forumotion.com")[0]
        second = register_board(engine, "https://b.forumotion.com/")[0]
        assert register_board(engine, "https://a.forumotion.com/") == (first, False)
        record_board(engine, first, timezone="Asia/Baghdad")
        with engine.begin() as connection:
            record_board(connection, first, timezone="+03:00")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT id, base_url, timezone FROM board_info ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            (first, "https://a.forumotion.com/", "Etc/GMT-3"),
            (second, "https://b.forumotion.com/", None),
        ]
    finally:
        engine.dispose()


# -- a question across boards -------------------------------------------------------------------


@dataclass(frozen=True)
class Archived:
    """A board as crawled into a database of several boards."""

    board: Board
    base_url: str
    clean: dict[int, CleanPost]

    def url(self, topic: Topic, post: Post) -> str:
        return urljoin(self.base_url, f"/t{topic.id}-{topic.slug}#{post.id}")


def second_board(first: Board) -> tuple[Board, Post, Post]:
    """Another board carrying two of ``first``'s articles in topics of its own: the seed article a
    day *before* ``first`` posted it, another post's text a day after. Its other topics are
    gone. Returns the board and the two posts of ``first`` it copied (earlier, later)."""
    board = build_demo_board()
    board.title = "Basra Readers"
    for topic in board.live_topics():
        board.delete_topic(topic.id)
    seed = first.topic(DEMO_SEED_TOPIC_ID)
    assert seed is not None
    other = next(
        post
        for topic in first.live_topics()
        if topic.id != DEMO_SEED_TOPIC_ID
        for post in topic.live_posts
        if len(clean_post(post.body_html).body_text) > 200
    )
    rocky = board.member_by_name("Rocky")
    board.add_topic(
        seed.forum_id,
        "Leaks, again",
        rocky,
        seed.first_post.body_html,
        seed.first_post.posted_at - timedelta(days=1),
    )
    board.add_topic(
        seed.forum_id, "Seen elsewhere", rocky, other.body_html, other.posted_at + timedelta(days=1)
    )
    return board, seed.first_post, other


@check("first-board")
def _first_board(rows: list[Row], now: datetime, boards: list[Archived]) -> None:  # type: ignore[misc]
    groups: dict[str, list[tuple[int, Archived, Topic, Post]]] = defaultdict(list)
    for board_id, archived in enumerate(boards, 1):
        for topic in archived.board.live_topics():
            for post in topic.live_posts:
                clean = archived.clean[post.id]
                if clean.body_text:
                    groups[clean.content_hash].append((board_id, archived, topic, post))
    expected = []
    for content_hash, posts in groups.items():
        if len({board_id for board_id, *_ in posts}) < 2:
            continue
        first = min(post.posted_at for *_, post in posts)
        for board_id, archived, topic, post in posts:
            if post.posted_at == first:
                key = (first, content_hash, board_id, post.id)
                expected.append(
                    (
                        key,
                        {
                            "text": archived.clean[post.id].body_text[:40],
                            "board_count": len({b for b, *_ in posts}),
                            "first_board": archived.board.title,
                            "first_posted_at": first,
                            "url": archived.url(topic, post),
                        },
                    )
                )
    expected.sort(key=lambda e: e[0])
    assert rows == [row for _, row in expected]


@deferred_f_from_coro_f
async def test_which_board_carried_an_article_first(db_url: str) -> None:
    """Two demo boards crawled into one database, the second carrying the seed article a day
    before the first and another article a day after: the README's cross-board question names
    the right board for each, in its PostgreSQL or SQLite form; ``duplicate_articles`` counts
    both boards."""
    first = build_demo_board()
    second, earlier, later = second_board(first)
    archived = []
    for board in (first, second):
        base_url, _ = await crawl_board(db_url, board)
        archived.append(Archived(board=board, base_url=base_url, clean=cleaned(board)))
    sqlite = db_url.startswith("sqlite")
    (example,) = [
        e
        for e in EXAMPLES
        if e.name == "first-board" and e.database == ("sqlite" if sqlite else "postgresql")
    ]
    if sqlite:
        database = make_url(db_url).database
        assert database is not None
        rows, now = run_sqlite(Path(database), example.sql)
    else:
        dsn = make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)
        rows, now = run(dsn, example.sql)
    by_text = {row["text"]: row["first_board"] for row in rows}
    assert by_text[archived[0].clean[earlier.id].body_text[:40]] == second.title
    assert by_text[archived[0].clean[later.id].body_text[:40]] == first.title
    CHECKS["first-board"](rows, now, archived)  # type: ignore[arg-type]


# -- SQLite's FTS5 index against PostgreSQL's tsvector ------------------------------------------


def test_sqlite_finds_every_word_in_the_posts_postgresql_finds_it_in(
    crawled: Crawled, crawled_sqlite: Crawled
) -> None:
    """Every word of the demo board (English and Arabic, titles and texts: each lexeme of
    PostgreSQL's ``posts.search`` made of letters and digits) is found by SQLite's ``posts_fts``
    in the same posts as by PostgreSQL's ``search @@``. (Lexemes with punctuation, such as host
    names, are split by FTS5 into words and are compared through those.)"""
    with psycopg.connect(crawled.dsn()) as connection:
        lexemes = [
            word
            for (word,) in connection.execute(
                "SELECT word FROM ts_stat('SELECT search FROM posts')"
            )
            if re.fullmatch(r"[\w\u064b-\u065f\u0670]+", word)
        ]
        postgres: dict[str, set[int]] = defaultdict(set)
        for word, post_id in connection.execute(
            "SELECT s.word, p.id FROM posts AS p, ts_stat('SELECT search FROM posts') AS s "
            "WHERE p.search @@ to_tsquery('simple', quote_literal(s.word))"
        ):
            postgres[word].add(post_id)
    assert any(re.search(r"[\u0600-\u06ff]", word) for word in lexemes)
    assert len(lexemes) > 500
    assert crawled_sqlite.sqlite is not None
    sqlite = sqlite3.connect(crawled_sqlite.sqlite)
    try:
        differ = {}
        for word in lexemes:
            found = {
                post_id
                for (post_id,) in sqlite.execute(
                    "SELECT p.id FROM posts_fts JOIN posts AS p ON p.rowid = posts_fts.rowid "
                    "WHERE posts_fts MATCH ?",
                    (f'"{word}"',),
                )
            }
            if found != postgres[word]:
                differ[word] = (sorted(postgres[word] - found), sorted(found - postgres[word]))
    finally:
        sqlite.close()
    assert differ == {}


def test_sqlite_finds_a_post_first_by_a_word_only_it_has(crawled_sqlite: Crawled) -> None:
    owners: dict[str, set[int]] = defaultdict(set)
    for topic, _, post in crawled_sqlite.live():
        for word in crawled_sqlite.words(topic, post):
            owners[word].add(post.id)
    probes = {min(ids): word for word, ids in owners.items() if len(ids) == 1 and word.isalpha()}
    assert len(probes) > 10
    assert crawled_sqlite.sqlite is not None
    sqlite = sqlite3.connect(crawled_sqlite.sqlite)
    try:
        for post_id, word in probes.items():
            found = sqlite.execute(
                "SELECT p.id FROM posts_fts JOIN posts AS p ON p.rowid = posts_fts.rowid "
                "WHERE posts_fts MATCH ? ORDER BY bm25(posts_fts, 2.0, 1.0)",
                (f'"{word}"',),
            ).fetchall()
            assert [row[0] for row in found[:1]] == [post_id], word
    finally:
        sqlite.close()


def test_every_sqlite_timestamp_has_the_one_format(crawled_sqlite: Crawled) -> None:
    """After a crawl, every timestamp of every table and view on SQLite is UTC text in one format
    (``2024-12-01 09:30:00.000000``), so that text order is time order and the README's
    ``datetime('now', …)`` comparisons hold."""
    assert crawled_sqlite.sqlite is not None
    columns = [
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
    ]
    columns += [
        ("post_details", "posted_at"),
        ("post_details", "edited_at"),
        ("topic_activity", "first_post_at"),
        ("topic_activity", "last_post_at"),
        ("duplicate_articles", "posted_at"),
        ("duplicate_articles", "first_posted_at"),
    ]
    connection = sqlite3.connect(crawled_sqlite.sqlite)
    try:
        seen = {}
        for table, column in columns:
            values = [
                value
                for (value,) in connection.execute(
                    f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL"
                )
            ]
            assert all(isinstance(v, str) and _TIMESTAMP.fullmatch(v) for v in values), (
                table,
                column,
                {v for v in values if not (isinstance(v, str) and _TIMESTAMP.fullmatch(v))},
            )
            seen[table, column] = len(values)
    finally:
        connection.close()
    assert seen["posts", "posted_at"] == len(crawled_sqlite.board.live_posts())
    assert seen["crawl_runs", "finished_at"] == 1
    assert seen["duplicate_articles", "first_posted_at"] > 0
