"""Crawl jobs and their schedule in PostgreSQL's own queue (procrastinate), run by any number of
``forumscraper worker`` processes on any number of machines.

A job is "crawl board B with spider S" (task ``crawl``, arguments ``board_id`` and ``spider``).
It is enqueued with two locks that hold across machines:

- ``lock="board-B"``: at most one job of a board runs at a time (a ``forum`` job waits while the
  board's ``recent`` job runs);
- ``queueing_lock="S-board-B"``: at most one job per board and spider waits; enqueuing another
  is a no-op.

A job runs the crawl in a child process, ``forumscraper crawl S -a boards=B`` (Scrapy's reactor
cannot be started twice in a process), with the crawl's own run lock and ``crawl_runs`` row;
exit status 0 ends the job ``succeeded``, another ends it ``failed`` (the run's row says why)
and the schedule enqueues the board again at its next period. On Linux the crawl is sent one
SIGTERM when its worker dies (through ``forumscraper.guard``), so it records its run
``interrupted`` after its batch.

Periodic tasks, deferred once per tick whatever the number of workers:

- ``enqueue_due`` (``FORUMSCRAPER_QUEUE_CHECK_CRON``, every minute): a ``recent`` job for every
  due board (``forumscraper.db.queue.due_for_queue``), whose ``next_due_at`` first moves one
  period on (``claim``: of two ticks at once, one enqueues the board), and a sweep of the jobs
  of lost workers (no heartbeat for ``FORUMSCRAPER_QUEUE_STALLED_AFTER`` seconds: SIGKILL, host
  lost), which are put back to wait and run again elsewhere;
- ``enqueue_forum`` (``FORUMSCRAPER_QUEUE_FORUM_CRON``, nightly): a ``forum`` job per board.

A worker asked to stop (SIGTERM, SIGINT) takes no new job and sends SIGTERM to its crawls, which
finish their batch and record their run ``interrupted``; each such job is enqueued again (the
job ends ``failed`` with "interrupted … enqueued again") and another worker, or this one once
restarted, crawls the board again.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import NoReturn

import procrastinate
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Status
from sqlalchemy import Engine
from sqlalchemy.engine import URL

from forumscraper import config
from forumscraper.db.board import boards_to_check
from forumscraper.db.lock import RunLock
from forumscraper.db.queue import claim, due_for_queue, unclaim

logger = logging.getLogger(__name__)

SPIDERS = ("recent", "forum")
"""The spiders a job may run."""

CRAWLS = "crawls"
"""The queue of crawl jobs, taken ``--concurrency`` at a time."""

SCHEDULE = "schedule"
"""The queue of the periodic tasks, taken one at a time beside the crawls (so that busy workers
still enqueue due boards and run the jobs of lost workers again)."""

LOCK_POLL = 1.0
"""Seconds between looks at a board's run lock while a crawl of it (a lost worker's) ends."""

LOCK_WAIT = 600.0
"""Seconds a job waits for the board's run lock before it starts its crawl anyway (which then
fails as "another run is using this database", and is enqueued again at the next period)."""


class CrawlFailed(Exception):
    """The crawl's process exited with a status other than 0 (its ``crawl_runs`` row says why)."""


class CrawlInterrupted(Exception):
    """The worker was asked to stop during the crawl, which recorded its run ``interrupted``; the
    job was enqueued again."""


