"""Run the real spiders in-process, as ``scrapy crawl`` would, against the fixture forum."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_twisted
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy import text

from forumscraper.demo.content import Board, build_demo_board
from forumscraper.demo.server import FixtureForumServer
from tests.pgserver import PostgresServer


def test_settings(db_url: str, **overrides: Any) -> Settings:
    """The project's settings, with politeness delays off (a local server) and ``db_url``."""
    settings = Settings()
    settings.setmodule("forumscraper.settings", priority="project")
    settings.setdict(
        {
            "FORUMSCRAPER_DATABASE_URL": db_url,
            "AUTOTHROTTLE_ENABLED": False,
            "DOWNLOAD_DELAY": 0,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "RETRY_TIMES": 1,
            "LOG_LEVEL": "INFO",
            "FORUMSCRAPER_DB_RETRY_DELAY": 0.1,
        }
        | overrides,
        priority="cmdline",
    )
    return settings


async def crawl(
    spider: str,
    db_url: str,
    *,
    base_url: str | None,
    spider_args: dict[str, str] | None = None,
    **overrides: Any,
) -> Crawler:
    """Run spider ``spider`` (``-a`` arguments in ``spider_args``, settings as keywords) to its
    end and return its crawler (stats, status)."""
    runner = CrawlerRunner(test_settings(db_url, **overrides))
    crawler = runner.create_crawler(spider)
    kwargs = dict(spider_args or {})
    if base_url:
        kwargs["base_url"] = base_url
    await crawler.crawl_async(**kwargs)
    return crawler


def stat(crawler: Crawler, key: str, default: Any = None) -> Any:
    assert crawler.stats is not None
    return crawler.stats.get_value(key, default)


def reply_time(board: Board, topic_id: int, ago: timedelta) -> datetime:
    """``ago`` before now (whole minutes), for a reply added to a live topic of the demo: never
    before the topic's last post, which the demo refuses as no real board shows it. Just after
    the demo board's midnight (21:00 UTC, Asia/Baghdad) its "today" posts are minutes old."""
    topic = board.topic(topic_id)
    assert topic is not None, f"no topic {topic_id}"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return max(now - ago, topic.last_post_at)


@dataclass
class Archive:
    """The demo board and the database a module's tests read it from."""

    board: Board
    url: str
    base_url: str


def demo_archive(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, label: str
) -> Iterator[Archive]:
    """The body of a module-scoped fixture parametrized ``sqlite``/``postgresql``: the demo
    board crawled once into a new database of that kind, dropped afterwards."""
    cleanup = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp(label) / 'archive.sqlite3'}"
    else:
        from tests.test_queries import create_database

        server: PostgresServer = request.getfixturevalue("postgres_server")
        admin, name, url = create_database(server)
        cleanup = (admin, name)
    board = build_demo_board()
    try:
        with FixtureForumServer(board, version="prosilver") as forum:
            crawler = pytest_twisted.blockon(
                deferred_from_coro(
                    crawl(
                        "forum", url, base_url=forum.base_url, FORUMSCRAPER_TIMEZONE=board.timezone
                    )
                )
            )
            base_url = forum.base_url
        assert crawler.stats is not None
        assert crawler.stats.get_value("forumscraper/run/status") == "finished"
        yield Archive(board=board, url=url, base_url=base_url)
    finally:
        if cleanup is not None:
            admin, name = cleanup
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
