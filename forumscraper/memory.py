"""Keep the crawling process's memory flat over a long crawl: cap glibc's malloc arenas.

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
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from forumscraper import config

logger = logging.getLogger(__name__)

M_ARENA_MAX = -8
"""``mallopt`` parameter number of the arena limit (glibc's ``malloc.h``)."""


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
