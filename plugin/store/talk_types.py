"""Reading and keeping talk type versions (`talk_type_tables.talk_type_versions`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from plugin.domain.talk_types import TalkType
from plugin.store.talk_type_tables import talk_type_versions


def stored_content(session: Session, version: str) -> dict[str, Any] | None:
    """The content kept under this hash, or None."""
    content = session.execute(
        select(talk_type_versions.c.content).where(talk_type_versions.c.content_hash == version)
    ).scalar_one_or_none()
    return content if isinstance(content, dict) else None


def keep(session: Session, talk_type: TalkType, now: datetime) -> None:
    """Store this version unless it is stored already (a version is written once).

    Two first plannings at once both insert: one loses on the primary key and the write is
    tried again (`Services.write`), and then finds the row.
    """
    found = session.execute(
        select(talk_type_versions.c.content_hash).where(
            talk_type_versions.c.content_hash == talk_type.content_hash
        )
    ).first()
    if found is None:
        session.execute(
            insert(talk_type_versions).values(
                content_hash=talk_type.content_hash,
                type_id=talk_type.id,
                content=talk_type.content,
                created_at=now,
            )
        )
