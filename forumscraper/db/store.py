"""Batched upserts: the only code that writes crawled rows.

A :class:`Store` writes the rows of one board (``boards``): every statement carries its
``board_id`` (one bound value, never a value of the rows: items know nothing of boards), every
key is (``board_id``, ``id``) and every read and ``UPDATE`` is limited to that board, so two
boards' ``/t12`` never meet. :meth:`Store.write_in` writes a batch in the caller's transaction
(:meth:`Store.write` is the same in a transaction of its own). Rows are upserted
(``INSERT … ON CONFLICT``), so storing the same page twice leaves the same rows. A field that is
``None`` in an item means "unknown here" and never overwrites a stored value. A post whose clean
text changed keeps its previous version in ``post_revisions``. A topic's watermark
(``reply_count``, ``last_post_at``, ``last_crawled_at``) is only written by a *complete* topic
item, which the spiders yield after every post of the topic, so it is committed with or after
those posts, never before them.

Each kind of row is described once (:class:`Write`: its columns, those that keep a known value,
what inserting and updating add), and every statement is built from that description with
SQLAlchemy Core, every value bound through its column's type (UTC times, ``Jsonb``). The rows
travel in one of two forms, chosen by the database, never by the data:

* PostgreSQL: each column as one array parameter (sent in binary), turned back into rows by
  ``unnest`` (``INSERT … SELECT … FROM unnest(…) ON CONFLICT``, ``UPDATE … FROM unnest(…)``).
  The statement text depends only on the description, so psycopg prepares it once per
  connection, where an executemany costs one execution per row.
* SQLite: the same statements with one bound value per column, run as an executemany.

Posts already stored get a plain ``UPDATE`` with the same ``SET`` instead of the upsert: on
PostgreSQL ``ON CONFLICT`` would run the ``BEFORE INSERT`` full-text trigger for each of them
only to throw its result away. A refused row or a lost connection raises a
``sqlalchemy.exc.DBAPIError`` (``OperationalError``); a naive datetime, which items refuse when
they arrive (:func:`forumscraper.items.bad_times`), raises ``StatementError`` from the column
type before anything reaches the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any, Literal, cast

import psycopg
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    Column,
    ColumnElement,
    CursorResult,
    Engine,
    Executable,
    Table,
    TypeDecorator,
    Update,
    and_,
    any_,
    bindparam,
    column,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql.type_api import TypeEngine
from sqlalchemy.types import Integer, String

from forumscraper.db.models import Category, Forum, Post, PostRevision, Topic, table_of
from forumscraper.text.dates import lacks_year

logger = logging.getLogger(__name__)

Row = dict[str, Any]
RowIn = Mapping[str, Any]
"""A row as read: merged rows may be the caller's own dicts, never written to."""

NOW: Literal["now"] = "now"
"""In :attr:`Write.on_insert` and :attr:`Write.on_update`: the time of the batch."""
Stamp = Literal["now"] | None


@dataclass(frozen=True, eq=False)
class Write:
    """How rows of one kind are written: the one description every statement is built from."""

    table: Table
    columns: tuple[str, ...]
    """The columns taken from the rows, ``id`` first (a row without one gives ``None``);
    ``board_id`` is not one of them: it is the store's."""
    keep_known: frozenset[str] = frozenset()
    """Columns that keep their stored value when the new one is ``None``."""
    on_insert: Mapping[str, Stamp] = field(default_factory=dict)
    """Columns a new row also gets: the batch time (:data:`NOW`) or ``NULL``."""
    on_update: Mapping[str, Stamp] = field(default_factory=dict)
    """Columns a stored row also gets (after the row's own columns)."""


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
    "description",
    "url",
    "author_name",
    "author_id",
    "topic_type",
    "view_count",
    "first_post_at",
)
TOPIC_WATERMARK_FIELDS = ("reply_count", "last_post_at", "last_poster_name")
POST_CONTENT_FIELDS = (
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
)
"""What a post says (and its edit note), as opposed to where it is and who wrote it."""
POST_FIELDS = (
    "id",
    "topic_id",
    "position",
    "author_name",
    "author_id",
    "subject",
    "posted_at",
    "posted_at_raw",
    *POST_CONTENT_FIELDS,
    "attachments",
    "url",
)

