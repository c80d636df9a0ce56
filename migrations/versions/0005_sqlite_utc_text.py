"""SQLite: timestamps written by sqlite3's own datetime adapter rewritten in the UTC column format.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

Until issue 15, a topic's watermark (``topics.last_post_at``) was bound inside ``coalesce()``
without the column type, so sqlite3 stored Python's ``isoformat(" ")`` of the value
(``2025-01-03 20:21:00+00:00``, ``… 12:30:00.250000+03:00``) next to the type's
``2025-01-03 20:21:00.000000`` in other rows: text that sorts and compares wrong, and an offset
the type ignored when reading. Every timestamp column is rewritten to the type's one format,
in UTC (the offset applied). PostgreSQL (``timestamptz``) has nothing to do; the downgrade
leaves the values as they are (the older code reads this format too).
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {
    "categories": ("first_seen_at", "last_seen_at"),
    "forums": ("first_seen_at", "last_crawled_at", "deleted_at"),
    "topics": ("first_post_at", "last_post_at", "first_seen_at", "last_crawled_at", "deleted_at"),
    "posts": ("posted_at", "edited_at", "first_seen_at", "last_seen_at", "deleted_at"),
    "post_revisions": ("edited_at", "seen_at"),
    "crawl_runs": ("started_at", "finished_at"),
    "board_info": ("updated_at",),
}

_D = "[0-9]"
UTC_TEXT = f"{_D * 4}-{_D * 2}-{_D * 2} {_D * 2}:{_D * 2}:{_D * 2}.{_D * 6}"
"""The column type's format (``%Y-%m-%d %H:%M:%S.%f``), as a GLOB pattern (whole value)."""


def _rewrite(column: str) -> str:
    # datetime() applies the offset and drops the fraction; isoformat wrote six digits or none.
    return (
        f"datetime({column}) || CASE WHEN substr({column}, 20, 1) = '.' "
        f"THEN substr({column}, 20, 7) ELSE '.000000' END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column in columns:
            op.execute(
                f"UPDATE {table} SET {column} = {_rewrite(column)} "
                f"WHERE {column} IS NOT NULL AND datetime({column}) IS NOT NULL "
                f"AND {column} NOT GLOB '{UTC_TEXT}'"
            )


def downgrade() -> None:
    pass
