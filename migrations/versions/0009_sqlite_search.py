"""SQLite full-text search (FTS5); ``duplicate_articles`` says which board had a text first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

SQLite had no search: ``posts.search`` (PostgreSQL's ``tsvector``) stays NULL there. This
revision adds, on SQLite only:

- ``posts_fts``: an FTS5 table over the topic title and ``body_text`` of every post, its rowid
  the post's ``rowid``, so that ``posts_fts MATCH 'words'`` joins ``posts`` on ``rowid`` (and
  Datasette's ``_search`` on ``posts`` works with ``fts_table: posts_fts``). It is an
  *external-content* table: it holds the index only, and reads the text (for ``snippet()`` and
  ``highlight()``) from the view ``posts_fts_content`` (post rowid, its topic's title, its text),
  so the text is not stored twice. The ``unicode61`` tokenizer with ``remove_diacritics 2``:
  words are lower-cased and split on Unicode spaces and punctuation, never stemmed, no stop
  words, as PostgreSQL's ``simple`` configuration does, in English and Arabic alike.
- triggers that keep it right, as PostgreSQL's keep ``posts.search``: a post inserted, its text
  or topic changed, or deleted; a topic inserted after its posts (the rows of a batch come in any
  order: its posts were indexed without a title) or renamed. An external-content index is told
  what to remove with the values it indexed, which is why every change goes through a trigger.
- the index filled for the rows already there (FTS5's ``rebuild``).

The index is keyed by ``posts.rowid``, which SQLite keeps through updates and upserts. A later
revision that rebuilds ``posts`` or ``topics`` on SQLite (Alembic's batch mode: a new table, rows
copied, the old one dropped) loses these triggers with the old table and may renumber the rowids:
it must create the triggers again and run ``rebuild``; so must anyone who copies rows into a new
``posts`` table by hand. ``tests/test_search.py`` fails at head when the triggers are missing.
FTS5's own tables are not in the models: :func:`forumscraper.db.migrate.include_name` keeps
them out of ``alembic check``.

On both databases ``duplicate_articles`` gains ``board_count`` (distinct boards holding the
text) and ``first_posted_at`` (its earliest ``posted_at``), so that "which board carried this
article first" is one ``WHERE posted_at = first_posted_at``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# -- duplicate_articles, across boards --------------------------------------------------------

DUPLICATE_ARTICLES = """
CREATE VIEW duplicate_articles AS
SELECT
    d.content_hash,
    g.copies,
    g.topic_count,
    g.forum_count,
    g.board_count,
    g.first_posted_at,
    d.board_id,
    d.board_title,
    d.post_id,
    d.topic_id,
    d.topic_title,
    d.forum_id,
    d.forum_title,
    d.author_name,
    d.posted_at,
    d.url,
    d.body_text
FROM (
    SELECT
        content_hash,
        count(*) AS copies,
        count(DISTINCT CAST(board_id AS TEXT) || ':' || CAST(topic_id AS TEXT)) AS topic_count,
        count(DISTINCT CAST(board_id AS TEXT) || ':' || CAST(forum_id AS TEXT)) AS forum_count,
        count(DISTINCT board_id) AS board_count,
        min(posted_at) AS first_posted_at
    FROM post_details
    WHERE body_text <> ''
    GROUP BY content_hash
    HAVING count(DISTINCT CAST(board_id AS TEXT) || ':' || CAST(topic_id AS TEXT)) > 1
) AS g
JOIN post_details AS d ON d.content_hash = g.content_hash
"""

# -- SQLite: the FTS5 index and its triggers --------------------------------------------------

CONTENT_VIEW = """
CREATE VIEW posts_fts_content AS
SELECT p.rowid AS post_rowid, t.title AS title, p.body_text AS body_text
FROM posts AS p
LEFT JOIN topics AS t ON t.board_id = p.board_id AND t.id = p.topic_id
"""
"""What ``posts_fts`` indexes, one row per post (its topic's title: NULL until the topic is
stored). A lookup by ``post_rowid`` is a lookup by ``posts.rowid``."""

FTS_TABLE = """
CREATE VIRTUAL TABLE posts_fts USING fts5(
    title, body_text,
    content='posts_fts_content', content_rowid='post_rowid',
    tokenize='unicode61 remove_diacritics 2'
)
"""


def _title(row: str) -> str:
    return f"(SELECT title FROM topics WHERE board_id = {row}.board_id AND id = {row}.topic_id)"


def _posts_of(topic: str, title: str, delete: bool) -> str:
    """Index (or, ``delete``, unindex with ``title``) every post of ``topic``'s row."""
    command = "'delete', " if delete else ""
    columns = "posts_fts, rowid" if delete else "rowid"
    return (
        f"INSERT INTO posts_fts ({columns}, title, body_text) "
        f"SELECT {command}rowid, {title}, body_text FROM posts "
        f"WHERE board_id = {topic}.board_id AND topic_id = {topic}.id;"
    )


