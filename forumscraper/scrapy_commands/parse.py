"""``scrapy parse``: Scrapy's own command, without this project's run bookkeeping.

``scrapy parse URL --spider forum -c parse_topic`` shows what one callback yields, to debug a
page. It is no run of the archive: it must not take the database's run lock (a scheduled crawl
would be refused meanwhile) nor leave a ``failed`` row in ``crawl_runs``, so the
:class:`~forumscraper.runs.CrawlRunRecorder` extension is off. Items reach the pipelines (and the
database) only with ``--pipelines``, as in Scrapy.
"""

from __future__ import annotations

import argparse

from scrapy.commands.parse import Command as ScrapyParseCommand

RUN_RECORDER = "forumscraper.runs.CrawlRunRecorder"


class Command(ScrapyParseCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        extensions = self.settings.getdict("EXTENSIONS")
        self.settings.set("EXTENSIONS", {**extensions, RUN_RECORDER: None}, priority="cmdline")
