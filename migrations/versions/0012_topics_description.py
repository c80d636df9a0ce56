"""topics.description: the line a starter may write under a topic's title.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

Every desktop template version prints it in the forum's topic list, under or beside the title
(``switch_description``); the reader left it out, and on PunBB a guest starter's name could be
read from it. Rows stored before this revision hold NULL (not read yet) until a forum page
lists the topic again; ``''`` is a topic listed without one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: SQLite's batch copy would break the 0002 views.
    op.add_column("topics", sa.Column("description", sa.Text(), nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE topics DROP COLUMN description")  # SQLite >= 3.35
    else:
        op.drop_column("topics", "description")
