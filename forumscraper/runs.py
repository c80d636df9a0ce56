"""Record every run in ``crawl_runs`` and decide whether it worked.

A Scrapy extension: at start it writes a ``running`` row, at the end it completes the row with
the status, counts and the run's stats as JSON, and logs one summary line saying where the data
is. Before that, the run's closing steps: the near-duplicate groups of its new articles
(``forumscraper.dedup``) and the dates without a year that its pages left undated
(``forumscraper.db.dates_by_order``). The status also decides the process exit status (see
``forumscraper.commands.crawl``):

- ``finished``: the crawl ran to its end, fetched pages and stored what it read;
- ``interrupted``: stopped by a signal (Ctrl-C, SIGTERM) or by ``FORUMSCRAPER_MAX_RUNTIME``;
- ``abandoned``: written by a later run, which found the row still ``running`` while it held the
  run lock: the process ended without completing it (SIGKILL, a hang that was killed);
- ``failed``: the address is no Forumotion board (nothing is stored, the board's recorded address
  stays), the database was unavailable, another run holds the database's run lock, the
  spider raised errors, rows could not be stored, dates disagreed with the board's clock, or
  nothing could be fetched.

One run at a time per board: at start the run finds its board in ``boards`` (registering an
address crawled for the first time) and takes the board's run lock (``forumscraper.db.lock``); a
second run of the same board started meanwhile stops at once with status ``failed`` and does not
touch the rows, while runs of other boards in the same database go on. A run whose address turns
out to be no board removes the row it registered.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider
from scrapy.utils.asyncio import run_in_thread

from forumscraper import config
from forumscraper.db.board import forget_board, record_board, schedule_next
from forumscraper.db.database import Database, database_for, first_line
from forumscraper.db.dates_by_order import date_by_order
from forumscraper.db.lock import LOCKED_MESSAGE, RunLock
from forumscraper.db.runs import finish_run, start_run
from forumscraper.db.state import LIVE_TOPICS_KEY, live_topic_counts, reopen_topics
from forumscraper.db.store import stat_key
from forumscraper.pipelines.dates import UNREADABLE, WITHOUT_YEAR

logger = logging.getLogger(__name__)

STATUS_KEY = "forumscraper/run/status"
RUN_ID_KEY = "forumscraper/run/id"
SUMMARY_KEY = "forumscraper/run/summary"
NOT_A_BOARD = "not_forumotion"
"""The close reason of a run whose first page is no Forumotion page (``spiders.base``)."""
NOT_A_BOARD_KEY = "forumscraper/board/not_forumotion"
"""What the first page showed instead of a Forumotion board."""
ELSEWHERE_KEY = "forumscraper/board/answers_elsewhere"
"""The address the board answered from instead of the one crawled (the run stops the same way
as on a page that is no board: ``NOT_A_BOARD``)."""
DATED_BY_ORDER = "forumscraper/dates/dated_by_order"
"""Posts dated at the run's close by the posts around them (``db.dates_by_order``)."""
OUT_OF_ORDER = "forumscraper/dates/out_of_order"
"""Posts left undated because the posts around them are not in id order."""
CLOCK_EVIDENCE_KEY = "forumscraper/dates/clock_evidence"
"""Why the run stopped on dates that disagree with the board's clock (``spiders.clock``)."""
MISREAD_DATES_KEY = "forumscraper/dates/misread"
"""Why the run stopped on dates misread whatever the clock (a topic page's posts out of posting
order, ``spiders.clock.out_of_posting_order``)."""


def dates_stopped(stats: dict[str, Any]) -> bool:
    """Whether the run stopped on dates that cannot be right (:data:`CLOCK_EVIDENCE_KEY`,
    :data:`MISREAD_DATES_KEY`): what it stored of the topics it read is read again next run."""
    return bool(stats.get(CLOCK_EVIDENCE_KEY) or stats.get(MISREAD_DATES_KEY))


def close_from_outside(crawler: Crawler, reason: str) -> asyncio.Future[None] | None:
    """Close the crawler's spider with ``reason`` from code that runs outside any request's
    callback, where raising ``CloseSpider`` would stop nothing (the store pipeline's writes).
    The caller keeps the returned future while it runs (the event loop holds tasks weakly);
    ``None`` before the crawl has an engine."""
    engine = crawler.engine
    if engine is None:
        return None
    return asyncio.ensure_future(engine.close_spider_async(reason=reason))


