"""Reading and writing one tenant's `stored_settings` rows: an admin's values over the settings.

Every read names its tenant, so an admin's value holds for their own organisation only. Each
group of values an admin saves together carries a version row (`bump_version`): a save based
on an older version is refused (409), so two admins never overwrite each other unseen.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict
from plugin.store.audit_tables import stored_settings


def read(session: Session, tenant_id: str, names: Collection[str]) -> dict[str, Any]:
    """The tenant's stored values of these names (one primary-key read)."""
    rows = session.execute(
        select(stored_settings.c.name, stored_settings.c.value).where(
            stored_settings.c.tenant_id == tenant_id, stored_settings.c.name.in_(list(names))
        )
    )
    return {row.name: row.value for row in rows}


def read_all(session: Session, names: Collection[str]) -> dict[str, dict[str, Any]]:
    """Every tenant's stored values of these names, by tenant (one read: for the scans)."""
    out: dict[str, dict[str, Any]] = {}
    rows = session.execute(
        select(stored_settings.c.tenant_id, stored_settings.c.name, stored_settings.c.value).where(
            stored_settings.c.name.in_(list(names))
        )
    )
    for row in rows:
        out.setdefault(row.tenant_id, {})[row.name] = row.value
    return out


def write(session: Session, tenant_id: str, values: Mapping[str, Any], now: datetime) -> None:
    """Store these values for the tenant (insert or replace each)."""
    existing = set(read(session, tenant_id, list(values)))
    for name, value in values.items():
        if name in existing:
            session.execute(
                update(stored_settings)
                .where(stored_settings.c.tenant_id == tenant_id, stored_settings.c.name == name)
                .values(value=value, updated_at=now)
            )
        else:
            session.execute(
                insert(stored_settings).values(
                    tenant_id=tenant_id, name=name, value=value, updated_at=now
                )
            )


def bump_version(
    session: Session,
    tenant_id: str,
    name: str,
    expected: int,
    now: datetime,
    current: Callable[[], dict[str, Any]],
) -> int:
    """Move the version on from `expected`, or refuse with 409 `stale` and `current()` (the
    state as it is now) when another save came first. Returns the new version."""
    # The row is locked until commit (PostgreSQL; SQLite has one writer at a time): a second
    # save waits, then reads the moved version. Two first saves both insert: one fails on the
    # primary key and `Services.write` retries it, which then finds the row.
    found = session.execute(
        select(stored_settings.c.value)
        .where(stored_settings.c.tenant_id == tenant_id, stored_settings.c.name == name)
        .with_for_update()
    ).first()
    now_version = found[0] if found is not None and type(found[0]) is int else 0
    if now_version != expected:
        raise Conflict("stale", "version", current=current())
    write(session, tenant_id, {name: now_version + 1}, now)
    return now_version + 1
