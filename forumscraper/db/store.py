"""Batched upserts: the only code that writes crawled rows.

One call of :meth:`Store.write` is one transaction. Rows are upserted (``INSERT … ON CONFLICT``),
so storing the same page twice leaves the same rows. A field that is ``None`` in an item means
"unknown here" and never overwrites a stored value. A post whose clean text changed keeps its
previous version in ``post_revisions``. A topic's watermark (``reply_count``, ``last_post_at``,
``last_crawled_at``) is only written by a *complete* topic item, which the spiders yield after
every post of the topic, so it is committed with or after those posts, never before them.

On PostgreSQL (psycopg 3) each kind of a batch is written by one statement whatever the number
of rows: every column travels as one array parameter in binary format and ``unnest`` turns the
arrays back into rows (``INSERT … SELECT … FROM unnest(…) ON CONFLICT``, ``UPDATE … FROM
unnest(…)``). The statement text depends only on the table, so psycopg prepares it once per
connection, where an executemany costs one execution per row. Posts already stored get a plain
``UPDATE`` with the same ``SET`` instead of the upsert: ``ON CONFLICT`` would run the
``BEFORE INSERT`` full-text trigger for each of them only to throw its result away. Values go
through the same SQLAlchemy bind processors as before (UTC times, ``Jsonb``) and statements run
on the session's SQLAlchemy connection, so a refused row or a lost connection still raises a
``sqlalchemy.exc.DBAPIError`` (``OperationalError``). SQLite, another driver, or a value the
bind processors refuse (a naive datetime) take the executemany forms.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
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
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Session

from forumscraper.db.models import Category, Forum, Post, PostRevision, Topic, table_of

logger = logging.getLogger(__name__)

Row = dict[str, Any]
RowIn = Mapping[str, Any]
"""A row as read: merged rows may be the caller's own dicts, never written to."""

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
    "edited_at_raw",
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


def _merge_by_id(rows: Iterable[RowIn]) -> dict[int, RowIn]:
    """Rows with the same id merged in order: a later non-``None`` value wins.

    PostgreSQL refuses an ``ON CONFLICT DO UPDATE`` that touches one row twice, so every kind
    is deduplicated before it is written. A row whose id comes once is returned as it is (not
    copied); only rows merged with another are new dicts.
    """
    merged: dict[int, RowIn] = {}
    copies: dict[int, Row] = {}
    for row in rows:
        key = row["id"]
        first = merged.get(key)
        if first is None:
            merged[key] = row
            continue
        current = copies.get(key)
        if current is None:
            current = copies[key] = merged[key] = dict(first)
        for name, value in row.items():
            if value is not None or name not in current:
                current[name] = value
    return merged


# -- PostgreSQL: one statement per kind and batch ----------------------------------------------

Processor = Callable[[Any], Any]


@dataclass(frozen=True)
class _Unnest:
    """The one-statement forms of :meth:`Store._upsert` for one table and field list: field
    ``i`` travels as the array parameter ``v{i}``, ``on_insert`` values as ``i{i}`` and
    ``on_update`` values as ``u{i}`` (each cast to its column's type)."""

    upsert: str
    """``INSERT … SELECT … FROM unnest(…) ON CONFLICT (id) DO UPDATE SET …``."""
    update: str
    """``UPDATE … SET`` (the same ``SET``) ``FROM unnest(…)``: for rows known to be stored.
    It spares them PostgreSQL's ``BEFORE INSERT`` triggers, which ``ON CONFLICT`` runs for
    every row proposed, stored or not (``posts_search_fill`` computes a full-text vector)."""
    processors: tuple[Processor | None, ...]
    """SQLAlchemy's bind processor of each field's column (``None``: the value as it is)."""
    insert_processors: tuple[Processor | None, ...]
    update_processors: tuple[Processor | None, ...]


def _bind_processor(table: Table, name: str, dialect: Dialect) -> Processor | None:
    """What SQLAlchemy does to a value bound to this column (UTC times, ``Jsonb``)."""
    return cast(Processor | None, table.c[name].type.dialect_impl(dialect).bind_processor(dialect))


