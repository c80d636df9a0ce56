"""One database per crawl, shared by the store pipeline, the crawl-run recorder and the spider,
and the crawl's board in it (:meth:`Database.board_for`)."""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.engine import URL

from forumscraper import config
from forumscraper.db.board import register_board
from forumscraper.db.config import (
    BadDatabaseURL,
    database_url,
    describe,
    safe_url,
    sqlite_folder_problem,
)
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
        self._board_lock = threading.Lock()
        self.board_id: int | None = None
        """The crawl's board (a ``boards`` row), once :meth:`board_for` found it."""
        self.board_registered = False
        """Whether this crawl registered its board (it was not in ``boards`` before)."""

    @classmethod
    def from_settings(cls, settings: Any) -> Database:
        """The database the settings name: ``FORUMSCRAPER_DATABASE_URL``, else ``DATABASE_URL``
        (:func:`~forumscraper.db.config.database_url`); a URL that cannot be read raises
        :class:`~forumscraper.config.BadSetting` naming where it came from, password hidden."""
        configured = config.database_url(settings)
        try:
            url = database_url(configured)
        except OSError as exc:  # DATABASE_URL_FILE names a file that cannot be read
            raise config.BadSetting("DATABASE_URL_FILE", None, first_line(exc)) from None
        except BadDatabaseURL as exc:  # says what is wrong, never the password
            name = "FORUMSCRAPER_DATABASE_URL" if configured else "DATABASE_URL"
            raise config.BadSetting(name, None, str(exc)) from None
        if configured:
            add_secrets([url.password])
        return cls(url, migrate=config.db_migrate(settings))

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(self.url)
            return self._engine

    def board_for(self, base_url: str) -> int:
        """The id of the crawl's board at ``base_url``, registered in ``boards`` when it is new
        (blocking: call it in a thread). Found once per crawl: the spider and the run recorder
        ask, the store writes that board's rows."""
        with self._board_lock:
            if self.board_id is None:
                self.board_id, self.board_registered = register_board(self.engine, base_url)
            return self.board_id

    @property
    def store(self) -> Store:
        """The store of the crawl's board (known once :meth:`board_for` ran)."""
        if self._store is None:
            if self.board_id is None:
                raise RuntimeError("the crawl's board is not known yet (Database.board_for)")
            self._store = Store(self.engine, self.board_id)
        return self._store

    def prepare(self) -> None:
        """Connect and bring the schema to head (blocking: call it in a thread)."""
        problem = sqlite_folder_problem(self.url)
        if problem is not None:
            raise DatabaseUnavailable(f"cannot use the database {describe(self.url)}: {problem}")
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
    """The crawl's database (one per crawler; see :meth:`Database.from_settings`)."""
    database = _BY_CRAWLER.get(crawler)
    if database is None:
        database = Database.from_settings(crawler.settings)
        _BY_CRAWLER[crawler] = database
    return database