CATEGORIES = Write(
    table_of(Category),
    CATEGORY_FIELDS,
    keep_known=frozenset({"url", "position"}),
    on_insert={"first_seen_at": NOW, "last_seen_at": NOW},
    on_update={"last_seen_at": NOW},
)
FORUMS = Write(
    table_of(Forum),
    FORUM_FIELDS,
    keep_known=frozenset(FORUM_FIELDS),
    on_insert={"first_seen_at": NOW, "last_crawled_at": NOW, "deleted_at": None},
    on_update={"last_crawled_at": NOW, "deleted_at": None},
)
TOPICS = Write(
    table_of(Topic),
    TOPIC_FIELDS,
    keep_known=frozenset(TOPIC_FIELDS),
    on_insert={"first_seen_at": NOW, "deleted_at": None},
    on_update={"deleted_at": None},
)
WATERMARKS = Write(
    table_of(Topic),
    ("id", *TOPIC_WATERMARK_FIELDS),
    keep_known=frozenset(TOPIC_WATERMARK_FIELDS),
    on_update={"last_crawled_at": NOW},
)
"""A complete topic's watermark (only ever an ``UPDATE``: the topic row is upserted first)."""
POSTS = Write(
    table_of(Post),
    POST_FIELDS,
    keep_known=frozenset({"author_name", "author_id", "posted_at", "subject", "attachments"}),
    on_insert={"first_seen_at": NOW, "last_seen_at": NOW, "deleted_at": None},
    on_update={"last_seen_at": NOW, "deleted_at": None},
)
POSTS_SEEN = Write(
    table_of(Post),
    tuple(name for name in POST_FIELDS if name not in POST_CONTENT_FIELDS),
    keep_known=POSTS.keep_known,
    on_update=POSTS.on_update,
)
"""A stored post seen again without its content being stored: only where it is and who wrote
it (a guest's view of a post a member crawl stored with its links)."""


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

    COUNTED = (
        "new_posts",
        "updated_posts",
        "deleted_posts",
        "topics_completed",
        "links_revealed",
        "links_kept",
    )
    """The counts a run's stats keep, each as :func:`stat_key` of its name."""

    new_posts: int = 0
    updated_posts: int = 0
    unchanged_posts: int = 0
    deleted_posts: int = 0
    topics_completed: int = 0
    links_revealed: int = 0
    links_kept: int = 0
    """Posts stored with their links that a guest's view showed hidden (text kept)."""
    dates_kept: int = 0
    """Stored posts read again at their stored date."""
    dates_moved: list[tuple[int, datetime, datetime]] = field(default_factory=list)
    """Stored posts read again at another date: (id, stored, read). A post's date never
    changes: the crawl checks these (``spiders.clock.StoredDatesCheck``)."""

    def add(self, other: BatchResult) -> None:
        self.new_posts += other.new_posts
        self.updated_posts += other.updated_posts
        self.unchanged_posts += other.unchanged_posts
        self.deleted_posts += other.deleted_posts
        self.topics_completed += other.topics_completed
        self.links_revealed += other.links_revealed
        self.links_kept += other.links_kept
        self.dates_kept += other.dates_kept
        self.dates_moved += other.dates_moved

    def stats(self) -> dict[str, int]:
        """The run's stats this write adds to: :data:`COUNTED` that are not 0."""
        return {stat_key(name): getattr(self, name) for name in self.COUNTED if getattr(self, name)}


def stat_key(name: str) -> str:
    """The run's stat of a :class:`BatchResult` count (``forumscraper/db/deleted_posts``)."""
    return f"forumscraper/db/{name}"


INT_MAX = 2**31 - 1
COUNTS = frozenset({"reply_count", "view_count", "topic_count", "post_count", "edit_count"})


