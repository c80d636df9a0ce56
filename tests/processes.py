"""Running the project's commands as people do, in subprocesses: the environment they get, and
what they left in the database."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post

SHARED_MACHINE = pytest.mark.xdist_group("shared-machine")
"""For test files whose commands use what the machine has only one of, so that the test
workers (pytest-xdist, ``--dist loadgroup``) run them one at a time: the demo board's port
(:data:`forumscraper.demo.server.DEMO_PORT`, which a crawl given no forum takes, and which a test
expects to keep between runs) and the checkout's ``build/`` folder (a wheel, an egg)."""


def environment(**ours: str) -> dict[str, str]:
    """This process's environment without any ``FORUMSCRAPER_*``, ``DATABASE_URL*`` or
    ``SCRAPY_*`` variable, plus ``ours``: a command sees only what the test gives it."""
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FORUMSCRAPER_", "DATABASE_URL", "SCRAPY_"))
    }
    return kept | ours


def stored_posts(url: str) -> int:
    """How many posts the database at ``url`` holds."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(Post)).scalar_one())
    finally:
        engine.dispose()