def _sql_type(table: Table, name: str, dialect: Dialect) -> str:
    """The column's type without a length (``VARCHAR``, not ``VARCHAR(64)``): an explicit cast
    to ``VARCHAR(64)`` would cut a longer value, where storing it must fail as it always did."""
    return re.sub(r"\(.*?\)", "", table.c[name].type.compile(dialect=dialect))


def _unnest_statements(
    table: Table,
    fields: tuple[str, ...],
    keep_known: tuple[str, ...],
    on_insert: tuple[str, ...],
    on_update: tuple[str, ...],
    dialect: Dialect,
) -> _Unnest:
    """The statements :meth:`Store._upsert` runs on PostgreSQL, with the same ``SET`` as its
    executemany form: new values, ``coalesce`` for ``keep_known``, ``on_update`` last."""
    quote = dialect.identifier_preparer.quote
    name = quote(table.name)
    rows = (
        "unnest("
        + ", ".join(
            f"CAST(%(v{i})b AS {_sql_type(table, col, dialect)}[])" for i, col in enumerate(fields)
        )
        + f") AS v({', '.join(quote(col) for col in fields)})"
    )
    columns = [quote(col) for col in fields] + [quote(stamp) for stamp in on_insert]
    values = [f"v.{quote(col)}" for col in fields] + [
        f"CAST(%(i{i})b AS {_sql_type(table, stamp, dialect)})" for i, stamp in enumerate(on_insert)
    ]

    def set_clause(new: str) -> str:
        """``SET`` of the stored row ``name`` from the new row ``new``."""
        set_: dict[str, str] = {}
        for col in fields:
            if col == "id":
                continue
            column = quote(col)
            if col in keep_known:
                set_[col] = f"coalesce({new}.{column}, {name}.{column})"
            else:
                set_[col] = f"{new}.{column}"
        for i, stamp in enumerate(on_update):
            set_[stamp] = f"CAST(%(u{i})b AS {_sql_type(table, stamp, dialect)})"
        return ", ".join(f"{quote(column)} = {value}" for column, value in set_.items())

    return _Unnest(
        upsert=(
            f"INSERT INTO {name} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {rows} "
            f"ON CONFLICT (id) DO UPDATE SET {set_clause('excluded')}"
        ),
        update=f"UPDATE {name} SET {set_clause('v')} FROM {rows} WHERE {name}.id = v.id",
        processors=tuple(_bind_processor(table, col, dialect) for col in fields),
        insert_processors=tuple(_bind_processor(table, stamp, dialect) for stamp in on_insert),
        update_processors=tuple(_bind_processor(table, stamp, dialect) for stamp in on_update),
    )


def _processed(process: Processor | None, value: Any) -> Any:
    return value if process is None else process(value)


_STORED_POSTS = (
    "SELECT id, content_hash, hidden_link_count FROM posts "
    "WHERE id = ANY(CAST(%(ids)b AS BIGINT[]))"
)
"""The stored hash of the posts of a batch: one statement shape whatever the batch size."""

_WATERMARKS = (
    "UPDATE topics AS t SET last_crawled_at = CAST(%(now)b AS TIMESTAMP WITH TIME ZONE), "
    "reply_count = coalesce(v.reply_count, t.reply_count), "
    "last_post_at = coalesce(v.last_post_at, t.last_post_at), "
    "last_poster_name = coalesce(v.last_poster_name, t.last_poster_name) "
    "FROM unnest(CAST(%(id)b AS INTEGER[]), CAST(%(reply_count)b AS INTEGER[]), "
    "CAST(%(last_post_at)b AS TIMESTAMP WITH TIME ZONE[]), CAST(%(last_poster_name)b AS TEXT[])) "
    "AS v(id, reply_count, last_post_at, last_poster_name) "
    "WHERE t.id = v.id"
)
"""The watermarks of every topic completed by a batch, in one statement."""

