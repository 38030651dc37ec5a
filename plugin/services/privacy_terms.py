"""The privacy terms in force: the settings' values, unless an admin stored their own.

The admin page writes `stored_settings` rows named as the fields here (`admin_settings.store`);
everything that applies a term (the daily purge, the privacy page) reads `effective`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin.domain.retention import DEFAULT_AUDIT_RETENTION_MONTHS, DEFAULT_RETENTION_MONTHS
from plugin.store.audit_tables import stored_settings


@dataclass(frozen=True)
class Terms:
    #: Months a track is kept after its last activity.
    retention_months: int = DEFAULT_RETENTION_MONTHS
    #: Months an audit log entry is kept.
    audit_retention_months: int = DEFAULT_AUDIT_RETENTION_MONTHS


def configured(settings: Any) -> Terms:
    """The terms the settings give (`plugin.settings.Settings`)."""
    return Terms(
        retention_months=settings.retention_months,
        audit_retention_months=settings.audit_retention_months,
    )


def effective(session: Session, base: Terms) -> Terms:
    """`base` with the values an admin stored in their place (whole months, at least 1)."""
    names = [f.name for f in fields(Terms)]
    stored = {
        row.name: row.value
        for row in session.execute(
            select(stored_settings.c.name, stored_settings.c.value).where(
                stored_settings.c.name.in_(names)
            )
        )
    }
    # `type(...) is int`: JSON's true is no number of months.
    valid = {k: v for k, v in stored.items() if type(v) is int and 1 <= v <= 1200}
    return replace(base, **valid)
