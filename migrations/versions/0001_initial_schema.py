"""Initial schema: categories, forums, topics, posts, post_revisions, crawl_runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Reviewed autogenerate output. Indexes serve the usual hand-written queries:
- topics (forum_id, last_post_at): the latest topics of a forum;
- posts (topic_id, position): a topic's posts in order;
- posts (author_name): everything one member wrote;
- posts (posted_at): posts of a date range;
- posts (content_hash): the same article posted in several topics;
- post_revisions (post_id): the history of one post.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import forumscraper.db.models

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "categories",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column(
            "first_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
    )
    op.create_table(
        "crawl_runs",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("spider", sa.String(length=50), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("started_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("new_posts", sa.Integer(), nullable=False),
        sa.Column("updated_posts", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column(
            "stats",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    op.create_table(
        "forums",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("topic_count", sa.Integer(), nullable=True),
        sa.Column("post_count", sa.Integer(), nullable=True),
        sa.Column(
            "first_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_crawled_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("deleted_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_forums_category_id_categories"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["forums.id"],
            name=op.f("fk_forums_parent_id_forums"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forums")),
    )
    op.create_table(
        "topics",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("forum_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("author_name", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("topic_type", sa.String(length=20), nullable=True),
        sa.Column("reply_count", sa.Integer(), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=True),
        sa.Column(
            "first_post_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("last_post_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_poster_name", sa.Text(), nullable=True),
        sa.Column(
            "first_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_crawled_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("deleted_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["forum_id"],
            ["forums.id"],
            name=op.f("fk_topics_forum_id_forums"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topics")),
    )
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.create_index(
            "ix_topics_forum_id_last_post_at", ["forum_id", "last_post_at"], unique=False
        )

    op.create_table(
        "posts",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_name", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("posted_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("posted_at_raw", sa.Text(), nullable=True),
        sa.Column("edited_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("edited_by", sa.Text(), nullable=True),
        sa.Column("edit_count", sa.Integer(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("signature_html", sa.Text(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("hidden_link_count", sa.Integer(), nullable=False),
        sa.Column("collapsed_repeats", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column(
            "first_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column(
            "last_seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("deleted_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topics.id"],
            name=op.f("fk_posts_topic_id_topics"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posts")),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_author_name", ["author_name"], unique=False)
        batch_op.create_index("ix_posts_content_hash", ["content_hash"], unique=False)
        batch_op.create_index("ix_posts_posted_at", ["posted_at"], unique=False)
        batch_op.create_index("ix_posts_topic_id_position", ["topic_id", "position"], unique=False)

    op.create_table(
        "post_revisions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("edited_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("seen_at", forumscraper.db.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_post_revisions_post_id_posts"),
            initially="DEFERRED",
            deferrable=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_revisions")),
    )
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_revisions_post_id"), ["post_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("post_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_revisions_post_id"))

    op.drop_table("post_revisions")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_index("ix_posts_topic_id_position")
        batch_op.drop_index("ix_posts_posted_at")
        batch_op.drop_index("ix_posts_content_hash")
        batch_op.drop_index("ix_posts_author_name")

    op.drop_table("posts")
    with op.batch_alter_table("topics", schema=None) as batch_op:
        batch_op.drop_index("ix_topics_forum_id_last_post_at")

    op.drop_table("topics")
    op.drop_table("forums")
    op.drop_table("crawl_runs")
    op.drop_table("categories")
