"""posts.edited_at_raw: the edit note's date as printed, for ``forumscraper reprocess``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04

``posted_at_raw`` keeps the printed post date; the printed date of the "Last edited by … on
<date>" note was read once and dropped, so an edit date the reader could not read stayed NULL
for good. Kept here, ``forumscraper reprocess`` derives ``edited_at`` again with a better reader.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: SQLite's batch copy would break the 0002 views.
    op.add_column("posts", sa.Column("edited_at_raw", sa.Text(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE posts DROP COLUMN edited_at_raw")  # SQLite >= 3.35
    else:
        op.drop_column("posts", "edited_at_raw")