def _storable(name: str, value: Any) -> Any:
    """A value the column can hold: an absurd count (negative, or past a 32-bit integer) read
    from a page is unknown, not an overflow error that would lose the whole row."""
    if name in COUNTS and isinstance(value, int) and not 0 <= value <= INT_MAX:
        return 0 if name == "edit_count" else None
    return value


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


# -- statements built from a description -------------------------------------------------------
#
# ``arrays``: the PostgreSQL form (column ``c`` is the array parameter ``a_c``, unnested into
# the rows ``v``); otherwise the executemany form (column ``c`` is the parameter ``r_c``). Both
# share everything else: the same columns, ``SET``, stamps (the parameter ``now``).


class _BinaryList(list[Any]):
    """A list psycopg sends as a binary array (registered below): no array text to build with
    every value escaped, nor for the server to parse."""


psycopg.adapters.register_dumper(_BinaryList, ListBinaryDumper)


class _Array(TypeDecorator[Sequence[Any]]):
    """``ARRAY`` of a column's type (cast as such), bound as the column binds each element and
    handed to psycopg as a :class:`_BinaryList`."""

    impl = postgresql.ARRAY
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__(item_type, dimensions=1)
        self.item_type = item_type

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any]:
        item = self.item_type.dialect_impl(dialect).bind_processor(dialect)

        def process(values: Sequence[Any] | None) -> _BinaryList | None:
            if values is None:
                return None
            if item is None:
                return _BinaryList(values)
            return _BinaryList([item(value) for value in values])

        return process


def _array_of(type_: TypeEngine[Any]) -> _Array:
    """An array of the column's type, one dimension (a JSON list, ``links``, is an element, not
    a nested array), without a length: ``CAST(… AS VARCHAR(64)[])`` would cut a longer value,
    where storing it must fail."""
    if isinstance(type_, String) and type_.length is not None:
        type_ = type_.copy()
        type_.length = None
    return _Array(type_)


BOARD = "board"
"""The parameter of every statement that holds the board's id (see :func:`parameters`)."""


def _board() -> ColumnElement[Any]:
    return bindparam(BOARD, type_=Integer())


def _rows(write: Write, arrays: bool) -> Mapping[str, ColumnElement[Any]]:
    """The new rows' columns: of ``unnest(:a_id, …) AS v(id, …)``, or one bound value each."""
    table = write.table
    if not arrays:
        return {name: bindparam(f"r_{name}", type_=table.c[name].type) for name in write.columns}
    rows = (
        func.unnest(
            *(bindparam(f"a_{name}", type_=_array_of(table.c[name].type)) for name in write.columns)
        )
        .table_valued(*(column(name, table.c[name].type) for name in write.columns))
        .render_derived(name="v")
    )
    return {name: rows.c[name] for name in write.columns}


def _stamps(write: Write, stamps: Mapping[str, Stamp]) -> dict[str, ColumnElement[Any]]:
    return {
        name: bindparam("now", type_=write.table.c[name].type) if value == NOW else null()
        for name, value in stamps.items()
    }


def _set(write: Write, new: Mapping[str, ColumnElement[Any]]) -> dict[str, ColumnElement[Any]]:
    """``SET`` of a stored row from the new one: new values, ``coalesce`` for ``keep_known``,
    then ``on_update``."""
    table = write.table
    set_: dict[str, ColumnElement[Any]] = {}
    for name in write.columns[1:]:
        if name in write.keep_known:
            set_[name] = func.coalesce(new[name], table.c[name])
        else:
            set_[name] = new[name]
    return set_ | _stamps(write, write.on_update)


@cache
def upsert_statement(write: Write, dialect: str, arrays: bool) -> Executable:
    """``INSERT … ON CONFLICT (board_id, id) DO UPDATE SET`` (:func:`_set`) of the new rows."""
    rows = _rows(write, arrays)
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    values = {"board_id": _board()} | dict(rows) | _stamps(write, write.on_insert)
    if arrays:
        stmt = dialect_insert(write.table).from_select(
            list(values), select(*values.values()), include_defaults=False
        )
    else:
        stmt = dialect_insert(write.table).values(values)
    excluded = {name: stmt.excluded[name] for name in write.columns}
    return stmt.on_conflict_do_update(index_elements=["board_id", "id"], set_=_set(write, excluded))