def conninfo(url: URL) -> str:
    """psycopg's connection string for the database at ``url`` (a SQLAlchemy URL)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class QueueSettings:
    """What a worker reads of the ``FORUMSCRAPER_*`` settings (checked before it starts)."""

    default_every: int = 900
    check_cron: str = "* * * * *"
    forum_cron: str = "30 3 * * *"
    heartbeat: float = 10.0
    stalled_after: float = 60.0

    @classmethod
    def read(cls, settings: config.SettingsLike) -> QueueSettings:
        return cls(
            default_every=config.default_every(settings),
            check_cron=config.queue_check_cron(settings),
            forum_cron=config.queue_forum_cron(settings),
            heartbeat=config.queue_heartbeat(settings),
            stalled_after=config.queue_stalled_after(settings),
        )


@dataclass
class Worker:
    """One ``forumscraper worker`` process: its procrastinate app, its tasks and its crawls."""

    url: URL
    engine: Engine
    settings: QueueSettings
    concurrency: int = 1
    crawl_options: Sequence[str] = ()
    """Extra arguments of every crawl (``-s NAME=VALUE`` …)."""
    child_environment: Mapping[str, str] | None = None
    stopping: bool = False
    children: set[asyncio.subprocess.Process] = field(default_factory=set)
    app: procrastinate.App = field(init=False)

    def __post_init__(self) -> None:
        self.app = make_app(self.url)
        register_tasks(self)

    # -- the crawl -----------------------------------------------------------------------------

    async def crawl(self, board_id: int, spider: str) -> None:
        if spider not in SPIDERS:
            raise ValueError(f"no spider {spider!r}: a job runs one of {', '.join(SPIDERS)}")
        await self.wait_for_board(board_id)
        if self.stopping:  # taken as the stop came: not started, waits for another worker
            await self.interrupted(board_id, spider)
        command = [
            sys.executable,
            "-m",
            "forumscraper.guard",
            str(os.getpid()),
            sys.executable,
            "-m",
            "forumscraper.cli",
            "crawl",
            spider,
            "-a",
            f"boards={board_id}",
            *self.crawl_options,
        ]
        logger.info("Crawling board %s (%s)", board_id, spider)
        child = await asyncio.create_subprocess_exec(
            *command,
            env=dict(self.child_environment) if self.child_environment is not None else None,
            start_new_session=True,  # a terminal's Ctrl-C reaches the worker, which forwards it
        )
        self.children.add(child)
        if self.stopping:  # the stop came while it was starting
            child.send_signal(signal.SIGTERM)
        try:
            status = await child.wait()
        except asyncio.CancelledError:  # aborted (a stop timeout): stop the crawl, now
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
                child.send_signal(signal.SIGTERM)  # Scrapy's second signal: no waiting
            raise
        finally:
            self.children.discard(child)
        if status == 0:
            logger.info("Board %s (%s): done", board_id, spider)
            return
        if self.stopping:
            await self.interrupted(board_id, spider)
        raise CrawlFailed(
            f"board {board_id} ({spider}): the crawl exited with status {status} "
            "(its crawl_runs row says why)"
        )

    async def interrupted(self, board_id: int, spider: str) -> NoReturn:
        """The worker stops: the job is enqueued again (unless one of the board and spider
        already waits) and ends ``failed``, saying so."""
        again = await self.defer(board_id, spider)
        waiting = f"enqueued again as job {again}" if again else "a job of it already waits"
        raise CrawlInterrupted(
            f"board {board_id} ({spider}): interrupted by the worker's stop; {waiting}"
        )

    async def wait_for_board(self, board_id: int) -> None:
        """Wait while a crawl of the board holds its run lock: a lost worker's crawl finishing
        its batch after the job was given to this worker."""
        waited = 0.0
        while waited < LOCK_WAIT and not self.stopping:
            if await asyncio.to_thread(_board_free, self.engine, board_id):
                return
            await asyncio.sleep(LOCK_POLL)
            waited += LOCK_POLL

    async def defer(self, board_id: int, spider: str) -> int | None:
        """Enqueue a job; its id, or ``None`` when one of the board and spider already waits."""
        return await defer_crawl(self.app, board_id, spider)

    # -- the schedule --------------------------------------------------------------------------

    async def enqueue_due(self, timestamp: int) -> None:
        now = datetime.now(UTC)
        due = await asyncio.to_thread(due_for_queue, self.engine, now, self.settings.default_every)
        enqueued = 0
        every = self.settings.default_every
        for board in due:
            # Claimed first: another tick that found the board due at the same time (ticks
            # overlap when a worker starts, or runs late) skips it, rather than enqueue a twin
            # beside a job that already runs (the queueing lock holds back waiting twins only).
            claimed = await asyncio.to_thread(claim, self.engine, board, now, every)
            if claimed is None:
                continue
            try:
                job = await self.defer(board.id, "recent")
            except BaseException:
                await asyncio.shield(asyncio.to_thread(unclaim, self.engine, board, claimed))
                raise
            if job is not None:
                enqueued += 1
        if due:
            logger.info("%d board(s) due, %d job(s) enqueued", len(due), enqueued)
        await self.sweep_stalled()

    async def enqueue_forum(self, timestamp: int) -> None:
        boards = await asyncio.to_thread(boards_to_check, self.engine, "all")
        for board in boards:
            await self.defer(board.id, "forum")

    async def sweep_stalled(self) -> None:
        """Put the jobs of lost workers back to wait (or, when a job of the same board and
        spider already waits, end them ``failed``)."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            seconds_since_heartbeat=self.settings.stalled_after
        )
        for job in stalled:
            try:
                await manager.retry_job(job)
                logger.warning("Job %s of a lost worker runs again: %s", job.id, job.call_string)
            except Exception as exc:
                logger.warning("Job %s of a lost worker not run again: %s", job.id, exc)
                await manager.finish_job(job, Status.FAILED, delete_job=False)
        await manager.prune_stalled_workers(self.settings.stalled_after)

    # -- running -------------------------------------------------------------------------------

    def stop(self, name: str) -> None:
        """SIGTERM or SIGINT: no new job; every crawl is asked to stop after its batch (a second
        signal makes them stop without waiting)."""
        if not self.stopping:
            logger.info("%s: stopping; %d crawl(s) finish their batch", name, len(self.children))
        self.stopping = True
        for child in list(self.children):
            if child.returncode is None:
                child.send_signal(signal.SIGTERM)
        for task in self.run_tasks:
            task.cancel()  # procrastinate's graceful stop: waits for the running jobs

    run_tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self.stop, signal.Signals(signum).name)
        async with self.app.open_async():
            # The schedule's ticks (1,440 a day) leave no row once done; crawl jobs stay, as
            # the queue's history beside crawl_runs.
            self.run_tasks = [
                asyncio.create_task(
                    self.app.run_worker_async(
                        queues=[queue],
                        name=queue,
                        concurrency=concurrency,
                        delete_jobs=delete,
                        install_signal_handlers=False,
                        update_heartbeat_interval=self.settings.heartbeat,
                        stalled_worker_timeout=self.settings.stalled_after,
                    )
                )
                for queue, concurrency, delete in (
                    (CRAWLS, self.concurrency, "never"),
                    (SCHEDULE, 1, "successful"),
                )
            ]
            try:
                await asyncio.gather(*self.run_tasks)
            except asyncio.CancelledError:
                if not self.stopping:
                    raise
                await asyncio.gather(*self.run_tasks, return_exceptions=True)
        logger.info("Worker stopped")
        return 0


