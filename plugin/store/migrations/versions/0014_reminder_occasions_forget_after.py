"""reminder occasions: when each can be forgotten (the scan's upkeep deletes it then), with
its index

The rows already recorded get their moment from their kind and key, with the rule of
`domain/reminders.forget_after` as it stood at this revision (a migration does not follow
later changes of the app's code).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 05:30:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_MARGIN = timedelta(days=30)
_BATCH = 1000


def _forget_after(kind: str, key: str) -> datetime:
    if kind in ("due_soon", "overdue"):
        lookback = timedelta(days=14) if kind == "overdue" else timedelta(0)
        edge = datetime.combine(
            date.fromisoformat(key) + lookback + timedelta(days=2), time(0), tzinfo=UTC
        )
    else:
        edge = datetime.fromisoformat(key).astimezone(UTC)
        if kind == "sign":
            edge += timedelta(days=30)
    return edge + _MARGIN


def upgrade() -> None:
    with op.batch_alter_table("reminder_occasions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("forget_after", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    naive = bind.dialect.name == "sqlite"  # as the app's UTCDateTime stores it there
    occasions = sa.table(
        "reminder_occasions",
        sa.column("kind", sa.String()),
        sa.column("subject_id", sa.String()),
        sa.column("occasion_key", sa.String()),
        sa.column("forget_after", sa.DateTime(timezone=True)),
    )
    rows = bind.execute(
        sa.select(occasions.c.kind, occasions.c.subject_id, occasions.c.occasion_key)
    ).all()
    update = (
        occasions.update()
        .where(
            occasions.c.kind == sa.bindparam("k"),
            occasions.c.subject_id == sa.bindparam("s"),
            occasions.c.occasion_key == sa.bindparam("o"),
        )
        .values(forget_after=sa.bindparam("f"))
    )
    for start in range(0, len(rows), _BATCH):
        values = []
        for row in rows[start : start + _BATCH]:
            moment = _forget_after(row.kind, row.occasion_key)
            values.append(
                {
                    "k": row.kind,
                    "s": row.subject_id,
                    "o": row.occasion_key,
                    "f": moment.replace(tzinfo=None) if naive else moment,
                }
            )
        bind.execute(update, values)
    with op.batch_alter_table("reminder_occasions", schema=None) as batch_op:
        batch_op.alter_column(
            "forget_after", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index("ix_reminder_occasions_forget_after", ["forget_after"])


def downgrade() -> None:
    with op.batch_alter_table("reminder_occasions", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_occasions_forget_after")
        batch_op.drop_column("forget_after")
