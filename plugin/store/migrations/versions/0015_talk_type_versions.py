"""talk type versions: each talk keeps the version of its type it was planned with

Talks and series planned before this revision were planned with the one checklist there was.
They get that checklist as their type version: the built-in ontwikkelgesprek as it stood at
this revision, stored with this migration (`migrations/data/0015_ontwikkelgesprek.json`), so
that later changes of the app's checklists do not change what this migration writes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 05:45:00
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPY = Path(__file__).resolve().parent.parent / "data" / "0015_ontwikkelgesprek.json"


def _content_hash(data: object) -> str:
    # As `domain.checklist.content_hash` wrote it at this revision.
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    versions = op.create_table(
        "talk_type_versions",
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("type_id", sa.String(length=64), nullable=False),
        sa.Column("content", json_type, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("content_hash", name=op.f("pk_talk_type_versions")),
    )
    bind = op.get_bind()
    talks = sa.table("talks", sa.column("template_id", sa.String()))
    series = sa.table("talk_series", sa.column("template_id", sa.String()))
    existing = bind.execute(sa.select(sa.func.count()).select_from(talks)).scalar_one()
    existing += bind.execute(sa.select(sa.func.count()).select_from(series)).scalar_one()
    if not existing:
        return
    content = json.loads(_COPY.read_text(encoding="utf-8"))
    version = _content_hash(content)
    now = datetime.now(UTC)
    bind.execute(
        sa.insert(versions).values(
            content_hash=version,
            type_id=content["id"],
            content=content,
            created_at=now.replace(tzinfo=None) if bind.dialect.name == "sqlite" else now,
        )
    )
    bind.execute(talks.update().values(template_id=version))
    bind.execute(series.update().values(template_id=version))


def downgrade() -> None:
    # The talks keep their hash as template id: the app before this revision never read it.
    op.drop_table("talk_type_versions")