def run_status(
    stats: dict[str, Any], reason: str, max_empty_share: float = 0.0
) -> tuple[str, str | None]:
    """The run's status and, unless it finished, why (one line).

    ``max_empty_share``: the share of fetched pages that may hold nothing readable (a topic page
    with no post, see ``forumscraper/extract/empty_page``) before the run counts as failed."""
    if stats.get("forumscraper/db/unavailable"):
        return "failed", str(stats["forumscraper/db/unavailable"])
    if reason == "locked":
        return "failed", LOCKED_MESSAGE
    if reason == NOT_A_BOARD and stats.get(ELSEWHERE_KEY):
        return "failed", f"the board answers at another address: {stats[ELSEWHERE_KEY]}"
    if reason == NOT_A_BOARD:
        return "failed", f"not a Forumotion board: {stats.get(NOT_A_BOARD_KEY)}"
    if stats.get("forumscraper/login/failed"):
        return "failed", f"login failed: {stats['forumscraper/login/failed']}"
    if stats.get(MISREAD_DATES_KEY):
        return "failed", (
            f"dates were misread, the run stopped: {stats[MISREAD_DATES_KEY]} (a date word or "
            "layout of the board is read wrong, which no timezone mends: please report the "
            "board's language and date format)"
        )
    if stats.get(CLOCK_EVIDENCE_KEY):
        return "failed", (
            f"dates disagree with the board's clock, the run stopped: "
            f"{stats[CLOCK_EVIDENCE_KEY]} (set FORUMSCRAPER_TIMEZONE to the zone its pages are"
            " printed in: the board's, or on a member login the member profile's)"
        )
    if reason in ("shutdown", "closespider_timeout"):
        return "interrupted", f"stopped early ({reason})"
    if reason != "finished":
        return "failed", f"closed: {reason}"
    if not stats.get("response_received_count"):
        prefix = "downloader/exception_type_count/"
        errors = [
            f"{name.removeprefix(prefix).rsplit('.', 1)[-1]} x{count}"
            for name, count in sorted(stats.items())
            if name.startswith(prefix)
        ]
        return "failed", "no page could be fetched" + (f" ({', '.join(errors)})" if errors else "")
    if stats.get("spider_exceptions/count") or stats.get("log_count/ERROR"):
        errors = stats.get("log_count/ERROR", 0)
        return "failed", f"{errors} error(s) during the run, see the log"
    if stats.get("forumscraper/db/failed_rows"):
        return "failed", f"{stats['forumscraper/db/failed_rows']} row(s) could not be stored"
    empty = int(stats.get("forumscraper/extract/empty_page", 0))
    pages = int(stats.get("response_received_count", 0))
    if empty and empty > max_empty_share * pages:
        return "failed", (
            f"{empty} of {pages} pages held nothing readable (unknown markup, error or login "
            f"pages): more than FORUMSCRAPER_MAX_EMPTY_PAGE_SHARE={max_empty_share:g}"
        )
    return "finished", None


def run_start(stats: dict[str, Any]) -> datetime:
    """When the run started (Scrapy's ``start_time`` stat), aware UTC."""
    started = stats.get("start_time")
    if not isinstance(started, datetime):
        return datetime.now(UTC)
    return started if started.tzinfo else started.replace(tzinfo=UTC)


def run_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The counts of a ``crawl_runs`` row, from the run's Scrapy stats."""
    return {
        "requests": int(stats.get("downloader/request_count", 0)),
        "pages": int(stats.get("response_received_count", 0)),
        "new_posts": int(stats.get(stat_key("new_posts"), 0)),
        "updated_posts": int(stats.get(stat_key("updated_posts"), 0)),
        "errors": int(stats.get("log_count/ERROR", 0)),
    }


def _unread_dates(stats: dict[str, Any]) -> str:
    """The summary's words on the printed dates the run could not read (stored as NULL): a
    scheduled run's one line must show them, not only its log's warnings."""
    unread = int(stats.get(UNREADABLE, 0))
    if not unread:
        return ""
    dated = int(stats.get(DATED_BY_ORDER, 0))
    later = f", {dated} posts dated at the close by their neighbours" if dated else ""
    return f", {unread} printed dates not read (stored as NULL, see the log{later})"


