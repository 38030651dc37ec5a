"""Writing and reading the append-only audit log (`audit_tables.audit_log`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, insert, select
from sqlalchemy.orm import Session

from plugin.store.audit_tables import audit_log


def append(session: Session, entry: Mapping[str, Any]) -> None:
    """Add one entry (its columns by name); entries are never changed afterwards."""
    session.execute(insert(audit_log).values(**entry))


def read(session: Session, since: datetime | None, limit: int) -> Sequence[Row[Any]]:
    """Entries oldest first, from `since` on, at most `limit`."""
    query = select(audit_log).order_by(audit_log.c.id).limit(limit)
    if since is not None:
        query = query.where(audit_log.c.at >= since)
    return session.execute(query).all()
