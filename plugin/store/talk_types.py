"""Reading and keeping talk type versions (`talk_type_tables.talk_type_versions`), and each
tenant's own types over the installation's (`talk_type_tables.tenant_talk_types`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict
from plugin.domain.talk_types import TalkType
from plugin.store.talk_type_tables import talk_type_versions, tenant_talk_types


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


@dataclass(frozen=True)
class TenantType:
    """What a tenant changed about one type id: its own version (with its content), whether
    it is hidden, and who changed it last."""

    type_id: str
    content_hash: str | None
    content: dict[str, Any] | None
    hidden: bool
    version: int
    changed_by: str | None
    changed_at: datetime


def tenant_types(session: Session, tenant_id: str) -> list[TenantType]:
    """Every type id the tenant's admin changed, in id order: one query, contents joined."""
    rows = session.execute(
        select(
            tenant_talk_types.c.type_id,
            tenant_talk_types.c.content_hash,
            talk_type_versions.c.content,
            tenant_talk_types.c.hidden,
            tenant_talk_types.c.version,
            tenant_talk_types.c.changed_by,
            tenant_talk_types.c.changed_at,
        )
        .select_from(tenant_talk_types)
        .outerjoin(
            talk_type_versions,
            talk_type_versions.c.content_hash == tenant_talk_types.c.content_hash,
        )
        .where(tenant_talk_types.c.tenant_id == tenant_id)
        .order_by(tenant_talk_types.c.type_id)
    )
    return [
        TenantType(
            type_id=r.type_id,
            content_hash=r.content_hash,
            content=r.content if isinstance(r.content, dict) else None,
            hidden=bool(r.hidden),
            version=r.version,
            changed_by=r.changed_by,
            changed_at=r.changed_at,
        )
        for r in rows
    ]


def save_tenant_type(
    session: Session,
    tenant_id: str,
    type_id: str,
    *,
    based_on: int,
    content_hash: str | None,
    hidden: bool,
    changed_by: str,
    now: datetime,
) -> None:
    """Write the tenant's row of this type as based on version ``based_on`` (0: none yet);
    `Conflict` ("stale") when it moved on meanwhile. Two first writes at once both insert: one
    loses on the primary key, is tried again (`Services.write`) and is then stale."""
    values = {
        "content_hash": content_hash,
        "hidden": hidden,
        "version": based_on + 1,
        "changed_by": changed_by,
        "changed_at": now,
    }
    if based_on == 0:
        found = session.execute(
            select(tenant_talk_types.c.version).where(
                tenant_talk_types.c.tenant_id == tenant_id,
                tenant_talk_types.c.type_id == type_id,
            )
        ).first()
        if found is not None:
            raise Conflict("stale", "version")
        session.execute(
            insert(tenant_talk_types).values(tenant_id=tenant_id, type_id=type_id, **values)
        )
        return
    changed = session.execute(
        update(tenant_talk_types)
        .where(
            tenant_talk_types.c.tenant_id == tenant_id,
            tenant_talk_types.c.type_id == type_id,
            tenant_talk_types.c.version == based_on,
        )
        .values(**values)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("stale", "version")


def drop_tenant_type(session: Session, tenant_id: str, type_id: str, *, based_on: int) -> None:
    """Forget the tenant's row of this type (an own type removed: nothing of it is left to
    list); `Conflict` ("stale") when it moved on since version ``based_on``."""
    gone = session.execute(
        delete(tenant_talk_types).where(
            tenant_talk_types.c.tenant_id == tenant_id,
            tenant_talk_types.c.type_id == type_id,
            tenant_talk_types.c.version == based_on,
        )
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("stale", "version")
