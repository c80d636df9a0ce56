"""``forumscraper browse``: the SQLite archive in Datasette, described and searchable.

Datasette (the optional extra ``browse``) serves the file read as it is written: a crawl may run
at the same time (the database is in WAL mode, so neither blocks the other). The metadata it is
given comes from the README (:mod:`forumscraper.readme`), so the site says what the README says:

- each table and view with its description and its columns' (the "Schema" and "Views" tables);
- the README's example questions, in their SQLite form, as canned queries;
- facets on ``post_details``: board, forum, author and day (Datasette's date facet);
- ``_search`` on ``posts`` through the FTS5 index ``posts_fts`` (migration 0009), which
  Datasette does not find by itself: the index reads its text from the view
  ``posts_fts_content``, not from ``posts``.

``--metadata-out FILE`` writes that metadata and serves nothing (for ``datasette`` run by hand
or ``datasette publish``). Anything after ``--`` goes to ``datasette serve`` as it is
(``-- --setting sql_time_limit_ms 5000``). A PostgreSQL URL, a missing file or a missing extra is
one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from sqlalchemy.engine import URL

from forumscraper.commands.common import OneLineParser, UsageError, open_archive, port_number
from forumscraper.db.config import database_url, describe
from forumscraper.db.database import first_line
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.readme import (
    Described,
    ReadmeMissing,
    readme_examples,
    readme_text,
    schema_descriptions,
)

PROG = "forumscraper browse"
INSTALL = "pip install 'forumscraper[browse]'"

FACETS: dict[str, list[Any]] = {
    "post_details": ["board_title", "forum_title", "author_name", {"date": "posted_at"}],
    "topic_activity": ["board_title", "forum_title"],
    "daily_activity": ["board_title", "forum_title"],
    "duplicate_articles": ["board_title", "forum_title", "author_name"],
}
"""Facets shown on each view without asking (a string: a column; ``{"date": column}``: by day)."""

SORT_DESC = {"post_details": "posted_at", "topic_activity": "last_post_at", "crawl_runs": "id"}
"""The column each table or view is shown by, newest first."""

SEARCH = {
    "posts": {
        "fts_table": "posts_fts",
        "fts_pk": "rowid",  # posts_fts's rowid is the post's rowid
        "searchable_columns": ["title", "body_text"],
    }
}
"""Where Datasette's ``_search`` looks: ``posts`` through the FTS5 index."""

HIDDEN = ("alembic_version",)


def parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog=PROG,
        description="Serve the SQLite archive with Datasette: tables and views described, the "
        "README's questions as canned queries, facets, full-text search. Arguments after -- go "
        "to 'datasette serve'.",
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL, else the SQLite file")
    parser.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    parser.add_argument(
        "--port", type=port_number, default=8001, help="default: 8001 (0: any free)"
    )
    parser.add_argument(
        "--metadata-out",
        metavar="FILE",
        type=Path,
        help="write Datasette's metadata, serve nothing",
    )
    return parser


def table_metadata(described: Described | None, name: str) -> dict[str, Any]:
    """Datasette's metadata of one table or view."""
    entry: dict[str, Any] = {}
    if described is not None:
        entry["description"] = described.description
        columns = {column: note for column, note in described.columns.items() if note}
        if columns:
            entry["columns"] = columns
    if name in FACETS:
        entry["facets"] = FACETS[name]
    if name in SORT_DESC:
        entry["sort_desc"] = SORT_DESC[name]
    entry.update(SEARCH.get(name, {}))
    if name in HIDDEN:
        entry["hidden"] = True
    return entry


def metadata(database: str, readme: str) -> dict[str, Any]:
    """Datasette's metadata for the archive served under the name ``database`` (the file's
    stem), from the README's text."""
    described = schema_descriptions(readme)
    names = [*described, *FACETS, *SORT_DESC, *SEARCH, *HIDDEN]
    tables = {name: table_metadata(described.get(name), name) for name in dict.fromkeys(names)}
    queries = {
        example.name: {"sql": example.sql, "title": example.title or example.name}
        for example in readme_examples(readme)
        if example.database == "sqlite"
    }
    return {
        "title": "forumscraper archive",
        "description": "Forumotion boards archived by forumscraper; the README describes every "
        "table and view, and its example questions are the canned queries below.",
        "databases": {database: {"tables": tables, "queries": queries}},
    }


def _sqlite_file(url: URL) -> Path:
    if url.get_backend_name() != "sqlite":
        raise UsageError(
            f"Datasette reads SQLite files, and {describe(url)} is PostgreSQL: crawl into "
            "sqlite:///FILE, or `forumscraper export posts --format csv` for other tools"
        )
    if not url.database or url.database == ":memory:":
        raise UsageError("name the SQLite file: --database-url sqlite:///path/to/file.sqlite3")
    return Path(url.database)


def _prepare(url: URL) -> None:
    """Bring an archive of an older release up to date (the views and index the metadata
    names); refuse a missing file or a SQLite file that is no archive."""
    engine = open_archive(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


def _datasette_installed() -> None:
    try:
        import datasette.cli  # noqa: F401
    except ImportError:
        raise UsageError(f"Datasette is not installed: {INSTALL}") from None


class _Stopped(Exception):
    """SIGTERM or SIGINT, raised once Datasette has shut down."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise _Stopped(signum)


def serve(path: Path, metadata_file: Path, host: str, port: int, extra: Sequence[str]) -> int:
    """Run ``datasette serve`` in this process until it stops; its exit status (0: stopped by
    SIGTERM or Ctrl-C).

    Uvicorn shuts down gracefully on either signal, then raises it again with the handlers it
    found: ours turn it into an exception, so that the caller's ``finally`` (the metadata's
    temporary folder) runs instead of the process dying where it stands.
    """
    from click import ClickException
    from datasette.cli import cli

    args = ["serve", str(path), "--metadata", str(metadata_file), "--host", host]
    args += ["--port", str(port), *extra]
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        cli.main(args=args, prog_name="datasette", standalone_mode=False)
    except _Stopped:
        return 0
    except ClickException as exc:  # an argument after -- that datasette serve refuses
        exc.show()
        return exc.exit_code
    except SystemExit as exc:  # uvicorn's way out when it cannot bind
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in args_list:
        cut = args_list.index("--")
        args_list, extra = args_list[:cut], args_list[cut + 1 :]
    try:
        args = parser().parse_args(args_list)
        url = database_url(args.database_url)
        path = _sqlite_file(url)
        if args.metadata_out is None:
            _datasette_installed()
        try:
            _prepare(url)
        except UsageError:
            raise
        except Exception as exc:
            print(f"{PROG}: {describe(url)}: {first_line(exc)}", file=sys.stderr)
            return 1
    except UsageError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    try:
        readme = readme_text()
    except ReadmeMissing as exc:  # the descriptions and queries come from it
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    document = json.dumps(metadata(path.stem, readme), ensure_ascii=False, indent=2)
    if args.metadata_out is not None:
        args.metadata_out.write_text(document + "\n", encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory(prefix="forumscraper-browse-") as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(document, encoding="utf-8")
        return serve(path, metadata_file, args.host, args.port, extra)
