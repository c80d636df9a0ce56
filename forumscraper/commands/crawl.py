"""``scrapy crawl``, exiting non-zero when the run failed.

Plain ``scrapy crawl`` exits 0 even when every request failed or the database was down, so cron
and Kubernetes never see a failure. This command runs the spider as usual, then exits 1 unless
the run's status (``forumscraper.runs``) is ``finished``. The database is checked before the
crawl starts: when it cannot be reached the command prints one line and exits 1.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from forumscraper.db.config import database_url
from forumscraper.db.database import Database, DatabaseUnavailable
from forumscraper.runs import STATUS_KEY, SUMMARY_KEY


class Command(ScrapyCrawlCommand):
    def short_desc(self) -> str:
        return "Run a spider; exit status 1 when the run did not finish"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider name: forum or recent")
        assert self.crawler_process is not None
        settings = self.crawler_process.settings
        database = Database(
            database_url(settings.get("FORUMSCRAPER_DATABASE_URL")),
            migrate=settings.getbool("FORUMSCRAPER_DB_MIGRATE", True),
        )
        try:
            database.prepare()
        except DatabaseUnavailable as exc:
            print(f"forumscraper: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        finally:
            database.dispose()
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        status = crawler.stats.get_value(STATUS_KEY) if crawler.stats else None
        summary = crawler.stats.get_value(SUMMARY_KEY) if crawler.stats else None
        if summary:
            print(
                f"forumscraper: {summary}", file=sys.stdout if status == "finished" else sys.stderr
            )
        if self.crawler_process.bootstrap_failed or status != "finished":
            self.exitcode = 1
