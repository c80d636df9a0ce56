"""Worker processes beside the crawl: topic pages are read and post bodies cleaned there.

The crawling process is the crawl's bottleneck: Scrapy's engine, the spiders' bookkeeping and the
store's Python side share its one core (threads share the GIL). Reading a topic page (parsing
about 60 KB of HTML, extracting its posts) and cleaning the posts' text are pure CPU work whose
inputs and outputs are cheap to send to another process, so they run in a pool of worker
processes on the other cores, one call per page each (``forumscraper.pages.topic.read_topic_page``
for the spiders, ``forumscraper.text.clean.clean_bodies`` for the cleaning pipeline).

``FORUMSCRAPER_WORKERS`` sets how many (default: one per CPU, at most four; 0: everything runs
in the crawling process, as a one-CPU machine wants). A worker that dies (killed, out of
memory) is replaced and the call it held runs again here, so no page is lost to it.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from scrapy import signals

logger = logging.getLogger(__name__)

T = TypeVar("T")

MAX_DEFAULT_WORKERS = 4
"""Reading and cleaning are a share of a crawl's work: more workers than this would idle."""
_PRELOAD = ["forumscraper.pages.topic", "forumscraper.text.clean"]


def default_workers() -> int:
    """One per CPU the process may use (the crawl's own core included, since it is idle a
    good part of the time), at most four; none on a one-CPU machine."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MAX_DEFAULT_WORKERS)


def _init_worker(lifeline: Connection) -> None:
    """Workers leave SIGINT and SIGTERM to the crawl, which finishes its current work on them
    and shuts the pool down (a terminal's Ctrl-C reaches the whole process group); and they
    exit by themselves when the crawl dies outright (SIGKILL, the OOM killer), which would
    otherwise leave them waiting for work forever, holding the crawl's output open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(target=_exit_with_the_crawl, args=(lifeline,), daemon=True).start()


def _exit_with_the_crawl(lifeline: Connection) -> None:
    """Only the crawl holds the other end of ``lifeline``: end of file means it is gone."""
    try:
        while True:
            lifeline.recv_bytes()
    except (EOFError, OSError):
        os._exit(0)


def _context() -> multiprocessing.context.BaseContext:
    """``forkserver`` where there is one: workers fork from a small single-threaded process that
    has the page and text modules imported already (quick to start, and safe from a threaded
    parent); else ``spawn``."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class Workers:
    """A pool of worker processes, started on first use; ``processes=0`` runs calls inline."""

    def __init__(self, processes: int) -> None:
        self.processes = max(0, processes)
        self._executor: ProcessPoolExecutor | None = None
        self._lifeline: Connection | None = None
        """Write end of a pipe whose read end every worker watches (see ``_init_worker``)."""
        self._watched: Connection | None = None
        self._closed = False
        self.restarts = 0

    def _pool(self) -> ProcessPoolExecutor | None:
        if self._executor is None and self.processes and not self._closed:
            context = _context()
            if self._lifeline is None or self._watched is None:
                self._watched, self._lifeline = context.Pipe(duplex=False)
            watched: Connection = self._watched
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=context,
                initializer=_init_worker,
                initargs=(watched,),
            )
        return self._executor

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """``func(*args)`` in a worker process (or here without one); its exceptions propagate."""
        pool = self._pool()
        if pool is None:
            return func(*args)
        try:
            return await asyncio.wrap_future(pool.submit(func, *args))
        except BrokenProcessPool as exc:
            self._replace(pool, exc)
            return func(*args)

    def _replace(self, broken: ProcessPoolExecutor, reason: BaseException) -> None:
        if self._executor is broken:
            logger.warning("A worker process died (%s); starting new ones", reason)
            self.restarts += 1
            self._executor = None
            broken.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Let the workers finish what they hold, then stop them."""
        self._closed = True
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)
        for end in (self._lifeline, self._watched):
            if end is not None:
                end.close()
        self._lifeline = self._watched = None


_BY_CRAWLER: weakref.WeakKeyDictionary[Any, Workers] = weakref.WeakKeyDictionary()


def workers_for(crawler: Any) -> Workers:
    """The crawl's worker pool (one per crawler, shared by the spider and the pipelines),
    stopped when the spider closes."""
    workers = _BY_CRAWLER.get(crawler)
    if workers is None:
        setting = crawler.settings.get("FORUMSCRAPER_WORKERS")
        count = default_workers() if setting in (None, "") else int(setting)
        workers = Workers(count)
        _BY_CRAWLER[crawler] = workers
        crawler.signals.connect(workers.close, signal=signals.spider_closed, weak=False)
    return workers
