"""Scheduled crawls on PostgreSQL's job queue (issue 18): real ``forumscraper worker`` processes
against the test PostgreSQL, fixture boards on 127.0.0.1, workers killed and stopped as machines
and ``docker stop`` do."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import IO

import pytest
from alembic import command
from scrapy.utils.defer import deferred_f_from_coro_f
from sqlalchemy import Engine, select, text, update

from forumscraper.cli import main as forumscraper
from forumscraper.db.board import find_board
from forumscraper.db.config import database_url
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import alembic_config, upgrade_to_head
from forumscraper.db.models import Board, CrawlRun, Post, table_of
from forumscraper.db.queue import due_for_queue, prepare_queue
from forumscraper.demo.content import build_demo_board
from forumscraper.demo.server import FixtureForumServer
from forumscraper.queue import QueueSettings, Worker
from tests.processes import environment

TIMEZONE = build_demo_board().timezone

QUICK = {
    "FORUMSCRAPER_QUEUE_CHECK_CRON": "* * * * * */2",  # every two seconds
    "FORUMSCRAPER_QUEUE_HEARTBEAT": "0.5",
    "FORUMSCRAPER_QUEUE_STALLED_AFTER": "3",
    "FORUMSCRAPER_QUEUE_FORUM_CRON": "0 0 1 1 *",  # not while the tests run
    "FORUMSCRAPER_TIMEZONE": TIMEZONE,
    "FORUMSCRAPER_WORKERS": "0",
}
"""A schedule looked at every two seconds, a worker lost after three silent seconds."""


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


class Workers:
    """``forumscraper worker`` processes, their output in files, all ended at the end."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.processes: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []

    def start(self, concurrency: int = 1) -> subprocess.Popen[bytes]:
        log = open(self.folder / f"worker{len(self.processes)}.log", "wb")  # noqa: SIM115
        self._logs.append(log)
        command = [
            sys.executable, "-m", "forumscraper.cli", "worker",
            "--concurrency", str(concurrency),
            "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "DOWNLOAD_DELAY=0", "-s", "RETRY_TIMES=0",
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            env=environment(DATABASE_URL=self.url, **QUICK),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            f"--- worker{index} ---\n" + (self.folder / f"worker{index}.log").read_text()[-20000:]
            for index in range(len(self.processes))
        )

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log in self._logs:
            log.close()


@pytest.fixture
def workers(pg_url: str, tmp_path: Path) -> Iterator[Workers]:
    running = Workers(pg_url, tmp_path)
    try:
        yield running
    finally:
        running.close()


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def wait_for(what: str, check: Callable[[], bool], workers: Workers, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}\n{workers.logs()}")
        time.sleep(0.2)


def runs_of(engine: Engine) -> list[tuple[int, str, str, datetime, datetime | None]]:
    runs = table_of(CrawlRun)
    with engine.connect() as connection:
        return [
            tuple(row)  # type: ignore[misc]
            for row in connection.execute(
                select(
                    runs.c.board_id, runs.c.spider, runs.c.status, runs.c.started_at,
                    runs.c.finished_at,
                ).order_by(runs.c.id)
            )
        ]  # fmt: skip


def jobs(engine: Engine) -> list[tuple[int, str, str]]:
    """(board id, spider, status) of every crawl job."""
    with engine.connect() as connection:
        return [
            (int(board), str(spider), str(status))
            for board, spider, status in connection.execute(
                text(
                    "SELECT (args->>'board_id')::int, args->>'spider', status::text"
                    " FROM procrastinate_jobs WHERE task_name = 'crawl' ORDER BY id"
                )
            )
        ]


def post_texts(engine: Engine, board_id: int) -> list[tuple[int, int, str]]:
    posts = table_of(Post)
    with engine.connect() as connection:
        return sorted(
            (int(topic), int(post), str(body))
            for topic, post, body in connection.execute(
                select(posts.c.topic_id, posts.c.id, posts.c.body_text).where(
                    posts.c.board_id == board_id
                )
            )
        )


def add_board(url: str, address: str) -> int:
    assert forumscraper(["boards", "--database-url", url, "add", address]) == 0
    engine = make_engine(url)
    try:
        board_id = find_board(engine, address)
    finally:
        engine.dispose()
    assert board_id is not None
    return board_id


