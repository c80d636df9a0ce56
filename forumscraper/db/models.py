"""Typed SQLAlchemy 2 models: the tables people query by hand.

The table and column names are a public contract (README "Schema"): add columns freely, rename
nothing. One database holds many boards (``boards``): every row of board content carries its
``board_id``, and its key is (``board_id``, ``id``), where ``id`` is Forumotion's own (N of ``/cN``,
``/fN``, ``/tN`` and the post anchor), so a row can always be traced back to its page and two
boards' ``/t12`` never meet.
Every timestamp is stored in UTC (``timestamptz`` on PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC: ``timestamptz`` on PostgreSQL, ISO text on SQLite.

    Naive values are refused rather than guessed; values read back are always aware (UTC).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: forumscraper stores aware UTC times")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")
"""JSON on SQLite, JSONB on PostgreSQL (indexable, queried with ``->>``)."""

SurrogateKey = BigInteger().with_variant(Integer(), "sqlite")
"""A generated key: BIGINT identity on PostgreSQL, the rowid alias on SQLite."""


def _fk(target: str) -> ForeignKey:
    # Deferred: rows of one batch may arrive in any order; the check runs at commit.
    return ForeignKey(target, deferrable=True, initially="DEFERRED")


def _board_fk(column: str, table: str) -> ForeignKeyConstraint:
    """(``board_id``, ``column``) refers to ``table`` of the same board; deferred like
    :func:`_fk`. A NULL ``column`` refers to nothing (MATCH SIMPLE)."""
    return ForeignKeyConstraint(
        ["board_id", column],
        [f"{table}.board_id", f"{table}.id"],
        deferrable=True,
        initially="DEFERRED",
    )


def _board_key() -> PrimaryKeyConstraint:
    """The key of board content: the board, then Forumotion's id."""
    return PrimaryKeyConstraint("board_id", "id")


class Base(DeclarativeBase):
    """Declarative base with a constraint naming convention (stable migration names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        str: Text(),
    }


def table_of(model: type[Base]) -> Table:
    """The Core table of a model (typed, for Core statements)."""
    return cast(Table, model.__table__)


class Board(Base):
    """A board archived in this database, registered by its first crawl
    (:func:`forumscraper.db.board.board_id_for`) under its normalised address."""

    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    base_url: Mapped[str] = mapped_column(unique=True)
    """Scheme and host (lowercase, with the port if any) and ``/``: ``https://x.forumotion.com/``
    (:func:`forumscraper.db.board.board_url`)."""
    title: Mapped[str | None]
    timezone: Mapped[str | None]
    """A name PostgreSQL's ``AT TIME ZONE`` reads right: an IANA name (``Asia/Baghdad``,
    ``UTC``; ``Etc/GMT-3`` for a fixed +03:00) or a POSIX spec (``<+0530>-05:30``); NULL until
    a crawl learnt it."""
    template_version: Mapped[str | None] = mapped_column(String(40))
    """The template version its pages were last read with (``forumscraper.pages.versions``)."""
    language: Mapped[str | None] = mapped_column(String(20))
    added_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    """When a crawl last recorded the board's details."""
    every_seconds: Mapped[int | None]
    """How often a scheduler should check the board (NULL: not scheduled)."""
    next_due_at: Mapped[datetime | None]
    """When a scheduler should check it next."""
    username_env: Mapped[str | None]
    """The name of the environment variable holding the member name to log in with (or of a
    ``*_FILE`` variable naming a file): never the credential itself."""
    password_env: Mapped[str | None]
    """Likewise for the password."""
    removed_at: Mapped[datetime | None]
    """When ``forumscraper boards remove`` took it off the schedule (its rows stay); NULL while
    it is checked."""


def _board_id() -> Mapped[int]:
    return mapped_column(_fk("boards.id"), nullable=False)


class Category(Base):
    """A category of the board index (``/cN-slug``)."""

    __tablename__ = "categories"
    __table_args__ = (_board_key(),)

    board_id: Mapped[int] = _board_id()
    id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    title: Mapped[str]
    url: Mapped[str | None]
    position: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]


class Forum(Base):
    """A forum or sub-forum (``/fN-slug``)."""

    __tablename__ = "forums"
    __table_args__ = (
        _board_key(),
        _board_fk("parent_id", "forums"),
        _board_fk("category_id", "categories"),
    )

    board_id: Mapped[int] = _board_id()
    id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    parent_id: Mapped[int | None]
    category_id: Mapped[int | None]
    category: Mapped[str | None]
    """Title of the category (denormalised so that ``SELECT title, category`` is enough)."""
    title: Mapped[str | None]
    description: Mapped[str | None]
    url: Mapped[str | None]
    position: Mapped[int | None]
    topic_count: Mapped[int | None]
    post_count: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_crawled_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]