class CrawlRunRecorder:
    """Writes the run's ``crawl_runs`` row and its status."""

    def __init__(
        self, crawler: Crawler, database: Database, *, max_empty_page_share: float = 0.0
    ) -> None:
        self.crawler = crawler
        self.database = database
        self.max_empty_page_share = max_empty_page_share
        self.run_id: int | None = None
        self.lock: RunLock | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunRecorder:
        extension = cls(
            crawler,
            database_for(crawler),
            max_empty_page_share=config.max_empty_page_share(crawler.settings),
        )
        config.max_runtime(crawler.settings)  # checked here; Scrapy's CloseSpider applies it
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    async def spider_opened(self, spider: Spider) -> None:
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value("forumscraper/db/unavailable"):
            return
        base_url = getattr(spider, "base_url", None)
        address = getattr(spider, "board_url", None) or base_url
        try:
            board_id = await run_in_thread(self.database.board_for, address) if address else None
        except Exception as exc:  # the store pipeline reports the outage itself
            logger.error(
                "Could not find the board in boards: %s", first_line(exc), extra={"spider": spider}
            )
            return
        lock = RunLock(self.database.engine, board_id)
        if not await run_in_thread(lock.acquire):
            logger.error("%s", LOCKED_MESSAGE, extra={"spider": spider})
            raise CloseSpider("locked")
        self.lock = lock
        try:
            self.run_id, abandoned = await run_in_thread(
                start_run, self.database.engine, spider.name, base_url, board_id
            )
        except Exception as exc:  # the store pipeline reports the outage itself
            logger.error(
                "Could not record the run in crawl_runs: %s",
                first_line(exc),
                extra={"spider": spider},
            )
            return
        self.crawler.stats.set_value(RUN_ID_KEY, self.run_id)
        if abandoned:
            logger.warning(
                "Run(s) %s never completed (their process was killed or hung): marked abandoned",
                ", ".join(map(str, abandoned)),
            )

    def _near_duplicates_due(self, reason: str) -> bool:
        """Whether the run's close signs its new articles: it stored posts, was not asked to stop
        (the next run catches up), reached its database, and the step is on."""
        stats = self.crawler.stats
        assert stats is not None
        stored = stats.get_value(stat_key("new_posts"), 0) or stats.get_value(
            stat_key("updated_posts"), 0
        )
        return bool(
            stored
            and reason not in ("locked", NOT_A_BOARD, "shutdown", "closespider_timeout")
            and not stats.get_value("forumscraper/db/unavailable")
            and config.near_duplicates(self.crawler.settings)
        )

    def _dating_due(self, reason: str) -> bool:
        """Whether the run stored posts whose date, printed without a year, their pages did not
        bound to one year (``forumscraper.pipelines.dates``), and can reach its database."""
        stats = self.crawler.stats
        assert stats is not None
        return bool(
            stats.get_value(WITHOUT_YEAR)
            and reason not in ("locked", NOT_A_BOARD)
            and not stats.get_value("forumscraper/db/unavailable")
            and self.database.board_id is not None
        )

    async def _date_by_order(self, spider: Spider) -> None:
        """Date those posts by their neighbours' dates (``forumscraper.db.dates_by_order``)."""
        stats = self.crawler.stats
        tz, board_id = getattr(spider, "board_tz", None), self.database.board_id
        assert stats is not None and board_id is not None
        if tz is None:
            return
        # This run's posts, and a day before it: those of a run killed before its close (a
        # page left them undated and its year went; ``forumscraper reprocess`` reaches older).
        since = run_start(stats.get_stats()) - timedelta(days=1)
        try:
            done = await run_in_thread(
                partial(date_by_order, self.database.engine, board_id, tz, since=since)
            )
        except Exception as exc:
            logger.warning("Could not date posts by their order: %s", first_line(exc))
            return
        stats.set_value(DATED_BY_ORDER, done.dated)
        if done.out_of_order:
            stats.set_value(OUT_OF_ORDER, done.out_of_order)
        logger.info(
            "Dates printed without a year: %d dated by the posts around them, %d left NULL%s",
            done.dated,
            done.undated + done.out_of_order,
            f" ({done.out_of_order} between posts whose dates do not follow their ids)"
            if done.out_of_order
            else "",
        )

    async def _record_live_topics(self, board_id: int) -> None:
        """The archive's live topics per forum at the end of a finished ``forum`` run
        (:data:`LIVE_TOPICS_KEY`), with which the next one tells what other runs changed in the
        forums it compares counts of. Not counted, a warning: the next run compares as after a
        run that did not finish."""
        try:
            counts = await run_in_thread(live_topic_counts, self.database.engine, board_id)
        except Exception as exc:
            logger.warning("Could not count the archive's topics per forum: %s", first_line(exc))
            return
        self.crawler.stats.set_value(
            LIVE_TOPICS_KEY, {str(forum): count for forum, count in sorted(counts.items())}
        )

    async def _reopen_topics(self, board_id: int, since: datetime) -> None:
        """The run stopped on dates that cannot be right (read on a wrong clock, or misread),
        after storing pages read the same way: the topics it stored are read whole by the next
        run (``db.state.reopen_topics``)."""
        try:
            reopened = await run_in_thread(reopen_topics, self.database.engine, board_id, since)
        except Exception as exc:
            logger.warning("Could not mark the run's topics for reading again: %s", exc)
            return
        if reopened:
            self.crawler.stats.set_value("forumscraper/dates/topics_reopened", reopened)
            logger.warning(
                "%d topic(s) stored with dates the run stopped on will be read again by the "
                "next run",
                reopened,
            )

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        stats_collector = self.crawler.stats
        assert stats_collector is not None
        if self._near_duplicates_due(reason):
            # Imported here, and only then: numpy and datasketch (about 50 MB and half a second
            # of CPU) stay out of a crawl until its end, and out of the check of an unchanged
            # board and of a crawl with the step off altogether.
            from forumscraper.dedup import after_crawl

            await after_crawl(self.crawler, self.database)
        if self._dating_due(reason):
            await self._date_by_order(spider)
        stats = stats_collector.get_stats()
        status, message = run_status(stats, reason, self.max_empty_page_share)
        stats_collector.set_value(STATUS_KEY, status)
        counts = run_counts(stats)
        board_id = self.database.board_id
        usable = reason not in ("locked", NOT_A_BOARD) and not stats.get(
            "forumscraper/db/unavailable"
        )
        if board_id is not None and usable and dates_stopped(stats):
            await self._reopen_topics(board_id, run_start(stats))
        if board_id is not None and status == "finished" and spider.name == "forum":
            await self._record_live_topics(board_id)
            stats = stats_collector.get_stats()
        wrong_clock = bool(stats.get(CLOCK_EVIDENCE_KEY))
        if board_id is not None and usable:
            try:
                await run_in_thread(
                    partial(
                        record_board,
                        self.database.engine,
                        board_id,
                        # A zone the dates disagreed with is not recorded for later runs.
                        timezone=None if wrong_clock else getattr(spider, "zone_to_record", None),
                        template_version=getattr(spider, "template_version", None),
                        title=getattr(spider, "board_title", None),
                        language=getattr(spider, "board_language", None),
                    )
                )
                await run_in_thread(schedule_next, self.database.engine, board_id, run_start(stats))
            except Exception as exc:
                logger.warning("Could not record the board's details: %s", first_line(exc))
        if board_id is not None and reason == NOT_A_BOARD and self.database.board_registered:
            try:  # registered by this run for an address that is no board
                await run_in_thread(forget_board, self.database.engine, board_id)
            except Exception as exc:
                logger.warning("Could not remove the board's row: %s", first_line(exc))
        if self.run_id is not None:
            try:
                await run_in_thread(
                    finish_run,
                    self.database.engine,
                    self.run_id,
                    status=status,
                    message=message,
                    counts=counts,
                    stats=stats,
                )
            except Exception as exc:
                logger.error(
                    "Could not complete run %s in crawl_runs: %s",
                    self.run_id,
                    first_line(exc),
                    extra={"spider": spider},
                )
        summary = (
            f"Run {self.run_id} of '{spider.name}' {status}: {counts['pages']} pages, "
            f"{counts['new_posts']} new posts, {counts['updated_posts']} updated"
            f"{_unread_dates(stats)}; data in {self.database.describe()}"
        )
        stats_collector.set_value(
            SUMMARY_KEY, summary if status == "finished" else f"{summary}. Why: {message}"
        )
        if status == "finished":
            logger.info("%s", summary)
        else:
            logger.error("%s. Why: %s", summary, message, extra={"spider": spider})
        if self.lock is not None:
            try:
                await run_in_thread(self.lock.release)
            except Exception as exc:  # the lock died with its connection: nothing to free
                logger.warning("Run lock: %s", first_line(exc))
        self.database.dispose()