_VANISHED_POSTS = (
    "UPDATE posts SET deleted_at = CAST(%(now)b AS TIMESTAMP WITH TIME ZONE) "
    "WHERE deleted_at IS NULL AND id = ANY(ARRAY("
    "SELECT c.id FROM unnest(CAST(%(topic)b AS BIGINT[]), CAST(%(after)b AS BIGINT[])) "
    "AS t(topic_id, after_id) "
    "CROSS JOIN LATERAL (SELECT p.id FROM posts AS p WHERE p.topic_id = t.topic_id "
    "AND (t.after_id IS NULL OR p.id > t.after_id) OFFSET 0) AS c "
    "WHERE NOT EXISTS (SELECT FROM unnest(CAST(%(seen_topic)b AS BIGINT[]), "
    "CAST(%(seen_id)b AS BIGINT[])) AS s(topic_id, id) "
    "WHERE s.topic_id = t.topic_id AND s.id = c.id)))"
)
""":func:`_vanished_posts` for every topic completed by a batch, in one statement: a topic's
``after_id`` is ``NULL`` when it was fetched whole, and a post counts as seen only when it was
seen in its own topic (``seen_topic``, ``seen_id`` are pairs). ``OFFSET 0`` keeps the posts of
each topic read through the ``topic_id`` index: before ``posts`` is first analysed, the planner
would rather scan every live post (the partial index on ``deleted_at IS NULL``) for each."""


