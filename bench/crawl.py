"""Run one baseline spider (:mod:`bench.spiders`) in this process, with bare Scrapy settings.

    python -m bench.crawl fetch --targets FILE
    python -m bench.crawl extract --base-url http://127.0.0.1:PORT/

No project settings, pipelines or extensions: Scrapy's defaults plus the crawl settings every
variant of the benchmark shares (:data:`CRAWL_SETTINGS`). Stats are written as JSON to
``BENCH_STATS_PATH`` (:mod:`bench.stats`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from scrapy.crawler import CrawlerProcess

from bench.spiders import ExtractSpider, FetchSpider

CRAWL_SETTINGS: dict[str, str] = {
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "DOWNLOAD_DELAY": "0",
    "AUTOTHROTTLE_ENABLED": "0",
    "ROBOTSTXT_OBEY": "0",
    "TELNETCONSOLE_ENABLED": "0",
    "STATS_CLASS": "bench.stats.JsonDumpStatsCollector",
    "LOG_LEVEL": "INFO",
}
"""Politeness off and the same concurrency for every crawl of the benchmark."""


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a baseline spider of the benchmark.")
    parser.add_argument("spider", choices=("fetch", "extract"))
    parser.add_argument("--targets", default="", help="fetch: file of URLs, one per line")
    parser.add_argument("--base-url", default="", help="extract: the forum's address")
    parser.add_argument("--logfile", default=None)
    args = parser.parse_args(argv)
    settings: dict[str, str | None] = {
        **CRAWL_SETTINGS,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "LOG_FILE": args.logfile,
    }
    process = CrawlerProcess(settings)
    if args.spider == "fetch":
        process.crawl(FetchSpider, targets=args.targets)
    else:
        process.crawl(ExtractSpider, base_url=args.base_url)
    process.start()


if __name__ == "__main__":
    main()
