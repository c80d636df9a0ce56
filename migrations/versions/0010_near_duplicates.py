"""Near-duplicate articles: MinHash signatures, their LSH bands, the groups and a view (issue 20).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05

The same article pasted in several topics with small differences shares no ``content_hash``;
``forumscraper.dedup`` finds such copies with MinHash LSH over word shingles of ``body_text``.
This revision adds, on PostgreSQL and SQLite alike:

- ``article_signatures``: one row per article (a post whose text is long enough), its MinHash
  signature and the ``content_hash`` it was computed from, so that later runs compute only the
  signatures of new and changed texts;
- ``article_bands``: the signature's LSH bands, keyed by (``band``, ``bucket``): the posts that
  share a row are the candidates compared with a new article;
- ``near_duplicate_groups``: one row per article that has a near-duplicate, naming its group by
  the group's first post (``group_board_id``, ``group_post_id``);
- the view ``near_duplicate_articles`` (README "Near-duplicate articles"), one row per live post
  of a group spread over more than one topic, counted over live posts.

Every key starts with or includes ``board_id``: a group may span boards (the same article
pasted on two boards). Rows are filled by the next crawl of each board or by ``forumscraper
dedup``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forumscraper.db.models

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Groups and topics counted as (board, id) pairs: two boards' topic 12 are two topics.
NEAR_DUPLICATE_ARTICLES = """
CREATE VIEW near_duplicate_articles AS
SELECT
    n.group_board_id,
    n.group_post_id,
    g.copies,
    g.variants,
    g.topic_count,
    g.board_count,
    d.board_id,
    d.board_title,
    d.post_id,
    d.topic_id,
    d.topic_title,
    d.forum_id,
    d.forum_title,
    d.author_name,
    d.posted_at,
    d.content_hash,
    d.url,
    d.body_text
FROM near_duplicate_groups AS n
JOIN post_details AS d ON d.board_id = n.board_id AND d.post_id = n.post_id
JOIN (
    SELECT
        m.group_board_id,
        m.group_post_id,
        count(*) AS copies,
        count(DISTINCT e.content_hash) AS variants,
        count(DISTINCT CAST(e.board_id AS TEXT) || ':' || CAST(e.topic_id AS TEXT)) AS topic_count,
        count(DISTINCT e.board_id) AS board_count
    FROM near_duplicate_groups AS m
    JOIN post_details AS e ON e.board_id = m.board_id AND e.post_id = m.post_id
    GROUP BY m.group_board_id, m.group_post_id
    HAVING count(DISTINCT CAST(e.board_id AS TEXT) || ':' || CAST(e.topic_id AS TEXT)) > 1
) AS g ON g.group_board_id = n.group_board_id AND g.group_post_id = n.group_post_id
"""


def _board_fk(table: str, referred: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["board_id", "post_id"],
        [f"{referred}.board_id", f"{referred}.{'id' if referred == 'posts' else 'post_id'}"],
        name=op.f(f"fk_{table}_board_id_{referred}"),
        initially="DEFERRED",
        deferrable=True,
    )


def _boards_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["board_id"],
        ["boards.id"],
        name=op.f(f"fk_{table}_board_id_boards"),
        initially="DEFERRED",
        deferrable=True,
    )


def _transaction_on_sqlite() -> None:
    """Open the transaction now on SQLite: Python's sqlite3 begins one only at the first
    INSERT, UPDATE or DELETE, so the DDL before it would be committed statement by statement,
    and a failure later in the same ``alembic`` command (another revision's) could not undo it.
    This no-op UPDATE makes the revision all or nothing, as on PostgreSQL."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("UPDATE alembic_version SET version_num = version_num WHERE 1 = 0")


def upgrade() -> None:
    _transaction_on_sqlite()
    op.create_table(
        "article_signatures",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("computed_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        _board_fk("article_signatures", "posts"),
        _boards_fk("article_signatures"),
        sa.PrimaryKeyConstraint("board_id", "post_id", name=op.f("pk_article_signatures")),
    )
    op.create_table(
        "article_bands",
        sa.Column("band", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        _board_fk("article_bands", "article_signatures"),
        _boards_fk("article_bands"),
        sa.PrimaryKeyConstraint(
            "band", "bucket", "board_id", "post_id", name=op.f("pk_article_bands")
        ),
    )
    op.create_index(
        "ix_article_bands_board_id_post_id", "article_bands", ["board_id", "post_id"], unique=False
    )
    op.create_table(
        "near_duplicate_groups",
        sa.Column("board_id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("group_board_id", sa.Integer(), nullable=False),
        sa.Column("group_post_id", sa.Integer(), nullable=False),
        sa.Column("found_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        _board_fk("near_duplicate_groups", "article_signatures"),
        _boards_fk("near_duplicate_groups"),
        sa.PrimaryKeyConstraint("board_id", "post_id", name=op.f("pk_near_duplicate_groups")),
    )
    op.create_index(
        "ix_near_duplicate_groups_group",
        "near_duplicate_groups",
        ["group_board_id", "group_post_id"],
        unique=False,
    )
    op.execute(NEAR_DUPLICATE_ARTICLES)


def downgrade() -> None:
    _transaction_on_sqlite()
    op.execute("DROP VIEW near_duplicate_articles")
    op.drop_index("ix_near_duplicate_groups_group", table_name="near_duplicate_groups")
    op.drop_table("near_duplicate_groups")
    op.drop_index("ix_article_bands_board_id_post_id", table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_table("article_signatures")
