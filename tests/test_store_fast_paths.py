"""The store's two forms of the same statements: rows as arrays (``unnest``, PostgreSQL) and as an
executemany (SQLite, and PostgreSQL with ``Store.unnest = False`` to compare): the same rows,
counts and errors; the caller's transaction; datetimes refused when items arrive."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, StatementError

from forumscraper.db.board import register_board
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.models import Post, PostRevision, Topic, table_of
from forumscraper.db.store import POSTS, Batch, Store
from forumscraper.items import PostItem, TopicItem, TopicPageItem
from forumscraper.pipelines.store import DatabasePipeline
from tests.test_db import post_row as base_post_row
from tests.test_workers import in_asyncio

NOW = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=2)


def post_row(post_id: int, topic_id: int = 11, position: int = 0, body: str = "Hello") -> dict:
    """``tests.test_db.post_row`` with a subject, an editor and a link."""
    return base_post_row(post_id, topic_id, position, text=body) | {
        "subject": "Re: news",
        "edited_by": "Mod",
        "links": [{"url": "http://example.com/", "text": "x"}],
    }


def board() -> Batch:
    return Batch(
        categories=[{"id": 1, "title": "News", "url": "/c1-news", "position": 0}],
        forums=[{"id": 3, "title": "Iraq", "category_id": 1, "category": "News", "position": 0}],
        topics=[
            {"id": 11, "forum_id": 3, "title": "Leaks", "topic_type": "normal"},
            {"id": 12, "forum_id": 3, "title": "Elections"},
            {"id": 13, "forum_id": 3, "title": "Weather"},
        ],
    )


@pytest.fixture(params=["sqlite", "postgresql", "postgresql-executemany"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """A migrated database with a board: SQLite, PostgreSQL (``unnest``), and PostgreSQL with
    the executemany forms, which every result is compared with."""
    kind = str(request.param)
    url = request.getfixturevalue("sqlite_url" if kind == "sqlite" else "pg_url")
    engine = make_engine(url)
    upgrade_to_head(engine)
    store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
    assert store.unnest == (kind != "sqlite")
    store.unnest = kind == "postgresql"
    store.write(board(), NOW)
    yield store
    engine.dispose()


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[Store]:
    engine = make_engine(pg_url)
    upgrade_to_head(engine)
    store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
    assert store.unnest
    store.write(board(), NOW)
    yield store
    engine.dispose()


def posts(store: Store, *columns: str) -> dict[int, tuple[Any, ...]]:
    table = table_of(Post)
    with store.engine.connect() as connection:
        rows = connection.execute(select(table.c.id, *(table.c[name] for name in columns)))
        return {row[0]: tuple(row[1:]) for row in rows}


def count_revisions(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(PostRevision)).scalar_one())


class TestUpsert:
    def test_duplicate_ids_merge_and_the_caller_rows_stay_as_they_were(self, store: Store) -> None:
        first = post_row(101, body="First")
        second = post_row(101, position=1, body="Second") | {"author_name": None, "subject": None}
        rows = [first, second, post_row(102, position=2)]
        before = copy.deepcopy(rows)
        result = store.write(Batch(posts=rows), NOW)
        assert rows == before
        assert (result.new_posts, result.updated_posts, result.unchanged_posts) == (2, 0, 0)
        stored = posts(store, "position", "author_name", "subject", "body_text", "links")
        assert stored[101] == (1, "Rocky", "Re: news", "Second", first["links"])
        assert sorted(stored) == [101, 102]

    def test_unknown_values_keep_known_ones_and_others_are_replaced(self, store: Store) -> None:
        store.write(Batch(posts=[post_row(101)]), NOW)
        unknown = {"author_name": None, "author_id": None, "posted_at": None, "subject": None}
        unknown |= {"edited_by": None}
        result = store.write(
            Batch(topics=[{"id": 11, "title": None}], posts=[post_row(101) | unknown]), LATER
        )
        assert result.unchanged_posts == 1
        stored = posts(store, "author_name", "author_id", "posted_at", "subject", "edited_by")
        assert stored[101] == ("Rocky", 2, NOW - timedelta(hours=101), "Re: news", None)
        with store.engine.connect() as connection:
            topic = connection.execute(select(Topic.title, Topic.topic_type).where(Topic.id == 11))
            assert tuple(topic.one()) == ("Leaks", "normal")

    def test_stored_and_new_posts_in_one_batch(self, store: Store) -> None:
        store.write(Batch(posts=[post_row(101), post_row(102, position=1, body="Reply")]), NOW)
        done = {"id": 11, "complete": True, "post_ids": [101], "first_position": 0}
        assert store.write(Batch(topics=[done]), NOW).deleted_posts == 1
        batch = Batch(
            posts=[
                post_row(101, body="Hello, edited"),
                post_row(102, position=1, body="Reply") | {"edit_count": 2**40},
                post_row(103, position=2, body="New"),
            ]
        )
        result = store.write(batch, LATER)
        assert (result.new_posts, result.updated_posts, result.unchanged_posts) == (1, 1, 1)
        stored = posts(store, "first_seen_at", "last_seen_at", "deleted_at", "edit_count")
        assert stored == {
            101: (NOW, LATER, None, 0),
            102: (NOW, LATER, None, 0),
            103: (LATER, LATER, None, 0),
        }
        with store.engine.connect() as connection:
            old = connection.execute(select(PostRevision.post_id, PostRevision.body_text)).all()
        assert [tuple(row) for row in old] == [(101, "Hello")]
        if store.dialect == "postgresql":
            with store.engine.connect() as connection:
                search = dict(connection.execute(text("SELECT id, search::text FROM posts")).all())
            assert "'edited':" in search[101]
            assert "'leaks':" in search[103]

    def test_links_revealed_is_not_an_edit(self, store: Store) -> None:
        hidden = post_row(101, body="Guest") | {"hidden_link_count": 2}
        store.write(Batch(posts=[hidden]), NOW)
        result = store.write(Batch(posts=[post_row(101, body="Member")]), LATER)
        assert (result.links_revealed, result.updated_posts, result.unchanged_posts) == (1, 0, 1)
        assert count_revisions(store) == 0
        assert posts(store, "body_text")[101] == ("Member",)

    def test_links_revealed_with_a_new_edit_note_are_an_edit(self, store: Store) -> None:
        # A guest's view stored, then the author edits the post (a link out, a line in) and a
        # member reads it: the earlier text is a revision, not a guest's view.
        store.write(Batch(posts=[post_row(101, body="Guest") | {"hidden_link_count": 1}]), NOW)
        edited = post_row(101, body="Edited") | {"edit_count": 1}
        result = store.write(Batch(posts=[edited]), LATER)
        assert (result.links_revealed, result.updated_posts) == (0, 1)
        assert count_revisions(store) == 1
        assert posts(store, "body_text", "hidden_link_count", "edit_count")[101] == ("Edited", 0, 1)

    def test_links_hidden_again_keep_the_members_text(self, store: Store) -> None:
        member = post_row(101, body="Member") | {"edit_count": 1}
        store.write(Batch(posts=[member]), NOW)
        guest = post_row(101, position=4, body="Guest") | {"edit_count": 1, "hidden_link_count": 2}
        result = store.write(Batch(posts=[guest]), LATER)
        assert (result.links_kept, result.updated_posts, result.unchanged_posts) == (1, 0, 1)
        assert count_revisions(store) == 0
        assert posts(store, "body_text", "hidden_link_count", "position", "last_seen_at")[101] == (
            "Member",
            0,
            4,
            LATER,
        )

    def test_links_hidden_with_a_new_edit_note_are_an_edit(self, store: Store) -> None:
        store.write(Batch(posts=[post_row(101, body="Member") | {"edit_count": 1}]), NOW)
        edited = post_row(101, body="Edited") | {"edit_count": 2, "hidden_link_count": 1}
        result = store.write(Batch(posts=[edited]), LATER)
        assert (result.links_kept, result.updated_posts) == (0, 1)
        assert count_revisions(store) == 1
        assert posts(store, "body_text", "hidden_link_count")[101] == ("Edited", 1)

    def test_unknown_links_are_stored_as_json_null(self, store: Store) -> None:
        store.write(Batch(posts=[post_row(101) | {"links": None}]), NOW)
        with store.engine.connect() as connection:
            links = connection.execute(text("SELECT links IS NULL, links FROM posts")).one()
        assert not links[0]
        assert links[1] in (None, "null")  # JSON null (SQLite returns its text)


class TestOneStatementPerKind:
    def test_a_batch_costs_a_few_statements_whatever_its_size(self, pg_store: Store) -> None:
        executed: list[tuple[str, bool]] = []

        def record(
            _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, many: bool
        ) -> None:
            executed.append((statement.split(None, 1)[0], many))

        event.listen(pg_store.engine, "before_cursor_execute", record)
        rows = [post_row(1000 + n, position=n, body=f"Post {n}") for n in range(300)]
        done = {
            "id": 11,
            "complete": True,
            "reply_count": 299,
            "post_ids": [row["id"] for row in rows],
            "first_position": 0,
        }
        first = pg_store.write(Batch(topics=[done], posts=rows), NOW)
        assert first.new_posts == 300
        assert not any(many for _, many in executed)
        assert [verb for verb, _ in executed] == ["INSERT", "SELECT", "INSERT", "UPDATE", "UPDATE"]
        executed.clear()
        again = pg_store.write(Batch(topics=[done], posts=rows), LATER)
        assert again.unchanged_posts == 300
        # Stored posts are updated, not upserted (no BEFORE INSERT trigger for them).
        assert [verb for verb, _ in executed] == ["INSERT", "SELECT", "UPDATE", "UPDATE", "UPDATE"]

    def test_a_stored_row_missing_after_all_is_upserted(self, pg_store: Store) -> None:
        """The ``UPDATE`` of rows read as stored falls back to the upsert when one is gone."""
        with pg_store.engine.begin() as connection:
            pg_store.upsert(connection, POSTS, [post_row(101)], NOW, stored={101})
        assert posts(pg_store, "body_text") == {101: ("Hello",)}

    def test_the_statements_do_not_depend_on_the_number_of_rows(self, pg_store: Store) -> None:
        """psycopg prepares a statement it has run a few times: its text must stay the same."""
        executed: list[str] = []

        def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            executed.append(statement)

        event.listen(pg_store.engine, "before_cursor_execute", record)
        shapes = []
        with pg_store.engine.connect() as connection:
            for batch in range(8):
                first, count = 1000 + 100 * batch, 3 + 5 * batch
                rows = [post_row(first + n, position=n, body=f"Post {n}") for n in range(count)]
                done = {"id": 11, "complete": True, "post_ids": [r["id"] for r in rows]}
                executed.clear()
                with connection.begin():
                    pg_store.write_in(connection, Batch(topics=[done], posts=rows), NOW)
                shapes.append(list(executed))
            prepared = connection.exec_driver_sql("SELECT statement FROM pg_prepared_statements")
            starts = {" ".join(statement.split()[:3]) for (statement,) in prepared}
        assert all(shape == shapes[0] for shape in shapes)
        assert {"INSERT INTO posts", "UPDATE topics SET", "UPDATE posts SET"} <= starts


class TestCallersTransaction:
    def test_write_in_leaves_the_commit_to_the_caller(self, store: Store) -> None:
        with store.engine.connect() as connection:
            with connection.begin() as transaction:
                result = store.write_in(connection, Batch(posts=[post_row(101)]), NOW)
                assert result.new_posts == 1
                assert posts(store) == {}  # not committed: another connection sees nothing
                transaction.rollback()
            assert posts(store) == {}
            with connection.begin():
                store.write_in(connection, Batch(posts=[post_row(101)]), NOW)
        assert sorted(posts(store)) == [101]

    def test_a_failed_batch_leaves_nothing_of_it(self, store: Store) -> None:
        bad = post_row(102, position=1) | {"body_html": None}
        with pytest.raises(IntegrityError), store.engine.begin() as connection:
            store.write_in(connection, Batch(posts=[post_row(101), bad]), NOW)
        assert posts(store) == {}


class TestRefusedRows:
    @pytest.mark.parametrize("stored", [False, True])
    def test_a_null_in_a_required_column_raises_a_dbapi_error(
        self, store: Store, stored: bool
    ) -> None:
        if stored:
            store.write(Batch(posts=[post_row(101)]), NOW)
        bad = post_row(101) | {"body_html": None}
        with pytest.raises(IntegrityError):
            store.write(Batch(posts=[post_row(102, position=1), bad]), LATER)
        assert sorted(posts(store)) == ([101] if stored else [])

    @pytest.mark.parametrize("stored", [False, True])
    @pytest.mark.parametrize(
        "bad",
        [
            {"body_text": "NUL \x00 byte"},
            {"content_hash": "x" * 65},  # refused, never cut to VARCHAR(64)
            {"position": 2**40},
        ],
    )
    def test_a_refused_value_raises_a_dbapi_error(
        self, pg_store: Store, stored: bool, bad: dict[str, Any]
    ) -> None:
        if stored:
            pg_store.write(Batch(posts=[post_row(101)]), NOW)
        with pytest.raises(DBAPIError):
            pg_store.write(Batch(posts=[post_row(102, position=1), post_row(101) | bad]), LATER)
        assert posts(pg_store, "body_text") == ({101: ("Hello",)} if stored else {})

    def test_a_too_long_topic_type_is_refused(self, pg_store: Store) -> None:
        with pytest.raises(DBAPIError):
            pg_store.write(Batch(topics=[{"id": 11, "topic_type": "x" * 21}]), NOW)

    def test_a_naive_datetime_is_refused_before_the_database(self, store: Store) -> None:
        """Items are checked when they arrive (below); one slipping through is refused by the
        column type, whatever the form: no SQL runs with it."""
        naive = post_row(101) | {"posted_at": datetime(2024, 1, 1)}
        with pytest.raises(StatementError, match="naive datetime") as caught:
            store.write(Batch(posts=[naive]), NOW)
        assert not isinstance(caught.value, DBAPIError)
        with pytest.raises(StatementError, match="naive datetime"):
            store.write(Batch(posts=[post_row(101)]), datetime(2024, 1, 1))

    def test_a_lost_connection_raises_operational_error(self, pg_url: str) -> None:
        engine = make_engine(pg_url, pool_pre_ping=False)
        try:
            upgrade_to_head(engine)
            store = Store(engine, register_board(engine, "https://example.forumotion.com/")[0])
            store.write(board(), NOW)
            admin = make_engine(pg_url)
            with admin.connect() as connection:
                connection.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            admin.dispose()
            with pytest.raises(OperationalError):
                store.write(Batch(posts=[post_row(101)]), NOW)
        finally:
            engine.dispose()


class TestArrival:
    async def test_an_item_with_a_naive_or_odd_datetime_is_dropped_naming_the_field(
        self, sqlite_url: str
    ) -> None:
        crawler = get_crawler(settings_dict={"FORUMSCRAPER_DATABASE_URL": sqlite_url})
        pipeline = DatabasePipeline.from_crawler(crawler)
        naive = PostItem(id=5, topic_id=1, position=0, posted_at=datetime(2024, 1, 1))
        page = TopicPageItem(
            topic_id=1,
            url="http://x/t1",
            posts=[PostItem(id=4, topic_id=1, position=0, posted_at=NOW), naive],
            completed=TopicItem(id=1, complete=True, last_post_at="2024-01-01"),  # type: ignore[arg-type]
        )
        with pytest.raises(DropItem) as dropped:
            await in_asyncio(pipeline.process_item(page))
        assert str(dropped.value) == (
            "Datetimes the database cannot store: posted_at of PostItem id=5: naive "
            "datetime.datetime(2024, 1, 1, 0, 0); last_post_at of TopicItem id=1: not a "
            "datetime: '2024-01-01'"
        )
        assert len(pipeline.batch) == 0
        good = TopicItem(id=2, last_post_at=NOW.astimezone(timezone(timedelta(hours=3))))
        assert await in_asyncio(pipeline.process_item(good)) is good
        assert len(pipeline.batch) == 1


class TestVanishedPosts:
    def seed(self, store: Store) -> None:
        rows = [post_row(100 + n, 11, n - 1) for n in range(1, 6)]
        rows += [post_row(200 + n, 12, n - 1) for n in range(1, 6)]
        rows += [post_row(300 + n, 13, n - 1) for n in range(1, 4)]
        store.write(Batch(posts=rows), NOW)
        earlier = {"id": 11, "complete": True, "post_ids": [101, 102, 103, 104]}
        assert store.write(Batch(topics=[earlier | {"first_position": 0}]), NOW).deleted_posts == 1

    def test_full_and_partial_fetches_of_one_batch(self, store: Store) -> None:
        self.seed(store)
        complete = [
            # Fetched whole: 102 and 104 vanished (105 was already deleted: not counted again).
            # 301 is seen here, but in another topic: it does not keep 301 alive in topic 13.
            {"id": 11, "complete": True, "post_ids": [101, 103, 301], "first_position": 0},
            # From its second page: only posts after the first one seen (203) can vanish.
            {"id": 12, "complete": True, "post_ids": [203, 205], "first_position": 15},
            {"id": 13, "complete": True, "post_ids": [302], "first_position": None},
            {"id": 11, "title": "Leaks (merged row)"},
        ]
        result = store.write(Batch(topics=complete), LATER)
        assert (result.deleted_posts, result.topics_completed) == (5, 3)
        deleted = {pid: at for pid, (at,) in posts(store, "deleted_at").items() if at is not None}
        assert deleted == {102: LATER, 104: LATER, 105: NOW, 204: LATER, 301: LATER, 303: LATER}

    def test_no_post_ids_deletes_nothing(self, store: Store) -> None:
        self.seed(store)
        done = {"id": 12, "complete": True, "post_ids": [], "first_position": 0, "reply_count": 4}
        result = store.write(Batch(topics=[done]), LATER)
        assert (result.deleted_posts, result.topics_completed) == (0, 1)
        with store.engine.connect() as connection:
            topic = connection.execute(
                select(Topic.reply_count, Topic.last_crawled_at).where(Topic.id == 12)
            ).one()
        assert tuple(topic) == (4, LATER)

    def test_a_naive_watermark_is_refused_like_every_naive_time(self, store: Store) -> None:
        done = {"id": 12, "complete": True, "last_post_at": datetime(2024, 1, 1, 12)}
        with pytest.raises(StatementError, match="naive datetime") as caught:
            store.write(Batch(topics=[done]), LATER)
        assert not isinstance(caught.value, DBAPIError)

    def test_watermarks_of_several_topics(self, store: Store) -> None:
        store.write(Batch(topics=[{"id": 13, "complete": True, "reply_count": 3}]), NOW)
        complete = [
            {"id": 11, "complete": True, "reply_count": 7, "last_post_at": NOW},
            {"id": 12, "complete": True, "reply_count": -1, "last_poster_name": "Rocky"},
            {"id": 13, "complete": True, "reply_count": None},
        ]
        assert store.write(Batch(topics=complete), LATER).topics_completed == 3
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(
                    Topic.id,
                    Topic.reply_count,
                    Topic.last_post_at,
                    Topic.last_poster_name,
                    Topic.last_crawled_at,
                ).order_by(Topic.id)
            ).all()
        assert [tuple(row) for row in rows] == [
            (11, 7, NOW, None, LATER),
            (12, None, None, "Rocky", LATER),
            (13, 3, None, None, LATER),
        ]