@cache
def update_statement(write: Write, arrays: bool) -> Update:
    """``UPDATE … SET`` (:func:`_set`) of the board's stored rows by id. It spares them
    PostgreSQL's ``BEFORE INSERT`` triggers, which ``ON CONFLICT`` runs for every row proposed."""
    rows = _rows(write, arrays)
    table = write.table
    return (
        update(table)
        .where(table.c.board_id == _board(), table.c.id == rows["id"])
        .values(_set(write, rows))
    )


def parameters(
    write: Write, board_id: int, rows: Sequence[RowIn], now: datetime | None, arrays: bool
) -> dict[str, Any] | list[dict[str, Any]]:
    """The parameters of :func:`upsert_statement` and :func:`update_statement` for ``rows`` of
    board ``board_id``: one list per column (``arrays``) or one dict per row, counts made
    storable."""
    stamp: dict[str, Any] = {BOARD: board_id}
    if write.on_insert or write.on_update:
        stamp["now"] = now
    if arrays:
        params: dict[str, Any] = {}
        for name in write.columns:
            values = [row.get(name) for row in rows]
            if name in COUNTS:
                values = [_storable(name, value) for value in values]
            params[f"a_{name}"] = values
        return params | stamp
    return [
        {f"r_{name}": _storable(name, row.get(name)) for name in write.columns} | stamp
        for row in rows
    ]


def _ids(column_: ColumnElement[Any], name: str, arrays: bool) -> ColumnElement[bool]:
    """``column = ANY(:name)`` (one statement text whatever the count), else ``IN``."""
    if arrays:
        return column_ == any_(bindparam(name, type_=_array_of(column_.type)))
    return column_.in_(bindparam(name, expanding=True))


@cache
def _stored_posts(arrays: bool) -> Executable:
    """The stored hash, hidden links, edit count and date of the posts of a batch, whether
    their topic is complete (a topic reopened after a run stopped on dates is not: its posts'
    dates are the ones in doubt), and their files (for the links a guest does not see)."""
    posts, topics = table_of(Post), table_of(Topic)
    return (
        select(
            posts.c.id,
            posts.c.content_hash,
            posts.c.hidden_link_count,
            posts.c.edit_count,
            posts.c.posted_at,
            topics.c.last_crawled_at.is_not(None),
            posts.c.attachments,
        )
        .select_from(
            posts.outerjoin(
                topics,
                and_(topics.c.board_id == posts.c.board_id, topics.c.id == posts.c.topic_id),
            )
        )
        .where(posts.c.board_id == _board(), _ids(posts.c.id, "ids", arrays))
    )


def _keep_file_links(row: RowIn, stored: list[dict[str, Any]]) -> RowIn:
    """``row`` with the download links of its files that a guest who may not download does not
    see (the same file, by name and place, stored with its link from a member's view)."""
    files = row.get("attachments")
    if not files or all(file.get("url") for file in files):
        return row
    kept = []
    for place, file in enumerate(files):
        known = stored[place] if place < len(stored) else {}
        if not file.get("url") and known.get("url") and known.get("name") == file.get("name"):
            file = {**file, "url": known["url"]}
        kept.append(file)
    return {**row, "attachments": kept}


@cache
def _revisions(arrays: bool) -> Executable:
    """The stored version of the changed posts, kept in ``post_revisions``."""
    posts, revisions = table_of(Post), table_of(PostRevision)
    return insert(revisions).from_select(
        ["board_id", "post_id", "body_html", "body_text", "content_hash", "edited_at", "seen_at"],
        select(
            posts.c.board_id,
            posts.c.id,
            posts.c.body_html,
            posts.c.body_text,
            posts.c.content_hash,
            posts.c.edited_at,
            posts.c.last_seen_at,
        ).where(posts.c.board_id == _board(), _ids(posts.c.id, "ids", arrays)),
    )