class Store:
    """Writes batches of crawled rows; owns its transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        self.unnest = self.dialect == "postgresql" and engine.dialect.driver == "psycopg"
        """Whether batches are written with the one-statement PostgreSQL forms."""
        self._unnest_statements: dict[tuple[Any, ...], _Unnest] = {}

    # -- public -------------------------------------------------------------------------------

    def write(self, batch: Batch, now: datetime | None = None) -> BatchResult:
        """Store ``batch`` in one transaction and say what changed."""
        now = now or datetime.now(UTC)
        result = BatchResult()
        # A naive ``now`` takes the executemany forms, which refuse it exactly as they did.
        unnest = self.unnest and now.tzinfo is not None
        with Session(self.engine) as session, session.begin():
            self._upsert_categories(session, batch.categories, now, unnest)
            self._upsert_forums(session, batch.forums, now, unnest)
            # Completions apart: merged with a later listing of the same topic (an announcement
            # repeated on the next list page) their flag and post ids would be overwritten.
            completions = [t for t in batch.topics if t.get("complete")]
            topics = _merge_by_id(batch.topics)
            # Moved rows keep what the listings showed (title, forum, author) like any other.
            self._upsert_topics(
                session, [t for t in topics.values() if not t.get("gone")], now, unnest
            )
            self._upsert_posts(session, batch.posts, now, result, unnest)
            self._complete_topics(session, completions, now, result, unnest)
            self._mark_gone(session, [t["id"] for t in topics.values() if t.get("gone")], now)
            self._mark_moved(session, [t for t in topics.values() if t.get("moved_to_id")], now)
        return result

    # -- kinds --------------------------------------------------------------------------------

    def _upsert(
        self,
        session: Session,
        table: Table,
        rows: Sequence[RowIn],
        fields: tuple[str, ...],
        *,
        on_insert: Mapping[str, Any],
        on_update: Mapping[str, Any],
        keep_known: tuple[str, ...] = (),
        unnest: bool = False,
        stored: Collection[int] = (),
    ) -> None:
        """``INSERT … ON CONFLICT (id) DO UPDATE`` of ``rows``: with ``unnest``, one statement
        (two when some ids are ``stored``: those get a plain ``UPDATE``), else an executemany.

        Columns in ``keep_known`` keep their stored value when the new one is ``None``.
        """
        if not rows:
            return
        if unnest:
            statement = self._unnest_statement(table, fields, keep_known, on_insert, on_update)
            old = [row for row in rows if row["id"] in stored] if stored else []
            new = [row for row in rows if row["id"] not in stored] if old else rows
            try:
                old_params = self._unnest_params(statement, old, fields, on_insert, on_update)
                new_params = self._unnest_params(statement, new, fields, on_insert, on_update)
            except (TypeError, ValueError):
                # A value SQLAlchemy's bind processors refuse (a naive datetime): the
                # executemany below refuses it the same way (``StatementError``).
                pass
            else:
                connection = _connection(session)
                if old:
                    updated = connection.exec_driver_sql(statement.update, old_params).rowcount
                    if updated != len(old):  # a row deleted meanwhile (by hand): upsert them
                        connection.exec_driver_sql(statement.upsert, old_params)
                if new:
                    connection.exec_driver_sql(statement.upsert, new_params)
                return
        counts = [name for name in fields if name in COUNTS]
        params_many = [{name: row.get(name) for name in fields} | dict(on_insert) for row in rows]
        for values in params_many:
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
        session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=set_), params_many)

    def _unnest_statement(
        self,
        table: Table,
        fields: tuple[str, ...],
        keep_known: tuple[str, ...],
        on_insert: Mapping[str, Any],
        on_update: Mapping[str, Any],
    ) -> _Unnest:
        key = (table.name, fields, keep_known, tuple(on_insert), tuple(on_update))
        statement = self._unnest_statements.get(key)
        if statement is None:
            statement = self._unnest_statements[key] = _unnest_statements(
                table, fields, keep_known, key[3], key[4], self.engine.dialect
            )
        return statement

    @staticmethod
    def _unnest_params(
        statement: _Unnest,
        rows: Sequence[RowIn],
        fields: tuple[str, ...],
        on_insert: Mapping[str, Any],
        on_update: Mapping[str, Any],
    ) -> dict[str, Any]:
        """The parameters of ``statement``: one list per field (a column of ``rows``), counts
        made storable, then each value through its column's bind processor."""
        params: dict[str, Any] = {}
        if not rows:
            return params
        for i, (name, process) in enumerate(zip(fields, statement.processors, strict=True)):
            values = [row.get(name) for row in rows]
            if name in COUNTS:
                values = [_storable(name, value) for value in values]
            if process is not None:
                values = [process(value) for value in values]
            params[f"v{i}"] = values
        for i, (value, process) in enumerate(
            zip(on_insert.values(), statement.insert_processors, strict=True)
        ):
            params[f"i{i}"] = _processed(process, value)
        for i, (value, process) in enumerate(
            zip(on_update.values(), statement.update_processors, strict=True)
        ):
            params[f"u{i}"] = _processed(process, value)
        return params

    def _upsert_categories(
        self, session: Session, rows: list[Row], now: datetime, unnest: bool
    ) -> None:
        merged = list(_merge_by_id(rows).values())
        self._upsert(
            session,
            table_of(Category),
            merged,
            CATEGORY_FIELDS,
            on_insert={"first_seen_at": now, "last_seen_at": now},
            on_update={"last_seen_at": now},
            keep_known=("url", "position"),
            unnest=unnest,
        )

    def _upsert_forums(
        self, session: Session, rows: list[Row], now: datetime, unnest: bool
    ) -> None:
        merged = list(_merge_by_id(rows).values())
        self._upsert(
            session,
            table_of(Forum),
            merged,
            FORUM_FIELDS,
            on_insert={"first_seen_at": now, "last_crawled_at": now, "deleted_at": None},
            on_update={"last_crawled_at": now, "deleted_at": None},
            keep_known=FORUM_FIELDS,
            unnest=unnest,
        )

    def _upsert_topics(
        self, session: Session, rows: Sequence[RowIn], now: datetime, unnest: bool
    ) -> None:
        self._upsert(
            session,
            table_of(Topic),
            rows,
            TOPIC_FIELDS,
            on_insert={"first_seen_at": now, "deleted_at": None},
            on_update={"deleted_at": None},
            keep_known=TOPIC_FIELDS,
            unnest=unnest,
        )

    def _upsert_posts(
        self, session: Session, rows: list[Row], now: datetime, result: BatchResult, unnest: bool
    ) -> None:
        if not rows:
            return
        posts = _merge_by_id(rows)
        table = table_of(Post)
        stored_rows: Iterable[Any]
        if unnest:
            stored_rows = _connection(session).exec_driver_sql(_STORED_POSTS, {"ids": list(posts)})
        else:
            stored_rows = session.execute(
                select(table.c.id, table.c.content_hash, table.c.hidden_link_count).where(
                    table.c.id.in_(list(posts))
                )
            )
        stored: dict[int, tuple[str, int]] = {
            pid: (hash_, hidden) for pid, hash_, hidden in stored_rows
        }
        changed: list[int] = []
        new = 0
        for pid, row in posts.items():
            known = stored.get(pid)
            if known is None:
                new += 1
                continue
            if known[0] == row.get("content_hash"):
                continue
            if (row.get("hidden_link_count") or 0) < known[1]:
                # First seen as a guest (links hidden), now as a member: the text gains the
                # links it hid, which is not an edit by its author.
                result.links_revealed += 1
                continue
            changed.append(pid)
        result.new_posts += new
        result.updated_posts += len(changed)
        result.unchanged_posts += len(posts) - len(changed) - new
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
            unnest=unnest,
            stored=stored,
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

    def _mark_moved(self, session: Session, rows: list[RowIn], now: datetime) -> None:
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
        self,
        session: Session,
        topics: Iterable[RowIn],
        now: datetime,
        result: BatchResult,
        unnest: bool,
    ) -> None:
        """Advance the watermark of topics whose every page was stored, and mark the posts that
        vanished from the pages fetched as deleted (never deleting a row)."""
        complete = [row for row in topics if row.get("complete")]
        if not complete:
            return
        if unnest and self._complete_topics_unnest(session, complete, now, result):
            return
        table = table_of(Topic)
        params = [
            {"b_id": row["id"], "b_now": now}
            | {f"b_{name}": _storable(name, row.get(name)) for name in TOPIC_WATERMARK_FIELDS}
            for row in complete
        ]
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                last_crawled_at=bindparam("b_now", type_=table.c.last_crawled_at.type),
                # Typed: inside coalesce() a bare bindparam would skip the column type and hand
                # sqlite3 the datetime as it is (its own text, with the board's offset).
                **{
                    name: func.coalesce(
                        bindparam(f"b_{name}", type_=table.c[name].type), table.c[name]
                    )
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

    def _complete_topics_unnest(
        self, session: Session, complete: list[RowIn], now: datetime, result: BatchResult
    ) -> bool:
        """:meth:`_complete_topics` in two statements (PostgreSQL); ``False`` (nothing done)
        for a value the column type refuses (a naive ``last_post_at``): the executemany form
        then raises ``StatementError``, as for every naive datetime."""
        last_post_at = [row.get("last_post_at") for row in complete]
        if not all(
            value is None or (isinstance(value, datetime) and value.tzinfo is not None)
            for value in last_post_at
        ):
            return False
        topics, dialect = table_of(Topic), self.engine.dialect
        process_stamp = _bind_processor(topics, "last_post_at", dialect)
        connection = _connection(session)
        connection.exec_driver_sql(
            _WATERMARKS,
            {
                "now": _processed(_bind_processor(topics, "last_crawled_at", dialect), now),
                "id": [row["id"] for row in complete],
                "reply_count": [
                    _storable("reply_count", row.get("reply_count")) for row in complete
                ],
                "last_post_at": [_processed(process_stamp, value) for value in last_post_at],
                "last_poster_name": [row.get("last_poster_name") for row in complete],
            },
        )
        result.topics_completed += len(complete)
        topic_ids: list[int] = []
        after: list[int | None] = []
        seen_topic: list[int] = []
        seen_id: list[int] = []
        for row in complete:
            seen = row.get("post_ids") or []
            if not seen:
                continue
            topic_ids.append(row["id"])
            # Only part of the topic was fetched: a post older than the first one seen may
            # simply sit on an earlier page now.
            after.append(min(seen) if row.get("first_position") not in (0, None) else None)
            seen_topic.extend([row["id"]] * len(seen))
            seen_id.extend(seen)
        if not topic_ids:
            return True
        process = _bind_processor(table_of(Post), "deleted_at", self.engine.dialect)
        deleted = connection.exec_driver_sql(
            _VANISHED_POSTS,
            {
                "now": _processed(process, now),
                "topic": topic_ids,
                "after": after,
                "seen_topic": seen_topic,
                "seen_id": seen_id,
            },
        )
        result.deleted_posts += deleted.rowcount or 0
        return True


def _connection(session: Session) -> Connection:
    """The session's connection, in its transaction (errors still come as SQLAlchemy's)."""
    return session.connection()
