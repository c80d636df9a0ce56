"""Where the database is: ``DATABASE_URL``, its default, and a password-safe rendering."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

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
    raw = (explicit or read_secret("DATABASE_URL") or DEFAULT_DATABASE_URL).strip()
    url = _parse(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


class BadDatabaseURL(ValueError):
    """A database URL that cannot work; the message (never the password) says why and shows a
    right one."""


_RIGHT = "postgresql://user:password@host:5432/name or sqlite:///path/to/file.sqlite3"
_BACKENDS = ("postgresql", "postgres", "sqlite")


def _parse(raw: str) -> URL:
    """``raw`` read as a SQLAlchemy URL, or :class:`BadDatabaseURL` naming the mistake people
    make: a file path, ``sqlite:/path``, a port that is not a number, another database."""
    if "://" not in raw:
        if raw.startswith("sqlite:"):
            path = Path(raw.removeprefix("sqlite:")).resolve()
            raise BadDatabaseURL(
                f"a SQLite URL is sqlite:/// then the file's path: sqlite:///{path}"
            )
        if "/" in raw or raw.endswith((".sqlite", ".sqlite3", ".db")):
            raise BadDatabaseURL(f"a file path, not a URL: write sqlite:///{Path(raw).resolve()}")
        raise BadDatabaseURL(f"not a database URL: write {_RIGHT}")
    scheme = raw.split("://", 1)[0]
    if scheme.split("+", 1)[0] not in _BACKENDS:
        raise BadDatabaseURL(f"{scheme}:// is no database forumscraper stores into: use {_RIGHT}")
    try:
        port = urlsplit(raw).port
    except ValueError:
        port = 0
    if port == 0:
        raise BadDatabaseURL("the port is not a number from 1 to 65535 (…@host:5432/name)")
    try:
        return make_url(raw)
    except Exception:  # SQLAlchemy's ArgumentError, whose message repeats the whole URL
        raise BadDatabaseURL(f"not a database URL: write {_RIGHT}") from None


def sqlite_folder_problem(url: URL) -> str | None:
    """Why SQLite could not write the database file ``url`` names (``None``: nothing wrong, or
    not SQLite). The database runs in WAL mode (``forumscraper.db.engine``): SQLite writes two
    files beside it, so its folder must be writable, not only the file."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    path = Path(database).resolve()
    folder = path.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist: create it, or name another folder"
    elsewhere = (
        f"to read this database from a read-only place, copy it first: "
        f'sqlite3 {path} ".backup /tmp/{path.name}"'
    )
    if not os.access(folder, os.W_OK | os.X_OK):
        return (
            f"the folder {folder} must be writable: SQLite writes {path.name}-wal and "
            f"{path.name}-shm beside the database; {elsewhere}"
        )
    if path.exists() and not os.access(path, os.W_OK):
        return f"the file {path} is read-only; {elsewhere}"
    return None


def safe_url(url: URL | str) -> str:
    """The URL with its password masked, for logs and error messages."""
    if isinstance(url, str):
        try:
            url = make_url(url)
        except Exception:  # an unparseable URL is shown as nothing rather than leaked
            return "<unparseable database URL>"
    return url.render_as_string(hide_password=True)


def describe(url: URL) -> str:
    """Where the data is, in a form people paste into a tool: a file path for SQLite (for
    ``sqlite3``), a ``postgresql://`` URL without the driver and the password for PostgreSQL
    (``psql`` takes it, and the password from ``PGPASSWORD`` or ``~/.pgpass``)."""
    backend = url.get_backend_name()
    if backend == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).resolve())
    if backend == "postgresql":
        return URL.create(
            "postgresql", url.username, None, url.host, url.port, url.database, url.query
        ).render_as_string()
    return safe_url(url)
