"""Bring a database's schema to the newest Alembic revision, as ``alembic upgrade head`` does.

A crawl calls :func:`upgrade_to_head` at start, so the first crawl needs no separate step;
deployments may still run ``alembic upgrade head`` themselves first (it is then a no-op).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

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
    candidates += [package / "migrations", package.parent / "migrations"]
    candidates.append(Path.cwd() / "migrations")
    for candidate in candidates:
        if (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError(
        "cannot find the Alembic migrations folder; set FORUMSCRAPER_MIGRATIONS_DIR "
        f"(looked in: {', '.join(str(c) for c in candidates)})"
    )


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
