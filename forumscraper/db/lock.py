"""One run at a time per board: a PostgreSQL advisory lock, or lock files beside SQLite.

Cron and Kubernetes may start a run while the previous one is still going; the second run of
the same board must stop at once instead of crawling the same pages, while runs of other boards
in the same database go on. ``forumscraper reprocess``, which rewrites every board's rows, takes
the whole database and so waits for no run and lets none start.

Two levels, so that both hold:

- the database: runs of a board share it, the whole-database lock (``reprocess``) takes it
  alone;
- the board: one run at a time, keyed by its ``boards.id``.

The locks are held for the whole run and freed by the database (advisory locks: when the
session ends) or the kernel (``flock``: when the file is closed or the process ends), so a
killed run never leaves a stale lock behind. A process may hold the locks of several boards at
once (one :class:`RunLock` each).
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, Engine, func, select

LOCK_KEY = 0x666F72756D736372  # "forumscr": the advisory lock id of the whole database
BOARD_LOCK_CLASS = 0x666F7275  # "foru": with a board's id, the two-key advisory lock of a board


LOCKED_MESSAGE = (
    "another forumscraper run is using this database (crawling this board, or reprocessing "
    "every board); this one stops"
)
"""What a run (or ``reprocess``) says when another holds the lock (of its board, or of the
whole database)."""


class RunLock:
    """The run lock of one board of a database (``board_id``), or of the whole database."""

    def __init__(self, engine: Engine, board_id: int | None = None) -> None:
        self.engine = engine
        self.board_id = board_id
        self._connection: Connection | None = None
        self._files: list[IO[str]] = []

    def acquire(self) -> bool:
        """Take the lock without waiting; ``False`` when another run holds it."""
        if self.engine.dialect.name == "postgresql":
            return self._acquire_advisory()
        path = self.lock_path()
        if path is None:
            return True
        whole = self.board_id is None
        database = self._flock(path, shared=not whole, write_pid=whole)
        if database is None:
            return False
        self._files.append(database)
        if whole:
            return True
        board = self._flock(self.board_lock_path(path), shared=False, write_pid=True)
        if board is None:
            self.release()
            return False
        self._files.append(board)
        return True

    def _acquire_advisory(self) -> bool:
        connection = self.engine.connect()
        try:
            if self.board_id is None:
                got = connection.execute(select(func.pg_try_advisory_lock(LOCK_KEY))).scalar()
            else:
                got = connection.execute(
                    select(func.pg_try_advisory_lock_shared(LOCK_KEY))
                ).scalar()
                if got:
                    got = connection.execute(
                        select(func.pg_try_advisory_lock(BOARD_LOCK_CLASS, self.board_id))
                    ).scalar()
                    if not got:
                        connection.execute(select(func.pg_advisory_unlock_shared(LOCK_KEY)))
            connection.commit()
        except BaseException:
            connection.close()
            raise
        if got:
            self._connection = connection
        else:
            connection.close()
        return bool(got)

    @staticmethod
    def _flock(path: Path, *, shared: bool, write_pid: bool) -> IO[str] | None:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        if write_pid:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()}\n")
            handle.flush()
        return handle

    def lock_path(self) -> Path | None:
        """The database's lock file (``None``: an in-memory database, nothing to share)."""
        database = self.engine.url.database
        if not database or database == ":memory:":
            return None
        return Path(f"{database}.lock")

    def board_lock_path(self, database_lock: Path) -> Path:
        """The board's lock file, beside the database's."""
        stem = database_lock.name.removesuffix(".lock")
        return database_lock.with_name(f"{stem}.board{self.board_id}.lock")

    def release(self) -> None:
        if self._connection is not None:
            try:
                if self.board_id is None:
                    self._connection.execute(select(func.pg_advisory_unlock(LOCK_KEY)))
                else:
                    self._connection.execute(
                        select(func.pg_advisory_unlock(BOARD_LOCK_CLASS, self.board_id))
                    )
                    self._connection.execute(select(func.pg_advisory_unlock_shared(LOCK_KEY)))
                self._connection.commit()
            finally:
                self._connection.close()
                self._connection = None
        while self._files:
            handle = self._files.pop()
            fcntl.flock(handle, fcntl.LOCK_UN)
            handle.close()
