"""The ``FORUMSCRAPER_*`` settings in one place: where their values come from, how they are read.

A setting's default and documentation are in ``forumscraper.settings``. Its value comes from, the
last one winning: that module, the environment variable of the same name, then
``scrapy crawl … -s NAME=value``. :func:`environment_settings` is the one function that reads the
environment for settings; the :class:`EnvironmentSettings` add-on applies what it finds before a
crawl is built (``scrapy crawl`` and in-process runners alike), together with the three Scrapy
settings that follow ours (:data:`DERIVED`).

Components read their settings in ``from_crawler`` through the readers below, each of which raises
:class:`BadSetting` naming the setting when the value is unusable. ``scrapy crawl`` runs every
reader before anything else (:func:`check_settings`): a bad value stops it with one line and exit
status 2, before the database is touched.

Secrets are not settings, so that Scrapy never holds or prints them: ``DATABASE_URL``,
``FORUMSCRAPER_USERNAME`` and ``FORUMSCRAPER_PASSWORD`` (and their ``*_FILE`` forms) are read by
``forumscraper.db.config.read_secret`` where they are used.

The readers take any mapping with ``get`` (Scrapy's ``Settings`` in a crawl); this module imports
no Scrapy.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import Any, Protocol
from urllib.parse import urlsplit


class SettingsLike(Protocol):
    """What the readers need of ``scrapy.settings.BaseSettings``."""

    def get(self, name: str, default: Any = None) -> Any: ...


class BadSetting(ValueError):
    """A setting's value cannot be used; the message is one line that starts with its name."""

    def __init__(self, name: str, value: Any, reason: str) -> None:
        self.name = name
        shown = f"{name}={value!r}" if value is not None else name
        super().__init__(f"{shown}: {reason}")


NOT_FROM_ENVIRONMENT = frozenset({"FORUMSCRAPER_DATABASE_URL"})
"""Settings that no environment variable sets: the database's environment variable is
``DATABASE_URL`` (a secret, never a Scrapy setting)."""

DERIVED = {
    "LOG_LEVEL": "FORUMSCRAPER_LOG_LEVEL",
    "USER_AGENT": "FORUMSCRAPER_USER_AGENT",
    "CLOSESPIDER_TIMEOUT": "FORUMSCRAPER_MAX_RUNTIME",
}
"""Scrapy settings that take the value of one of ours, with its priority (a ``-s LOG_LEVEL=…``
given on the command line still wins over ``FORUMSCRAPER_LOG_LEVEL`` from the environment)."""


def setting_names() -> list[str]:
    """Every ``FORUMSCRAPER_*`` setting, as documented in ``forumscraper.settings``."""
    from forumscraper import settings

    return sorted(name for name in vars(settings) if name.startswith("FORUMSCRAPER_"))


