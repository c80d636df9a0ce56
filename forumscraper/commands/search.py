"""``forumscraper search "words"``: the posts that best match, with an extract and their URL.

The same on PostgreSQL and SQLite (:mod:`forumscraper.db.search`); the database is
``DATABASE_URL`` (or ``--database-url``), as for the other commands. Narrowed by ``--author``
(exact name), ``--since`` (a date or time, UTC unless it says otherwise), ``--forum`` (title or
id), ``--board`` (address or id). Bad input is one line on stderr and exit status 2; a database
that cannot be read, exit status 1. Matching words are shown bold on a terminal and between
``**`` elsewhere.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from sqlalchemy import Engine, text

from forumscraper.commands.common import (
    OneLineParser,
    UsageError,
    board_option,
    open_archive,
    parse_since,
)
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.search import MARK_END, MARK_START, BadSearch, Filters, Match, search

PROG = "forumscraper search"


def _limit(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if not 1 <= number <= 1000:
        raise argparse.ArgumentTypeError(f"not a number from 1 to 1000: {value!r}")
    return number


def parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Print the posts that best match WORDS, best first: an extract with the "
        'matching words marked, and the URL. WORDS as in a search box: "an exact phrase", '
        "a or b, -excluded.",
    )
    parser.add_argument("words", nargs="+", help="what to look for")
    parser.add_argument("--author", metavar="NAME", help="only posts by this author (exact name)")
    parser.add_argument(
        "--since", metavar="DATE", type=parse_since, help="only posts from then on (UTC by default)"
    )
    parser.add_argument("--forum", metavar="NAME-or-ID", help="only this forum (title or id)")
    parser.add_argument("--board", metavar="URL-or-ID", help="only this board (address or id)")
    parser.add_argument("--limit", metavar="N", type=_limit, default=10, help="default: 10")
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    return parser


def _filters(engine: Engine, args: argparse.Namespace) -> Filters:
    with engine.connect() as connection:
        boards = board_option(connection, args.board)
    board_id = boards[0] if boards else None
    forum_id = forum_title = None
    if args.forum is not None:
        value = args.forum.strip()
        if value.isdigit():
            forum_id = int(value)
            condition = "id = :forum"
        else:
            forum_title = value
            condition = "lower(title) = lower(:forum)"
        if board_id is not None:  # the forum must be on that board
            condition += " AND board_id = :board"
        with engine.connect() as connection:
            found = connection.execute(
                text(f"SELECT count(*) FROM forums WHERE {condition}"),
                {"forum": forum_id if forum_id is not None else value, "board": board_id},
            ).scalar_one()
        if not found:
            raise UsageError(f"--forum: no forum {'has id' if forum_id else 'is called'} {value}")
    return Filters(
        author=args.author,
        since=args.since,
        forum_id=forum_id,
        forum_title=forum_title,
        board_id=board_id,
    )


def highlight(extract: str, terminal: bool) -> str:
    """The extract on one line, its matching words bold (``terminal``) or between ``**``."""
    start, end = ("\033[1m", "\033[0m") if terminal else ("**", "**")
    line = re.sub(r"\s+", " ", extract).strip()
    return line.replace(MARK_START, start).replace(MARK_END, end)


def show(matches: list[Match], terminal: bool) -> str:
    blocks = []
    for number, match in enumerate(matches, 1):
        where = " / ".join(filter(None, (match.board_title, match.forum_title)))
        when = f"{match.posted_at:%Y-%m-%d %H:%M} UTC" if match.posted_at else "date unknown"
        title = match.topic_title or "(untitled topic)"
        blocks.append(
            f"{number}. {title}"
            + (f"  [{where}]" if where else "")
            + f"\n   {match.author_name or '(no name)'}, {when}"
            + f"\n   {highlight(match.extract, terminal)}"
            + f"\n   {match.url or ''}"
        )
    return "\n\n".join(blocks)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        url = database_url(args.database_url)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    words = " ".join(args.words)
    try:
        engine = open_archive(url)
        try:
            upgrade_to_head(engine)  # an archive of an older release gets its index first
            matches = search(engine, words, _filters(engine, args), args.limit)
        finally:
            engine.dispose()
    except (UsageError, BadSearch) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        print(f"{PROG}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    if not matches:
        print(f"No post matches {words!r}.")
        return 0
    print(show(matches, sys.stdout.isatty()))
    return 0
