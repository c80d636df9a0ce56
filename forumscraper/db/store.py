"""Batched upserts: the only code that writes crawled rows.

One call of :meth:`Store.write` is one transaction. Rows are upserted (``INSERT … ON CONFLICT``),
so storing the same page twice leaves the same rows. A field that is ``None`` in an item means
"unknown here" and never overwrites a stored value. A post whose clean text changed keeps its
previous version in ``post_revisions``. A topic's watermark (``reply_count``, ``last_post_at``,
``last_crawled_at``) is only written by a *complete* topic item, which the spiders yield after
every post of the topic, so it is committed with or after those posts, never before them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Engine,
    Table,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from forumscraper.db.models import Category, Forum, Post, PostRevision, Topic, table_of

logger = logging.getLogger(__name__)

Row = dict[str, Any]

CATEGORY_FIELDS = ("id", "title", "url", "position")
FORUM_FIELDS = (
    "id",
    "parent_id",
    "category_id",
    "category",
    "title",
    "description",
    "url",
    "position",
    "topic_count",
    "post_count",
)
TOPIC_FIELDS = (
    "id",
    "forum_id",
    "title",
    "url",
    "author_name",
    "author_id",
    "topic_type",
    "view_count",
    "first_post_at",
)
TOPIC_WATERMARK_FIELDS = ("reply_count", "last_post_at", "last_poster_name")
POST_FIELDS = (
    "id",
    "topic_id",
    "position",
    "author_name",
    "author_id",
    "subject",
    "posted_at",
    "posted_at_raw",
    "edited_at",
    "edited_by",
    "edit_count",
    "body_html",
    "body_text",
    "signature_html",
    "content_hash",
    "links",
    "hidden_link_count",
    "collapsed_repeats",
    "url",
)


@dataclass
class Batch:
    """Rows to store in one transaction, by kind, as plain dicts (``ItemAdapter.asdict``)."""

    categories: list[Row] = field(default_factory=list)
    forums: list[Row] = field(default_factory=list)
    topics: list[Row] = field(default_factory=list)
    posts: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.categories) + len(self.forums) + len(self.topics) + len(self.posts)


@dataclass
class BatchResult:
    """What one write changed."""

    new_posts: int = 0
    updated_posts: int = 0
    unchanged_posts: int = 0
    deleted_posts: int = 0
    topics_completed: int = 0
    links_revealed: int = 0

    def add(self, other: BatchResult) -> None:
        self.new_posts += other.new_posts
        self.updated_posts += other.updated_posts
        self.unchanged_posts += other.unchanged_posts
        self.deleted_posts += other.deleted_posts
        self.topics_completed += other.topics_completed
        self.links_revealed += other.links_revealed


INT_MAX = 2**31 - 1
COUNTS = frozenset({"reply_count", "view_count", "topic_count", "post_count", "edit_count"})


def _storable(name: str, value: Any) -> Any:
    """A value the column can hold: an absurd count (negative, or past a 32-bit integer) read
    from a page is unknown, not an overflow error that would lose the whole row."""
    if name in COUNTS and isinstance(value, int) and not 0 <= value <= INT_MAX:
        return 0 if name == "edit_count" else None
    return value


@cache
def _vanished_posts(partial: bool) -> Update:
    """``UPDATE posts SET deleted_at`` for the live posts of one topic that a complete fetch
    did not see (``partial``: only those after the first post seen). Built once: building and
    caching a statement per topic cost more than running it."""
    posts = table_of(Post)
    condition = and_(
        posts.c.topic_id == bindparam("b_topic"),
        posts.c.id.not_in(bindparam("b_seen", expanding=True)),
        posts.c.deleted_at.is_(None),
    )
    if partial:
        condition = and_(condition, posts.c.id > bindparam("b_after"))
    return (
        update(posts)
        .where(condition)
        .values(deleted_at=bindparam("b_now", type_=posts.c.deleted_at.type))
    )


def _merge_by_id(rows: Iterable[Mapping[str, Any]]) -> dict[int, Row]:
    """Rows with the same id merged in order: a later non-``None`` value wins.

    PostgreSQL refuses an ``ON CONFLICT DO UPDATE`` that touches one row twice, so every kind
    is deduplicated before it is written.
    """
    merged: dict[int, Row] = {}
    for row in rows:
        current = merged.setdefault(row["id"], {})
        for key, value in row.items():
            if value is not None or key not in current:
                current[key] = value
    return merged


class Store:
    """Writes batches of crawled rows; owns its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    # -- public -------------------------------------------------------------------------------

    def write(self, batch: Batch, now: datetime | None = None) -> BatchResult:
        """Store ``batch`` in one transaction and say what changed."""
        now = now or datetime.now(UTC)
        result = BatchResult()
        with Session(self.engine) as session, session.begin():
            self._upsert_categories(session, batch.categories, now)
            self._upsert_forums(session, batch.forums, now)
            topics = _merge_by_id(batch.topics)
            self._upsert_topics(
                session,
                [t for t in topics.values() if not t.get("gone") and not t.get("moved_to_id")],
                now,
            )
            self._upsert_posts(session, batch.posts, now, result)
            self._complete_topics(session, topics.values(), now, result)
            self._mark_gone(session, [t["id"] for t in topics.values() if t.get("gone")], now)
            self._mark_moved(session, [t for t in topics.values() if t.get("moved_to_id")], now)
        return result

    # -- kinds --------------------------------------------------------------------------------

    def _upsert(
        self,
        session: Session,
        table: Table,
        rows: Sequence[Row],
        fields: Sequence[str],
        *,
        on_insert: Mapping[str, Any],
        on_update: Mapping[str, Any],
        keep_known: Sequence[str] = (),
    ) -> None:
        """``INSERT … ON CONFLICT (id) DO UPDATE`` of ``rows`` (executemany).

        Columns in ``keep_known`` keep their stored value when the new one is ``None``.
        """
        if not rows:
            return
        counts = [name for name in fields if name in COUNTS]
        params = [{name: row.get(name) for name in fields} | dict(on_insert) for row in rows]
        for values in params:
            for name in counts:
                values[name] = _storable(name, values[name])
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(table)
        excluded = stmt.excluded
        set_: dict[str, Any] = {}
        for name in fields:
            if name == "id":
                continue
            if name in keep_known:
                set_[name] = func.coalesce(excluded[name], table.c[name])
            else:
                set_[name] = excluded[name]
        set_.update(on_update)
        session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=set_), params)

    def _upsert_categories(self, session: Session, rows: list[Row], now: datetime) -> None:
        merged = list(_merge_by_id(rows).values())
        self._upsert(
            session,
            table_of(Category),
            merged,
            CATEGORY_FIELDS,
            on_insert={"first_seen_at": now, "last_seen_at": now},
            on_update={"last_seen_at": now},
            keep_known=("url", "position"),
        )

    def _upsert_forums(self, session: Session, rows: list[Row], now: datetime) -> None:
        merged = list(_merge_by_id(rows).values())
        self._upsert(
            session,
            table_of(Forum),
            merged,
            FORUM_FIELDS,
            on_insert={"first_seen_at": now, "last_crawled_at": now, "deleted_at": None},
            on_update={"last_crawled_at": now, "deleted_at": None},
            keep_known=FORUM_FIELDS,
        )

    def _upsert_topics(self, session: Session, rows: Iterable[Row], now: datetime) -> None:
        self._upsert(
            session,
            table_of(Topic),
            list(rows),
            TOPIC_FIELDS,
            on_insert={"first_seen_at": now, "deleted_at": None},
            on_update={"deleted_at": None},
            keep_known=TOPIC_FIELDS,
        )

    def _upsert_posts(
        self, session: Session, rows: list[Row], now: datetime, result: BatchResult
    ) -> None:
        if not rows:
            return
        posts = _merge_by_id(rows)
        table = table_of(Post)
        stored = {
            row.id: (row.content_hash, row.hidden_link_count)
            for row in session.execute(
                select(table.c.id, table.c.content_hash, table.c.hidden_link_count).where(
                    table.c.id.in_(list(posts))
                )
            )
        }
        changed: list[int] = []
        for pid, row in posts.items():
            if pid not in stored or stored[pid][0] == row.get("content_hash"):
                continue
            if (row.get("hidden_link_count") or 0) < stored[pid][1]:
                # First seen as a guest (links hidden), now as a member: the text gains the
                # links it hid, which is not an edit by its author.
                result.links_revealed += 1
                continue
            changed.append(pid)
        result.new_posts += sum(1 for pid in posts if pid not in stored)
        result.updated_posts += len(changed)
        result.unchanged_posts += (
            len(posts) - len(changed) - sum(1 for p in posts if p not in stored)
        )
        if changed:
            revisions = table_of(PostRevision)
            session.execute(
                insert(revisions).from_select(
                    ["post_id", "body_html", "body_text", "content_hash", "edited_at", "seen_at"],
                    select(
                        table.c.id,
                        table.c.body_html,
                        table.c.body_text,
                        table.c.content_hash,
                        table.c.edited_at,
                        table.c.last_seen_at,
                    ).where(table.c.id.in_(changed)),
                )
            )
        self._upsert(
            session,
            table,
            list(posts.values()),
            POST_FIELDS,
            on_insert={"first_seen_at": now, "last_seen_at": now, "deleted_at": None},
            on_update={"last_seen_at": now, "deleted_at": None},
            keep_known=("author_name", "author_id", "posted_at", "subject"),
        )

    def _mark_gone(self, session: Session, topic_ids: list[int], now: datetime) -> None:
        """Topics that answer 404: they and their posts are marked deleted, never removed."""
        if not topic_ids:
            return
        topics, posts = table_of(Topic), table_of(Post)
        session.execute(
            update(topics)
            .where(topics.c.id.in_(topic_ids), topics.c.deleted_at.is_(None))
            .values(deleted_at=now)
        )
        session.execute(
            update(posts)
            .where(posts.c.topic_id.in_(topic_ids), posts.c.deleted_at.is_(None))
            .values(deleted_at=now)
        )

    def _mark_moved(self, session: Session, rows: list[Row], now: datetime) -> None:
        """Topics whose address redirects to another id: keep the row, say where it went.

        Their posts are not touched here: those still on the forum are stored again under the
        new topic (same post ids), the others stay as they were."""
        if not rows:
            return
        topics = table_of(Topic)
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(topics)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=["id"],
                set_={
                    "moved_to_id": stmt.excluded.moved_to_id,
                    "deleted_at": func.coalesce(topics.c.deleted_at, stmt.excluded.deleted_at),
                },
            ),
            [
                {
                    "id": row["id"],
                    "moved_to_id": row["moved_to_id"],
                    "first_seen_at": now,
                    "deleted_at": now,
                }
                for row in rows
            ],
        )

    def _complete_topics(
        self, session: Session, topics: Iterable[Row], now: datetime, result: BatchResult
    ) -> None:
        """Advance the watermark of topics whose every page was stored, and mark the posts that
        vanished from the pages fetched as deleted (never deleting a row)."""
        table = table_of(Topic)
        complete = [row for row in topics if row.get("complete")]
        if not complete:
            return
        params = [
            {"b_id": row["id"], "b_now": now}
            | {f"b_{name}": _storable(name, row.get(name)) for name in TOPIC_WATERMARK_FIELDS}
            for row in complete
        ]
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                last_crawled_at=bindparam("b_now"),
                **{
                    name: func.coalesce(bindparam(f"b_{name}"), table.c[name])
                    for name in TOPIC_WATERMARK_FIELDS
                },
            ),
            params,
        )
        result.topics_completed += len(complete)
        for row in complete:
            seen = row.get("post_ids") or []
            if not seen:
                continue
            # Only part of the topic was fetched: a post older than the first one seen may
            # simply sit on an earlier page now.
            partial = row.get("first_position") not in (0, None)
            values = {"b_topic": row["id"], "b_seen": seen, "b_now": now}
            if partial:
                values["b_after"] = min(seen)
            deleted = session.execute(_vanished_posts(partial), values)
            result.deleted_posts += cast(CursorResult[Any], deleted).rowcount or 0
