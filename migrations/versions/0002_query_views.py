"""Query views, full-text search, board time zone and indexes for hand-written SQL (issue 7).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

What this adds (README "Querying" documents every column):

- ``board_info``: one row (``id`` = 1) holding the board's base URL and time zone, written by
  :func:`forumscraper.db.board.record_board_info`. ``daily_activity`` reads the zone from it.
- Views ``post_details`` (live posts with topic, forum, category and URL), ``topic_activity``
  (per topic: first/last post, post count, distinct authors), ``daily_activity`` (posts per day
  per forum, day in the board's time zone) and ``duplicate_articles`` (live posts whose text
  appears in more than one topic). ``daily_activity`` and ``duplicate_articles`` read
  ``post_details``, so "live" is defined once: the post and its topic are not deleted.
- ``posts.search``: a ``tsvector`` of the topic title (weight A) and ``body_text`` (weight B)
  with the ``simple`` configuration (no stemming, no stop words: the board mixes English and
  Arabic), under a GIN index.

Why a trigger-maintained column and not ``GENERATED ALWAYS AS``: a generated column only sees
its own row, and the title lives in ``topics``; an expression over a view cannot be indexed. So
``posts.search`` is a plain column that triggers keep right: ``posts`` rows get their vector
before insert, and before update only when ``body_text`` or ``topic_id`` really changed (a
re-crawl that only moves ``last_seen_at`` does not re-tokenise), and a new or renamed topic
refreshes its posts. Existing rows are filled here.

SQLite: the views exist with the same columns (``daily_activity`` counts UTC days: SQLite has no
time zone database). Full-text search is PostgreSQL-only: ``posts.search`` exists so that both
schemas match the models, but it stays NULL and its index is partial on ``search IS NOT NULL``,
hence empty. An FTS5 table was left out on purpose: its virtual and shadow tables are tables the
models do not describe, which ``alembic check`` and the drift test would report.

Indexes added, each for the query it serves (0001 already covers a topic's posts in order, posts
by date range, posts by content hash and a forum's topics by last post):

- ``ix_posts_author_name_posted_at`` (author_name, posted_at) WHERE deleted_at IS NULL:
  "every post by Rocky in November, newest first" -- ``post_details WHERE author_name = ? AND
  posted_at >= ? ORDER BY posted_at DESC``: equality then range, in index order, live posts only.
- ``ix_posts_search`` GIN (search): ``WHERE search @@ websearch_to_tsquery('simple', ?)``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import forumscraper.db.models

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VIEWS = ("post_details", "topic_activity", "daily_activity", "duplicate_articles")
"""In creation order; dropped in reverse (the last two read ``post_details``)."""

POST_DETAILS = """
CREATE VIEW post_details AS
SELECT
    p.id AS post_id,
    p.topic_id,
    t.title AS topic_title,
    t.forum_id,
    f.title AS forum_title,
    f.category,
    p.position,
    p.author_name,
    p.author_id,
    p.posted_at,
    p.edited_at,
    p.edit_count,
    p.body_text,
    p.content_hash,
    coalesce(p.url, t.url || '#' || p.id) AS url
FROM posts AS p
JOIN topics AS t ON t.id = p.topic_id
LEFT JOIN forums AS f ON f.id = t.forum_id
WHERE p.deleted_at IS NULL AND t.deleted_at IS NULL
"""

TOPIC_ACTIVITY = """
CREATE VIEW topic_activity AS
SELECT
    t.id AS topic_id,
    t.title AS topic_title,
    t.forum_id,
    f.title AS forum_title,
    f.category,
    a.first_post_at,
    a.last_post_at,
    coalesce(a.post_count, 0) AS post_count,
    coalesce(a.author_count, 0) AS author_count,
    t.view_count,
    t.url
FROM topics AS t
LEFT JOIN forums AS f ON f.id = t.forum_id
LEFT JOIN (
    SELECT
        topic_id,
        min(posted_at) AS first_post_at,
        max(posted_at) AS last_post_at,
        count(*) AS post_count,
        count(DISTINCT author_name) AS author_count
    FROM posts
    WHERE deleted_at IS NULL
    GROUP BY topic_id
) AS a ON a.topic_id = t.id
WHERE t.deleted_at IS NULL
"""

DAILY_ACTIVITY = """
CREATE VIEW daily_activity AS
SELECT
    {day} AS day,
    {timezone} AS timezone,
    d.forum_id,
    d.forum_title,
    count(*) AS post_count,
    count(DISTINCT d.topic_id) AS topic_count,
    count(DISTINCT d.author_name) AS author_count
