"""Log lines a person reads, and counted per board.

An expected network failure is one line, not a traceback.

A forum that cannot be reached (a typo in the address, DNS down, the board offline) makes Scrapy
log each failed request with a traceback of twenty lines, twice (the robots.txt check and the
request itself), which buries the run's one-line reason. The failures Scrapy retries
(``RETRY_EXCEPTIONS``: refused connections, timeouts, unresolvable hosts, lost connections) are
expected on the network; for them the :class:`QuietNetworkErrors` extension drops the traceback
and keeps the URL and the reason on one line. Any other exception keeps its traceback: that one
is a bug to report.

Errors are counted per board: a process checking many boards (``-a boards=…``) runs one crawler
per board, and Scrapy's ``LogCount`` counts every record of the process in every crawler's
``log_count/*`` stats, so one board's error would fail every board's run.
:class:`BoardLogCount` counts a record in the crawler whose spider it names (Scrapy's records
and ours carry ``extra={"spider": …}``); a record naming no spider is counted by every crawler
open at the time, as before: an error that cannot be placed fails the runs it may belong to.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider, signals
from scrapy.utils.misc import load_object

NOISY_LOGGERS = ("scrapy.core.scraper", "scrapy.downloadermiddlewares.robotstxt")
"""Where Scrapy logs a download failure with its traceback."""


class NetworkErrorFilter(logging.Filter):
    """Turns a record of an expected network failure into one line: message, then the reason."""

    def __init__(self, expected: tuple[type[BaseException], ...]) -> None:
        super().__init__()
        self.expected = expected

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and isinstance(error, self.expected):
            message = record.getMessage()
            reason = str(error) or type(error).__name__
            record.msg = message if reason in message else f"{message}: {reason}"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class QuietNetworkErrors:
    """Scrapy extension: install :class:`NetworkErrorFilter` on the loggers that print download
    failures, for the exceptions the crawl's ``RETRY_EXCEPTIONS`` names."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> QuietNetworkErrors:
        expected = tuple(
            load_object(name) if isinstance(name, str) else name
            for name in crawler.settings.getlist("RETRY_EXCEPTIONS")
        )
        for name in NOISY_LOGGERS:
            logger = logging.getLogger(name)
            for old in [f for f in logger.filters if isinstance(f, NetworkErrorFilter)]:
                logger.removeFilter(old)  # one filter per logger, the last crawl's settings
            logger.addFilter(NetworkErrorFilter(expected))
        return cls()


class _BoardCounter(logging.Handler):
    """Counts the records of one crawler's spider (and those naming none) in its stats."""

    def __init__(self, crawler: Any, spider: Spider, level: int | str) -> None:
        super().__init__(level)
        self.crawler = crawler
        self.spider = spider

    def emit(self, record: logging.LogRecord) -> None:
        owner = getattr(record, "spider", None)
        if owner is None or owner is self.spider:
            self.crawler.stats.inc_value(f"log_count/{record.levelname}")


class BoardLogCount:
    """Scrapy extension in place of ``scrapy.extensions.logcount.LogCount``: the crawler's
    ``log_count/{level}`` stats count its own spider's records (see the module)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.handler: _BoardCounter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> BoardLogCount:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        level = self.crawler.settings.get("LOG_LEVEL") or logging.DEBUG
        self.handler = _BoardCounter(self.crawler, spider, level)
        logging.root.addHandler(self.handler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.handler is not None:
            logging.root.removeHandler(self.handler)
            self.handler = None
