"""The database layer on SQLite and on a real PostgreSQL: migrations, upserts, revisions,
watermarks and deletions."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, func, select, text

from forumscraper.db.board import register_board
from forumscraper.db.migrate import (
    _alembic_head,
    _head_of,
    alembic_config,
    current_revision,
    head_revision,
    include_name,
    migrations_dir,
    upgrade_to_head,
)
from forumscraper.db.models import Base, Category, Forum, Post, PostRevision, Topic
from forumscraper.db.store import Batch, Store

NOW = datetime(2024, 12, 1, 9, 0, tzinfo=UTC)


def post_row(post_id: int, topic_id: int = 11, position: int = 0, text: str = "Hello") -> dict:
    return {
        "id": post_id,
        "topic_id": topic_id,
        "position": position,
        "author_name": "Rocky",
        "author_id": 2,
        "posted_at": NOW - timedelta(hours=post_id),
        "body_html": f"<b>{text}</b>",
        "body_text": text,
        "content_hash": f"hash-{text}",
        "links": [],
        "hidden_link_count": 0,
        "collapsed_repeats": 0,
        "edit_count": 0,
    }


def base_batch() -> Batch:
    return Batch(
        categories=[{"id": 1, "title": "News", "url": "/c1-news", "position": 0}],
        forums=[{"id": 3, "title": "Iraq", "category_id": 1, "category": "News", "position": 0}],
        topics=[{"id": 11, "forum_id": 3, "title": "Leaks", "view_count": 5}],
        posts=[post_row(101), post_row(102, position=1, text="Reply")],
    )


@pytest.fixture
def store(engine: Engine) -> Store:
    upgrade_to_head(engine)
    return Store(engine, register_board(engine, "https://example.forumotion.com/")[0])


def count(store: Store, model: type[Base]) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(model)).scalar_one())


class TestMigrations:
    def test_upgrade_downgrade_upgrade_leaves_no_drift(self, engine: Engine) -> None:
        config = alembic_config(engine)
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        assert current_revision(engine) is None
        command.upgrade(config, "head")
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_name": include_name})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []

    def test_a_current_database_is_recognised_without_loading_alembic(self, engine: Engine) -> None:
        """Every crawl but the first finds its database current: one query and the migration
        files' revision lines, not Alembic (0.2 s of CPU per run)."""
        assert upgrade_to_head(engine) is True
        url = engine.url.render_as_string(hide_password=False)
        code = (
            "import sys\n"
            "from forumscraper.db.engine import make_engine\n"
            "from forumscraper.db.migrate import upgrade_to_head\n"
            f"assert upgrade_to_head(make_engine({url!r})) is False\n"
            "print(sorted(name for name in sys.modules if name.startswith('alembic')))\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "[]"

    def test_large_text_columns_are_compressed_with_lz4_on_postgresql(self, engine: Engine) -> None:
        if engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL setting")
        query = text(
            "SELECT attrelid::regclass::text || '.' || attname, attcompression FROM pg_attribute "
            "WHERE attrelid IN ('posts'::regclass, 'post_revisions'::regclass) "
            "AND attname IN ('body_html', 'body_text', 'search')"
        )
        config = alembic_config(engine)
        command.upgrade(config, "head")
        with engine.connect() as connection:
            assert set(dict(connection.execute(query).all()).values()) == {"l"}
            connection.execute(
                text(
                    "INSERT INTO boards (id, base_url, added_at, updated_at) "
                    "VALUES (1, 'https://example.forumotion.com/', now(), now())"
                )
            )
            connection.execute(
                text("INSERT INTO topics (board_id, id, first_seen_at) VALUES (1, 1, now())")
            )
            connection.execute(
                text(
                    "INSERT INTO posts (board_id, id, topic_id, position, body_html, body_text, "
                    "content_hash, edit_count, links, hidden_link_count, collapsed_repeats, "
                    "first_seen_at, last_seen_at) "
                    "VALUES (1, 1, 1, 0, :html, :text, 'h', 0, '[]', 0, 0, now(), now())"
                ),
                {"html": "<p>lz4 body</p>" * 500, "text": "lz4 body " * 500},
            )
            stored = text("SELECT pg_column_compression(body_html) FROM posts WHERE id = 1")
            assert connection.execute(stored).scalar_one() == "lz4"
            connection.rollback()
        command.downgrade(config, "0003")
        with engine.connect() as connection:
            assert set(dict(connection.execute(query).all()).values()) == {"p"}

    def test_upgrade_to_head_runs_once(self, engine: Engine) -> None:
        assert upgrade_to_head(engine) is True
        assert upgrade_to_head(engine) is False


class TestStore:
    def test_writing_twice_leaves_the_same_rows(self, store: Store) -> None:
        first = store.write(base_batch(), NOW)
        second = store.write(base_batch(), NOW + timedelta(minutes=5))
        assert (first.new_posts, second.new_posts, second.unchanged_posts) == (2, 0, 2)
        assert [count(store, m) for m in (Category, Forum, Topic, Post)] == [1, 1, 1, 2]

    def test_timestamps_come_back_aware_utc(self, store: Store) -> None:
        store.write(base_batch(), NOW)
        with store.engine.connect() as connection:
            posted = connection.execute(select(Post.posted_at).where(Post.id == 101)).scalar_one()
        assert posted == NOW - timedelta(hours=101)
        assert posted.utcoffset() == timedelta(0)

    def test_unknown_fields_do_not_erase_known_ones(self, store: Store) -> None:
        store.write(base_batch(), NOW)
        store.write(Batch(forums=[{"id": 3, "title": None, "parent_id": None}]), NOW)
        with store.engine.connect() as connection:
            forum = connection.execute(select(Forum.title, Forum.category)).one()
        assert tuple(forum) == ("Iraq", "News")

    def test_changed_text_keeps_the_old_version(self, store: Store) -> None:
        store.write(base_batch(), NOW)
        edited = base_batch()
        edited.posts[1] = post_row(102, position=1, text="Reply, edited")
        result = store.write(edited, NOW + timedelta(hours=1))
        assert result.updated_posts == 1
        with store.engine.connect() as connection:
            body = connection.execute(select(Post.body_text).where(Post.id == 102)).scalar_one()
            old = connection.execute(select(PostRevision.post_id, PostRevision.body_text)).all()
        assert body == "Reply, edited"
        assert [tuple(row) for row in old] == [(102, "Reply")]

    def test_watermark_moves_only_with_a_complete_topic(self, store: Store) -> None:
        batch = base_batch()
        batch.topics[0] |= {"reply_count": 7, "last_post_at": NOW}
        store.write(batch, NOW)
        with store.engine.connect() as connection:
            assert connection.execute(select(Topic.reply_count, Topic.last_post_at)).one() == (
                None,
                None,
            )
        done = {
            "id": 11,
            "complete": True,
            "reply_count": 1,
            "last_post_at": NOW,
            "post_ids": [101, 102],
            "first_position": 0,
        }
        assert store.write(Batch(topics=[done]), NOW).topics_completed == 1
        with store.engine.connect() as connection:
            row = connection.execute(
                select(Topic.reply_count, Topic.last_post_at, Topic.last_crawled_at)
            ).one()
        assert tuple(row) == (1, NOW, NOW)

    def test_vanished_post_is_marked_deleted_not_removed(self, store: Store) -> None:
        store.write(base_batch(), NOW)
        done = {
            "id": 11,
            "complete": True,
            "reply_count": 0,
            "post_ids": [101],
            "first_position": 0,
        }
        assert store.write(Batch(topics=[done]), NOW).deleted_posts == 1
        with store.engine.connect() as connection:
            rows = connection.execute(select(Post.id, Post.deleted_at).order_by(Post.id)).all()
        assert [tuple(row) for row in rows] == [(101, None), (102, NOW)]

    def test_partial_refetch_does_not_delete_older_posts(self, store: Store) -> None:
        store.write(base_batch(), NOW)
        done = {"id": 11, "complete": True, "post_ids": [102], "first_position": 15}
        assert store.write(Batch(topics=[done]), NOW).deleted_posts == 0

    def test_duplicate_rows_in_one_batch_are_merged(self, store: Store) -> None:
        batch = base_batch()
        batch.posts.append(post_row(101))
        batch.topics.append({"id": 11, "title": None, "view_count": 9})
        store.write(batch, NOW)
        with store.engine.connect() as connection:
            assert connection.execute(select(Topic.title, Topic.view_count)).one() == ("Leaks", 9)
        assert count(store, Post) == 2

    def test_absurd_counts_are_stored_as_unknown(self, store: Store) -> None:
        batch = base_batch()
        batch.topics[0] |= {"view_count": -5}
        batch.forums[0] |= {"topic_count": 10**12, "post_count": 7}
        batch.posts[0] |= {"edit_count": 2**40}
        store.write(batch, NOW)
        with store.engine.connect() as connection:
            views = connection.execute(select(Topic.view_count)).scalar_one()
            counts = connection.execute(select(Forum.topic_count, Forum.post_count)).one()
            edits = connection.execute(select(Post.edit_count).where(Post.id == 101)).scalar_one()
        assert views is None
        assert tuple(counts) == (None, 7)
        assert edits == 0


def test_the_newest_revision_read_from_the_files_is_the_one_alembic_finds(tmp_path: Path) -> None:
    """The revision lines are read in both spellings; a history with two heads is Alembic's to
    answer (an error), never one of them picked."""
    assert _head_of(migrations_dir()) == _alembic_head(migrations_dir()) == head_revision()
    versions = tmp_path / "versions"
    versions.mkdir()
    (versions / "one.py").write_text('revision = "a1"\ndown_revision = None\n')
    (versions / "two.py").write_text(
        '"""Adds b.\n\nrevision notes\n"""\nrevision: str = "b2"\n'
        'down_revision: str | None = "a1"\n'
    )
    assert _head_of(tmp_path) == "b2" == _alembic_head(tmp_path)
    branched = tmp_path / "branched"
    shutil.copytree(tmp_path / "versions", branched / "versions")
    (branched / "versions" / "three.py").write_text('revision = "c3"\ndown_revision = "a1"\n')
    with pytest.raises(Exception, match="multiple heads"):
        _head_of(branched)
