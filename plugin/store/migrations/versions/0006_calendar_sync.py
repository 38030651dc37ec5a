"""two-way calendar sync: one Graph subscription per lead's mailbox; talks remember the
event's changeKey, why they need attention, and why they were cancelled

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_change_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("calendar_attention", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=64), nullable=True))
    op.create_table(
        "graph_subscriptions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("mailbox", sa.String(length=320), nullable=False),
        sa.Column("subscription_id", sa.String(length=128), nullable=False),
        sa.Column("client_state", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifetime_seconds", sa.Integer(), nullable=False),
        sa.Column("reconciled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_graph_subscriptions_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_subscriptions")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_graph_subscriptions_subscription_id")),
        sa.UniqueConstraint("tenant_id", "person_id", name="uq_graph_subscriptions_mailbox"),
    )


def downgrade() -> None:
    op.drop_table("graph_subscriptions")
    with op.batch_alter_table("talks", schema=None) as batch_op:
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("calendar_attention")
        batch_op.drop_column("event_change_key")
