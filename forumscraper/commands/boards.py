"""``forumscraper boards``: the boards a database keeps, and their schedule.

    forumscraper boards add https://example.forumotion.com/ --every 15m
    forumscraper boards list
    forumscraper boards remove https://example.forumotion.com/ [--purge [--yes]]

A board added here is checked by ``scrapy crawl recent -a boards=due`` (and ``forum``) once its
period has passed; a single-board crawl of an address that is not registered registers it too.
``remove`` takes a board off the schedule and keeps its archive; ``--purge`` deletes it and
everything archived of it (asked for, or ``--yes``). Member logins are never stored: a board
names the environment variables that hold them (``--username-env``/``--password-env``; each may
also be given as ``NAME_FILE``, a file holding the value).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Engine

from forumscraper import config
from forumscraper.commands.common import UsageError, open_archive
from forumscraper.db.board import (
    BoardSettings,
    BoardStatus,
    UnknownBoard,
    add_board,
    board_named,
    board_statuses,
    board_url,
    database_timezone,
    purge_board,
    remove_board,
)
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.engine import make_engine
from forumscraper.db.lock import RunLock
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.queue import board_jobs

PROG = "forumscraper boards"
USAGE_ERROR = 2
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SHORTEST_PERIOD = 60
"""Seconds: a board checked more often than once a minute gains nothing (dates are per minute)."""


class Usage(ValueError):
    """A value on the command line that cannot work; the message is one line."""


def period_seconds(text: str) -> int:
    """``15m``, ``1h``, ``1h30m``, ``900s``, ``2d`` (or plain seconds) in seconds; at least a
    minute. Raises :class:`Usage`."""
    seconds = config.period_seconds(text)
    if seconds is None:
        raise Usage(f"--every {text!r}: write a period such as 15m, 1h, 1h30m or 900s")
    if seconds < SHORTEST_PERIOD:
        raise Usage(f"--every {text!r}: at least 1m (board dates are shown per minute)")
    return seconds


def format_period(seconds: int | None) -> str:
    if not seconds:
        return "each run"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def env_name(option: str, value: str | None) -> str | None:
    if value is not None and not _ENV_NAME.fullmatch(value):
        raise Usage(
            f"{option} {value!r}: give the NAME of an environment variable that holds the value "
            "(the value itself is never stored)"
        )
    return value


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    main.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    commands = main.add_subparsers(dest="command", required=True, metavar="add|list|remove")
    add = commands.add_parser("add", help="register a board (or change its settings)")
    add.add_argument("url", help="the board's address: https://name.forumotion.com/")
    add.add_argument("--timezone", help="the zone its dates are read in when no page shows a clock")
    add.add_argument("--every", help="how often to check it: 15m, 1h, … (default: every run)")
    add.add_argument("--username-env", metavar="NAME", help="variable holding the member name")
    add.add_argument("--password-env", metavar="NAME", help="variable holding the password")
    commands.add_parser("list", help="every board: schedule, posts, last run, next due")
    remove = commands.add_parser("remove", help="stop checking a board (its rows stay)")
    remove.add_argument("board", help="its id or address")
    remove.add_argument("--purge", action="store_true", help="delete everything archived of it")
    remove.add_argument("--yes", action="store_true", help="purge without asking")
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        settings = board_settings(args) if args.command == "add" else None
        url = config.forum_address("URL", args.url) if args.command == "add" else None
    except (Usage, config.BadSetting) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return USAGE_ERROR
    db_url = database_url(args.database_url)
    engine = None
    try:
        # add makes the archive; list and remove read one (a mistyped path is not an empty one)
        engine = make_engine(db_url) if args.command == "add" else open_archive(db_url)
        upgrade_to_head(engine)
        if args.command == "add":
            assert url is not None and settings is not None
            return add(engine, url, settings)
        if args.command == "list":
            return show(engine)
        return remove(engine, args.board, purge=args.purge, yes=args.yes)
    except (UnknownBoard, UsageError) as exc:
        print(f"{PROG}: {exc.args[0]}", file=sys.stderr)
        return USAGE_ERROR
    except Exception as exc:
        print(f"{PROG}: {describe(db_url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    finally:
        if engine is not None:
            engine.dispose()


def board_settings(args: argparse.Namespace) -> BoardSettings:
    timezone = None
    if args.timezone is not None:
        try:
            timezone = database_timezone(args.timezone)
        except ValueError:
            raise Usage(
                f"--timezone {args.timezone!r}: not a timezone (an IANA name such as "
                "Asia/Baghdad, or an offset such as +03:00)"
            ) from None
    if (args.username_env is None) != (args.password_env is None):
        raise Usage("a member login needs both --username-env and --password-env")
    return BoardSettings(
        timezone=timezone,
        every_seconds=period_seconds(args.every) if args.every is not None else None,
        username_env=env_name("--username-env", args.username_env),
        password_env=env_name("--password-env", args.password_env),
    )


def add(engine: Engine, url: str, settings: BoardSettings) -> int:
    board_id, created = add_board(engine, url, settings)
    verb = "Added" if created else "Updated"
    checked = _every_text(settings.every_seconds)
    print(f"{verb} board {board_id}: {board_url(url)} (checked {checked})")
    return 0


def _every_text(seconds: int | None) -> str:
    if seconds:
        return f"every {format_period(seconds)}"
    return "at every run of boards=due; by workers every FORUMSCRAPER_DEFAULT_EVERY"


def show(engine: Engine) -> int:
    statuses = board_statuses(engine)
    if not statuses:
        print("No board yet: forumscraper boards add https://name.forumotion.com/")
        return 0
    header: tuple[str, ...] = ("id", "board", "every", "posts", "last run", "status", "next due")
    rows = [header, *(_row(status) for status in statuses)]
    jobs = board_jobs(engine)
    if jobs is not None:  # PostgreSQL with workers: their jobs too
        rows = [
            (*row, "jobs" if index == 0 else _jobs(jobs.get(int(row[0]), (0, 0))))
            for index, row in enumerate(rows)
        ]
        header = rows[0]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


def _row(status: BoardStatus) -> tuple[str, ...]:
    name = status.base_url + (f" ({status.title})" if status.title else "")
    last = status.last_status or "never run"
    if status.failures_in_a_row > 1:
        last = f"failed {status.failures_in_a_row}x in a row"
    if status.removed_at is not None:
        due = "removed"
    elif status.next_due_at is None or status.next_due_at <= datetime.now(UTC):
        due = "now"
    else:
        due = _when(status.next_due_at)
    return (
        str(status.id),
        name,
        format_period(status.every_seconds),
        str(status.posts),
        _when(status.last_run_at) if status.last_run_at else "-",
        last,
        due,
    )


def _jobs(counts: tuple[int, int]) -> str:
    waiting, running = counts
    shown = [f"{running} running"] if running else []
    shown += [f"{waiting} waiting"] if waiting else []
    return ", ".join(shown) or "-"


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def remove(engine: Engine, name: str, *, purge: bool, yes: bool) -> int:
    board_id = board_named(engine, name)
    if not purge:
        remove_board(engine, board_id)
        print(f"Board {board_id} is no longer checked; what was archived of it stays.")
        return 0
    if not yes and not _confirmed(board_id, name):
        print("Nothing deleted.")
        return 1
    lock = RunLock(engine, board_id)
    if not lock.acquire():
        print(f"{PROG}: board {board_id} is being crawled now; purge it later", file=sys.stderr)
        return 1
    try:
        deleted = purge_board(engine, board_id)
    finally:
        lock.release()
    counts = ", ".join(f"{count} {table}" for table, count in deleted.items() if count)
    print(f"Board {board_id} purged: {counts or 'no rows'} deleted.")
    return 0


def _confirmed(board_id: int, name: str) -> bool:
    if not sys.stdin.isatty():
        print(
            f"{PROG}: --purge deletes every row of board {board_id}: add --yes to confirm "
            "(no terminal to ask on)",
            file=sys.stderr,
        )
        return False
    answer = input(f"Delete board {board_id} ({name}) and everything archived of it? [y/N] ")
    return answer.strip().lower() in ("y", "yes")
