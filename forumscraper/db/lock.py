"""One run at a time per database: a PostgreSQL advisory lock, or a lock file beside SQLite.

Cron and Kubernetes may start a run while the previous one is still going; the second run must
stop at once instead of crawling the same pages. The lock is held for the whole run and freed
by the database (advisory lock: when the session ends) or the kernel (``flock``: when the
process ends), so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, func, select

LOCK_KEY = 0x666F72756D736372  # "forumscr": the advisory lock id of forumscraper runs


LOCKED_MESSAGE = "another forumscraper run is using this database; this one stops"
"""What a run (or ``reprocess``) says when another holds the lock."""


class RunLock:
    """The run lock of one database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._file: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another run holds it."""
        if self.engine.dialect.name == "postgresql":
            connection = self.engine.connect()
            got = bool(connection.execute(select(func.pg_try_advisory_lock(LOCK_KEY))).scalar())
            connection.commit()
            if got:
                self._connection = connection
            else:
                connection.close()
            return got
        path = self.lock_path()
        if path is None:
            return True
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def lock_path(self) -> Path | None:
        database = self.engine.url.database
        if not database or database == ":memory:":
            return None
        return Path(f"{database}.lock")

    def release(self) -> None:
        if self._connection is not None:
            try:
                self._connection.execute(select(func.pg_advisory_unlock(LOCK_KEY)))
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
