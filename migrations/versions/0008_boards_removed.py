"""boards.removed_at: a board taken off the schedule keeps its archive.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05

``forumscraper boards remove URL`` stops checking a board but keeps what was archived of it (its
rows refer to its ``boards`` row, which therefore stays): the row is marked with when it was
removed, and ``scrapy crawl recent -a boards=due|all`` skips it. ``boards add`` of the same address
puts it back. ``--purge`` deletes the board's rows and its ``boards`` row instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from forumscraper.db.models import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: SQLite's batch copy would drop the views over boards.
    op.add_column("boards", sa.Column("removed_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE boards DROP COLUMN removed_at")  # SQLite >= 3.35
    else:
        op.drop_column("boards", "removed_at")
