"""The worker processes beside the crawl (``forumscraper.workers``) and the cleaning pipeline
that uses them: results come back, failures never lose a page, order is kept, and no worker
outlives a crawl that was killed."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from forumscraper.items import PostItem, TopicItem, TopicPageItem
from forumscraper.pipelines.clean import CleanPipeline
from forumscraper.text import clean
from forumscraper.workers import Workers

ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")


async def in_asyncio(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` as an asyncio task, as Scrapy runs pipelines and callbacks (the test
    itself runs under Twisted's coroutine runner, which cannot await asyncio futures)."""
    result: T = await deferred_from_coro(coroutine)
    return result


def _pid() -> int:
    return os.getpid()


def _fail() -> None:
    raise ValueError("bad page")


def _die_unless_in(pid: int) -> str:
    """Kill the worker it runs in (as the OOM killer would); run in ``pid``, answer."""
    if os.getpid() != pid:
        os._exit(1)
    return "ran here"


async def test_calls_run_in_worker_processes_and_return_their_result() -> None:
    workers = Workers(2)
    try:
        pids = await in_asyncio(asyncio.gather(*(workers.run(_pid) for _ in range(6))))
    finally:
        workers.close()
    assert os.getpid() not in pids


async def test_an_exception_in_a_worker_reaches_the_caller() -> None:
    workers = Workers(1)
    try:
        with pytest.raises(ValueError, match="bad page"):
            await in_asyncio(workers.run(_fail))
    finally:
        workers.close()


async def test_a_dead_worker_is_replaced_and_its_call_runs_in_the_crawl() -> None:
    workers = Workers(1)
    try:
        assert await in_asyncio(workers.run(_die_unless_in, os.getpid())) == "ran here"
        assert workers.restarts == 1
        assert await in_asyncio(workers.run(_pid)) != os.getpid()  # a new worker took over
    finally:
        workers.close()


async def test_no_workers_means_calls_run_in_the_crawl() -> None:
    workers = Workers(0)
    assert await in_asyncio(workers.run(_pid)) == os.getpid()


def test_workers_exit_when_the_crawl_is_killed_outright() -> None:
    script = textwrap.dedent(
        """
        import asyncio, os, sys, time
        from forumscraper.workers import Workers
        workers = Workers(2)
        async def main():
            return await asyncio.gather(*(workers.run(os.getpid) for _ in range(4)))
        print(" ".join(map(str, set(asyncio.run(main())))), flush=True)
        time.sleep(60)
        """
    )
    crawl = subprocess.Popen(
        [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert crawl.stdout is not None
    pids = [int(pid) for pid in crawl.stdout.readline().split()]
    assert pids and crawl.pid not in pids
    crawl.send_signal(signal.SIGKILL)
    crawl.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.1)
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    # The crawl's output is closed too: nothing holds the pipe open any more.
    assert crawl.stdout.read() == ""
    crawl.stdout.close()


def _post(post_id: int, body: str) -> PostItem:
    return PostItem(
        id=post_id, topic_id=1, position=post_id, body_html=body, url=f"http://x/t1#{post_id}"
    )


async def test_cleaning_keeps_the_order_items_arrived_in() -> None:
    crawler = get_crawler()
    assert crawler.stats is not None
    pipeline = CleanPipeline(crawler.stats, Workers(1))
    slow = TopicPageItem(topic_id=1, url="http://x/t1", posts=[_post(1, "<b>word</b> " * 200_000)])
    completion = TopicItem(id=1, complete=True)
    left: list[object] = []

    async def through(item: object) -> None:
        left.append(await pipeline.process_item(item))

    try:
        await in_asyncio(asyncio.gather(through(slow), through(completion)))
    finally:
        pipeline.workers.close()
    assert left == [slow, completion]
    assert slow.posts[0].body_text and slow.posts[0].body_text.startswith("word word")
    assert crawler.stats.get_value("forumscraper/clean/posts") == 1


async def test_a_post_whose_cleaning_fails_is_kept_with_empty_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = clean.clean_post

    def fragile(html: str, *, base_url: str | None = None) -> clean.CleanPost:
        if "poison" in html:
            raise MemoryError("out of memory")
        return real(html, base_url=base_url)

    monkeypatch.setattr(clean, "clean_post", fragile)
    crawler = get_crawler()
    assert crawler.stats is not None
    pipeline = CleanPipeline(crawler.stats, Workers(0))
    item = TopicPageItem(
        topic_id=1, url="http://x/t1", posts=[_post(1, "poison"), _post(2, "<p>fine</p>")]
    )
    assert await in_asyncio(pipeline.process_item(item)) is item
    assert item.posts[0].body_text == "" and item.posts[0].content_hash == clean.content_hash("")
    assert item.posts[1].body_text == "fine"
    assert crawler.stats.get_value("forumscraper/clean/failed_posts") == 1
