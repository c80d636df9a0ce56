"""Where the database is: ``DATABASE_URL``, its default, and a password-safe rendering."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url

DEFAULT_DATABASE_URL = "sqlite:///forumscraper.sqlite3"


def read_secret(name: str) -> str | None:
    """Value of environment variable ``name``, or of the file named by ``name + '_FILE'``.

    The ``_FILE`` form is how Docker and Kubernetes secrets are usually passed.
    """
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return None


def database_url(explicit: str | None = None) -> URL:
    """The database to use: ``explicit``, else ``DATABASE_URL`` (or ``DATABASE_URL_FILE``),
    else a SQLite file ``forumscraper.sqlite3`` in the working directory.

    ``postgresql://`` and ``postgres://`` URLs are given the psycopg 3 driver.
    """
    raw = explicit or read_secret("DATABASE_URL") or DEFAULT_DATABASE_URL
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def safe_url(url: URL | str) -> str:
    """The URL with its password masked, for logs and error messages."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except Exception:  # an unparseable URL is shown as nothing rather than leaked
            return "<unparseable database URL>"
    return url.render_as_string(hide_password=True)


def describe(url: URL) -> str:
    """A human description of where the data is: a file path for SQLite, the URL otherwise."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).resolve())
    return safe_url(url)
