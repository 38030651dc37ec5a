"""talks know their Teams meeting chat; shares have a link id (revoking a supervisor's link)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("meeting_chat_id", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("chat_summary", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index(
            "ix_talks_meeting_chat", ["tenant_id", "meeting_chat_id"], unique=False
        )

    with op.batch_alter_table("talk_shares", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("talk_shares", schema=None) as batch_op:
        batch_op.drop_column("link_id")
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_index("ix_talks_meeting_chat")
        batch_op.drop_column("chat_summary")
        batch_op.drop_column("meeting_chat_id")
