"""Crawls whose worker processes fail: a worker killed mid-crawl costs nothing, a page that kills
every worker it is read in is one failed page, and neither touches the crawling process."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest
from scrapy import signals
from scrapy.crawler import CrawlerRunner
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import func, select

from forumscraper.db.engine import make_engine
from forumscraper.db.models import Post
from forumscraper.demo.content import DEMO_SEED_TOPIC_ID, Board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.pages.common import DateContext
from forumscraper.pages.topic import TopicPageReading
from forumscraper.reading import Cleaning, read_and_clean_topic_page
from forumscraper.spiders import topics
from tests.crawling import crawl, stat
from tests.crawling import test_settings as crawl_settings
from tests.test_crawl_forum import check_database_holds_the_board

TZ = "Asia/Baghdad"


def _killing_reader(
    url: str, body: bytes, encoding: str, dates: DateContext, skip: frozenset[int]
) -> tuple[TopicPageReading, Cleaning]:
    """The real reader, except that the seed topic's page kills the worker reading it (as a
    crash in a C library would); in the crawling process it would kill the crawl."""
    if f"/t{DEMO_SEED_TOPIC_ID}-" in url:
        os.kill(os.getpid(), signal.SIGKILL)
    return read_and_clean_topic_page(url, body, encoding, dates, skip)


@deferred_f_from_coro_f
async def test_a_worker_killed_mid_crawl_costs_no_page(
    sqlite_url: str, board: Board, server: FixtureForumServer
) -> None:
    crawler: Any = None
    killed: list[int] = []

    def kill_a_worker(item: object) -> None:
        channels = [c for c in crawler.spider.workers._channels if not c.dead]
        if not killed and channels:
            killed.append(channels[0].pid)
            os.kill(channels[0].pid, signal.SIGKILL)

    runner = CrawlerRunner(crawl_settings(sqlite_url, FORUMSCRAPER_TIMEZONE=TZ))
    crawler = runner.create_crawler("forum")
    crawler.signals.connect(kill_a_worker, signal=signals.item_scraped)
    await crawler.crawl_async(base_url=server.base_url)
    assert killed and stat(crawler, "forumscraper/workers/restarts") >= 1
    assert stat(crawler, "forumscraper/run/status") == "finished"
    assert stat(crawler, "forumscraper/extract/errors", 0) == 0
    engine = make_engine(sqlite_url)
    try:
        check_database_holds_the_board(engine, board)
    finally:
        engine.dispose()


@deferred_f_from_coro_f
async def test_a_page_that_kills_workers_is_a_failed_page_and_the_crawl_goes_on(
    sqlite_url: str,
    board: Board,
    server: FixtureForumServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(topics, "read_and_clean_topic_page", _killing_reader)
    crawler = await crawl(
        "forum",
        sqlite_url,
        base_url=server.base_url,
        FORUMSCRAPER_TIMEZONE=TZ,
        FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE=0.5,
    )
    seed = board.topic(DEMO_SEED_TOPIC_ID)
    assert seed is not None
    assert stat(crawler, "forumscraper/extract/errors") == 1
    assert stat(crawler, "forumscraper/extract/empty_page") == 1
    assert stat(crawler, "forumscraper/workers/restarts") == 2
    assert "killed 2 worker processes" in caplog.text
    assert stat(crawler, "forumscraper/clean/posts") == len(board.live_posts()) - len(
        seed.live_posts
    )
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(Post)).scalar_one()
            seed_posts = connection.execute(
                select(func.count()).select_from(Post).where(Post.topic_id == seed.id)
            ).scalar_one()
    finally:
        engine.dispose()
    assert seed_posts == 0
    assert stored == len(board.live_posts()) - len(seed.live_posts)
