"""``forumscraper report``: write the archive's report, one self-contained HTML page.

The data and the drawing live in :mod:`forumscraper.report`; this module reads the arguments,
checks the board and the database, and writes the file beside itself (``FILE.partial``, renamed
when complete) so that a report that fails leaves the previous one in place. The charts need
matplotlib (the optional extra ``report``); without it the command says how to install it and
exits with status 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

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

PROG = "forumscraper report"


def main(argv: Sequence[str] | None = None) -> int:
    parser = OneLineParser(
        prog=PROG,
        description="Write one self-contained HTML page (no network needed to view it): posts "
        "per day and forum, posting hours on the board's clock, the most active authors and "
        "topics, duplicate articles and crawl health, per board.",
    )
    parser.add_argument(
        "-o", "--output", type=Path, default=Path("report.html"), help="default: report.html"
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--board", help="a board's id or address (default: every board)")
    parser.add_argument(
        "--since", type=parse_since, help="posts and runs at or after this date (UTC) or ISO time"
    )
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        from forumscraper import report

        report._pyplot()
    except ImportError:
        print(
            f"{PROG}: the charts need matplotlib: pip install 'forumscraper[report]'",
            file=sys.stderr,
        )
        return 2
    url = database_url(args.database_url)
    partial = args.output.with_name(args.output.name + ".partial")
    try:
        engine = open_archive(url)
        try:
            with engine.connect() as connection:
                boards = board_option(connection, args.board)
                reports = report.gather(connection, boards, args.since)
        finally:
            engine.dispose()
        page = report.render(reports, database=describe(url), since=args.since)
        partial.write_text(page, encoding="utf-8")
        os.replace(partial, args.output)
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{PROG}: {write_error(exc, args.output)}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"{PROG}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
        return 1
    finally:
        partial.unlink(missing_ok=True)
    posts = sum(r.post_count for r in reports)
    counted = f"{len(reports)} board{'s' if len(reports) != 1 else ''}"
    print(f"report of {counted}, {posts} posts: {args.output}", file=sys.stderr)
    return 0
