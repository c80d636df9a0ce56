"""Engines: one place that knows how to connect to PostgreSQL and to SQLite."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL

from forumscraper.db.config import database_url


def make_engine(url: URL | str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: :func:`database_url`).

    SQLite gets foreign keys enforced, WAL journaling and a busy timeout so a reader (``sqlite3``
    in another terminal) does not make a crawl fail; PostgreSQL gets pre-ping so a restarted
    server costs a reconnect instead of an error.
    """
    url = database_url(url if isinstance(url, str) else None) if not isinstance(url, URL) else url
    if url.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 2)
    return create_engine(url, **kwargs)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
