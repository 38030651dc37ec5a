"""talks linked to an Outlook appointment (the add-in), the chat where our tab is pinned, and
one open talk per calendar event

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_EVENT_WHERE = sa.text("event_id IS NOT NULL AND status <> 'cancelled'")


def upgrade() -> None:
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("event_from_outlook", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("tab_chat_id", sa.String(length=255), nullable=True))
    op.create_index(
        "uq_talks_open_event",
        "talks",
        ["tenant_id", "event_id"],
        unique=True,
        sqlite_where=OPEN_EVENT_WHERE,
        postgresql_where=OPEN_EVENT_WHERE,
    )


def downgrade() -> None:
    op.drop_index("uq_talks_open_event", table_name="talks")
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_column("tab_chat_id")
        batch_op.drop_column("event_from_outlook")
