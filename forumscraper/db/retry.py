"""Database calls that ride out a short outage (a restarting server, a dropped connection).

One policy for the whole crawl: the spiders' reads (what the database holds of a topic) and the
store pipeline's writes both go through :meth:`DatabaseRetry.call`, which runs the call in a
thread (``run_in_thread``: the reactor never waits on the database) and tries again after a
pause that doubles each time when it fails for want of the database (``OperationalError``). Any
other error, and the last failure, reach the caller, which decides what a lasting outage means
(the store pipeline stops the crawl; a read fails the request that needed it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy.utils.asyncio import run_in_thread
from sqlalchemy.exc import OperationalError

from forumscraper import config
from forumscraper.db.database import first_line

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)
T = TypeVar("T")


class DatabaseRetry:
    """Retry a database call ``retries`` times, ``delay`` seconds after the first failure and
    twice as long after each next one (``FORUMSCRAPER_DB_RETRIES``,
    ``FORUMSCRAPER_DB_RETRY_DELAY``)."""

    def __init__(self, retries: int = 3, delay: float = 2.0) -> None:
        self.retries = retries
        self.delay = delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabaseRetry:
        return cls(config.db_retries(crawler.settings), config.db_retry_delay(crawler.settings))

    @property
    def attempts(self) -> int:
        return self.retries + 1

    def pause(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (from 0)."""
        return self.delay * 2**attempt

    async def call(
        self,
        func: Callable[..., T],
        *args: Any,
        action: str,
        on_failure: Callable[[OperationalError], None] | None = None,
    ) -> T:
        """``func(*args)`` in a thread, tried again through an outage; ``action`` ("read",
        "write") names it in the log, ``on_failure`` sees every failed attempt."""
        for attempt in range(self.attempts):
            try:
                return await run_in_thread(func, *args)
            except OperationalError as exc:  # connection lost, server restarting, disk full
                if on_failure is not None:
                    on_failure(exc)
                logger.warning(
                    "Database %s failed (attempt %d of %d): %s",
                    action,
                    attempt + 1,
                    self.attempts,
                    first_line(exc),
                )
                if attempt + 1 == self.attempts:
                    raise
                await asyncio.sleep(self.pause(attempt))
        raise AssertionError("unreachable")
