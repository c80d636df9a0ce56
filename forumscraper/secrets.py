"""Keep passwords out of logs, stats and error messages.

Secrets (the database password, the forum password) come from the environment or from files
named by ``*_FILE`` variables, never from Scrapy settings, so Scrapy's "Overridden settings" line
cannot print them. As a second line of defence every log record is masked: any known secret
value in a message becomes ``***``, whichever component logged it. The :class:`LogMasking`
extension installs the masking when a crawl starts (before Scrapy logs its "Overridden settings"
line); importing this module changes nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy.engine import make_url

from forumscraper.db.config import read_secret

MASK = "***"
_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def known_secrets() -> set[str]:
    """Secret values of this process's configuration (environment and ``*_FILE`` files)."""
    values: set[str] = set()
    raw_url = read_secret("DATABASE_URL")
    password = url_password(raw_url) if raw_url else None
    if password:
        values.add(password)
    for name in ("FORUMSCRAPER_PASSWORD",):
        value = read_secret(name)
        if value:
            values.add(value)
    return {value for value in values if len(value) >= 3}


def add_secrets(values: Iterable[str | None]) -> None:
    """Mask these values too (short values are ignored: masking them would garble logs)."""
    with _lock:
        _secrets.update(v for v in values if v and len(v) >= 3)


def mask(text: str) -> str:
    """``text`` with every known secret replaced by ``***``."""
    for secret in _secrets:
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class LogMasking:
    """Scrapy extension: mask known secrets in every log record from the crawl's start, the
    password of a ``FORUMSCRAPER_DATABASE_URL`` setting included."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> LogMasking:
        from forumscraper.config import database_url

        install_log_masking()
        configured = database_url(crawler.settings)
        if configured:
            add_secrets([url_password(configured)])
        return cls()


def url_password(raw_url: str) -> str | None:
    """The password in a database URL (the whole text when it does not parse: a URL that
    cannot be read could still hold one)."""
    try:
        password = make_url(raw_url).password
    except Exception:  # an unparseable URL: mask it whole
        return raw_url
    return str(password) if password else None


def install_log_masking() -> None:
    """Mask known secrets in every log record from now on (idempotent)."""
    global _installed
    add_secrets(known_secrets())
    with _lock:
        if _installed:
            return
        _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if _secrets and may_be_emitted(record):
            try:
                message = record.getMessage()
            except Exception:  # a broken format string: leave it to logging's own report
                return record
            masked = mask(message)
            if masked != message:
                record.msg, record.args = masked, ()
        return record

    logging.setLogRecordFactory(factory)


def may_be_emitted(record: logging.LogRecord) -> bool:
    """Whether a handler that ``record``'s logger reaches lets its level through (or no handler
    is reachable, and ``logging.lastResort`` may print it).

    Scrapy leaves the root logger's level unset and filters in its handler, so at ``INFO`` the
    debug lines of every response ("Crawled (200) …") and item ("Scraped from …", which prints
    the whole item: about 120 µs a topic page) are still made into records, and masking them
    meant formatting them only for the handler to drop them."""
    logger = logging.Logger.manager.loggerDict.get(record.name)
    if not isinstance(logger, logging.Logger):
        return True  # the root logger, or a record not made by a logger: masked
    handled = False
    current: logging.Logger | None = logger
    while current is not None:
        for handler in current.handlers:
            handled = True
            if record.levelno >= handler.level:
                return True
        if not current.propagate:
            break
        current = current.parent
    return not handled
