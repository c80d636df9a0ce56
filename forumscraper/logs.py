"""Log lines a person reads: an expected network failure is one line, not a traceback.

A forum that cannot be reached (a typo in the address, DNS down, the board offline) makes Scrapy
log each failed request with a traceback of twenty lines, twice (the robots.txt check and the
request itself), which buries the run's one-line reason. The failures Scrapy retries
(``RETRY_EXCEPTIONS``: refused connections, timeouts, unresolvable hosts, lost connections) are
expected on the network; for them the :class:`QuietNetworkErrors` extension drops the traceback
and keeps the URL and the reason on one line. Any other exception keeps its traceback: that one
is a bug to report.
"""

from __future__ import annotations

import logging
from typing import Any

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
