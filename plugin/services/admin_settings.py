"""The terms an admin sets on the admin page for their own tenant, over the settings' defaults.

Each is a row of `stored_settings` named as its field, under the admin's tenant: the retention
terms (read wherever they apply through `privacy_terms.effective`) and the follow-up interval
in weeks (read per booking through `effective_policy`, with the tenant's working hours). A
row that is missing, or not a whole number in range, counts as not set. The three are saved
together, on the version they were read at (`terms_version`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain import work_week
from plugin.domain.admin import WEEKS_MAX, WEEKS_MIN
from plugin.domain.followup import FollowUpPolicy
from plugin.services import privacy_terms
from plugin.services.privacy_terms import Terms
from plugin.services.working_time import WEEK
from plugin.store import tenant_settings

INTERVAL = "follow_up_interval_weeks"
TERMS_VERSION = "terms_version"


@dataclass(frozen=True)
class AdminTerms:
    retention_months: int
    audit_retention_months: int
    follow_up_interval_weeks: int


def _weeks(value: object) -> int | None:
    return value if type(value) is int and WEEKS_MIN <= value <= WEEKS_MAX else None


def effective_policy(session: Session, policy: FollowUpPolicy, tenant_id: str) -> FollowUpPolicy:
    """`policy` with the interval and the working week the tenant's admin stored (one
    primary-key read), else as it is."""
    stored = tenant_settings.read(session, tenant_id, [INTERVAL, WEEK])
    weeks = _weeks(stored.get(INTERVAL))
    hours = work_week.applied(policy.hours, work_week.from_value(stored.get(WEEK)))
    interval = policy.interval if weeks is None else timedelta(weeks=weeks)
    return replace(policy, interval=interval, hours=hours)


def view(session: Session, base: Terms, policy: FollowUpPolicy, tenant_id: str) -> dict[str, Any]:
    """The tenant's terms in force (its admin's stored values, else the configured ones) and
    their version, as the admin page shows them (one primary-key read)."""
    stored = tenant_settings.read(
        session, tenant_id, [*privacy_terms.NAMES, INTERVAL, TERMS_VERSION]
    )
    terms = privacy_terms.over(base, stored)
    weeks = _weeks(stored.get(INTERVAL))
    version = stored.get(TERMS_VERSION)
    return {
        "retention_months": terms.retention_months,
        "audit_retention_months": terms.audit_retention_months,
        "follow_up_interval_weeks": weeks if weeks is not None else policy.interval.days // 7,
        "version": version if type(version) is int else 0,
    }


def store(
    session: Session,
    base: Terms,
    policy: FollowUpPolicy,
    tenant_id: str,
    terms: AdminTerms,
    expected_version: int,
    now: datetime,
) -> dict[str, Any]:
    """Store all three for the tenant (the caller validated them: whole numbers in range),
    on the version the admin read; 409 `stale` with the terms as they are now otherwise."""
    tenant_settings.bump_version(
        session,
        tenant_id,
        TERMS_VERSION,
        expected_version,
        now,
        current=lambda: view(session, base, policy, tenant_id),
    )
    values = {
        "retention_months": terms.retention_months,
        "audit_retention_months": terms.audit_retention_months,
        INTERVAL: terms.follow_up_interval_weeks,
    }
    tenant_settings.write(session, tenant_id, values, now)
    return view(session, base, policy, tenant_id)
