"""people have a session generation (sign-out ends sessions on the server); an agreement's
removal waits for the other participant's confirmation

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="1")
        )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removal_requested_by", sa.String(length=36), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_agreements_removal_requested_by_people"),
            "people",
            ["removal_requested_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_agreements_removal_requested_by_people"), type_="foreignkey"
        )
        batch_op.drop_column("removal_requested_by")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
