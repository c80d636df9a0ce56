"""What the job queue (``forumscraper.queue``, PostgreSQL only) reads and writes of our tables.

- :func:`prepare_queue`: procrastinate's tables, created once per database (by the first
  ``forumscraper worker``; several starting at once take turns), and the ``board_queue`` view
  that joins them to ``boards`` and ``crawl_runs``.
- :func:`due_for_queue` and :func:`claim`: the boards whose ``recent`` check is due, and the
  claim that moves a due board's ``next_due_at`` on before its job is enqueued, so that of two
  ticks that found it due only one enqueues it, and the next look for due boards does not
  enqueue it again while its job waits or runs (:func:`unclaim` when enqueuing fails).
- :func:`board_jobs`: jobs waiting and running per board, for ``forumscraper boards list``.

A job names its board in its arguments (``args->>'board_id'``); see ``forumscraper.queue``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from procrastinate.schema import SchemaManager
from sqlalchemy import ColumnElement, Connection, Engine, and_, func, or_, select, text, update
from sqlalchemy.exc import DBAPIError

from forumscraper.db.models import Board, CrawlRun, table_of

SCHEMA_LOCK = 0x71756575  # "queu": advisory lock taken while the queue's schema is created

BOARD_QUEUE_VIEW = """
CREATE OR REPLACE VIEW board_queue AS
SELECT
    b.id AS board_id,
    b.base_url,
    b.title,
    b.every_seconds,
    b.removed_at,
    last_run.started_at AS last_run_at,
    last_run.status AS last_status,
    b.next_due_at,
    (
        SELECT count(*) FROM crawl_runs AS r
        WHERE r.board_id = b.id AND r.status = 'failed'
          AND r.id > coalesce((
              SELECT max(o.id) FROM crawl_runs AS o
              WHERE o.board_id = b.id AND o.status NOT IN ('failed', 'running')
          ), 0)
    ) AS failures_in_a_row,
    (
        SELECT count(*) FROM procrastinate_jobs AS j
        WHERE j.status = 'todo' AND (j.args ->> 'board_id')::bigint = b.id
    ) AS jobs_waiting,
    (
        SELECT count(*) FROM procrastinate_jobs AS j
        WHERE j.status = 'doing' AND (j.args ->> 'board_id')::bigint = b.id
    ) AS jobs_running
FROM boards AS b
LEFT JOIN LATERAL (
    SELECT r.started_at, r.status FROM crawl_runs AS r
    WHERE r.board_id = b.id AND r.status <> 'running'
    ORDER BY r.id DESC LIMIT 1
) AS last_run ON true
"""
"""One row per board: its last finished run, when it is next due, its failures in a row (runs
``failed`` since its last run that was not), and its jobs waiting (``todo``) and running
(``doing``)."""


def queue_ready(connection: Connection) -> bool:
    """Whether procrastinate's tables are in this database."""
    return connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None


def prepare_queue(engine: Engine) -> bool:
    """Create procrastinate's schema when it is missing, and (re)create the ``board_queue``
    view; whether the schema was created. The caller has upgraded our own schema to head."""
    with engine.begin() as connection:
        connection.execute(select(func.pg_advisory_xact_lock(SCHEMA_LOCK)))
        created = not queue_ready(connection)
        driver = connection.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            if created:  # no parameters: psycopg sends the script as it is, all statements
                cursor.execute(SchemaManager.get_schema())
            cursor.execute(BOARD_QUEUE_VIEW)
        finally:
            cursor.close()
    return created


