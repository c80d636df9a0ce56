"""``scrapy crawl``: settings checked first, the demo forum when no forum is given, and an exit
status that says how the run went.

- Every ``FORUMSCRAPER_*`` setting is read before anything else (``forumscraper.config``): a bad
  value prints one line naming the setting and exits with status 2, Scrapy's usage-error status.
- The database is checked before the crawl starts: when it cannot be reached the command prints
  one line and exits 1.
- With no forum address (neither ``-a base_url=…`` nor ``FORUMSCRAPER_BASE_URL``) the bundled
  demo forum is served on 127.0.0.1 for the length of the crawl, and crawled.
- Plain ``scrapy crawl`` exits 0 even when every request failed or the database was down, so
  cron and Kubernetes never see a failure: this command exits 1 unless the run's status
  (``forumscraper.runs``) is ``finished``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from forumscraper import config
from forumscraper.db.database import Database, DatabaseUnavailable
from forumscraper.runs import STATUS_KEY, SUMMARY_KEY
from forumscraper.secrets import install_log_masking

if TYPE_CHECKING:
    from forumscraper.demo.server import FixtureForumServer

logger = logging.getLogger(__name__)

USAGE_ERROR = 2
"""Exit status of a command line or setting that cannot work (as Scrapy's own usage errors)."""


def bad_setting(exc: config.BadSetting) -> int:
    """Report a bad setting in one line; the exit status to use."""
    print(f"forumscraper: {exc}", file=sys.stderr)
    return USAGE_ERROR


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit status 1 when the run did not finish, 2 on a bad setting"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        # Here, before Scrapy builds the crawler process and sets logging up from LOG_LEVEL.
        assert self.settings is not None
        try:
            config.apply_environment(self.settings)
            config.check_settings(self.settings)
            Database.from_settings(self.settings)  # a readable database URL (nothing connects)
        except config.BadSetting as exc:
            raise SystemExit(bad_setting(exc)) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name: forum or recent")
        assert self.crawler_process is not None
        install_log_masking()  # before the database check, whose errors might hold a password
        settings = self.crawler_process.settings
        database = Database.from_settings(settings)
        try:
            database.prepare()
        except DatabaseUnavailable as exc:
            print(f"forumscraper: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        finally:
            database.dispose()
        demo = None
        if not opts.spargs.get("base_url") and not config.base_url(settings):
            demo = start_demo(config.demo_version(settings))
            opts.spargs["base_url"] = demo.base_url
        try:
            crawler = self._create_crawler(args[0])
            self.crawler_process.crawl(crawler, **opts.spargs)
            self.crawler_process.start()
        finally:
            if demo is not None:
                demo.stop()
        stats = crawler._stats  # None when the crawl never started (Scrapy's documented way)
        status = stats.get_value(STATUS_KEY) if stats else None
        summary = stats.get_value(SUMMARY_KEY) if stats else None
        if summary:
            print(
                f"forumscraper: {summary}", file=sys.stdout if status == "finished" else sys.stderr
            )
        if self.crawler_process.bootstrap_failed or status != "finished":
            self.exitcode = 1


def start_demo(version: str) -> FixtureForumServer:
    """Serve the bundled demo forum on 127.0.0.1 (a free port) and return its server."""
    from forumscraper.demo.content import build_demo_board
    from forumscraper.demo.server import FixtureForumServer

    server = FixtureForumServer(build_demo_board(), version=version)
    server.start()
    logger.info(
        "No forum URL given (-a base_url=… or FORUMSCRAPER_BASE_URL): crawling the bundled "
        "demo forum (%s) at %s",
        version,
        server.base_url,
    )
    return server