def assert_never_two_crawls_of_a_board_at_once(engine: Engine) -> None:
    by_board: dict[int, list[tuple[datetime, datetime]]] = {}
    for board_id, _, status, started, finished in runs_of(engine):
        assert status != "running", "a crawl was left running"
        if status != "abandoned":
            assert finished is not None
            by_board.setdefault(board_id, []).append((started, finished))
    for board_id, intervals in by_board.items():
        intervals.sort()
        for (_, end), (start, _) in pairwise(intervals):
            assert end <= start, f"board {board_id}: two crawls overlap"


def test_three_workers_crawl_six_boards_and_a_killed_worker_loses_nothing(
    pg_url: str, engine: Engine, workers: Workers
) -> None:
    """Six boards registered, three workers started: the schedule enqueues every board, each is
    crawled once, never twice at a time; a worker SIGKILLed mid-crawl: its crawl stops
    (``interrupted``), its job runs again on another worker, and the board's rows equal those
    of a board crawled cleanly."""
    with ExitStack() as stack:
        servers = []
        for _ in range(6):
            server = stack.enter_context(FixtureForumServer(build_demo_board()))
            server.latency = 0.15  # a crawl lasts seconds: long enough to be killed during
            servers.append(server)
        ids = [add_board(pg_url, server.base_url) for server in servers]
        started = [workers.start() for _ in range(3)]

        def crawling() -> bool:
            """Some crawls started, and every crawl process has its run recorded."""
            running = sum(1 for *_, status, _, _ in runs_of(engine) if status == "running")
            return running > 0 and running == sum(len(children(p.pid)) for p in started)

        wait_for("crawls to start", crawling, workers)
        victim = next(process for process in started if children(process.pid))
        crawl_pid = children(victim.pid)[0]
        victim.kill()
        victim.wait()

        def all_finished() -> bool:
            finished = {board for board, _, status, _, _ in runs_of(engine) if status == "finished"}
            return finished >= set(ids) and not any(
                status in ("todo", "doing") for _, _, status in jobs(engine)
            )

        wait_for("every board to be crawled", all_finished, workers, timeout=100)
        with pytest.raises(ProcessLookupError):  # the killed worker's crawl ended with it
            os.kill(crawl_pid, 0)
        for process in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in started:
            assert process.wait(timeout=30) in (0, -signal.SIGKILL)

    runs = runs_of(engine)
    assert_never_two_crawls_of_a_board_at_once(engine)
    interrupted = [board for board, _, status, _, _ in runs if status == "interrupted"]
    assert len(interrupted) == 1, ([run[:3] for run in runs], workers.logs())
    killed_board = interrupted[0]
    assert [status for board, _, status, _, _ in runs if board == killed_board] == [
        "interrupted",
        "finished",
    ], workers.logs()
    runs_table = table_of(CrawlRun)
    with engine.connect() as connection:
        message = connection.execute(
            select(runs_table.c.message).where(runs_table.c.status == "interrupted")
        ).scalar_one()
    assert message == "stopped early (shutdown)"  # one SIGTERM: the batch was finished
    assert {spider for _, spider, _, _, _ in runs} == {"recent"}
    assert all(
        sum(1 for board, _, status, _, _ in runs if board == b and status == "finished") == 1
        for b in ids
    ), ([run[:3] for run in runs], jobs(engine), workers.logs())
    # One job per board from the schedule (no twin while one waited or ran); the killed one
    # was put back to wait and succeeded.
    assert sorted(board for board, _, _ in jobs(engine)) == sorted(ids)
    assert {status for _, _, status in jobs(engine)} == {"succeeded"}
    with engine.connect() as connection:  # the schedule's ticks leave no row once done
        ticks = connection.execute(
            text("SELECT status::text FROM procrastinate_jobs WHERE task_name = 'enqueue_due'")
        ).scalars()
        assert "succeeded" not in set(ticks)
    clean = post_texts(engine, next(b for b in ids if b != killed_board))
    assert clean
    for board_id in ids:
        assert post_texts(engine, board_id) == clean


