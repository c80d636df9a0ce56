"""One database per crawl, shared by the store pipeline and the crawl-run recorder."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from forumscraper.db.config import database_url, describe, safe_url
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import upgrade_to_head
from forumscraper.db.store import Store
from forumscraper.secrets import add_secrets

logger = logging.getLogger(__name__)

_BY_CRAWLER: weakref.WeakKeyDictionary[Any, Database] = weakref.WeakKeyDictionary()


class DatabaseUnavailable(RuntimeError):
    """The database cannot be reached or prepared; the message is one safe line."""


class Database:
    """A lazily connected engine, its schema check and its store."""

    def __init__(self, url: URL, *, migrate: bool = True) -> None:
        self.url = url
        self.migrate = migrate
        self._engine: Engine | None = None
        self._store: Store | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.url)
            return self._engine

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = Store(self.engine)
        return self._store

    def prepare(self) -> None:
        """Connect and bring the schema to head (blocking: call it in a thread)."""
        try:
            if self.migrate:
                upgrade_to_head(self.engine)
            else:
                with self.engine.connect():
                    pass
        except Exception as exc:
            raise DatabaseUnavailable(
                f"cannot use the database {safe_url(self.url)}: {first_line(exc)}"
            ) from exc

    def describe(self) -> str:
        """Where the data is, for people (a file path for SQLite; no password)."""
        return describe(self.url)

    def dispose(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message, without SQLAlchemy's background links."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def database_for(crawler: Any) -> Database:
    """The crawl's database (one per crawler), from ``DATABASE_URL``."""
    database = _BY_CRAWLER.get(crawler)
    if database is None:
        url = crawler.settings.get("FORUMSCRAPER_DATABASE_URL")
        if url:
            add_secrets([database_url(url).password])
        database = Database(
            database_url(crawler.settings.get("FORUMSCRAPER_DATABASE_URL")),
            migrate=crawler.settings.getbool("FORUMSCRAPER_DB_MIGRATE", True),
        )
        _BY_CRAWLER[crawler] = database
    return database
