"""The crawling process's memory: glibc's malloc arenas capped, the startup heap frozen for the
garbage collector.

glibc gives every thread that allocates while another thread holds the allocator its own
*arena* (a heap of its own, up to eight per CPU). The crawl's threads (the reactor thread pool
behind ``run_in_thread``, where batches are written and stored topics read) each build batches
of posts in their own arena, and memory freed in an arena is reused only by that arena: the
process keeps each arena's high-water mark, and the more threads the pool has started the more
high-water marks it keeps. Over a crawl of 100,000 posts this made the crawling process grow by
about 20 MB of freed-but-held heap (measured with ``mallinfo2``: in-use memory stayed at
~45 MB while the heap went from 57 to 80 MB as the pool grew from 4 to 8 threads; with two
arenas the heap stayed at 55-63 MB).

:class:`MallocArenaLimit` is a Scrapy extension that sets glibc's ``M_ARENA_MAX`` with
``mallopt`` when the crawler is created, before the thread pool starts: the effect of
``MALLOC_ARENA_MAX=2`` in the environment, without asking every cron line and compose file to
set it. ``FORUMSCRAPER_MALLOC_ARENAS`` chooses the number (default 2; 0 leaves glibc's default).
Python code allocates under the GIL anyway, so threads sharing an arena seldom wait on its lock
(measured: no loss of throughput in the benchmark). On a C library other than glibc (musl,
macOS) the extension does nothing.

:class:`FrozenStartupHeap` is a Scrapy extension for the collector's share of the crawl's CPU.
Python's cyclic garbage collector traverses every tracked object of the generations it collects,
and the crawling process holds about a million of them once Scrapy, Twisted, SQLAlchemy and the
project are imported: each full collection took about 70 ms, and the collections of a crawl of
15,000 posts about 0.6 s of the crawling process's 4 s (timed with ``gc.callbacks``). When the
spider opens, everything alive then (modules, settings, components: it lives as long as the
crawl) is collected once and moved to the permanent generation (``gc.freeze``), which no
collection traverses, and the youngest generation is collected every
:data:`GC_YOUNG_THRESHOLD` allocations instead of 700 (a page's items and requests are
thousands of short-lived objects). That took the collections to about 0.17 s. Cycles made
during the crawl are still collected. It is done once per process, when its first spider opens,
and undone when no spider is open any more (the frozen objects go back to the oldest generation
and the thresholds to what they were), so a process running crawl after crawl (many boards, the
tests) pays the collection once and frees what the first crawl left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import logging
from dataclasses import dataclass

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from forumscraper import config

logger = logging.getLogger(__name__)

M_ARENA_MAX = -8
"""``mallopt`` parameter number of the arena limit (glibc's ``malloc.h``)."""
GC_YOUNG_THRESHOLD = 5000
"""Allocations (less deallocations) between two collections of the youngest generation during
a crawl (Python's default is 700)."""


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """glibc, once per process (``find_library`` runs ``ldconfig``: a process checking many
    boards creates a crawler per board)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not hasattr(libc, "mallopt") or not hasattr(libc, "gnu_get_libc_version"):
        return None
    return libc


def limit_malloc_arenas(arenas: int) -> bool:
    """Let this process's threads share at most ``arenas`` glibc arenas from now on.

    Returns whether the limit was set (``False`` on a C library other than glibc). Arenas that
    threads created already stay; call it before starting threads.
    """
    if arenas < 1:
        raise ValueError(f"at least one arena is needed, not {arenas}")
    libc = _glibc()
    if libc is None:
        return False
    libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    libc.mallopt.restype = ctypes.c_int
    return bool(libc.mallopt(M_ARENA_MAX, arenas))


class MallocArenaLimit:
    """Sets ``M_ARENA_MAX`` to ``FORUMSCRAPER_MALLOC_ARENAS`` when the crawler is created."""

    def __init__(self, arenas: int) -> None:
        self.arenas = arenas

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MallocArenaLimit:
        arenas = config.malloc_arenas(crawler.settings)
        if arenas <= 0:
            raise NotConfigured("FORUMSCRAPER_MALLOC_ARENAS is 0: glibc's default arenas")
        if not limit_malloc_arenas(arenas):
            raise NotConfigured("not glibc: the arena limit does not apply")
        logger.debug("glibc malloc arenas limited to %d", arenas)
        return cls(arenas)


@dataclass
class _HeapState:
    """The process's crawls as the collector sees them (the collector is the process's)."""

    open_spiders: int = 0
    frozen_once: bool = False
    thresholds: tuple[int, ...] | None = None
    """The collector's thresholds before the freeze (set while frozen)."""


_HEAP = _HeapState()


class FrozenStartupHeap:
    """Freezes the objects alive when the process's first spider opens out of the garbage
    collector's way, and spaces its young collections (see the module), until no spider of the
    process is open any more. Once per process: a process checking many boards, a crawler each,
    would otherwise collect everything again for every board (a full collection takes about
    70 ms)."""

    def __init__(self) -> None:
        self.open = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrozenStartupHeap:
        extension = cls()
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        if self.open:
            return
        self.open = True
        _HEAP.open_spiders += 1
        if _HEAP.open_spiders > 1 or _HEAP.frozen_once:
            return
        _HEAP.frozen_once = True
        gc.collect()
        gc.freeze()
        _HEAP.thresholds = gc.get_threshold()
        young, *older = _HEAP.thresholds
        gc.set_threshold(max(young, GC_YOUNG_THRESHOLD), *older)
        logger.debug("%d objects frozen out of the garbage collector", gc.get_freeze_count())

    def spider_closed(self) -> None:
        if not self.open:
            return
        self.open = False
        _HEAP.open_spiders -= 1
        if _HEAP.open_spiders or _HEAP.thresholds is None:
            return
        gc.set_threshold(*_HEAP.thresholds)
        _HEAP.thresholds = None
        gc.unfreeze()