def test_sigterm_stops_the_crawl_after_its_batch_and_the_job_runs_again(
    pg_url: str, engine: Engine, workers: Workers
) -> None:
    """SIGTERM to a worker during a crawl (``docker stop``): the crawl finishes its batch and
    records its run ``interrupted``, the worker exits 0, the job waits again and the next
    worker crawls the board; its rows equal those of a board crawled without a stop."""
    with ExitStack() as stack:
        stopped, clean = (
            stack.enter_context(FixtureForumServer(build_demo_board())) for _ in range(2)
        )
        stopped.latency = 0.5  # its crawl lasts well beyond the signal
        stopped_id = add_board(pg_url, stopped.base_url)
        clean_id = add_board(pg_url, clean.base_url)  # enqueued second, waits: one at a time
        worker = workers.start()

        def crawling() -> bool:
            running = [b for b, _, status, _, _ in runs_of(engine) if status == "running"]
            return running == [stopped_id] and (clean_id, "recent", "todo") in jobs(engine)

        wait_for("the first board's crawl", crawling, workers)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=60) == 0, workers.logs()
        assert [(b, status) for b, _, status, _, _ in runs_of(engine)] == [
            (stopped_id, "interrupted")
        ]
        assert jobs(engine) == [
            (stopped_id, "recent", "failed"),
            (clean_id, "recent", "todo"),
            (stopped_id, "recent", "todo"),
        ]
        assert "interrupted by the worker's stop; enqueued again as job" in workers.logs()
        assert "Why: stopped early (shutdown)" in workers.logs()  # after its batch

        workers.start()

        def finished() -> bool:
            return {status for _, _, status in jobs(engine)[1:]} == {"succeeded"}

        wait_for("the job to run again", finished, workers)
    assert [status for b, _, status, _, _ in runs_of(engine) if b == stopped_id] == [
        "interrupted",
        "finished",
    ]
    assert_never_two_crawls_of_a_board_at_once(engine)
    texts = post_texts(engine, stopped_id)
    assert texts and texts == post_texts(engine, clean_id)


