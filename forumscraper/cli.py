"""The ``forumscraper`` console command: the crawl, from any folder, and the tools around it.

Each subcommand is a module with a ``main(argv)`` that returns the exit status (:data:`COMMANDS`);
this module only dispatches, prints the list of commands and the version, and keeps the
conventions of a command-line tool: exit status 2 for a usage error, and quiet when its output is
cut short (``forumscraper parse page.html | head``).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

from forumscraper.db.config import BadDatabaseURL

COMMANDS = {
    "crawl": ("forumscraper.commands.crawl", "crawl a forum: forumscraper crawl forum|recent …"),
    "boards": (
        "forumscraper.commands.boards",
        "the boards this database keeps: add, list, remove, and how often each is checked",
    ),
    "worker": (
        "forumscraper.commands.worker",
        "crawl the boards on their schedule from PostgreSQL's job queue, on any number of machines",
    ),
    "reprocess": (
        "forumscraper.reprocess",
        "recompute clean text, hashes and dates from the stored page text",
    ),
    "search": (
        "forumscraper.commands.search",
        'the posts that best match "words", with an extract and the URL',
    ),
    "export": (
        "forumscraper.commands.export",
        "write live posts or topics as JSON lines, CSV or Parquet",
    ),
    "dedup": (
        "forumscraper.commands.dedup",
        "group the near-duplicate articles of every board (MinHash LSH)",
    ),
    "browse": (
        "forumscraper.commands.browse",
        "serve the SQLite archive with Datasette: described, canned queries, facets, search",
    ),
    "report": (
        "forumscraper.commands.report",
        "write one self-contained HTML page of charts and tables about the archive",
    ),
    "parse": ("forumscraper.inspect", "print what extraction reads from a page, as JSON"),
    "serve-demo": ("forumscraper.demo.server", "serve the bundled demo forum on 127.0.0.1"),
}
"""Subcommand: (module with ``main(argv)``, one line for ``--help``)."""

USAGE = "usage: forumscraper [-h] [--version] COMMAND [ARGS...]"


def help_text() -> str:
    """``forumscraper --help``: the usage and one line per command."""
    width = max(map(len, COMMANDS))
    lines = [
        USAGE,
        "",
        "Archive a Forumotion forum into PostgreSQL or SQLite.",
        "",
        "commands:",
        *(f"  {name:<{width}}  {line}" for name, (_, line) in COMMANDS.items()),
        "",
        "'forumscraper COMMAND --help' describes a command.",
    ]
    return "\n".join(lines)


def package_version() -> str:
    try:
        return version("forumscraper")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Dispatch to a subcommand module's ``main(argv)``; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except BrokenPipeError:
        # The reader went away (``| head``): no traceback, and no second error when Python
        # flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except BadDatabaseURL as exc:
        print(f"forumscraper: DATABASE_URL: {exc}", file=sys.stderr)
        return 2


def _dispatch(args: list[str]) -> int:
    if not args or args[0] in ("-h", "--help"):
        print(help_text(), file=sys.stdout if args else sys.stderr)
        return 0 if args else 2
    if args[0] == "--version":
        print(f"forumscraper {package_version()}")
        return 0
    if args[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        print(
            f"forumscraper: error: unknown command {args[0]!r}; use one of: {', '.join(COMMANDS)}",
            file=sys.stderr,
        )
        return 2
    module = importlib.import_module(COMMANDS[args[0]][0])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
