"""forumscraper.memory: threads share the glibc arenas the limit allows; the startup heap is
frozen out of the garbage collector while the spider runs."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from forumscraper import memory
from forumscraper import settings as project_settings
from forumscraper.memory import (
    GC_YOUNG_THRESHOLD,
    FrozenStartupHeap,
    MallocArenaLimit,
    _glibc,
    limit_malloc_arenas,
)

glibc_only = pytest.mark.skipif(_glibc() is None, reason="the arena limit is glibc's")

# Starts eight threads that each allocate, then counts the heaps glibc reports. Every thread's
# first allocation takes an arena of its own while the limit allows one.
_COUNT_ARENAS = textwrap.dedent(
    """
    import ctypes, ctypes.util, os, sys, tempfile, threading
    from forumscraper.memory import limit_malloc_arenas
    if sys.argv[1] != "0":
        assert limit_malloc_arenas(int(sys.argv[1]))
    barrier = threading.Barrier(8)
    kept = []
    def allocate():
        kept.append([bytes(200_000) for _ in range(3)])
        barrier.wait()
    threads = [threading.Thread(target=allocate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    path = tempfile.mktemp()
    stream = libc.fopen(path.encode(), b"w")
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    print(open(path).read().count("<heap nr="))
    os.unlink(path)
    """
)


def _arenas_used(limit: int) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _COUNT_ARENAS, str(limit)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return int(done.stdout.strip())


@glibc_only
def test_threads_share_the_arenas_the_limit_allows() -> None:
    assert _arenas_used(0) > 2  # glibc's default: an arena per thread, up to 8 per CPU
    assert _arenas_used(2) <= 2
    assert _arenas_used(1) == 1


def test_a_limit_below_one_arena_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one arena"):
        limit_malloc_arenas(0)


@glibc_only
def test_the_crawl_sets_the_limit_by_default() -> None:
    crawler = get_crawler(settings_dict={})
    extension = MallocArenaLimit.from_crawler(crawler)
    assert extension.arenas == 2
    assert "forumscraper.memory.MallocArenaLimit" in project_settings.EXTENSIONS


def test_zero_arenas_leaves_glibc_alone() -> None:
    crawler = get_crawler(settings_dict={"FORUMSCRAPER_MALLOC_ARENAS": 0})
    with pytest.raises(NotConfigured):
        MallocArenaLimit.from_crawler(crawler)


def _heap_extension() -> FrozenStartupHeap:
    return FrozenStartupHeap.from_crawler(get_crawler(settings_dict={}))


def test_the_startup_heap_is_frozen_while_the_spiders_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Objects alive when the process's first spider opens leave the collector's generations
    (no collection traverses them during the crawl) and come back when no spider is open any
    more, the thresholds restored; cycles made meanwhile are still collected."""
    assert "forumscraper.memory.FrozenStartupHeap" in project_settings.EXTENSIONS
    monkeypatch.setattr(memory, "_HEAP", memory._HeapState())  # a process with no crawl yet
    before = gc.get_threshold()
    first, second = _heap_extension(), _heap_extension()
    alive = [object() for _ in range(3)] + [{"startup": "state"}]
    first.spider_opened()
    try:
        frozen = gc.get_freeze_count()
        assert frozen >= len(alive)
        assert gc.get_threshold() == (max(before[0], GC_YOUNG_THRESHOLD), *before[1:])
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1
        second.spider_opened()  # another board's crawl, meanwhile: nothing collected again
        first.spider_opened()  # a repeated signal: nothing either
        assert gc.get_freeze_count() == frozen
        first.spider_closed()
        assert gc.get_freeze_count() == frozen  # the second spider still runs
    finally:
        first.spider_closed()
        second.spider_closed()
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before
    third = _heap_extension()  # a later crawl of the same process: no second freeze
    third.spider_opened()
    try:
        assert gc.get_freeze_count() == 0
        assert gc.get_threshold() == before
    finally:
        third.spider_closed()
    assert memory._HEAP.open_spiders == 0