@cache
def _vanished_posts(partial: bool) -> Update:
    """``UPDATE posts SET deleted_at`` for the live posts of one topic that a complete fetch
    did not see (``partial``: only those after the first post seen)."""
    posts = table_of(Post)
    condition = and_(
        posts.c.board_id == _board(),
        posts.c.topic_id == bindparam("b_topic"),
        posts.c.id.not_in(bindparam("b_seen", expanding=True)),
        posts.c.deleted_at.is_(None),
    )
    if partial:
        condition = and_(condition, posts.c.id > bindparam("b_after"))
    return (
        update(posts)
        .where(condition)
        .values(deleted_at=bindparam("now", type_=posts.c.deleted_at.type))
    )


@cache
def _vanished_posts_arrays() -> Update:
    """:func:`_vanished_posts` for every topic completed by a batch, in one statement: a
    topic's ``after_id`` is ``NULL`` when it was fetched whole, and a post counts as seen only
    when it was seen in its own topic (``seen_topic``, ``seen_id`` are pairs). ``OFFSET 0``
    keeps the posts of each topic read through the ``topic_id`` index: before ``posts`` is
    first analysed, the planner would rather scan every live post (the partial index on
    ``deleted_at IS NULL``) for each."""
    posts = table_of(Post)
    id_type = posts.c.id.type
    topics = (
        func.unnest(
            bindparam("topic", type_=_array_of(id_type)),
            bindparam("after", type_=_array_of(id_type)),
        )
        .table_valued(column("topic_id", id_type), column("after_id", id_type))
        .render_derived(name="t")
    )
    seen = (
        func.unnest(
            bindparam("seen_topic", type_=_array_of(id_type)),
            bindparam("seen_id", type_=_array_of(id_type)),
        )
        .table_valued(column("topic_id", id_type), column("id", id_type))
        .render_derived(name="s")
    )
    stored = posts.alias("p")
    candidates = (
        select(stored.c.id)
        .where(
            stored.c.board_id == _board(),
            stored.c.topic_id == topics.c.topic_id,
            or_(topics.c.after_id.is_(None), stored.c.id > topics.c.after_id),
        )
        .offset(literal_column("0"))
        .lateral("c")
    )
    vanished = (
        select(candidates.c.id)
        .select_from(topics.join(candidates, true()))
        .where(
            ~exists()
            .where(seen.c.topic_id == topics.c.topic_id, seen.c.id == candidates.c.id)
            .correlate(topics, candidates)
        )
    )
    return (
        update(posts)
        .where(
            posts.c.board_id == _board(),
            posts.c.deleted_at.is_(None),
            posts.c.id == any_(func.array(vanished.scalar_subquery())),
        )
        .values(deleted_at=bindparam("now", type_=posts.c.deleted_at.type))
    )


