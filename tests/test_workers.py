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
from forumscraper.workers import WorkerDied, WorkerError, Workers, WorkerTimeout

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


def _die_once(marker: str) -> int:
    """Kill the first worker it runs in (leaving ``marker``), answer in the next one."""
    if not os.path.exists(marker):
        Path(marker).touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return os.getpid()


class NeedsTwo(Exception):
    """Pickles (as its ``args``, one message) but does not unpickle: ``__init__`` wants two."""

    def __init__(self, page: str, reason: str) -> None:
        super().__init__(f"{page}: {reason}")


def _raise_needs_two() -> None:
    raise NeedsTwo("t1", "bad markup")


def _rebuild_only_in(pid: int) -> str:
    if os.getpid() != pid:
        raise LookupError("cannot be rebuilt here")
    return "rebuilt"


class OnlyHere:
    """A result that pickles where it was made and unpickles nowhere else."""

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return _rebuild_only_in, (os.getpid(),)


def _unreadable_answer() -> OnlyHere:
    return OnlyHere()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in _proc_state(pid)


def _proc_state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


async def test_calls_run_in_worker_processes_and_return_their_result() -> None:
    workers = Workers(2)
    try:
        pids = await in_asyncio(asyncio.gather(*(workers.run(_pid) for _ in range(6))))
    finally:
        workers.close()
    assert os.getpid() not in pids


async def test_an_exception_in_a_worker_reaches_the_caller_with_its_traceback() -> None:
    workers = Workers(1)
    try:
        with pytest.raises(ValueError, match="bad page") as raised:
            await in_asyncio(workers.run(_fail))
    finally:
        workers.close()
    assert "in _fail" in str(raised.value.__cause__)


async def test_a_call_that_kills_its_worker_runs_again_in_a_new_one(tmp_path: Path) -> None:
    workers = Workers(1)
    try:
        pid = await in_asyncio(workers.run(_die_once, str(tmp_path / "died")))
        assert pid != os.getpid()  # never in the crawl
        assert workers.restarts == 1
        assert await in_asyncio(workers.run(_pid)) == pid  # the new worker goes on
    finally:
        workers.close()


async def test_a_call_that_kills_two_workers_fails_alone() -> None:
    workers = Workers(1)
    try:
        killer, *others = await in_asyncio(
            asyncio.gather(
                workers.run(_die_unless_in, os.getpid()),
                workers.run(_pid),  # waiting behind it in the same worker
                workers.run(_pid),
                return_exceptions=True,
            )
        )
        assert isinstance(killer, WorkerDied)
        assert "killed 2 worker processes" in str(killer)
        assert workers.restarts == 2
        assert all(isinstance(pid, int) and pid != os.getpid() for pid in others)
        assert await in_asyncio(workers.run(_pid)) != os.getpid()
    finally:
        workers.close()


async def test_a_hung_call_times_out_and_its_worker_is_replaced() -> None:
    # Functions of the standard library: a new worker answers without importing this module.
    workers = Workers(1, timeout=2.0)
    try:
        hung_pid = await in_asyncio(workers.run(os.getpid))
        started = time.monotonic()
        hung, behind = await in_asyncio(
            asyncio.gather(
                workers.run(time.sleep, 3600), workers.run(os.getpid), return_exceptions=True
            )
        )
        assert isinstance(hung, WorkerTimeout), hung
        assert time.monotonic() - started < 30
        assert workers.timeouts == 1 and workers.restarts == 1
        assert not _alive(hung_pid)
        # The call waiting behind it ran in the new worker, as do later ones.
        assert isinstance(behind, int) and behind not in (hung_pid, os.getpid())
        assert await in_asyncio(workers.run(os.getpid)) == behind
    finally:
        workers.close()


async def test_an_exception_that_does_not_unpickle_fails_its_call_only() -> None:
    workers = Workers(1)
    try:
        pid = await in_asyncio(workers.run(_pid))
        with pytest.raises(WorkerError, match="NeedsTwo: t1: bad markup"):
            await in_asyncio(workers.run(_raise_needs_two))
        assert await in_asyncio(workers.run(_pid)) == pid  # the same worker answers on
        assert workers.restarts == 0
    finally:
        workers.close()


async def test_an_answer_that_does_not_unpickle_fails_its_call_only() -> None:
    workers = Workers(1)
    try:
        failed, after = await in_asyncio(
            asyncio.gather(
                workers.run(_unreadable_answer), workers.run(_pid), return_exceptions=True
            )
        )
        assert isinstance(failed, WorkerError)
        assert "could not be read" in str(failed) and "LookupError" in str(failed)
        assert isinstance(after, int) and after != os.getpid()
        assert workers.restarts == 0
    finally:
        workers.close()


async def test_no_workers_means_calls_run_in_the_crawl() -> None:
    workers = Workers(0)
    assert await in_asyncio(workers.run(_pid)) == os.getpid()


def test_workers_exit_when_the_crawl_is_killed_outright() -> None:
    script = textwrap.dedent(
        """
        import asyncio, os, sys, time
        from forumscraper.workers import Workers, WorkerDied, WorkerError, WorkerTimeout
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