def drop_queue_view(connection: Connection) -> None:
    """Before migrations (PostgreSQL): the ``board_queue`` view goes, so that a revision may
    change the columns it reads; :func:`restore_queue_view` puts it back afterwards."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("DROP VIEW IF EXISTS board_queue")


def restore_queue_view(connection: Connection) -> bool:
    """After migrations: the ``board_queue`` view again where the queue is (whether it is).
    At a revision whose tables it cannot read (a downgrade) it stays away; the next
    ``forumscraper worker`` creates it, or says why it cannot."""
    if connection.dialect.name != "postgresql" or not queue_ready(connection):
        return False
    try:
        with connection.begin_nested():
            connection.exec_driver_sql(BOARD_QUEUE_VIEW)
    except DBAPIError:
        return False
    return True


@dataclass(frozen=True)
class DueBoard:
    """A board whose ``recent`` check is due, its period (its own or the default) and its
    ``next_due_at`` when it was found due."""

    id: int
    every_seconds: int
    next_due_at: datetime | None


def _due(now: datetime, default_every: int) -> ColumnElement[bool]:
    """Whether a board's check is due at ``now``: never checked, or ``next_due_at`` passed; a
    board without a period of its own (``every_seconds`` unset) is due ``default_every``
    seconds after its last run started."""
    boards, runs = table_of(Board), table_of(CrawlRun)
    last_start = (
        select(func.max(runs.c.started_at)).where(runs.c.board_id == boards.c.id)
    ).scalar_subquery()
    return and_(
        boards.c.removed_at.is_(None),
        or_(
            boards.c.next_due_at <= now,
            and_(
                boards.c.next_due_at.is_(None),
                or_(
                    boards.c.every_seconds.is_not(None),
                    last_start.is_(None),
                    last_start <= now - timedelta(seconds=default_every),
                ),
            ),
        ),
    )


def due_for_queue(engine: Engine, now: datetime, default_every: int) -> list[DueBoard]:
    """The boards on the schedule whose check is due at ``now``, longest waiting first."""
    boards = table_of(Board)
    query = (
        select(boards.c.id, boards.c.every_seconds, boards.c.next_due_at)
        .where(_due(now, default_every))
        .order_by(boards.c.next_due_at.is_not(None), boards.c.next_due_at, boards.c.id)
    )
    with engine.connect() as connection:
        return [
            DueBoard(board_id, every or default_every, next_due)
            for board_id, every, next_due in connection.execute(query)
        ]


def claim(engine: Engine, board: DueBoard, now: datetime, default_every: int) -> datetime | None:
    """Move the board's next check one period on from ``now`` if it is still due (checked in
    the same statement, so of two schedule ticks that found it due at once, one claims it),
    before its job is enqueued: the new ``next_due_at``, or ``None`` when another tick, or a
    crawl that ended, moved it first. The crawl moves it again when it ends
    (``forumscraper.db.board.schedule_next``)."""
    table = table_of(Board)
    next_due = now + timedelta(seconds=board.every_seconds)
    with engine.begin() as connection:
        moved = connection.execute(
            update(table)
            .where(table.c.id == board.id, _due(now, default_every))
            .values(next_due_at=next_due)
        ).rowcount
    return next_due if moved == 1 else None


def unclaim(engine: Engine, board: DueBoard, claimed: datetime) -> None:
    """Enqueuing the claimed board's job failed: its ``next_due_at`` as it was found, unless
    something else moved it since, so that the next tick tries again."""
    table = table_of(Board)
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == board.id, table.c.next_due_at == claimed)
            .values(next_due_at=board.next_due_at)
        )


def board_jobs(engine: Engine) -> dict[int, tuple[int, int]] | None:
    """Per board id: (jobs waiting, jobs running) in the queue, for the boards that have any;
    ``None`` when the database has no queue (SQLite, or no worker ever started)."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        if not queue_ready(connection):
            return None
        rows = connection.execute(
            text(
                "SELECT (args ->> 'board_id')::bigint AS board_id,"
                " count(*) FILTER (WHERE status = 'todo'),"
                " count(*) FILTER (WHERE status = 'doing')"
                " FROM procrastinate_jobs"
                " WHERE status IN ('todo', 'doing') AND args ? 'board_id'"
                " GROUP BY 1"
            )
        )
        return {int(board_id): (int(waiting), int(running)) for board_id, waiting, running in rows}
