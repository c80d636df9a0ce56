"""topics.moved_to_id: where a moved or merged topic went.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

A topic whose address now redirects to another topic id keeps its row (with ``deleted_at``)
and records the new id here, so links to the old id can still be followed by hand:
``SELECT moved_to_id FROM topics WHERE id = 50``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: SQLite's batch copy would break the 0002 views.
    op.add_column("topics", sa.Column("moved_to_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE topics DROP COLUMN moved_to_id")  # SQLite >= 3.35
    else:
        op.drop_column("topics", "moved_to_id")
