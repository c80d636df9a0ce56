"""Boards are rows: one database holds many boards, each row of board content keyed by its board.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

Until now Forumotion's ids were the keys of ``categories``, ``forums``, ``topics`` and ``posts``
and ``board_info`` held one row, so a crawl of a second board into the same database overwrote
the first one's rows. This revision:

- creates ``boards`` (address, title, time zone, template version, language, when it was added,
  and room for a scheduler: ``every_seconds``, ``next_due_at`` and the *names* of the variables
  holding a member login, never the login);
- gives ``categories``, ``forums``, ``topics``, ``posts``, ``post_revisions`` and ``crawl_runs`` a
  ``board_id``; the content tables' key becomes (``board_id``, ``id``) and their references
  (parent forum, category, forum, topic, post) stay within one board;
- keeps every existing row: they all belong to one board built from ``board_info`` (its address
  and time zone; else the address of the latest run in ``crawl_runs``; else
  ``http://unknown.invalid/``), created only when the database holds rows;
- replaces the ``board_info`` table by a view over ``boards`` with the same columns, and
  recreates the query views with ``board_id`` and ``board_title``; the PostgreSQL full-text
  triggers look the topic up within the post's board.

PostgreSQL is altered in place (``ALTER TABLE``: triggers, storage and statistics stay). SQLite
cannot change a key in place: each table is rebuilt (created anew, rows copied, the old one
dropped, the new one renamed), as Alembic's batch mode does, with the foreign keys off
(``migrations/env.py``) and checked with ``PRAGMA foreign_key_check`` before the commit.

The downgrade goes back to one board: it refuses a database that holds more than one.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

import forumscraper.db.models

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT = ("categories", "forums", "topics", "posts", "post_revisions")
"""Tables of board content, parents first."""
VIEWS = ("post_details", "topic_activity", "daily_activity", "duplicate_articles")
UNKNOWN_URL = "http://unknown.invalid/"

# (table, column, referred table): the references that now stay within one board.
REFERENCES = (
    ("forums", "parent_id", "forums"),
    ("forums", "category_id", "categories"),
    ("topics", "forum_id", "forums"),
    ("posts", "topic_id", "topics"),
    ("post_revisions", "post_id", "posts"),
)
# (name, table, columns) replaced by one led by board_id.
OLD_INDEXES = (
    ("ix_topics_forum_id_last_post_at", "topics", ["forum_id", "last_post_at"]),
    ("ix_posts_topic_id_position", "posts", ["topic_id", "position"]),
    ("ix_post_revisions_post_id", "post_revisions", ["post_id"]),
)
NEW_INDEXES = (
    (
        "ix_topics_board_id_forum_id_last_post_at",
        "topics",
        ["board_id", "forum_id", "last_post_at"],
    ),
    ("ix_posts_board_id_topic_id_position", "posts", ["board_id", "topic_id", "position"]),
    ("ix_post_revisions_board_id_post_id", "post_revisions", ["board_id", "post_id"]),
    ("ix_crawl_runs_board_id", "crawl_runs", ["board_id"]),
)


def board_url(url: str) -> str:
    """The board's address as ``boards`` keeps it: scheme and host (lowercase, port kept) and
    ``/``. A frozen copy of :func:`forumscraper.db.board.board_url` (migrations never change)."""
    parts = urlsplit(url.strip())
    if not parts.scheme or not parts.hostname:
        return url
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}/"


# -- views ------------------------------------------------------------------------------------

POST_DETAILS = """
CREATE VIEW post_details AS
SELECT
    p.board_id,
    b.title AS board_title,
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
JOIN boards AS b ON b.id = p.board_id
JOIN topics AS t ON t.board_id = p.board_id AND t.id = p.topic_id
LEFT JOIN forums AS f ON f.board_id = t.board_id AND f.id = t.forum_id
WHERE p.deleted_at IS NULL AND t.deleted_at IS NULL
"""

TOPIC_ACTIVITY = """
CREATE VIEW topic_activity AS
SELECT
    t.board_id,
    b.title AS board_title,
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
JOIN boards AS b ON b.id = t.board_id
LEFT JOIN forums AS f ON f.board_id = t.board_id AND f.id = t.forum_id
LEFT JOIN (
    SELECT
        board_id,
        topic_id,
        min(posted_at) AS first_post_at,
        max(posted_at) AS last_post_at,
        count(*) AS post_count,
        count(DISTINCT author_name) AS author_count
    FROM posts
    WHERE deleted_at IS NULL
    GROUP BY board_id, topic_id
) AS a ON a.board_id = t.board_id AND a.topic_id = t.id
WHERE t.deleted_at IS NULL
"""

DAILY_ACTIVITY = """
CREATE VIEW daily_activity AS
SELECT
    d.board_id,
    d.board_title,
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
GROUP BY d.board_id, d.board_title, 3, 4, d.forum_id, d.forum_title
"""
# PostgreSQL: the board's wall-clock day (UTC while its zone is unknown). SQLite: the UTC day.
DAILY_ACTIVITY_POSTGRESQL = DAILY_ACTIVITY.format(
    day="(d.posted_at AT TIME ZONE coalesce(b.timezone, 'UTC'))::date",
    timezone="coalesce(b.timezone, 'UTC')",
    join="JOIN boards AS b ON b.id = d.board_id",
)
DAILY_ACTIVITY_SQLITE = DAILY_ACTIVITY.format(day="date(d.posted_at)", timezone="'UTC'", join="")

# Copies are counted as (board, topic) pairs: two boards' topic 12 are two topics.
DUPLICATE_ARTICLES = """
CREATE VIEW duplicate_articles AS
SELECT
    d.content_hash,
    g.copies,
    g.topic_count,
    g.forum_count,
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
        count(DISTINCT CAST(board_id AS TEXT) || ':' || CAST(forum_id AS TEXT)) AS forum_count
    FROM post_details
    WHERE body_text <> ''
    GROUP BY content_hash
    HAVING count(DISTINCT CAST(board_id AS TEXT) || ':' || CAST(topic_id AS TEXT)) > 1
) AS g
JOIN post_details AS d ON d.content_hash = g.content_hash
"""

BOARD_INFO_VIEW = """
CREATE VIEW board_info AS
SELECT id, base_url, timezone, updated_at FROM boards
"""
"""What ``board_info`` was (one row per board now; ``timezone`` NULL while unknown)."""

# -- PostgreSQL full-text triggers: the topic of a post within its board ----------------------

SEARCH_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION posts_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search := post_search_vector(
            (SELECT title FROM topics WHERE board_id = NEW.board_id AND id = NEW.topic_id),
            NEW.body_text);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION topics_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE posts SET search = post_search_vector(NEW.title, body_text)
        WHERE board_id = NEW.board_id AND topic_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
)
OLD_SEARCH_FUNCTIONS = (
    """
    CREATE OR REPLACE FUNCTION posts_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search := post_search_vector(
            (SELECT title FROM topics WHERE id = NEW.topic_id), NEW.body_text);
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION topics_search_fill() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE posts SET search = post_search_vector(NEW.title, body_text)
        WHERE topic_id = NEW.id;
        RETURN NULL;
    END
    $$
    """,
)


def _views_0002() -> ModuleType:
    """Revision 0002, whose view definitions the downgrade restores (never edited either)."""
    path = Path(__file__).with_name("0002_query_views.py")
    spec = importlib.util.spec_from_file_location("forumscraper_migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the board of the existing rows -----------------------------------------------------------


def _existing_board(bind: sa.Connection) -> dict[str, object] | None:
    """The board the rows already stored belong to (``None``: the database holds nothing)."""
    info = bind.execute(sa.text("SELECT base_url, timezone, updated_at FROM board_info")).first()
    run = bind.execute(
        sa.text(
            "SELECT base_url FROM crawl_runs WHERE base_url IS NOT NULL "
            "ORDER BY started_at DESC, id DESC LIMIT 1"
        )
    ).first()
    held = any(
        bind.execute(sa.text(f"SELECT 1 FROM {table} LIMIT 1")).first() is not None
        for table in (*CONTENT, "crawl_runs")
    )
    if info is None and not held:
        return None
    url = (info.base_url if info is not None else None) or (run.base_url if run else None)
    return {
        "base_url": board_url(url) if url else UNKNOWN_URL,
        "timezone": info.timezone if info is not None else None,
    }


def _create_boards() -> None:
    op.create_table(
        "boards",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=True),
        sa.Column("template_version", sa.String(length=40), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("added_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("every_seconds", sa.Integer(), nullable=True),
        sa.Column("next_due_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("username_env", sa.Text(), nullable=True),
        sa.Column("password_env", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_boards")),
        sa.UniqueConstraint("base_url", name=op.f("uq_boards_base_url")),
    )


def _insert_board(bind: sa.Connection, board: dict[str, object]) -> int:
    """Insert the board of the existing rows; its id. Times are copied in the column's own
    format (SQLite text, PostgreSQL ``timestamptz``) by SQL, never through Python."""
    bind.execute(
        sa.text(
            "INSERT INTO boards (base_url, timezone, added_at, updated_at) "
            "SELECT :url, :tz, coalesce((SELECT min(started_at) FROM crawl_runs), "
            "(SELECT updated_at FROM board_info), {now}), "
            "coalesce((SELECT updated_at FROM board_info), {now})".format(
                now=(
                    "now()"
                    if bind.dialect.name == "postgresql"
                    else "strftime('%Y-%m-%d %H:%M:%f000', 'now')"
                )
            )
        ),
        {"url": board["base_url"], "tz": board["timezone"]},
    )
    return int(bind.execute(sa.text("SELECT id FROM boards")).scalar_one())


# -- PostgreSQL: in place ---------------------------------------------------------------------


def _upgrade_postgresql(board_id: int | None) -> None:
    # ALTER TABLE refuses a table with deferred checks pending (from earlier revisions run in
    # the same transaction): run them now.
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for table in (*CONTENT, "crawl_runs"):
        op.add_column(table, sa.Column("board_id", sa.Integer(), nullable=True))
        if board_id is not None:
            op.execute(sa.text(f"UPDATE {table} SET board_id = {int(board_id)}"))
        if table != "crawl_runs":
            op.alter_column(table, "board_id", existing_type=sa.Integer(), nullable=False)
    for table, column, referred in reversed(REFERENCES):
        op.drop_constraint(f"fk_{table}_{column}_{referred}", table, type_="foreignkey")
    for name, table, _ in OLD_INDEXES:
        op.drop_index(name, table_name=table)
    for table in CONTENT[:-1]:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["board_id", "id"])
    for table in (*CONTENT, "crawl_runs"):
        op.create_foreign_key(
            f"fk_{table}_board_id_boards",
            table,
            "boards",
            ["board_id"],
            ["id"],
            deferrable=True,
            initially="DEFERRED",
        )
    for table, column, referred in REFERENCES:
        op.create_foreign_key(
            f"fk_{table}_board_id_{referred}",
            table,
            referred,
            ["board_id", column],
            ["board_id", "id"],
            deferrable=True,
            initially="DEFERRED",
        )
    for name, table, columns in NEW_INDEXES:
        op.create_index(name, table, columns, unique=False)
    for statement in SEARCH_FUNCTIONS:
        op.execute(statement)
    op.execute("SET CONSTRAINTS ALL DEFERRED")


def _downgrade_postgresql() -> None:
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as in the upgrade
    for statement in OLD_SEARCH_FUNCTIONS:
        op.execute(statement)
    for name, table, _ in reversed(NEW_INDEXES):
        op.drop_index(name, table_name=table)
    for table, _column, referred in reversed(REFERENCES):
        op.drop_constraint(f"fk_{table}_board_id_{referred}", table, type_="foreignkey")
    for table in (*CONTENT, "crawl_runs"):
        op.drop_constraint(f"fk_{table}_board_id_boards", table, type_="foreignkey")
    for table in CONTENT[:-1]:
        op.drop_constraint(f"pk_{table}", table, type_="primary")
        op.create_primary_key(f"pk_{table}", table, ["id"])
    for name, table, columns in OLD_INDEXES:
        op.create_index(name, table, columns, unique=False)
    for table, column, referred in REFERENCES:
        op.create_foreign_key(
            f"fk_{table}_{column}_{referred}",
            table,
            referred,
            [column],
            ["id"],
            deferrable=True,
            initially="DEFERRED",
        )
    for table in (*CONTENT, "crawl_runs"):
        op.drop_column(table, "board_id")
    op.execute("SET CONSTRAINTS ALL DEFERRED")


# -- SQLite: each table rebuilt ---------------------------------------------------------------

POST_INDEXES = (
    ("ix_posts_author_name", ["author_name"], None),
    ("ix_posts_posted_at", ["posted_at"], None),
    ("ix_posts_content_hash", ["content_hash"], None),
    ("ix_posts_author_name_posted_at", ["author_name", "posted_at"], "deleted_at IS NULL"),
    ("ix_posts_search", ["search"], "search IS NOT NULL"),
)
"""The indexes of ``posts`` that do not change (a rebuilt table loses its indexes)."""


def _rebuild_sqlite(table: str, boards: bool, board_id: int | None) -> None:
    """Rebuild ``table`` with (``boards``) or without a ``board_id``: its columns as they are,
    the new keys and references, its rows copied (given ``board_id`` when one is added)."""
    bind = op.get_bind()
    old = sa.Table(table, sa.MetaData(), autoload_with=bind)
    metadata = sa.MetaData(naming_convention=forumscraper.db.models.NAMING_CONVENTION)
    content = table in CONTENT
    surrogate = table in ("post_revisions", "crawl_runs")
    columns = [
        sa.Column(c.name, c.type, nullable=c.nullable, autoincrement=False)
        for c in old.columns
        if c.name != "board_id"
    ]
    constraints: list[sa.Constraint] = []
    if boards:
        columns.insert(
            0 if content and not surrogate else 1,
            sa.Column("board_id", sa.Integer(), nullable=table == "crawl_runs"),
        )
        constraints.append(
            sa.ForeignKeyConstraint(
                ["board_id"],
                ["boards.id"],
                name=f"fk_{table}_board_id_boards",
                deferrable=True,
                initially="DEFERRED",
            )
        )
    key = ["id"] if surrogate or not boards else ["board_id", "id"]
    constraints.append(sa.PrimaryKeyConstraint(*key, name=f"pk_{table}"))
    for source, column, referred in REFERENCES:
        if source != table:
            continue
        constraints.append(
            sa.ForeignKeyConstraint(
                ["board_id", column] if boards else [column],
                [f"{referred}.board_id", f"{referred}.id"] if boards else [f"{referred}.id"],
                name=(
                    f"fk_{table}_board_id_{referred}"
                    if boards
                    else f"fk_{table}_{column}_{referred}"
                ),
                deferrable=True,
                initially="DEFERRED",
            )
        )
    # The referred tables (``forums`` too: the rebuilt table is renamed), for the foreign keys
    # to resolve; not created here.
    for referred in ("boards", "categories", "forums", "topics", "posts"):
        sa.Table(
            referred, metadata, sa.Column("id", sa.Integer()), sa.Column("board_id", sa.Integer())
        )
    temporary = f"_alembic_tmp_{table}"
    new = sa.Table(temporary, metadata, *columns, *constraints)
    new.create(bind)
    names = [c.name for c in old.columns if c.name != "board_id"]
    listed = ", ".join(names)
    if boards:
        value = "NULL" if board_id is None else str(int(board_id))
        op.execute(
            sa.text(
                f"INSERT INTO {temporary} (board_id, {listed}) "
                f"SELECT {value}, {listed} FROM {table}"
            )
        )
    else:
        op.execute(sa.text(f"INSERT INTO {temporary} ({listed}) SELECT {listed} FROM {table}"))
    op.drop_table(table)
    op.rename_table(temporary, table)
    if table == "posts":
        for name, index_columns, where in POST_INDEXES:
            op.create_index(
                name,
                table,
                index_columns,
                unique=False,
                sqlite_where=sa.text(where) if where else None,
            )
    indexes = NEW_INDEXES if boards else OLD_INDEXES
    for name, indexed, index_columns in indexes:
        if indexed == table:
            op.create_index(name, table, index_columns, unique=False)


def _check_sqlite_references() -> None:
    problems = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).all()
    if problems:
        raise RuntimeError(f"rows refer to rows that are not there: {problems[:5]}")


# -- upgrade, downgrade -----------------------------------------------------------------------


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    _create_boards()
    board = _existing_board(bind)
    board_id = _insert_board(bind, board) if board is not None else None
    if postgres:
        _upgrade_postgresql(board_id)
    else:
        for table in (*CONTENT, "crawl_runs"):
            _rebuild_sqlite(table, True, board_id)
        _check_sqlite_references()
    op.drop_table("board_info")
    op.execute(BOARD_INFO_VIEW)
    op.execute(POST_DETAILS)
    op.execute(TOPIC_ACTIVITY)
    op.execute(DAILY_ACTIVITY_POSTGRESQL if postgres else DAILY_ACTIVITY_SQLITE)
    op.execute(DUPLICATE_ARTICLES)


def downgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    boards = bind.execute(sa.text("SELECT count(*) FROM boards")).scalar_one()
    if boards > 1:
        raise RuntimeError(
            f"the database holds {boards} boards; before revision 0007 it could hold one"
        )
    for view in reversed(VIEWS):
        op.execute(f"DROP VIEW {view}")
    op.execute("DROP VIEW board_info")
    op.create_table(
        "board_info",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("timezone", sa.Text(), nullable=False),
        sa.Column("updated_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_board_info_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_info")),
    )
    op.execute(
        "INSERT INTO board_info (id, base_url, timezone, updated_at) "
        "SELECT 1, base_url, timezone, updated_at FROM boards WHERE timezone IS NOT NULL"
    )
    if postgres:
        _downgrade_postgresql()
    else:
        for table in (*CONTENT, "crawl_runs"):
            _rebuild_sqlite(table, False, None)
        _check_sqlite_references()
    op.drop_table("boards")
    old = _views_0002()
    op.execute(old.POST_DETAILS)
    op.execute(old.TOPIC_ACTIVITY)
    op.execute(old.DAILY_ACTIVITY_POSTGRESQL if postgres else old.DAILY_ACTIVITY_SQLITE)
    op.execute(old.DUPLICATE_ARTICLES)
