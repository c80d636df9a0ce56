"""Running the project's commands as people do, in subprocesses: the environment they get, and
what they left in the database."""

from __future__ import annotations

import os

from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post


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