TRIGGERS = {
    "posts_fts_insert": f"""
        CREATE TRIGGER posts_fts_insert AFTER INSERT ON posts BEGIN
            INSERT INTO posts_fts (rowid, title, body_text)
            VALUES (new.rowid, {_title("new")}, new.body_text);
        END""",
    "posts_fts_update": f"""
        CREATE TRIGGER posts_fts_update AFTER UPDATE OF body_text, topic_id, board_id ON posts
        WHEN old.body_text IS NOT new.body_text OR old.topic_id IS NOT new.topic_id
            OR old.board_id IS NOT new.board_id
        BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
            VALUES ('delete', old.rowid, {_title("old")}, old.body_text);
            INSERT INTO posts_fts (rowid, title, body_text)
            VALUES (new.rowid, {_title("new")}, new.body_text);
        END""",
    "posts_fts_delete": f"""
        CREATE TRIGGER posts_fts_delete AFTER DELETE ON posts BEGIN
            INSERT INTO posts_fts (posts_fts, rowid, title, body_text)
            VALUES ('delete', old.rowid, {_title("old")}, old.body_text);
        END""",
    # A topic stored after its posts: they were indexed with no title.
    "topics_fts_insert": f"""
        CREATE TRIGGER topics_fts_insert AFTER INSERT ON topics BEGIN
            {_posts_of("new", "NULL", delete=True)}
            {_posts_of("new", "new.title", delete=False)}
        END""",
    "topics_fts_update": f"""
        CREATE TRIGGER topics_fts_update AFTER UPDATE OF title ON topics
        WHEN old.title IS NOT new.title
        BEGIN
            {_posts_of("new", "old.title", delete=True)}
            {_posts_of("new", "new.title", delete=False)}
        END""",
    "topics_fts_delete": f"""
        CREATE TRIGGER topics_fts_delete AFTER DELETE ON topics BEGIN
            {_posts_of("old", "old.title", delete=True)}
            {_posts_of("old", "NULL", delete=False)}
        END""",
}


def _views_0007() -> ModuleType:
    """Revision 0007, whose ``duplicate_articles`` the downgrade restores (never edited)."""
    path = Path(__file__).with_name("0007_boards.py")
    spec = importlib.util.spec_from_file_location("forumscraper_migration_0007", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    op.execute("DROP VIEW duplicate_articles")
    op.execute(DUPLICATE_ARTICLES)
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute(CONTENT_VIEW)
    op.execute(FTS_TABLE)
    for trigger in TRIGGERS.values():
        op.execute(trigger)
    op.execute("INSERT INTO posts_fts (posts_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in reversed(TRIGGERS):
            op.execute(f"DROP TRIGGER {name}")
        op.execute("DROP TABLE posts_fts")
        op.execute("DROP VIEW posts_fts_content")
    op.execute("DROP VIEW duplicate_articles")
    op.execute(_views_0007().DUPLICATE_ARTICLES)
