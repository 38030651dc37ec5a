"""A tenant's working hours in force: the settings' hours with its admin's week over them.

`hours_of` is the one way to ask (one primary-key read); the scans that run over every tenant
take a `TenantHours` book instead, which reads every tenant's week once per scan. The time
zone is always the installation's (`ONTWIKKELGESPREK_TIMEZONE`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain import work_week
from plugin.domain.schedule import WorkingHours
from plugin.domain.work_week import WorkWeek
from plugin.store import tenant_settings

#: The stored row of the admin's week, and the version row of its saves.
WEEK = "working_week"
WEEK_VERSION = "working_week_version"


def hours_of(session: Session, base: WorkingHours, tenant_id: str) -> WorkingHours:
    """The effective working hours of `tenant_id` (one primary-key read)."""
    return work_week.applied(base, stored_week(session, tenant_id))


def stored_week(session: Session, tenant_id: str) -> WorkWeek | None:
    """The week the tenant's admin stored, or None (then the settings' hours hold)."""
    return work_week.from_value(tenant_settings.read(session, tenant_id, [WEEK]).get(WEEK))


class TenantHours:
    """Every tenant's hours for one scan: the stored weeks read once, on first use."""

    def __init__(self, session: Session, base: WorkingHours) -> None:
        self._session = session
        self.base = base
        self._by_tenant: dict[str, WorkingHours] | None = None

    def _all(self) -> dict[str, WorkingHours]:
        if self._by_tenant is None:
            stored = tenant_settings.read_all(self._session, [WEEK])
            self._by_tenant = {
                tenant: work_week.applied(self.base, work_week.from_value(values.get(WEEK)))
                for tenant, values in stored.items()
            }
        return self._by_tenant

    def of(self, tenant_id: str) -> WorkingHours:
        return self._all().get(tenant_id, self.base)

    def every(self) -> list[WorkingHours]:
        """The hours of every tenant that set theirs, and the settings' (for the widest
        range a scan must look at before it judges each row by its tenant's hours)."""
        return [self.base, *self._all().values()]


def week_view(session: Session, base: WorkingHours, tenant_id: str) -> dict[str, Any]:
    """What the admin page shows: the week in force, whether it is the admin's, its version."""
    values = tenant_settings.read(session, tenant_id, [WEEK, WEEK_VERSION])
    stored = work_week.from_value(values.get(WEEK))
    week = stored if stored is not None else work_week.of_hours(base)
    version = values.get(WEEK_VERSION)
    return {
        **work_week.to_value(week),
        "timezone": base.timezone,
        #: True while the admin stored no week: the settings' hours hold.
        "configured": stored is None,
        "version": version if type(version) is int else 0,
    }


def store_week(
    session: Session,
    base: WorkingHours,
    tenant_id: str,
    week: WorkWeek,
    expected_version: int,
    now: datetime,
) -> dict[str, Any]:
    """Store the tenant's week (checked first: a fault saves nothing); 409 when stale."""
    week = work_week.checked(week)
    tenant_settings.bump_version(
        session,
        tenant_id,
        WEEK_VERSION,
        expected_version,
        now,
        current=lambda: week_view(session, base, tenant_id),
    )
    tenant_settings.write(session, tenant_id, {WEEK: work_week.to_value(week)}, now)
    return week_view(session, base, tenant_id)
