"""The ``crawl_runs`` table: one row per spider run, written at start and completed at the end."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, update

from forumscraper.db.models import CrawlRun, table_of
from forumscraper.secrets import mask


def json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    """Scrapy stats as JSON: datetimes become ISO strings, other odd values their ``str``, and
    no known secret survives."""
    return json.loads(mask(json.dumps(stats, default=_default, sort_keys=True)))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def start_run(
    engine: Engine, spider: str, base_url: str | None, board_id: int | None = None
) -> tuple[int, list[int]]:
    """Insert a ``running`` row of board ``board_id``; its id, and the ids of the runs of the
    same board it found ``abandoned``.

    Called with the board's run lock held (``forumscraper.db.lock``): any other row of the board
    still ``running`` belongs to a process that ended without completing it (SIGKILL, a power
    cut, a hang that was killed), so it is marked ``abandoned``, with when and why, rather than
    left ``running``. Runs of other boards are theirs to judge: they may be running now."""
    table = table_of(CrawlRun)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        run_id = int(
            connection.execute(
                insert(table)
                .values(
                    spider=spider,
                    board_id=board_id,
                    base_url=base_url,
                    started_at=now,
                    status="running",
                    requests=0,
                    pages=0,
                    new_posts=0,
                    updated_posts=0,
                    errors=0,
                    stats={},
                )
                .returning(table.c.id)
            ).scalar_one()
        )
        abandoned = connection.execute(
            update(table)
            .where(
                table.c.status == "running",
                table.c.id != run_id,
                table.c.board_id.is_(None) if board_id is None else table.c.board_id == board_id,
            )
            .values(
                status="abandoned",
                finished_at=now,
                message=(
                    f"abandoned: its process ended without completing the run "
                    f"(found by run {run_id}, which holds the run lock)"
                ),
            )
            .returning(table.c.id)
        )
        return run_id, sorted(int(row_id) for row_id in abandoned.scalars())


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    message: str | None,
    counts: dict[str, int],
    stats: dict[str, Any],
) -> None:
    """Complete the row of run ``run_id``."""
    table = table_of(CrawlRun)
    with engine.begin() as connection:
        connection.execute(
            update(table)
            .where(table.c.id == run_id)
            .values(
                finished_at=datetime.now(UTC),
                status=status,
                message=message,
                stats=json_safe(stats),
                **counts,
            )
        )
