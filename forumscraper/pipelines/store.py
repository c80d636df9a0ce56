"""Store items in the database in batches, off the reactor thread, in the order they came.

An item carrying a datetime the database cannot store (naive, or not a datetime: a bug upstream)
is dropped when it arrives, the field named in the reason (:func:`forumscraper.items.bad_times`).
Items are buffered and written ``FORUMSCRAPER_DB_BATCH_SIZE`` at a time in a worker thread
(``run_in_thread``), one transaction per batch, which this pipeline opens and commits around
:meth:`~forumscraper.db.store.Store.write_in`; batches are written one after another in the
order they were filled, so a topic's watermark is never committed before its posts. A batch that
fails is retried after a pause (the engine reconnects; ``forumscraper.db.retry``, the policy the
spiders' reads follow too); if it still fails, its rows are written one by one so that one bad
row cannot lose the others, the bad row is logged with its id, and the topic it belongs to does
not advance its watermark (the next run fetches it again).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import is_dataclass
from datetime import datetime
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import CloseSpider, DropItem
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import run_in_thread
from sqlalchemy.exc import DBAPIError, OperationalError

from forumscraper import config
from forumscraper.db.database import Database, DatabaseUnavailable, database_for, first_line
from forumscraper.db.retry import DatabaseRetry
from forumscraper.db.store import Batch, BatchResult
from forumscraper.items import (
    CategoryItem,
    ForumItem,
    PostItem,
    TopicItem,
    TopicPageItem,
    bad_times,
)
from forumscraper.runs import close_from_outside

logger = logging.getLogger(__name__)

_KINDS: dict[type, str] = {
    CategoryItem: "categories",
    ForumItem: "forums",
    TopicItem: "topics",
    PostItem: "posts",
}


_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), datetime})


def as_row(item: Any) -> dict[str, Any]:
    """``ItemAdapter(item).asdict()``, many times cheaper.

    Our items are dataclasses of plain values, read once they reach this pipeline and never
    changed after: their fields are copied as they are (containers shared, not copied). Other
    items go through ``ItemAdapter``, which asks every adapter class whether each value is an
    item (about 50 µs a post, on the reactor thread), so only values of other types do here.
    """
    if is_dataclass(item) and hasattr(item, "__dict__"):
        return dict(vars(item))
    adapter = ItemAdapter(item)
    return {name: _plain(adapter[name]) for name in adapter}


def _plain(value: Any) -> Any:
    """What ``ItemAdapter.asdict`` makes of a value: containers copied, nested items as dicts."""
    if type(value) in _PLAIN_TYPES:
        return value
    if isinstance(value, dict):
        return {key: _plain(inner) for key, inner in value.items()}
    if isinstance(value, (list, set, tuple)):
        return value.__class__(_plain(inner) for inner in value)
    if isinstance(value, ItemAdapter):
        return value.asdict()
    if ItemAdapter.is_item(value):
        return ItemAdapter(value).asdict()
    return value


class DatabasePipeline:
    """Writes categories, forums, topics and posts with batched upserts."""

    def __init__(
        self, crawler: Crawler, database: Database, *, batch_size: int, retry: DatabaseRetry
    ) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.database = database
        self.batch_size = batch_size
        self.retry = retry
        self.batch = Batch()
        self._write_lock: asyncio.Lock | None = None
        self.failed = False
        self.failed_topics: set[int] = set()
        """Topics a post of which could not be stored in this run: none is completed (its
        watermark stays, so the next run reads it again), whichever batch completes it."""
        self._closing: asyncio.Future[None] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DatabasePipeline:
        return cls(
            crawler,
            database_for(crawler),
            batch_size=config.db_batch_size(crawler.settings),
            retry=DatabaseRetry.from_crawler(crawler),
        )

    async def open_spider(self) -> None:
        self._write_lock = asyncio.Lock()
        try:
            await run_in_thread(self.database.prepare)
        except DatabaseUnavailable as exc:
            self.failed = True
            self.stats.set_value("forumscraper/db/unavailable", str(exc))
            logger.error("%s", exc, extra={"spider": self.crawler.spider})
            raise CloseSpider("database_unavailable") from exc
        logger.info("Storing in %s", self.database.describe())

    async def process_item(self, item: Any) -> Any:
        problems = bad_times(item)
        if problems:
            # A bug upstream (dates are read aware): the page is fetched again next run, its
            # topic's watermark held back with it.
            raise DropItem(f"Datetimes the database cannot store: {'; '.join(problems)}")
        if isinstance(item, TopicPageItem):
            if item.topic is not None:
                self.batch.topics.append(as_row(item.topic))
            self.batch.posts.extend(as_row(post) for post in item.posts)
            if item.completed is not None:
                self.batch.topics.append(as_row(item.completed))
            if len(self.batch) >= self.batch_size:
                await self.flush()
            return item
        kind = _KINDS.get(type(item))
        if kind is None:
            return item
        getattr(self.batch, kind).append(as_row(item))
        if len(self.batch) >= self.batch_size:
            await self.flush()
        return item

    async def close_spider(self) -> None:
        await self.flush()

    async def flush(self) -> None:
        """Write what is buffered; batches are written in the order they were filled."""
        batch, self.batch = self.batch, Batch()
        if not len(batch) or self.failed:
            return
        assert self._write_lock is not None
        async with self._write_lock:  # after the batch before it: its failed rows are known
            if self.failed_topics:
                batch.topics = [row for row in batch.topics if not self._keeps_watermark(row)]
            result = await self._write_with_retries(batch)
        if result is not None:
            self._count(result)
            check = getattr(self.crawler.spider, "check_stored_dates", None)
            if check is not None:  # a post's date never changes: the spider judges moves
                check(result.dates_moved, result.dates_kept)

    async def _write_with_retries(self, batch: Batch) -> BatchResult | None:
        """Write ``batch``; ``None`` when the database stayed unreachable (the crawl stops)."""
        try:
            return await self.retry.call(
                self._store, batch, action="write", on_failure=self._count_retry
            )
        except OperationalError as exc:
            self._give_up(
                f"the database refused every write for {self.retry.attempts} attempts "
                f"(unreachable, full or read-only): {first_line(exc)}"
            )
            return None
        except DBAPIError as exc:  # a bad row: retrying the whole batch cannot help
            logger.warning(
                "Writing a batch of %d rows one by one after: %s", len(batch), first_line(exc)
            )
            return await run_in_thread(self._write_one_by_one, batch)

    def _store(self, batch: Batch) -> BatchResult:
        """Write ``batch`` in one transaction, committed when this returns (in a thread), as
        rows of the crawl's board (found by the spider at start; ``scrapy parse`` finds it
        here)."""
        if self.database.board_id is None:
            spider = self.crawler.spider
            address = getattr(spider, "board_url", None) or getattr(spider, "base_url", None)
            self.database.board_for(str(address or ""))
        with self.database.engine.begin() as connection:
            return self.database.store.write_in(connection, batch)

    def _count_retry(self, exc: OperationalError) -> None:
        self.stats.inc_value("forumscraper/db/batch_retries")

    def _give_up(self, message: str) -> None:
        """Stop the crawl: nothing more is written, so no watermark advances past the outage."""
        self.failed = True
        self.stats.set_value("forumscraper/db/unavailable", message)
        logger.error("Stopping the crawl: %s", message, extra={"spider": self.crawler.spider})
        self._closing = close_from_outside(self.crawler, "database_unavailable")

    def _write_one_by_one(self, batch: Batch) -> BatchResult:
        """Each row in its own transaction; a failed post keeps its topic's watermark back."""
        total = BatchResult()
        rows: list[tuple[str, dict[str, Any]]] = [
            (kind, row) for kind in ("categories", "forums") for row in getattr(batch, kind)
        ]
        rows += [("topics", row) for row in batch.topics if not row.get("complete")]
        rows += [("posts", row) for row in batch.posts]
        rows += [("topics", row) for row in batch.topics if row.get("complete")]
        for kind, row in rows:
            topic = row.get("topic_id") if kind == "posts" else row.get("id")
            if kind == "topics" and self._keeps_watermark(row):
                continue
            try:
                total.add(self._store(Batch(**{kind: [row]})))
            except DBAPIError as exc:
                self.stats.inc_value("forumscraper/db/failed_rows")
                logger.error(
                    "Could not store %s id=%s: %s",
                    kind.rstrip("s"),
                    row.get("id"),
                    first_line(exc),
                    extra={"spider": self.crawler.spider},
                )
                if topic is not None:
                    self.failed_topics.add(topic)
        return total

    def _keeps_watermark(self, row: dict[str, Any]) -> bool:
        """Whether ``row`` completes a topic a post of which failed in this run: it is not
        written, and the topic keeps its watermark."""
        if not row.get("complete") or row.get("id") not in self.failed_topics:
            return False
        logger.error(
            "Topic %s keeps its watermark: some of its rows failed",
            row.get("id"),
            extra={"spider": self.crawler.spider},
        )
        return True

    def _count(self, result: BatchResult) -> None:
        self.stats.inc_value("forumscraper/db/batches")
        for key, value in result.stats().items():
            self.stats.inc_value(key, value)
