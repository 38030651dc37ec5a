"""the reminder scan's talks ended and not yet signed, by their end

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 04:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_talks_unsigned_ends_at",
        "talks",
        ["ends_at"],
        postgresql_where=sa.text("status IN ('planned', 'held')"),
        sqlite_where=sa.text("status IN ('planned', 'held')"),
    )


def downgrade() -> None:
    op.drop_index("ix_talks_unsigned_ends_at", table_name="talks")