class Topic(Base):
    """A topic (``/tN-slug``).

    ``reply_count`` and ``last_post_at`` are the watermark of what is stored: they only change
    when every page of the topic was stored in the same run.
    """

    __tablename__ = "topics"
    __table_args__ = (
        _board_key(),
        _board_fk("forum_id", "forums"),
        # "the latest topics of a forum": WHERE forum_id = ? ORDER BY last_post_at DESC
        Index("ix_topics_board_id_forum_id_last_post_at", "board_id", "forum_id", "last_post_at"),
    )

    board_id: Mapped[int] = _board_id()
    id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    forum_id: Mapped[int | None]
    title: Mapped[str | None]
    description: Mapped[str | None]
    """The line under the title in the forum's topic list: '' for none, NULL while no forum
    page that prints descriptions listed the topic (topic pages, search results and the mobile
    version show none)."""
    url: Mapped[str | None]
    author_name: Mapped[str | None]
    author_id: Mapped[int | None]
    topic_type: Mapped[str | None] = mapped_column(String(20))
    reply_count: Mapped[int | None]
    view_count: Mapped[int | None]
    first_post_at: Mapped[datetime | None]
    last_post_at: Mapped[datetime | None]
    last_poster_name: Mapped[str | None]
    first_seen_at: Mapped[datetime]
    last_crawled_at: Mapped[datetime | None]
    """When all of the topic's pages were last stored (NULL: never completely)."""
    deleted_at: Mapped[datetime | None]
    moved_to_id: Mapped[int | None]
    """The topic this one was moved or merged into (its address redirects there); the row
    keeps its old id, with ``deleted_at`` set."""