@deferred_f_from_coro_f
async def test_the_schedule_enqueues_no_twin_and_boards_list_shows_the_jobs(
    pg_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """The schedule's tick, run twice while the board is due both times and its job waits:
    one job; the board's next check moved one period on; ``boards list`` and the
    ``board_queue`` view show the waiting job."""
    prepare_queue(engine)
    hourly = add_board(pg_url, "https://hourly.forumotion.com/")
    default = add_board(pg_url, "https://default.forumotion.com/")
    every_hour = ["add", "https://hourly.forumotion.com/", "--every", "1h"]
    assert forumscraper(["boards", "--database-url", pg_url, *every_hour]) == 0
    worker = Worker(url=database_url(pg_url), engine=engine, settings=QueueSettings())
    boards = table_of(Board)

    async with worker.app.open_async():
        before = datetime.now(UTC)
        await worker.enqueue_due(0)
        with engine.begin() as connection:
            due = {
                row.id: row.next_due_at
                for row in connection.execute(select(boards.c.id, boards.c.next_due_at))
            }
            assert due[hourly] >= before + timedelta(hours=1)
            assert due[default] >= before + timedelta(minutes=15)
            connection.execute(update(boards).values(next_due_at=before - timedelta(days=1)))
        await worker.enqueue_due(0)  # due again, its job still waits: no second job
        await worker.enqueue_forum(0)
        await worker.enqueue_forum(0)
    assert sorted(jobs(engine)) == sorted(
        [
            (hourly, "recent", "todo"),
            (default, "recent", "todo"),
            (hourly, "forum", "todo"),
            (default, "forum", "todo"),
        ]
    )
    capsys.readouterr()
    assert forumscraper(["boards", "--database-url", pg_url, "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[-1] == "jobs"
    assert all(line.endswith("2 waiting") for line in lines[1:]), lines
    with engine.connect() as connection:
        view = connection.execute(
            text("SELECT board_id, jobs_waiting, jobs_running, failures_in_a_row FROM board_queue")
        ).all()
    assert sorted(view) == [(hourly, 2, 0, 0), (default, 2, 0, 0)]


@deferred_f_from_coro_f
async def test_two_ticks_that_find_a_board_due_at_once_enqueue_it_once(
    pg_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two schedule ticks overlap (as when workers start together): the second found the boards
    due before the first enqueued them and their jobs started. The queueing lock holds back
    only a waiting twin, so the claim must: one job per board. A tick whose enqueue fails
    leaves the board due for the next."""
    prepare_queue(engine)
    ids = [add_board(pg_url, f"https://tick{n}.forumotion.com/") for n in range(2)]
    worker = Worker(url=database_url(pg_url), engine=engine, settings=QueueSettings())
    every = worker.settings.default_every
    boards = table_of(Board)

    def next_due() -> dict[int, datetime | None]:
        with engine.connect() as connection:
            rows = connection.execute(select(boards.c.id, boards.c.next_due_at))
            return {board_id: due for board_id, due in rows}

    async with worker.app.open_async():
        seen = due_for_queue(engine, datetime.now(UTC), every)  # the second tick's look
        assert [board.id for board in seen] == ids
        await worker.enqueue_due(0)  # the first tick, whole
        with engine.begin() as connection:  # the jobs run, on a live worker
            running_on = connection.execute(
                text("INSERT INTO procrastinate_workers DEFAULT VALUES RETURNING id")
            ).scalar_one()
            connection.execute(
                text("UPDATE procrastinate_jobs SET status = 'doing', worker_id = :worker"),
                {"worker": running_on},
            )
        claimed = next_due()
        monkeypatch.setattr("forumscraper.queue.due_for_queue", lambda *_: seen)
        await worker.enqueue_due(0)  # the second tick, with what it saw
        assert jobs(engine) == [(board_id, "recent", "doing") for board_id in ids]
        assert next_due() == claimed

        with engine.begin() as connection:  # due again; the queue refuses the job
            connection.execute(update(boards).values(next_due_at=None))
            connection.execute(text("UPDATE procrastinate_jobs SET status = 'succeeded'"))
        monkeypatch.undo()

        async def refused(board_id: int, spider: str) -> int | None:
            raise OSError("the queue's database went away")

        monkeypatch.setattr(worker, "defer", refused)
        with pytest.raises(OSError, match="went away"):
            await worker.enqueue_due(0)
        assert next_due() == dict.fromkeys(ids)
        monkeypatch.undo()
        await worker.enqueue_due(0)
    assert jobs(engine)[2:] == [(board_id, "recent", "todo") for board_id in ids]


def test_failures_in_a_row_in_the_view(pg_url: str, engine: Engine) -> None:
    prepare_queue(engine)
    board_id = add_board(pg_url, "https://flaky.forumotion.com/")
    runs = table_of(CrawlRun)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for minutes, status in ((40, "finished"), (30, "failed"), (20, "failed"), (10, "failed")):
            connection.execute(
                runs.insert().values(
                    spider="recent",
                    board_id=board_id,
                    base_url="https://flaky.forumotion.com/",
                    started_at=now - timedelta(minutes=minutes),
                    finished_at=now - timedelta(minutes=minutes - 1),
                    status=status,
                    stats={},
                )
            )
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT failures_in_a_row, last_status FROM board_queue WHERE board_id = :b"),
            {"b": board_id},
        ).one()
    assert tuple(row) == (3, "failed")


def test_a_worker_refuses_sqlite_in_one_line(sqlite_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "forumscraper.cli", "worker"],
        env=environment(DATABASE_URL=sqlite_url),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "the queue needs PostgreSQL" in done.stderr and "scrapy crawl" in done.stderr


def test_a_bad_queue_setting_is_one_line_exit_2(pg_url: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "forumscraper.cli", "worker"],
        env=environment(DATABASE_URL=pg_url, FORUMSCRAPER_QUEUE_CHECK_CRON="hourly"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "forumscraper worker: FORUMSCRAPER_QUEUE_CHECK_CRON='hourly': not a cron expression "
        "(such as '30 3 * * *')"
    )


def test_alembic_check_leaves_the_queue_tables_alone(engine: Engine) -> None:
    """The queue's tables are procrastinate's: ``alembic check`` (and autogenerate) compare ours
    only, so a database with workers checks clean and a new revision never drops them."""
    prepare_queue(engine)
    command.check(alembic_config(engine))  # raises when the schema differs from the models


def test_the_readme_board_queue_query_runs(engine: Engine) -> None:
    prepare_queue(engine)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Workers on any number of machines", 1)[1].split("\n## ", 1)[0]
    query = section.split("```sql\n", 1)[1].split("```", 1)[0]
    with engine.connect() as connection:
        assert connection.execute(text(query)).all() == []


def test_migrations_run_beside_the_queue_view(engine: Engine) -> None:
    """The ``board_queue`` view reads ``boards`` and ``crawl_runs``: a revision changing a
    column it reads (0008's downgrade drops ``boards.removed_at``) still runs, and the view is
    back at head."""
    prepare_queue(engine)
    config = alembic_config(engine)
    command.downgrade(config, "-1")
    command.upgrade(config, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM board_queue")).scalar() == 0
