"""What the console commands that read an archive share: the one-line usage error, a parser
that raises it instead of printing argparse's usage, ``--since`` and ``--board``.

``forumscraper search``, ``export`` and ``browse`` print ``PROG: error: …`` (or ``PROG: …``) and
exit with status 2 on :class:`UsageError`, as Scrapy's own usage errors do.
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time
from typing import NoReturn

from sqlalchemy import Connection

from forumscraper.db.board import UnknownBoard, board_named


class UsageError(Exception):
    """Input the command cannot use; the message is the one line it prints (exit status 2)."""


class OneLineParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors raise :class:`UsageError` (one line, no usage)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


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