class Post(Base):
    """A post. ``body_html`` is kept exactly as fetched; every other text column derives from
    it and is recomputed by ``forumscraper reprocess`` when the cleaning rules change."""

    __tablename__ = "posts"
    __table_args__ = (
        _board_key(),
        _board_fk("topic_id", "topics"),
        # "a topic's posts in order": WHERE topic_id = ? ORDER BY position
        Index("ix_posts_board_id_topic_id_position", "board_id", "topic_id", "position"),
        # "everything by Rocky": WHERE author_name = ?
        Index("ix_posts_author_name", "author_name"),
        # "posts of November": WHERE posted_at BETWEEN ? AND ?
        Index("ix_posts_posted_at", "posted_at"),
        # "the same article elsewhere": GROUP BY content_hash
        Index("ix_posts_content_hash", "content_hash"),
        # "every post by Rocky in November": author_name = ? AND posted_at range, live posts
        Index(
            "ix_posts_author_name_posted_at",
            "author_name",
            "posted_at",
            postgresql_where=text("deleted_at IS NULL"),
            sqlite_where=text("deleted_at IS NULL"),
        ),
        # "posts matching these words": search @@ websearch_to_tsquery('simple', ?)
        Index(
            "ix_posts_search",
            "search",
            postgresql_using="gin",
            sqlite_where=text("search IS NOT NULL"),
        ),
    )

    board_id: Mapped[int] = _board_id()
    id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    topic_id: Mapped[int]
    position: Mapped[int]
    author_name: Mapped[str | None]
    author_id: Mapped[int | None]
    subject: Mapped[str | None]
    posted_at: Mapped[datetime | None]
    posted_at_raw: Mapped[str | None]
    edited_at: Mapped[datetime | None]
    edited_at_raw: Mapped[str | None]
    """The edit note's date as printed (``edited_at`` derives from it, as ``posted_at`` from
    ``posted_at_raw``: ``forumscraper reprocess`` reads both again)."""
    edited_by: Mapped[str | None]
    edit_count: Mapped[int] = mapped_column(default=0)
    body_html: Mapped[str]
    body_text: Mapped[str]
    signature_html: Mapped[str | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    links: Mapped[list[Any]] = mapped_column(default=list)
    attachments: Mapped[list[Any] | None] = mapped_column(
        JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")
    )
    """The files listed under the message (``name``, ``url``, ``size``, ``downloads``,
    ``comment``); NULL on rows stored before migration 0011 until their page is read again."""
    hidden_link_count: Mapped[int] = mapped_column(default=0)
    collapsed_repeats: Mapped[int] = mapped_column(default=0)
    url: Mapped[str | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    deleted_at: Mapped[datetime | None]

    search: Mapped[str | None] = mapped_column(
        TSVECTOR().with_variant(Text(), "sqlite"), deferred=True
    )
    """Full-text vector of the topic title (weight A) and ``body_text`` (weight B), ``simple``
    configuration, kept by triggers on PostgreSQL (never written by the store); always NULL on
    SQLite, where search is not supported."""


class PostRevision(Base):
    """An earlier version of a post, kept when a re-fetched post's text changed."""

    __tablename__ = "post_revisions"
    __table_args__ = (
        _board_fk("post_id", "posts"),
        Index("ix_post_revisions_board_id_post_id", "board_id", "post_id"),
    )

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    board_id: Mapped[int] = _board_id()
    post_id: Mapped[int]
    body_html: Mapped[str]
    body_text: Mapped[str]
    content_hash: Mapped[str] = mapped_column(String(64))
    edited_at: Mapped[datetime | None]
    seen_at: Mapped[datetime]
    """When this (old) version was last seen."""


class CrawlRun(Base):
    """One run of a spider: written at start, completed at the end."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(SurrogateKey, primary_key=True, autoincrement=True)
    spider: Mapped[str] = mapped_column(String(50))
    board_id: Mapped[int | None] = mapped_column(_fk("boards.id"), index=True)
    """The board crawled (NULL: a run that stopped before its board was known)."""
    base_url: Mapped[str | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    """``running``, ``finished``, ``failed``, ``interrupted`` or ``abandoned`` (left
    ``running`` by a process that ended without completing it; see ``forumscraper.runs``)."""
    requests: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int] = mapped_column(default=0)
    new_posts: Mapped[int] = mapped_column(default=0)
    updated_posts: Mapped[int] = mapped_column(default=0)
    errors: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None]
    """Why the run failed, in one line."""
    stats: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ArticleSignature(Base):
    """The MinHash signature of an article's text (``forumscraper.dedup``): posts whose
    ``body_text`` is at least ``MIN_ARTICLE_CHARS`` long. Computed once per text: a row whose
    ``content_hash`` is the post's is up to date."""

    __tablename__ = "article_signatures"
    __table_args__ = (
        PrimaryKeyConstraint("board_id", "post_id"),
        _board_fk("post_id", "posts"),
    )

    board_id: Mapped[int] = _board_id()
    post_id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    content_hash: Mapped[str] = mapped_column(String(64))
    """The post's ``content_hash`` when the signature was computed."""
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    """``NUM_PERM`` little-endian unsigned 32-bit MinHash values; empty for a long post whose
    own text (quotes left out) is too short to be an article: checked, nothing to compare."""
    computed_at: Mapped[datetime]


class ArticleBand(Base):
    """One LSH band of an article's signature: articles sharing a (``band``, ``bucket``) are
    compared (``forumscraper.db.near_duplicates``)."""

    __tablename__ = "article_bands"
    __table_args__ = (
        PrimaryKeyConstraint("band", "bucket", "board_id", "post_id"),
        ForeignKeyConstraint(
            ["board_id", "post_id"],
            ["article_signatures.board_id", "article_signatures.post_id"],
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_article_bands_board_id_post_id", "board_id", "post_id"),
    )

    band: Mapped[int] = mapped_column(SmallInteger, autoincrement=False)
    bucket: Mapped[int] = mapped_column(BigInteger, autoincrement=False)
    """A 64-bit digest of the band's values."""
    board_id: Mapped[int] = _board_id()
    post_id: Mapped[int] = mapped_column(Integer, autoincrement=False)


class NearDuplicate(Base):
    """A post's group of near-duplicate articles: one row per article that has at least one
    near-duplicate, in any topic of any board. A group is named by its first member, the
    smallest (``board_id``, ``post_id``) of the group."""

    __tablename__ = "near_duplicate_groups"
    __table_args__ = (
        PrimaryKeyConstraint("board_id", "post_id"),
        ForeignKeyConstraint(
            ["board_id", "post_id"],
            ["article_signatures.board_id", "article_signatures.post_id"],
            deferrable=True,
            initially="DEFERRED",
        ),
        Index("ix_near_duplicate_groups_group", "group_board_id", "group_post_id"),
    )

    board_id: Mapped[int] = _board_id()
    post_id: Mapped[int] = mapped_column(Integer, autoincrement=False)
    group_board_id: Mapped[int]
    group_post_id: Mapped[int]
    found_at: Mapped[datetime]
    """When the post joined its group (or the group was last rebuilt)."""
