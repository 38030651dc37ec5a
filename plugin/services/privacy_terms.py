"""The privacy terms in force for a tenant: the settings' values, unless its admin stored
their own.

The admin page writes `stored_settings` rows named as the fields here (`admin_settings.store`),
per tenant; everything that applies a term reads `effective` (the privacy page, for the
viewer's tenant) or `by_tenant` (the daily purge: each tenant its own period).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.admin import MONTHS_MAX, MONTHS_MIN
from plugin.domain.retention import DEFAULT_AUDIT_RETENTION_MONTHS, DEFAULT_RETENTION_MONTHS
from plugin.store import tenant_settings


@dataclass(frozen=True)
class Terms:
    #: Months a track is kept after its last activity.
    retention_months: int = DEFAULT_RETENTION_MONTHS
    #: Months an audit log entry is kept.
    audit_retention_months: int = DEFAULT_AUDIT_RETENTION_MONTHS


#: The stored rows' names: the fields' own.
NAMES = tuple(f.name for f in fields(Terms))


def configured(settings: Any) -> Terms:
    """The terms the settings give (`plugin.settings.Settings`)."""
    return Terms(
        retention_months=settings.retention_months,
        audit_retention_months=settings.audit_retention_months,
    )


def over(base: Terms, stored: dict[str, Any]) -> Terms:
    """`base` with the stored values in their place (whole months in range)."""
    # `type(...) is int`: JSON's true is no number of months.
    valid = {
        k: v
        for k, v in stored.items()
        if k in NAMES and type(v) is int and MONTHS_MIN <= v <= MONTHS_MAX
    }
    return replace(base, **valid)


def effective(session: Session, base: Terms, tenant_id: str) -> Terms:
    """The tenant's terms: `base` with the values its admin stored (one primary-key read)."""
    return over(base, tenant_settings.read(session, tenant_id, NAMES))


def by_tenant(session: Session, base: Terms) -> dict[str, Terms]:
    """The terms of every tenant that stored any (one read); others have `base`."""
    return {t: over(base, values) for t, values in tenant_settings.read_all(session, NAMES).items()}
