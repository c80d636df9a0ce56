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


def start_run(engine: Engine, spider: str, base_url: str | None) -> int:
    """Insert a ``running`` row and return its id."""
    table = table_of(CrawlRun)
    with engine.begin() as connection:
        result = connection.execute(
            insert(table)
            .values(
                spider=spider,
                base_url=base_url,
                started_at=datetime.now(UTC),
                status="running",
                requests=0,
                pages=0,
                new_posts=0,
                updated_posts=0,
                errors=0,
                stats={},
            )
            .returning(table.c.id)
        )
        return int(result.scalar_one())


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
