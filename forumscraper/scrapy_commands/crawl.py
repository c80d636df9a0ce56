"""``scrapy crawl``: the project's crawl command (:mod:`forumscraper.commands.crawl`, where
``forumscraper crawl`` runs the same code from any folder)."""

from __future__ import annotations

from forumscraper.commands.crawl import Command as _CrawlCommand


class Command(_CrawlCommand):
    """``scrapy crawl`` with settings checked first, the demo when no forum is given, many
    boards in one process and an exit status that says how the run went."""
