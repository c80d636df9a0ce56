"""The ``FORUMSCRAPER_*`` settings: each one honoured from the environment and from ``-s``, each
bad value refused with the setting's name, read by the components in ``from_crawler``; the
database retries shared by the spiders and the store pipeline."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from scrapy.crawler import CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_f_from_coro_f
from scrapy.utils.test import get_crawler
from sqlalchemy.exc import IntegrityError, OperationalError

from forumscraper import config
from forumscraper.db.retry import DatabaseRetry
from forumscraper.pipelines.store import DatabasePipeline
from forumscraper.spiders.forum import ForumSpider


def project_settings(environ: dict[str, str], **command_line: Any) -> Settings:
    """The settings a crawl starts with: the settings module, ``environ`` as the environment,
    ``command_line`` as ``-s NAME=value``."""
    settings = Settings()
    settings.setmodule("forumscraper.settings", priority="project")
    settings.setdict(command_line, priority="cmdline")
    config.apply_environment(settings, environ)
    return settings


AGENT = "archiver/2 (+mailto:me@example.org)"
GOOD: list[tuple[str, str, Any]] = [
    ("FORUMSCRAPER_BASE_URL", "https://example.forumotion.com/", "https://example.forumotion.com/"),
    ("FORUMSCRAPER_TIMEZONE", "Asia/Baghdad", ZoneInfo("Asia/Baghdad")),
    ("FORUMSCRAPER_DEMO_VERSION", "punbb", "punbb"),
    ("FORUMSCRAPER_DEMO_PORT", "8080", 8080),
    ("FORUMSCRAPER_TEMPLATE_VERSION", "subsilver", "subsilver"),
    ("FORUMSCRAPER_POSTS_PER_PAGE", "20", 20),
    ("FORUMSCRAPER_MAX_RUNTIME", "3600", 3600),
    ("FORUMSCRAPER_BOARDS_AT_ONCE", "4", 4),
    ("FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE", "0.05", 0.05),
    ("FORUMSCRAPER_DB_BATCH_SIZE", "50", 50),
    ("FORUMSCRAPER_DB_MIGRATE", "0", False),
    ("FORUMSCRAPER_REFUSE_NEW_BOARDS", "1", True),
    ("FORUMSCRAPER_NEAR_DUPLICATES", "0", False),
    ("FORUMSCRAPER_DB_RETRIES", "7", 7),
    ("FORUMSCRAPER_DB_RETRY_DELAY", "0.5", 0.5),
    ("FORUMSCRAPER_WORKERS", "0", 0),
    ("FORUMSCRAPER_WORKERS_TIMEOUT", "30", 30.0),
    ("FORUMSCRAPER_WORKERS_TIMEOUT", "0", None),
    ("FORUMSCRAPER_MALLOC_ARENAS", "4", 4),
    ("FORUMSCRAPER_RETRY_AFTER_MAX", "60", 60.0),
    ("FORUMSCRAPER_USER_AGENT", AGENT, AGENT),
    ("FORUMSCRAPER_LOG_LEVEL", "warning", "WARNING"),
    ("FORUMSCRAPER_DEFAULT_EVERY", "1h30m", 5400),
    ("FORUMSCRAPER_QUEUE_CHECK_CRON", "*/5 * * * * *", "*/5 * * * * *"),
    ("FORUMSCRAPER_QUEUE_FORUM_CRON", "0  2 * * *", "0 2 * * *"),
    ("FORUMSCRAPER_QUEUE_HEARTBEAT", "2", 2.0),
    ("FORUMSCRAPER_QUEUE_STALLED_AFTER", "5", 5.0),
]  # fmt: skip


def test_every_documented_setting_has_a_reader_and_a_test() -> None:
    names = set(config.setting_names())
    assert names == set(config.READERS)
    assert names - {name for name, _, _ in GOOD} == {"FORUMSCRAPER_DATABASE_URL"}


def test_the_defaults_are_read_as_documented() -> None:
    settings = project_settings({})
    config.check_settings(settings)
    assert config.db_retries(settings) == 3
    assert config.db_retry_delay(settings) == 2.0
    assert config.db_migrate(settings) is True
    assert config.workers(settings) is None
    assert config.default_every(settings) == 900
    assert config.queue_check_cron(settings) == "* * * * *"
    assert config.base_url(settings) is None
    assert settings["LOG_LEVEL"] == "INFO"
    assert settings["USER_AGENT"].startswith("forumscraper/")


@pytest.mark.parametrize(("name", "given", "expected"), GOOD)
def test_each_setting_works_as_an_environment_variable(
    name: str, given: str, expected: Any
) -> None:
    settings = project_settings({name: given})
    assert config.READERS[name](settings) == expected


@pytest.mark.parametrize(("name", "given", "expected"), GOOD)
def test_each_setting_works_with_dash_s_and_wins_over_the_environment(
    name: str, given: str, expected: Any
) -> None:
    assert config.READERS[name](project_settings({}, **{name: given})) == expected
    other = "https://other.example.org/" if name == "FORUMSCRAPER_BASE_URL" else "nonsense"
    assert config.READERS[name](project_settings({name: other}, **{name: given})) == expected


@pytest.mark.parametrize(
    ("name", "source", "target", "given", "expected"),
    [
        ("FORUMSCRAPER_LOG_LEVEL", "environment", "LOG_LEVEL", "debug", "DEBUG"),
        ("FORUMSCRAPER_LOG_LEVEL", "command line", "LOG_LEVEL", "ERROR", "ERROR"),
        ("FORUMSCRAPER_USER_AGENT", "environment", "USER_AGENT", "a/1", "a/1"),
        ("FORUMSCRAPER_USER_AGENT", "command line", "USER_AGENT", "b/2", "b/2"),
        ("FORUMSCRAPER_MAX_RUNTIME", "environment", "CLOSESPIDER_TIMEOUT", "60", "60"),
        ("FORUMSCRAPER_MAX_RUNTIME", "command line", "CLOSESPIDER_TIMEOUT", "90", "90"),
    ],
)
def test_the_scrapy_settings_that_follow_ours(
    name: str, source: str, target: str, given: str, expected: str
) -> None:
    if source == "environment":
        settings = project_settings({name: given})
    else:
        settings = project_settings({}, **{name: given})
    assert settings[target] == expected


def test_scrapys_own_setting_on_the_command_line_still_wins() -> None:
    settings = project_settings({"FORUMSCRAPER_LOG_LEVEL": "ERROR"}, LOG_LEVEL="DEBUG")
    assert settings["LOG_LEVEL"] == "DEBUG"


def test_blank_variables_and_the_database_url_setting_are_not_taken_from_the_environment() -> None:
    environ = {"FORUMSCRAPER_DB_RETRIES": " ", "FORUMSCRAPER_DATABASE_URL": "sqlite:///x"}
    assert config.environment_settings(environ) == {}
    assert config.environment_settings({"PATH": "/bin", "FORUMSCRAPER_WORKERS": "2"}) == {
        "FORUMSCRAPER_WORKERS": "2"
    }


BAD = [
    ("FORUMSCRAPER_DB_RETRIES", "abc", "not a whole number"),
    ("FORUMSCRAPER_DB_RETRIES", "-1", "must be 0 or more"),
    ("FORUMSCRAPER_DB_RETRY_DELAY", "soon", "not a number"),
    ("FORUMSCRAPER_DB_RETRY_DELAY", "nan", "not a number"),
    ("FORUMSCRAPER_WORKERS", "-1", "must be 0 or more"),
    ("FORUMSCRAPER_WORKERS", "2.5", "not a whole number"),
    ("FORUMSCRAPER_WORKERS_TIMEOUT", "-1", "must be 0 or more"),
    ("FORUMSCRAPER_TIMEZONE", "Mars/Olympus", "not a timezone"),
    ("FORUMSCRAPER_TIMEZONE", "+25:00", "not a timezone"),
    ("FORUMSCRAPER_BASE_URL", "example.forumotion.com", "not a forum address"),
    ("FORUMSCRAPER_DEMO_VERSION", "phpbb9", "use one of prosilver"),
    ("FORUMSCRAPER_DEMO_PORT", "70000", "'70000': must be 65535 or less"),
    ("FORUMSCRAPER_DEMO_PORT", "http", "not a whole number"),
    ("FORUMSCRAPER_TEMPLATE_VERSION", "phpbb9", "use one of prosilver"),
    ("FORUMSCRAPER_POSTS_PER_PAGE", "0", "must be 1 or more"),
    ("FORUMSCRAPER_MAX_RUNTIME", "1h", "not a whole number"),
    ("FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE", "5%", "not a number"),
    ("FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE", "2", "must be 1 or less"),
    ("FORUMSCRAPER_DB_BATCH_SIZE", "0", "must be 1 or more"),
    ("FORUMSCRAPER_DB_MIGRATE", "maybe", "use 1 or 0"),
    ("FORUMSCRAPER_NEAR_DUPLICATES", "perhaps", "use 1 or 0"),
    ("FORUMSCRAPER_MALLOC_ARENAS", "two", "not a whole number"),
    ("FORUMSCRAPER_RETRY_AFTER_MAX", "-5", "must be 0 or more"),
    ("FORUMSCRAPER_LOG_LEVEL", "LOUD", "use one of CRITICAL"),
    ("FORUMSCRAPER_DEFAULT_EVERY", "soon", "write a period such as 15m"),
    ("FORUMSCRAPER_DEFAULT_EVERY", "30s", "must be at least 60 seconds"),
    ("FORUMSCRAPER_QUEUE_CHECK_CRON", "every minute", "not a cron expression"),
    ("FORUMSCRAPER_QUEUE_FORUM_CRON", "61 3 * * *", "not a cron expression"),
    ("FORUMSCRAPER_QUEUE_STALLED_AFTER", "0", "must be 1 or more"),
]


@pytest.mark.parametrize(("name", "given", "why"), BAD)
def test_a_bad_value_is_refused_in_one_line_naming_the_setting(
    name: str, given: str, why: str
) -> None:
    for settings in (project_settings({name: given}), project_settings({}, **{name: given})):
        with pytest.raises(config.BadSetting) as refused:
            config.check_settings(settings)
        message = str(refused.value)
        assert message.startswith(f"{name}={given!r}: ")
        assert why in message
        assert "\n" not in message
        assert refused.value.name == name


def test_importing_the_settings_changes_nothing() -> None:
    """No side effect at import: the log masking is installed by an extension, not here."""
    script = (
        "import logging; factory = logging.getLogRecordFactory(); "
        "import forumscraper.settings, forumscraper.secrets; "
        "assert logging.getLogRecordFactory() is factory"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)


def test_the_masking_extension_masks_the_database_url_setting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from forumscraper.secrets import LogMasking

    url = "postgresql://someone:Pr1vate-pass@127.0.0.1/forum"
    crawler = get_crawler(settings_dict={"FORUMSCRAPER_DATABASE_URL": url})
    LogMasking.from_crawler(crawler)
    with caplog.at_level("INFO"):
        import logging

        logging.getLogger("test").info("connecting to %s", url)
    assert "Pr1vate-pass" not in caplog.text
    assert "someone:***@" in caplog.text


def test_records_no_handler_emits_are_not_formatted_to_be_masked() -> None:
    """A record below the level of every handler its logger reaches is dropped unread: it is
    not formatted for masking (Scrapy's per-item debug lines print whole items); a record a
    handler emits is masked."""
    import logging
    import logging.handlers

    from forumscraper.secrets import add_secrets, install_log_masking

    install_log_masking()
    add_secrets(["Pr1vate-pass"])

    class Counted:
        formatted = 0

        def __str__(self) -> str:
            Counted.formatted += 1
            return "password Pr1vate-pass"

    logger = logging.getLogger("forumscraper.tests.quiet")
    handler = logging.handlers.BufferingHandler(capacity=100)
    handler.setLevel(logging.INFO)
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.DEBUG)  # records made at every level, as Scrapy's loggers are
    try:
        logger.debug("dropped: %s", Counted())
        assert Counted.formatted == 0
        logger.info("kept: %s", Counted())
        assert Counted.formatted == 1
        assert [record.getMessage() for record in handler.buffer] == ["kept: password ***"]
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        logger.setLevel(logging.NOTSET)


# -- the components read them in from_crawler ----------------------------------------------------


def test_the_spider_and_the_store_read_their_settings_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    for name, value in {
        "FORUMSCRAPER_DB_RETRIES": "6",
        "FORUMSCRAPER_DB_RETRY_DELAY": "0.25",
        "FORUMSCRAPER_DB_BATCH_SIZE": "40",
        "FORUMSCRAPER_POSTS_PER_PAGE": "25",
        "FORUMSCRAPER_TIMEZONE": "+03:00",
        "FORUMSCRAPER_BASE_URL": "https://example.forumotion.com/",
        "FORUMSCRAPER_WORKERS": "0",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    settings.setmodule("forumscraper.settings", priority="project")
    settings.set("FORUMSCRAPER_DATABASE_URL", sqlite_url, priority="cmdline")
    crawler = CrawlerRunner(settings).create_crawler("forum")
    crawler._apply_settings()  # as get_crawler() does: the stats, extensions, frozen settings
    spider = ForumSpider.from_crawler(crawler)
    assert spider.base_url == "https://example.forumotion.com/"
    assert spider.posts_per_page == 25
    assert spider.board_tz is not None
    assert spider.board_tz.utcoffset(None) == timedelta(hours=3)
    pipeline = DatabasePipeline.from_crawler(crawler)
    assert pipeline.batch_size == 40
    for retry in (spider.db_retry, pipeline.retry):
        assert (retry.retries, retry.delay) == (6, 0.25)


def test_a_component_refuses_a_bad_value_in_from_crawler() -> None:
    crawler = get_crawler(ForumSpider, {"FORUMSCRAPER_DB_RETRIES": "abc"})
    with pytest.raises(config.BadSetting, match=r"^FORUMSCRAPER_DB_RETRIES='abc'"):
        ForumSpider.from_crawler(crawler, base_url="https://example.forumotion.com/")


def test_the_spider_needs_a_forum() -> None:
    """Only ``scrapy crawl`` serves the demo forum when none is given; the spider never does."""
    with pytest.raises(config.BadSetting, match=r"^FORUMSCRAPER_BASE_URL: no forum to crawl"):
        ForumSpider.from_crawler(get_crawler(ForumSpider))


# -- one retry policy for reads and writes -------------------------------------------------------


class Flaky:
    """A database call that fails ``failures`` times with ``exc``, then doubles its argument."""

    def __init__(self, failures: int, exc: Exception) -> None:
        self.failures = failures
        self.exc = exc
        self.calls: list[int] = []

    def __call__(self, value: int) -> int:
        self.calls.append(value)
        if len(self.calls) <= self.failures:
            raise self.exc
        return value * 2


def outage() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("server closed the connection"))


@deferred_f_from_coro_f
async def test_a_call_is_tried_again_through_an_outage() -> None:
    seen: list[OperationalError] = []
    call = Flaky(2, outage())
    retry = DatabaseRetry(retries=2, delay=0.01)
    assert await retry.call(call, 21, action="read", on_failure=seen.append) == 42
    assert call.calls == [21, 21, 21]
    assert len(seen) == 2


@deferred_f_from_coro_f
async def test_a_lasting_outage_reaches_the_caller() -> None:
    call = Flaky(10, outage())
    with pytest.raises(OperationalError):
        await DatabaseRetry(retries=1, delay=0.0).call(call, 1, action="write")
    assert len(call.calls) == 2


@deferred_f_from_coro_f
async def test_an_error_that_is_no_outage_is_not_retried() -> None:
    call = Flaky(1, IntegrityError("INSERT", {}, Exception("duplicate key")))
    with pytest.raises(IntegrityError):
        await DatabaseRetry(retries=3, delay=0.0).call(call, 1, action="write")
    assert len(call.calls) == 1


def test_the_pauses_double() -> None:
    retry = DatabaseRetry(retries=3, delay=2.0)
    assert [retry.pause(attempt) for attempt in range(3)] == [2.0, 4.0, 8.0]


def test_a_bad_value_of_a_setting_scrapy_takes_over_is_named_in_process(sqlite_url: str) -> None:
    settings = Settings()
    settings.setmodule("forumscraper.settings", priority="project")
    settings.setdict(
        {"FORUMSCRAPER_DATABASE_URL": sqlite_url, "FORUMSCRAPER_MAX_RUNTIME": "1h"},
        priority="cmdline",
    )
    crawler = CrawlerRunner(settings).create_crawler("forum")
    with pytest.raises(config.BadSetting, match=r"^FORUMSCRAPER_MAX_RUNTIME='1h'"):
        crawler._apply_settings()
