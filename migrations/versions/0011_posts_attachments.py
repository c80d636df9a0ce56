"""posts.attachments: the files a post lists under its message.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06

Every template version prints a post's attached files in a box under the message (name, a link
when the viewer may download, size, download count, the uploader's comment). The reader kept
the box out of the message but stored nothing of it. Rows stored before this revision hold
NULL (not read yet), the next read of their page fills them in; ``[]`` is a post without files.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE on both dialects: SQLite's batch copy would break the 0002 views.
    json = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    op.add_column("posts", sa.Column("attachments", json, nullable=True))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE posts DROP COLUMN attachments")  # SQLite >= 3.35
    else:
        op.drop_column("posts", "attachments")
