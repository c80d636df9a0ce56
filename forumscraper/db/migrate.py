"""Bring a database's schema to the newest Alembic revision, as ``alembic upgrade head`` does.

A crawl calls :func:`upgrade_to_head` at start, so the first crawl needs no separate step;
deployments may still run ``alembic upgrade head`` themselves first (it is then a no-op).
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

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
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None``: empty database)."""
    with engine.connect() as connection:
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
    """The newest revision of the project's migrations."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def upgrade_to_head(engine: Engine) -> bool:
    """Upgrade the database when it is empty or behind; return whether anything ran."""
    current, head = current_revision(engine), head_revision()
    if current == head:
        return False
    logger.info("Upgrading the database schema from %s to %s", current or "empty", head)
    command.upgrade(alembic_config(engine), "head")
    return True