def environment_settings(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The settings given as environment variables (``os.environ`` unless ``environ``): every
    documented ``FORUMSCRAPER_*`` setting set to a non-empty value, as the text it holds."""
    environ = os.environ if environ is None else environ
    return {
        name: environ[name]
        for name in setting_names()
        if name not in NOT_FROM_ENVIRONMENT and environ.get(name, "").strip()
    }


def apply_environment(settings: Any, environ: Mapping[str, str] | None = None) -> None:
    """Put the environment's settings into ``settings`` (a ``scrapy.settings.Settings``), above
    the settings module and below the command line, then the :data:`DERIVED` Scrapy settings."""
    settings.setdict(environment_settings(environ), priority="project")
    for target, source in DERIVED.items():
        value = settings.get(source)
        if value in (None, ""):
            continue
        if target == "LOG_LEVEL" and isinstance(value, str):
            value = value.strip().upper()  # logging knows the names in capitals only
        settings.set(target, value, priority=settings.getpriority(source))


class EnvironmentSettings:
    """Scrapy add-on (``ADDONS``) applying :func:`apply_environment` before a crawl is built."""

    @classmethod
    def update_pre_crawler_settings(cls, settings: Any) -> None:
        apply_environment(settings)

    def update_settings(self, settings: Any) -> None:
        """When a crawler applies its settings, before any component is built: the settings
        Scrapy's own components take over (:data:`DERIVED`) must be usable, or the error would
        name Scrapy's setting rather than ours."""
        for source in DERIVED.values():
            READERS[source](settings)

    def __repr__(self) -> str:  # Scrapy lists the enabled add-ons in its log
        return f"{__name__}.{type(self).__name__}"


# -- reading values ------------------------------------------------------------------------------


def _given(settings: SettingsLike, name: str) -> Any:
    """The setting's value, ``None`` when unset or blank."""
    value = settings.get(name)
    if isinstance(value, str):
        value = value.strip()
    return None if value in (None, "") else value


def whole_number(settings: SettingsLike, name: str, default: int, *, minimum: int = 0) -> int:
    value = optional_whole_number(settings, name, minimum=minimum)
    return default if value is None else value


def optional_whole_number(settings: SettingsLike, name: str, *, minimum: int = 0) -> int | None:
    value = _given(settings, name)
    if value is None:
        return None
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise BadSetting(name, value, "not a whole number")
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise BadSetting(name, value, "not a whole number") from None
    if number < minimum:
        raise BadSetting(name, value, f"must be {minimum} or more")
    return number


def number(
    settings: SettingsLike,
    name: str,
    default: float,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
) -> float:
    value = _given(settings, name)
    if value is None:
        return default
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise BadSetting(name, value, "not a number") from None
    if isinstance(value, bool) or not math.isfinite(result):
        raise BadSetting(name, value, "not a number")
    if result < minimum:
        raise BadSetting(name, value, f"must be {minimum:g} or more")
    if maximum is not None and result > maximum:
        raise BadSetting(name, value, f"must be {maximum:g} or less")
    return result


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def flag(settings: SettingsLike, name: str, default: bool) -> bool:
    value = _given(settings, name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadSetting(name, value, "use 1 or 0 (true/false, yes/no)")


def text(settings: SettingsLike, name: str, default: str | None = None) -> str | None:
    value = _given(settings, name)
    return default if value is None else str(value)


def choice(
    settings: SettingsLike, name: str, choices: tuple[str, ...], default: str | None = None
) -> str | None:
    value = _given(settings, name)
    if value is None:
        return default
    if value not in choices:
        raise BadSetting(name, value, f"use one of {', '.join(choices)}")
    return str(value)


_PERIOD = re.compile(r"(\d+)\s*([smhd])", re.IGNORECASE)
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def period_seconds(text: str) -> int | None:
    """``15m``, ``1h``, ``1h30m``, ``900s``, ``2d`` or plain seconds, in seconds; ``None`` when
    ``text`` is not written so."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    parts = _PERIOD.findall(value)
    if not parts or _PERIOD.sub("", value).strip():
        return None
    return sum(int(number) * _UNIT[unit.lower()] for number, unit in parts)


def period(settings: SettingsLike, name: str, default: int, *, minimum: int = 1) -> int:
    """A period setting (see :func:`period_seconds`), in seconds."""
    value = _given(settings, name)
    if value is None:
        return default
    seconds = period_seconds(str(value))
    if seconds is None:
        raise BadSetting(name, value, "write a period such as 15m, 1h, 1h30m or 900s")
    if seconds < minimum:
        raise BadSetting(name, value, f"must be at least {minimum} seconds")
    return seconds


def cron(settings: SettingsLike, name: str, default: str) -> str:
    """A cron expression (five fields, or six with seconds last), as the queue reads it."""
    from croniter import croniter  # installed with procrastinate

    value = _given(settings, name)
    if value is None:
        return default
    expression = " ".join(str(value).split())
    if len(expression.split()) not in (5, 6) or not croniter.is_valid(expression):
        raise BadSetting(name, value, "not a cron expression (such as '30 3 * * *')")
    return expression


# -- the settings ---------------------------------------------------------------------------------


def base_url(settings: SettingsLike) -> str | None:
    """``FORUMSCRAPER_BASE_URL``: an ``http(s)://`` address, or ``None``."""
    value = text(settings, "FORUMSCRAPER_BASE_URL")
    return None if value is None else forum_address("FORUMSCRAPER_BASE_URL", value)


def forum_address(name: str, value: str) -> str:
    """``value`` when it is a forum's ``http(s)://`` address, else :class:`BadSetting` naming
    ``name`` (the setting, or the ``base_url`` spider argument) and showing a right value."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = "https://name.forumotion.com/"
        if not parts.scheme and not parts.netloc and parts.path and "/" not in parts.path[:-1]:
            hint = f"https://{parts.path.rstrip('/')}/"  # "name.forumotion.com": no scheme
        raise BadSetting(name, value, f"not a forum address; write it as {hint}")
    try:
        parts.port  # noqa: B018 - raises for a port that is no number from 0 to 65535
    except ValueError:
        raise BadSetting(name, value, "not a forum address: its port is no port") from None
    if not (parts.hostname or "").rstrip("."):
        raise BadSetting(name, value, "not a forum address: it names no host")
    return value.strip()


def board_timezone(settings: SettingsLike) -> tzinfo | None:
    """``FORUMSCRAPER_TIMEZONE``, or ``None`` (the timezone is then found on the board)."""
    from forumscraper.text.dates import board_timezone as parse

    value = text(settings, "FORUMSCRAPER_TIMEZONE")
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError:
        raise BadSetting(
            "FORUMSCRAPER_TIMEZONE",
            value,
            "not a timezone (an IANA name such as Asia/Baghdad, or an offset such as +03:00)",
        ) from None


def _versions() -> tuple[str, ...]:
    """The template versions' names (the registry, ``forumscraper.pages.versions``)."""
    from forumscraper.pages.versions import VERSIONS

    return VERSIONS


def demo_version(settings: SettingsLike) -> str:
    return choice(settings, "FORUMSCRAPER_DEMO_VERSION", _versions(), "prosilver") or "prosilver"


def demo_port(settings: SettingsLike) -> int:
    port = whole_number(settings, "FORUMSCRAPER_DEMO_PORT", 8000)
    if port > 65535:
        given = _given(settings, "FORUMSCRAPER_DEMO_PORT")
        raise BadSetting("FORUMSCRAPER_DEMO_PORT", given, "must be 65535 or less")
    return port


def template_version(settings: SettingsLike) -> str | None:
    return choice(settings, "FORUMSCRAPER_TEMPLATE_VERSION", _versions())


def posts_per_page(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_POSTS_PER_PAGE", 15, minimum=1)


def boards_at_once(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_BOARDS_AT_ONCE", 8, minimum=1)


def max_runtime(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_MAX_RUNTIME", 0)


def max_empty_page_share(settings: SettingsLike) -> float:
    return number(settings, "FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE", 0.0, maximum=1.0)


def db_batch_size(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_DB_BATCH_SIZE", 500, minimum=1)


def new_boards_refused(settings: SettingsLike) -> bool:
    return flag(settings, "FORUMSCRAPER_REFUSE_NEW_BOARDS", False)


def db_migrate(settings: SettingsLike) -> bool:
    return flag(settings, "FORUMSCRAPER_DB_MIGRATE", True)


def near_duplicates(settings: SettingsLike) -> bool:
    return flag(settings, "FORUMSCRAPER_NEAR_DUPLICATES", True)


def db_retries(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_DB_RETRIES", 3)


def db_retry_delay(settings: SettingsLike) -> float:
    return number(settings, "FORUMSCRAPER_DB_RETRY_DELAY", 2.0)


def database_url(settings: SettingsLike) -> str | None:
    """``FORUMSCRAPER_DATABASE_URL`` as given (checked, and its password kept out of messages,
    by ``forumscraper.db.database``)."""
    return text(settings, "FORUMSCRAPER_DATABASE_URL")


def workers(settings: SettingsLike) -> int | None:
    """``FORUMSCRAPER_WORKERS``; ``None``: the default (see ``forumscraper.workers``)."""
    return optional_whole_number(settings, "FORUMSCRAPER_WORKERS")


def workers_timeout(settings: SettingsLike) -> float | None:
    """``FORUMSCRAPER_WORKERS_TIMEOUT``: seconds a worker may spend on one call; ``None`` (0):
    no bound."""
    value = number(settings, "FORUMSCRAPER_WORKERS_TIMEOUT", 60.0)
    return value or None


def malloc_arenas(settings: SettingsLike) -> int:
    return whole_number(settings, "FORUMSCRAPER_MALLOC_ARENAS", 2)


def retry_after_max(settings: SettingsLike) -> float:
    return number(settings, "FORUMSCRAPER_RETRY_AFTER_MAX", 300.0)


def user_agent(settings: SettingsLike) -> str | None:
    return text(settings, "FORUMSCRAPER_USER_AGENT")


LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


def default_every(settings: SettingsLike) -> int:
    return period(settings, "FORUMSCRAPER_DEFAULT_EVERY", 900, minimum=60)


def queue_check_cron(settings: SettingsLike) -> str:
    return cron(settings, "FORUMSCRAPER_QUEUE_CHECK_CRON", "* * * * *")


def queue_forum_cron(settings: SettingsLike) -> str:
    return cron(settings, "FORUMSCRAPER_QUEUE_FORUM_CRON", "30 3 * * *")


def queue_heartbeat(settings: SettingsLike) -> float:
    return number(settings, "FORUMSCRAPER_QUEUE_HEARTBEAT", 10.0, minimum=0.1)


def queue_stalled_after(settings: SettingsLike) -> float:
    return number(settings, "FORUMSCRAPER_QUEUE_STALLED_AFTER", 60.0, minimum=1.0)


def log_level(settings: SettingsLike) -> str:
    value = _given(settings, "FORUMSCRAPER_LOG_LEVEL")
    if value is None:
        return "INFO"
    if str(value).upper() not in LOG_LEVELS:
        raise BadSetting("FORUMSCRAPER_LOG_LEVEL", value, f"use one of {', '.join(LOG_LEVELS)}")
    return str(value).upper()


READERS: dict[str, Callable[[SettingsLike], Any]] = {
    "FORUMSCRAPER_BASE_URL": base_url,
    "FORUMSCRAPER_TIMEZONE": board_timezone,
    "FORUMSCRAPER_DEMO_VERSION": demo_version,
    "FORUMSCRAPER_DEMO_PORT": demo_port,
    "FORUMSCRAPER_TEMPLATE_VERSION": template_version,
    "FORUMSCRAPER_POSTS_PER_PAGE": posts_per_page,
    "FORUMSCRAPER_BOARDS_AT_ONCE": boards_at_once,
    "FORUMSCRAPER_REFUSE_NEW_BOARDS": new_boards_refused,
    "FORUMSCRAPER_MAX_RUNTIME": max_runtime,
    "FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE": max_empty_page_share,
    "FORUMSCRAPER_DB_BATCH_SIZE": db_batch_size,
    "FORUMSCRAPER_DB_MIGRATE": db_migrate,
    "FORUMSCRAPER_NEAR_DUPLICATES": near_duplicates,
    "FORUMSCRAPER_DB_RETRIES": db_retries,
    "FORUMSCRAPER_DB_RETRY_DELAY": db_retry_delay,
    "FORUMSCRAPER_DATABASE_URL": database_url,
    "FORUMSCRAPER_WORKERS": workers,
    "FORUMSCRAPER_WORKERS_TIMEOUT": workers_timeout,
    "FORUMSCRAPER_MALLOC_ARENAS": malloc_arenas,
    "FORUMSCRAPER_RETRY_AFTER_MAX": retry_after_max,
    "FORUMSCRAPER_USER_AGENT": user_agent,
    "FORUMSCRAPER_DEFAULT_EVERY": default_every,
    "FORUMSCRAPER_QUEUE_CHECK_CRON": queue_check_cron,
    "FORUMSCRAPER_QUEUE_FORUM_CRON": queue_forum_cron,
    "FORUMSCRAPER_QUEUE_HEARTBEAT": queue_heartbeat,
    "FORUMSCRAPER_QUEUE_STALLED_AFTER": queue_stalled_after,
    "FORUMSCRAPER_LOG_LEVEL": log_level,
}
"""The reader of every setting (a test checks that ``forumscraper.settings`` has no other)."""


def check_settings(settings: SettingsLike) -> None:
    """Read every setting once; the first unusable one raises :class:`BadSetting`."""
    for read in READERS.values():
        read(settings)
