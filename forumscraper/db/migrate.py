"""Bring a database's schema to the newest Alembic revision, as ``alembic upgrade head`` does.

A crawl calls :func:`upgrade_to_head` at start, so the first crawl needs no separate step;
deployments may still run ``alembic upgrade head`` themselves first (it is then a no-op).

A database already at the newest revision (every crawl but the first) is recognised without
Alembic: its ``alembic_version`` row is read with one query and the newest revision from the
migration files' ``revision``/``down_revision`` lines. Importing Alembic and loading its script
directory cost about 0.2 s of CPU, a tenth of a check of an unchanged board; they are loaded
only when there is something to upgrade (or the files are not the simple kind: then Alembic
reads them).
"""

from __future__ import annotations

import ast
import atexit
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

logger = logging.getLogger(__name__)


def migrations_dir() -> Path:
    """The ``migrations/`` folder: ``FORUMSCRAPER_MIGRATIONS_DIR``, else the one shipped inside
    the installed package (a wheel, ``pipx``; see ``setup.py``), else the one at the top of the
    checkout (an editable install), else ``./migrations``."""
    configured = os.environ.get("FORUMSCRAPER_MIGRATIONS_DIR")
    package = Path(__file__).resolve().parents[1]
    candidates = [Path(configured)] if configured else []
    candidates += [_packaged() or package / "migrations", package.parent / "migrations"]
    candidates.append(Path.cwd() / "migrations")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(
        "cannot find the Alembic migrations folder; set FORUMSCRAPER_MIGRATIONS_DIR "
        f"(looked in: {', '.join(str(c) for c in candidates)})"
    )


@cache
def _packaged() -> Path | None:
    """The migrations shipped inside the package as a folder Alembic can list: the package's
    own when it is installed as files; a copy in a temporary folder (removed at exit) when the
    package runs from a zip file, as in a Scrapyd egg."""
    resource = files("forumscraper") / "migrations"
    if isinstance(resource, Path) or not resource.is_dir():
        return None
    target = Path(tempfile.mkdtemp(prefix="forumscraper-migrations-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy(resource, target)
    return target


def _copy(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            (target / entry.name).mkdir()
            _copy(entry, target / entry.name)
        elif entry.is_file():
            (target / entry.name).write_bytes(entry.read_bytes())


def alembic_config(engine: Engine | None = None) -> Config:
    """An Alembic config for the project's migrations; with ``engine``, migrations use it."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        found = list(versions)
        if len(found) <= 1:
            return found[0] if found else None
        from alembic.runtime.migration import MigrationContext

        # Several heads: Alembic's own answer (an error saying so).
        return MigrationContext.configure(connection).get_current_revision()


FTS_TABLES = "posts_fts"
"""SQLite's FTS5 index (migration 0009) and the shadow tables FTS5 makes for it
(``posts_fts_data``, ``…_idx``, ``…_docsize``, ``…_config``): SQLite's own machinery, not in the
models."""


QUEUE_TABLES = "procrastinate_"
"""The job queue's tables (``forumscraper worker``, PostgreSQL): procrastinate's own schema."""


def include_name(name: str | None, type_: str, parent_names: Mapping[Any, str | None]) -> bool:
    """Alembic's ``include_name`` hook: what ``alembic check`` and autogenerate compare. Everything
    but the FTS5 tables, which the models cannot describe (a virtual table and its shadows), and
    the job queue's tables, which procrastinate keeps."""
    return not (
        type_ == "table" and name is not None and name.startswith((FTS_TABLES, QUEUE_TABLES))
    )


def head_revision() -> str | None:
    """The newest revision of the project's migrations (read once per folder and process: every
    crawl checks its database against it, and one process crawls many boards)."""
    return _head_of(migrations_dir())


_REVISION_LINE = re.compile(r"^(revision|down_revision)\b[^=\n]*=[ \t]*(.+?)[ \t]*$", re.MULTILINE)
"""``revision: str = "0010"`` and ``down_revision: str | None = "0009"`` in a migration file."""


@cache
def _head_of(folder: Path) -> str | None:
    """The one revision no other revises, from each file's two lines; Alembic's script directory
    (which imports every migration) when a file holds no such plain literals or the history
    does not have exactly one head."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in sorted((folder / "versions").glob("*.py")):
        lines = dict(_REVISION_LINE.findall(path.read_text(encoding="utf-8")))
        try:
            revision = ast.literal_eval(lines["revision"])
            down = ast.literal_eval(lines.get("down_revision", "None"))
        except (KeyError, ValueError, SyntaxError):
            return _alembic_head(folder)
        downs = down if isinstance(down, tuple | list) else [down]
        if not isinstance(revision, str) or not all(d is None or isinstance(d, str) for d in downs):
            return _alembic_head(folder)
        revisions.add(revision)
        revised.update(d for d in downs if d is not None)
    heads = revisions - revised
    return heads.pop() if len(heads) == 1 else _alembic_head(folder)


def _alembic_head(folder: Path) -> str | None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(folder))
    return ScriptDirectory.from_config(config).get_current_head()


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade the database when it is empty or behind; return whether anything ran."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return False
    from alembic import command

    logger.info("Upgrading the database schema from %s to %s", current or "empty", head)
    command.upgrade(alembic_config(engine), "head")
    return True
