"""Run the real spiders in-process, as ``scrapy crawl`` would, against the fixture forum."""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.settings import Settings


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
