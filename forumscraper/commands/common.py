"""What the console commands that read an archive share: the one-line usage error, a parser
that raises it instead of printing argparse's usage, the archive opened (never created),
``--since``, ``--board`` and ``--batch-size``.

The commands that read or rework an archive (``search``, ``export``, ``report``, ``browse``,
``reprocess``, ``dedup``) print ``PROG: error: …`` and exit with status 2 on
:class:`UsageError`, as argparse and Scrapy's own usage errors do.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time
from pathlib import Path
from typing import NoReturn, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.engine import URL

from forumscraper.db.board import UnknownBoard, board_named
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.engine import make_engine
from forumscraper.db.lock import LOCKED_MESSAGE, RunLock
from forumscraper.db.migrate import current_revision, upgrade_to_head

T = TypeVar("T")


class UsageError(Exception):
    """Input the command cannot use; the message is the one line it prints (exit status 2)."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors raise :class:`UsageError` (one line, no usage)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def open_archive(url: URL) -> Engine:
    """The engine of the archive at ``url``, for a command that reads or reworks one (search,
    export, report, browse, reprocess, dedup, boards list and remove). Raises
    :class:`UsageError` for a SQLite file that is not there (which is not created: a mistyped
    path would otherwise become an empty archive and a report of nothing) and for a database
    without forumscraper's schema (which is left as it is, no table added)."""
    database = url.database
    sqlite_file = url.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if sqlite_file and not Path(str(database)).is_file():
        raise UsageError(f"no database at {Path(str(database)).resolve()}: crawl a board first")
    engine = make_engine(url)
    try:
        if current_revision(engine) is None:
            raise UsageError(f"{describe(url)} holds no forumscraper archive (no schema)")
    except BaseException:
        engine.dispose()
        raise
    return engine


class ArchiveBusy(Exception):
    """Another run holds the archive's run lock; the message is the line to print (exit 1)."""


def with_archive_locked(url: URL, work: Callable[[Engine], T]) -> T:
    """``work`` done on the archive at ``url`` (:func:`open_archive`), its schema brought to
    the newest revision, under the whole database's run lock (``reprocess`` and ``dedup``
    rework every board: no crawl may write meanwhile). Raises :class:`ArchiveBusy` when a run
    holds the lock."""
    engine = open_archive(url)
    lock = RunLock(engine)
    try:
        upgrade_to_head(engine)
        if not lock.acquire():
            raise ArchiveBusy(LOCKED_MESSAGE)
        return work(engine)
    finally:
        lock.release()
        engine.dispose()


def rework_archive(
    prog: str, description: str, argv: Sequence[str] | None, work: Callable[[Engine, int], T]
) -> tuple[int, URL | None, T | None]:
    """The ``main`` of a command that reworks every board of an archive (``reprocess``,
    ``dedup``): ``--database-url`` and ``--batch-size`` read, ``work(engine, batch_size)`` done
    by :func:`with_archive_locked`, and any failure printed as one line. Returns the exit
    status, the database and what ``work`` returned (``None`` unless the status is 0)."""
    parser = OneLineParser(prog=prog, description=description)
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--batch-size", type=batch_size, default=500)
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2, None, None
    url = database_url(args.database_url)
    try:
        return 0, url, with_archive_locked(url, lambda engine: work(engine, args.batch_size))
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2, url, None
    except ArchiveBusy as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1, url, None
    except Exception as exc:
        print(f"{prog}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1, url, None


def batch_size(value: str) -> int:
    """``--batch-size``: a whole number of rows, 1 or more."""
    try:
        size = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if size < 1:
        raise argparse.ArgumentTypeError(f"{size}: must be 1 or more")
    return size


def write_error(exc: OSError, target: Path | None) -> str:
    """The line for a file ``target`` that could not be written (its ``.partial`` twin named as
    the file the user gave)."""
    if target is not None and exc.strerror:
        return f"cannot write {target}: {exc.strerror}"
    return str(exc)


def port_number(value: str) -> int:
    """``--port``: a TCP port, 0 to 65535."""
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"not a port number: {value!r}")
    return number


def parse_since(value: str) -> datetime:
    """``--since``: a date (midnight UTC) or an ISO 8601 time (UTC when it has no offset)."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {value!r} (write 2024-12-01 or 2024-12-01T09:30+03:00)"
        ) from None
    if len(value.strip()) == 10:
        parsed = datetime.combine(parsed.date(), time(0), UTC)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def board_option(connection: Connection, value: str | None) -> list[int] | None:
    """``--board``: the board an id or address names, as the list of board ids the queries
    take (``None``: every board). Raises :class:`UsageError` naming the boards there are."""
    if value is None:
        return None
    try:
        return [board_named(connection, value)]
    except UnknownBoard as exc:
        raise UsageError(f"--board: {exc}") from None