class Store:
    """Writes batches of crawled rows of one board (``board_id``, a ``boards`` row) to one
    database, in the caller's transaction."""

    def __init__(self, engine: Engine, board_id: int) -> None:
        self.engine = engine
        self.board_id = board_id
        self.dialect = engine.dialect.name
        self.unnest = self.dialect == "postgresql"
        """Whether rows travel as arrays (``unnest``), else as an executemany (SQLite; tests
        set it to ``False`` on PostgreSQL to compare the two forms)."""

    # -- public -------------------------------------------------------------------------------

    def write(self, batch: Batch, now: datetime | None = None) -> BatchResult:
        """:meth:`write_in` in a transaction of its own (committed when it returns)."""
        with self.engine.begin() as connection:
            return self.write_in(connection, batch, now)

    def write_in(
        self, connection: Connection, batch: Batch, now: datetime | None = None
    ) -> BatchResult:
        """Store ``batch`` in ``connection``'s transaction, which the caller commits, and say
        what changed."""
        now = now or datetime.now(UTC)
        result = BatchResult()
        self.upsert(connection, CATEGORIES, list(_merge_by_id(batch.categories).values()), now)
        forums = _merge_by_id(batch.forums)
        self.upsert(connection, FORUMS, [f for f in forums.values() if not f.get("gone")], now)
        self._mark_forums_gone(connection, [f["id"] for f in forums.values() if f.get("gone")], now)
        # Completions apart: merged with a later listing of the same topic (an announcement
        # repeated on the next list page) their flag and post ids would be overwritten.
        completions = [t for t in batch.topics if t.get("complete")]
        topics = _merge_by_id(batch.topics)
        # Moved rows keep what the listings showed (title, forum, author) like any other.
        self.upsert(connection, TOPICS, [t for t in topics.values() if not t.get("gone")], now)
        self._upsert_posts(connection, batch.posts, now, result)
        self._complete_topics(connection, completions, now, result)
        self._mark_gone(connection, [t["id"] for t in topics.values() if t.get("gone")], now)
        self._mark_moved(connection, [t for t in topics.values() if t.get("moved_to_id")], now)
        return result

    def upsert(
        self,
        connection: Connection,
        write: Write,
        rows: Sequence[RowIn],
        now: datetime | None,
        *,
        stored: Collection[int] = (),
    ) -> None:
        """Insert or update ``rows`` (one per id) as ``write`` says; those whose id is
        ``stored`` get the ``UPDATE`` (:func:`update_statement`), upserted after all if one
        is not there any more (deleted by hand meanwhile)."""
        if not rows:
            return
        old = [row for row in rows if row["id"] in stored] if stored else []
        new = [row for row in rows if row["id"] not in stored] if old else rows
        if old and self.update(connection, write, old, now) != len(old):
            new = rows
        if new:
            connection.execute(
                upsert_statement(write, self.dialect, self.unnest),
                parameters(write, self.board_id, new, now, self.unnest),
            )

    def update(
        self, connection: Connection, write: Write, rows: Sequence[RowIn], now: datetime | None
    ) -> int:
        """Update the board's stored rows of ``rows`` (by id) as ``write`` says; how many there
        were."""
        if not rows:
            return 0
        result = connection.execute(
            update_statement(write, self.unnest),
            parameters(write, self.board_id, rows, now, self.unnest),
        )
        return cast(CursorResult[Any], result).rowcount

    # -- kinds --------------------------------------------------------------------------------

    def _upsert_posts(
        self, connection: Connection, rows: list[Row], now: datetime, result: BatchResult
    ) -> None:
        if not rows:
            return
        posts = _merge_by_id(rows)
        ids = list(posts)
        stored: dict[int, tuple[str, int, int]] = {}
        for pid, hash_, hidden, edits, posted_at, settled, files in connection.execute(
            _stored_posts(self.unnest), {"ids": ids, BOARD: self.board_id}
        ):
            stored[pid] = (hash_, hidden, edits)
            if files:
                posts[pid] = _keep_file_links(posts[pid], files)
            read = posts[pid].get("posted_at")
            if settled and posted_at is not None and read is not None:
                if posted_at == read:
                    result.dates_kept += 1
                else:
                    result.dates_moved.append((pid, posted_at, read))
        changed: list[int] = []
        hidden_again: dict[int, RowIn] = {}
        new = 0
        for pid, row in posts.items():
            known = stored.get(pid)
            if known is None:
                new += 1
                continue
            if known[0] == row.get("content_hash"):
                continue
            hidden = row.get("hidden_link_count") or 0
            same_edits = (row.get("edit_count") or 0) == (known[2] or 0)
            if hidden < known[1] and same_edits:
                # First seen as a guest (links hidden), now as a member: the text gains the
                # links it hid, which is not an edit by its author (no edit note changed). With
                # a changed edit count it is an edit, and the text before it is a revision.
                result.links_revealed += 1
                continue
            if hidden > known[1] and same_edits:
                # Stored from a member's view, now seen as a guest: the same post with its
                # links hidden (no edit note changed), not an edit. The stored text stays.
                result.links_kept += 1
                hidden_again[pid] = row
                continue
            changed.append(pid)
        result.new_posts += new
        result.updated_posts += len(changed)
        result.unchanged_posts += len(posts) - len(changed) - new
        if changed:
            connection.execute(_revisions(self.unnest), {"ids": changed, BOARD: self.board_id})
        whole = [row for pid, row in posts.items() if pid not in hidden_again]
        self.upsert(connection, POSTS, whole, now, stored=stored)
        self.update(connection, POSTS_SEEN, list(hidden_again.values()), now)
        # A date printed without a year that its page left undated is not known: a year stored
        # for it goes (an older reader's guess; the run's close dates it again if it can).
        undated = [
            pid
            for pid, row in posts.items()
            if pid in stored
            and row.get("posted_at") is None
            and lacks_year(row.get("posted_at_raw") or "")
        ]
        if undated:
            table = table_of(Post)
            connection.execute(
                update(table)
                .where(table.c.board_id == self.board_id, table.c.id.in_(undated))
                .values(posted_at=None)
            )

    def _mark_gone(self, connection: Connection, topic_ids: list[int], now: datetime) -> None:
        """Topics that answer 404: they and their posts are marked deleted, never removed."""
        topics, posts = table_of(Topic), table_of(Post)
        self._mark_deleted(connection, topics.c.id, topic_ids, now)
        self._mark_deleted(connection, posts.c.topic_id, topic_ids, now)

    def _mark_forums_gone(
        self, connection: Connection, forum_ids: list[int], now: datetime
    ) -> None:
        """Forums that answer 404: marked deleted, never removed (their topics are marked one by
        one, each on its own 404)."""
        self._mark_deleted(connection, table_of(Forum).c.id, forum_ids, now)

    def _mark_deleted(
        self, connection: Connection, key: Column[int], ids: list[int], now: datetime
    ) -> None:
        """``deleted_at`` set on this board's live rows whose ``key`` is one of ``ids``."""
        if not ids:
            return
        table = key.table
        connection.execute(
            update(table)
            .where(table.c.board_id == self.board_id, key.in_(ids), table.c.deleted_at.is_(None))
            .values(deleted_at=now)
        )

    def _mark_moved(self, connection: Connection, rows: list[RowIn], now: datetime) -> None:
        """Topics whose address redirects to another id: keep the row, say where it went.

        Their posts are not touched here: those still on the forum are stored again under the
        new topic (same post ids), the others stay as they were."""
        if not rows:
            return
        topics = table_of(Topic)
        dialect_insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        stmt = dialect_insert(topics)
        connection.execute(
            stmt.on_conflict_do_update(
                index_elements=["board_id", "id"],
                set_={
                    "moved_to_id": stmt.excluded.moved_to_id,
                    "deleted_at": func.coalesce(topics.c.deleted_at, stmt.excluded.deleted_at),
                },
            ),
            [
                {
                    "board_id": self.board_id,
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
        connection: Connection,
        complete: Sequence[RowIn],
        now: datetime,
        result: BatchResult,
    ) -> None:
        """Advance the watermark of topics whose every page was stored, and mark the posts that
        vanished from the pages fetched as deleted (never deleting a row)."""
        if not complete:
            return
        self.update(connection, WATERMARKS, complete, now)
        result.topics_completed += len(complete)
        fetched = [row for row in complete if row.get("post_ids")]
        if not fetched:
            return
        # Only part of a topic was fetched: a post older than the first one seen may simply
        # sit on an earlier page now.
        after = [
            min(row["post_ids"]) if row.get("first_position") not in (0, None) else None
            for row in fetched
        ]
        if self.unnest:
            deleted = connection.execute(
                _vanished_posts_arrays(),
                {
                    "now": now,
                    BOARD: self.board_id,
                    "topic": [row["id"] for row in fetched],
                    "after": after,
                    "seen_topic": [row["id"] for row in fetched for _ in row["post_ids"]],
                    "seen_id": [pid for row in fetched for pid in row["post_ids"]],
                },
            )
            result.deleted_posts += cast(CursorResult[Any], deleted).rowcount or 0
            return
        for row, after_id in zip(fetched, after, strict=True):
            values = {
                "b_topic": row["id"],
                "b_seen": row["post_ids"],
                "now": now,
                BOARD: self.board_id,
            }
            if after_id is not None:
                values["b_after"] = after_id
            deleted = connection.execute(_vanished_posts(after_id is not None), values)
            result.deleted_posts += cast(CursorResult[Any], deleted).rowcount or 0
