"""``forumscraper export posts|topics``: the archive as JSON lines, CSV or Parquet, streamed.

Rows are read with a server-side cursor on PostgreSQL (``yield_per``: SQLAlchemy's
``stream_results``) and SQLite's own lazy cursor, and written as they come, so memory stays flat
whatever the archive's size; Parquet is written one row group per :data:`ROW_GROUP` rows
(``pyarrow``, the optional extra ``parquet``). Only live rows are exported (a post and its topic
not deleted, as in the ``post_details`` view), in (``board_id``, ``id``) order. The columns
(:data:`POST_COLUMNS`, :data:`TOPIC_COLUMNS`) are documented in the README ("Exports").

A file given with ``-o`` is written beside itself (``FILE.partial``) and renamed when complete:
an export that fails leaves no half file, and an earlier one in its place stays as it was.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, Select, Text, and_, cast, func, select, tuple_

from forumscraper.commands.common import (
    OneLineParser,
    UsageError,
    board_option,
    open_archive,
    parse_since,
    write_error,
)
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.models import Board, Forum, Post, Topic, table_of

PROG = "forumscraper export"
YIELD_PER = 1000
"""Rows fetched from the database at a time."""
ROW_GROUP = 10_000
"""Rows per Parquet row group (and per batch held in memory while writing one)."""

BOARDS, FORUMS, TOPICS, POSTS = (table_of(m) for m in (Board, Forum, Topic, Post))

POST_COLUMNS: dict[str, str] = {
    "board_id": "int",
    "board_url": "str",
    "post_id": "int",
    "topic_id": "int",
    "topic_title": "str",
    "forum_id": "int",
    "forum_title": "str",
    "position": "int",
    "author_name": "str",
    "author_id": "int",
    "subject": "str",
    "posted_at": "time",
    "edited_at": "time",
    "edit_count": "int",
    "content_hash": "str",
    "url": "str",
    "body_text": "str",
}
"""The columns of ``export posts`` and their kind (``time``: UTC)."""

TOPIC_COLUMNS: dict[str, str] = {
    "board_id": "int",
    "board_url": "str",
    "topic_id": "int",
    "title": "str",
    "description": "str",
    "forum_id": "int",
    "forum_title": "str",
    "category": "str",
    "author_name": "str",
    "author_id": "int",
    "topic_type": "str",
    "reply_count": "int",
    "view_count": "int",
    "post_count": "int",
    "first_post_at": "time",
    "last_post_at": "time",
    "url": "str",
}
"""The columns of ``export topics``."""


# -- the queries -------------------------------------------------------------------------------


def _forum_keys(
    connection: Connection, forum: str | None, boards: list[int] | None
) -> list[tuple[int, int]] | None:
    """(board_id, forum_id) of the forums ``--forum`` names: an id, or a title (any case)."""
    if forum is None:
        return None
    query = select(FORUMS.c.board_id, FORUMS.c.id, FORUMS.c.title)
    if boards is not None:
        query = query.where(FORUMS.c.board_id.in_(boards))
    rows = connection.execute(query.order_by(FORUMS.c.board_id, FORUMS.c.id)).all()
    wanted = forum.strip().casefold()
    keys = [
        (row.board_id, row.id)
        for row in rows
        if (str(row.id) == wanted if wanted.isdigit() else (row.title or "").casefold() == wanted)
    ]
    if not keys:
        titles = ", ".join(sorted({repr(row.title) for row in rows if row.title})) or "none"
        raise UsageError(f"--forum {forum!r}: no such forum id or title (forums: {titles})")
    return keys


def posts_query(
    since: datetime | None, boards: list[int] | None, forums: list[tuple[int, int]] | None
) -> Select[Any]:
    p, t, f, b = POSTS, TOPICS, FORUMS, BOARDS
    query = (
        select(
            p.c.board_id,
            b.c.base_url.label("board_url"),
            p.c.id.label("post_id"),
            p.c.topic_id,
            t.c.title.label("topic_title"),
            t.c.forum_id,
            f.c.title.label("forum_title"),
            p.c.position,
            p.c.author_name,
            p.c.author_id,
            p.c.subject,
            p.c.posted_at,
            p.c.edited_at,
            p.c.edit_count,
            p.c.content_hash,
            func.coalesce(p.c.url, t.c.url + "#" + cast(p.c.id, Text)).label("url"),
            p.c.body_text,
        )
        .join(t, and_(t.c.board_id == p.c.board_id, t.c.id == p.c.topic_id))
        .outerjoin(f, and_(f.c.board_id == t.c.board_id, f.c.id == t.c.forum_id))
        .join(b, b.c.id == p.c.board_id)
        .where(p.c.deleted_at.is_(None), t.c.deleted_at.is_(None))
        .order_by(p.c.board_id, p.c.id)
    )
    if since is not None:
        query = query.where(p.c.posted_at >= since)
    if boards is not None:
        query = query.where(p.c.board_id.in_(boards))
    if forums is not None:
        query = query.where(tuple_(t.c.board_id, t.c.forum_id).in_(forums))
    return query


def topics_query(
    since: datetime | None, boards: list[int] | None, forums: list[tuple[int, int]] | None
) -> Select[Any]:
    p, t, f, b = POSTS, TOPICS, FORUMS, BOARDS
    live = (
        select(
            p.c.board_id,
            p.c.topic_id,
            func.count().label("post_count"),
            func.min(p.c.posted_at).label("first_post_at"),
            func.max(p.c.posted_at).label("last_post_at"),
        )
        .where(p.c.deleted_at.is_(None))
        .group_by(p.c.board_id, p.c.topic_id)
        .subquery("live")
    )
    query = (
        select(
            t.c.board_id,
            b.c.base_url.label("board_url"),
            t.c.id.label("topic_id"),
            t.c.title,
            t.c.description,
            t.c.forum_id,
            f.c.title.label("forum_title"),
            f.c.category,
            t.c.author_name,
            t.c.author_id,
            t.c.topic_type,
            t.c.reply_count,
            t.c.view_count,
            func.coalesce(live.c.post_count, 0).label("post_count"),
            live.c.first_post_at,
            live.c.last_post_at,
            t.c.url,
        )
        .outerjoin(f, and_(f.c.board_id == t.c.board_id, f.c.id == t.c.forum_id))
        .outerjoin(live, and_(live.c.board_id == t.c.board_id, live.c.topic_id == t.c.id))
        .join(b, b.c.id == t.c.board_id)
        .where(t.c.deleted_at.is_(None))
        .order_by(t.c.board_id, t.c.id)
    )
    if since is not None:
        query = query.where(live.c.last_post_at >= since)
    if boards is not None:
        query = query.where(t.c.board_id.in_(boards))
    if forums is not None:
        query = query.where(tuple_(t.c.board_id, t.c.forum_id).in_(forums))
    return query


def stream(connection: Connection, query: Select[Any]) -> Iterator[dict[str, Any]]:
    """The query's rows as dicts, fetched :data:`YIELD_PER` at a time (a server-side cursor on
    PostgreSQL)."""
    result = connection.execution_options(yield_per=YIELD_PER).execute(query)
    for row in result.mappings():
        yield dict(row)


# -- the formats -------------------------------------------------------------------------------


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value


def write_jsonl(rows: Iterator[dict[str, Any]], columns: dict[str, str], out: IO[bytes]) -> int:
    count = 0
    for row in rows:
        line = json.dumps({name: _text(row[name]) for name in columns}, ensure_ascii=False)
        out.write(line.encode() + b"\n")
        count += 1
    return count


def write_csv(rows: Iterator[dict[str, Any]], columns: dict[str, str], out: IO[bytes]) -> int:
    import io

    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow(["" if row[n] is None else _text(row[n]) for n in columns])
        count += 1
    text.flush()
    text.detach()
    return count


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise UsageError(
            "--format parquet needs pyarrow: pip install 'forumscraper[parquet]'"
        ) from None
    return pyarrow


def write_parquet(rows: Iterator[dict[str, Any]], columns: dict[str, str], out: IO[bytes]) -> int:
    pa = _arrow()
    kinds = {"int": pa.int64(), "str": pa.string(), "time": pa.timestamp("us", tz="UTC")}
    schema = pa.schema([(name, kinds[kind]) for name, kind in columns.items()])
    count = 0
    with pa.parquet.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: dict[str, list[Any]] = {name: [] for name in columns}
        held = 0
        for row in rows:
            for name, values in batch.items():
                values.append(row[name])
            held += 1
            if held >= ROW_GROUP:
                writer.write_table(pa.Table.from_pydict(batch, schema=schema))
                count += held
                batch, held = {name: [] for name in columns}, 0
        if held or not count:
            writer.write_table(pa.Table.from_pydict(batch, schema=schema))
            count += held
    return count


WRITERS: dict[str, Callable[[Iterator[dict[str, Any]], dict[str, str], IO[bytes]], int]] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
}


# -- the command -------------------------------------------------------------------------------


def export(
    url: Any,
    what: str,
    fmt: str,
    out: IO[bytes],
    *,
    since: datetime | None = None,
    forum: str | None = None,
    board: str | None = None,
) -> int:
    """Write ``what`` (``posts`` or ``topics``) of the database at ``url`` to ``out`` in
    ``fmt``; return the number of rows. Raises :class:`UsageError` for a board or forum that
    does not exist."""
    engine = open_archive(url)
    try:
        with engine.connect() as connection:
            boards = board_option(connection, board)
            forums = _forum_keys(connection, forum, boards)
            build, columns = (
                (posts_query, POST_COLUMNS) if what == "posts" else (topics_query, TOPIC_COLUMNS)
            )
            return WRITERS[fmt](stream(connection, build(since, boards, forums)), columns, out)
    finally:
        engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(
        prog=PROG,
        description="Write the archive's live posts or topics as JSON lines, CSV or Parquet "
        "(columns: README 'Exports').",
    )
    parser.add_argument("what", choices=("posts", "topics"))
    parser.add_argument("--format", choices=tuple(WRITERS), default="jsonl")
    parser.add_argument(
        "--since",
        type=parse_since,
        help="posts posted, topics with a post, at or after this date (UTC) or ISO time",
    )
    parser.add_argument("--forum", help="a forum's id or title (any case)")
    parser.add_argument("--board", help="a board's id or address (several boards in one database)")
    parser.add_argument("-o", "--output", type=Path, help="the file to write (default: stdout)")
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    url = database_url(args.database_url)
    try:
        if args.format == "parquet":
            _arrow()
            if args.output is None and sys.stdout.isatty():
                raise UsageError("Parquet is binary: write it to a file with -o FILE")
        if args.output is None:
            sys.stdout.flush()
            count = export(
                url,
                args.what,
                args.format,
                sys.stdout.buffer,
                since=args.since,
                forum=args.forum,
                board=args.board,
            )
            sys.stdout.buffer.flush()
        else:
            partial = args.output.with_name(args.output.name + ".partial")
            try:
                with partial.open("wb") as out:
                    count = export(
                        url,
                        args.what,
                        args.format,
                        out,
                        since=args.since,
                        forum=args.forum,
                        board=args.board,
                    )
                os.replace(partial, args.output)
            finally:
                partial.unlink(missing_ok=True)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # the reader went away (| head): forumscraper.cli ends quietly
    except OSError as exc:
        print(f"{PROG}: {write_error(exc, args.output)}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"{PROG}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    if args.output is not None:
        print(f"{count} {args.what} written to {args.output}", file=sys.stderr)
    return 0
