"""tenant settings: what an admin sets holds for the admin's own organisation (tenant)

`stored_settings` was one row per name for the whole installation; an admin of one tenant
could set another's terms. Each row now names its tenant. Rows stored before hold for every
tenant that has people at the time of the upgrade (those tenants' admins set them).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _table(tenant: bool) -> sa.Table:
    columns: list[sa.Column[object]] = []
    if tenant:
        columns.append(sa.Column("tenant_id", sa.String(length=64), nullable=False))
    columns += [
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", _JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    ]
    key = ("tenant_id", "name") if tenant else ("name",)
    return sa.Table(
        "stored_settings",
        sa.MetaData(),
        *columns,
        sa.PrimaryKeyConstraint(*key, name="pk_stored_settings"),
    )


def _recreate(tenant: bool) -> list[dict[str, object]]:
    """Drop the table, keep its rows, create it again in its new shape; the rows read."""
    bind = op.get_bind()
    old = _table(not tenant)
    rows = [dict(r._mapping) for r in bind.execute(sa.select(old))]
    op.drop_table("stored_settings")
    new = _table(tenant)
    new.create(bind)
    return rows


def upgrade() -> None:
    bind = op.get_bind()
    tenants = [
        t for (t,) in bind.execute(sa.text("SELECT DISTINCT tenant_id FROM people ORDER BY 1"))
    ]
    rows = _recreate(tenant=True)
    copies = [{**row, "tenant_id": t} for row in rows for t in tenants]
    if copies:
        bind.execute(sa.insert(_table(True)), copies)


def downgrade() -> None:
    rows = _recreate(tenant=False)
    # One row per name again: the first tenant's value (ordered, so always the same one).
    kept: dict[str, dict[str, object]] = {}
    for row in sorted(rows, key=lambda r: (str(r["tenant_id"]), str(r["name"]))):
        kept.setdefault(str(row["name"]), {k: v for k, v in row.items() if k != "tenant_id"})
    if kept:
        op.get_bind().execute(sa.insert(_table(False)), list(kept.values()))