FROM post_details AS d
{join}
WHERE d.posted_at IS NOT NULL
GROUP BY 1, 2, d.forum_id, d.forum_title
"""
# PostgreSQL: the board's wall-clock day (UTC when board_info is empty). SQLite: the UTC day.
DAILY_ACTIVITY_POSTGRESQL = DAILY_ACTIVITY.format(
    day="(d.posted_at AT TIME ZONE coalesce(b.timezone, 'UTC'))::date",
    timezone="coalesce(b.timezone, 'UTC')",
    join="LEFT JOIN board_info AS b ON b.id = 1",
)
DAILY_ACTIVITY_SQLITE = DAILY_ACTIVITY.format(day="date(d.posted_at)", timezone="'UTC'", join="")

DUPLICATE_ARTICLES = """
CREATE VIEW duplicate_articles AS
SELECT
    d.content_hash,
    g.copies,
    g.topic_count,
    g.forum_count,
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
        count(DISTINCT topic_id) AS topic_count,
        count(DISTINCT forum_id) AS forum_count
    FROM post_details
    WHERE body_text <> ''
    GROUP BY content_hash
    HAVING count(DISTINCT topic_id) > 1
) AS g
JOIN post_details AS d ON d.content_hash = g.content_hash
"""

# -- PostgreSQL full-text search: the vector, the triggers that keep it, the backfill ----------

SEARCH_FUNCTIONS = (
    # The one definition of a post's vector (also usable in hand-written queries).
    """
    CREATE FUNCTION post_search_vector(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('simple', coalesce(title, '')), 'A')
            || setweight(to_tsvector('simple', coalesce(body, '')), 'B')
    $$
    """,
    """
    CREATE FUNCTION posts_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search := post_search_vector(
            (SELECT title FROM topics WHERE id = NEW.topic_id), NEW.body_text);
        RETURN NEW;
    END
    $$
    """,
    # A topic stored after its posts (rows of a batch may come in any order) or renamed.
    """
    CREATE FUNCTION topics_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE posts SET search = post_search_vector(NEW.title, body_text)
        WHERE topic_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
)
SEARCH_TRIGGERS = (
    """
    CREATE TRIGGER posts_search_insert BEFORE INSERT ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_search_fill()
    """,
    """
    CREATE TRIGGER posts_search_update BEFORE UPDATE OF body_text, topic_id ON posts
    FOR EACH ROW
    WHEN (OLD.body_text IS DISTINCT FROM NEW.body_text OR OLD.topic_id <> NEW.topic_id)
    EXECUTE FUNCTION posts_search_fill()
    """,
    """
    CREATE TRIGGER topics_search_insert AFTER INSERT ON topics
    FOR EACH ROW EXECUTE FUNCTION topics_search_fill()
    """,
    """
    CREATE TRIGGER topics_search_update AFTER UPDATE OF title ON topics
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
    EXECUTE FUNCTION topics_search_fill()
    """,
)
SEARCH_BACKFILL = """
UPDATE posts AS p SET search = post_search_vector(t.title, p.body_text)
FROM topics AS t WHERE t.id = p.topic_id
"""
SEARCH_DROP = (
    "DROP TRIGGER topics_search_update ON topics",
    "DROP TRIGGER topics_search_insert ON topics",
    "DROP TRIGGER posts_search_update ON posts",
    "DROP TRIGGER posts_search_insert ON posts",
    "DROP FUNCTION topics_search_fill()",
    "DROP FUNCTION posts_search_fill()",
    "DROP FUNCTION post_search_vector(text, text)",
)


def upgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"

    op.create_table(
        "board_info",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("updated_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_board_info_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_info")),
    )

    op.add_column(
        "posts",
        sa.Column("search", postgresql.TSVECTOR().with_variant(sa.Text(), "sqlite"), nullable=True),
    )
    if postgres:
        for statement in (*SEARCH_FUNCTIONS, *SEARCH_TRIGGERS, SEARCH_BACKFILL):
            op.execute(statement)

    # "every post by Rocky in November, newest first": author_name = ? AND posted_at range,
    # live posts only (post_details filters deleted_at IS NULL, which makes this index usable).
    op.create_index(
        "ix_posts_author_name_posted_at",
        "posts",
        ["author_name", "posted_at"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NULL"),
        sqlite_where=sa.text("deleted_at IS NULL"),
    )
    # "posts matching these words": search @@ websearch_to_tsquery('simple', ?). GIN on
    # PostgreSQL; on SQLite the column is always NULL and the partial index stays empty.
    op.create_index(
        "ix_posts_search",
        "posts",
        ["search"],
        unique=False,
        postgresql_using="gin",
        sqlite_where=sa.text("search IS NOT NULL"),
    )

    op.execute(POST_DETAILS)
    op.execute(TOPIC_ACTIVITY)
    op.execute(DAILY_ACTIVITY_POSTGRESQL if postgres else DAILY_ACTIVITY_SQLITE)
    op.execute(DUPLICATE_ARTICLES)


def downgrade() -> None:
    postgres = op.get_context().dialect.name == "postgresql"

    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    op.drop_index("ix_posts_search", table_name="posts")
    op.drop_index("ix_posts_author_name_posted_at", table_name="posts")
    if postgres:
        for statement in SEARCH_DROP:
            op.execute(statement)
    # SQLite >= 3.35 drops a column in place (no table copy, so post_revisions' foreign key and
    # the other indexes are untouched).
    op.drop_column("posts", "search")
    op.drop_table("board_info")