def _board_free(engine: Engine, board_id: int) -> bool:
    lock = RunLock(engine, board_id)
    if not lock.acquire():
        return False
    lock.release()
    return True


def make_app(url: URL) -> procrastinate.App:
    """A procrastinate app on the database at ``url`` (PostgreSQL), its tasks not yet added."""
    return procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=conninfo(url)),
    )


def register_tasks(worker: Worker) -> None:
    """The worker's tasks and periodic tasks, named ``crawl``, ``enqueue_due`` and
    ``enqueue_forum`` in the queue's tables."""
    app = worker.app

    async def crawl(board_id: int, spider: str) -> None:
        await worker.crawl(board_id, spider)

    async def enqueue_due(timestamp: int) -> None:
        await worker.enqueue_due(timestamp)

    async def enqueue_forum(timestamp: int) -> None:
        await worker.enqueue_forum(timestamp)

    app.task(name="crawl", queue=CRAWLS)(crawl)
    # No lock: a job holding one stays "doing" when its worker is lost, and would hold back
    # every later tick, the sweep that would free it included. Two ticks at once enqueue one
    # job per due board: each claims a board before enqueuing it (``claim``).
    check = app.task(name="enqueue_due", queue=SCHEDULE)(enqueue_due)
    forum = app.task(name="enqueue_forum", queue=SCHEDULE)(enqueue_forum)
    app.periodic(cron=worker.settings.check_cron)(check)
    app.periodic(cron=worker.settings.forum_cron)(forum)


async def defer_crawl(app: procrastinate.App, board_id: int, spider: str) -> int | None:
    """Enqueue a crawl job through ``app`` (open); its id, or ``None`` when one of the board and
    spider already waits. A worker, a tool or a test may call it: the task is named, not run."""
    if spider not in SPIDERS:
        raise ValueError(f"no spider {spider!r}: a job runs one of {', '.join(SPIDERS)}")
    try:
        deferrer = app.configure_task(
            "crawl",
            queue=CRAWLS,
            lock=f"board-{board_id}",
            queueing_lock=f"{spider}-board-{board_id}",
        )
        return await deferrer.defer_async(board_id=board_id, spider=spider)
    except queue_errors.AlreadyEnqueued:
        return None
