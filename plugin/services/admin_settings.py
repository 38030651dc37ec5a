"""The terms an admin sets on the admin page, stored over the settings' defaults.

Each is a row of `stored_settings` named as its field: the retention terms (read wherever
they apply through `privacy_terms.effective`) and the follow-up interval in weeks (read per
booking through `effective_policy`). A row that is missing, or not a whole number in range,
counts as not set.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from plugin.domain.admin import WEEKS_MAX, WEEKS_MIN
from plugin.domain.followup import FollowUpPolicy
from plugin.services.privacy_terms import Terms, effective
from plugin.store.audit_tables import stored_settings

INTERVAL = "follow_up_interval_weeks"


@dataclass(frozen=True)
class AdminTerms:
    retention_months: int
    audit_retention_months: int
    follow_up_interval_weeks: int


def _interval_weeks(session: Session) -> int | None:
    value = session.execute(
        select(stored_settings.c.value).where(stored_settings.c.name == INTERVAL)
    ).scalar()
    return value if type(value) is int and WEEKS_MIN <= value <= WEEKS_MAX else None


def effective_policy(session: Session, policy: FollowUpPolicy) -> FollowUpPolicy:
    """`policy` with the interval an admin stored (one primary-key read), else as it is."""
    weeks = _interval_weeks(session)
    return policy if weeks is None else replace(policy, interval=timedelta(weeks=weeks))


def current(session: Session, base: Terms, policy: FollowUpPolicy) -> AdminTerms:
    """The terms in force: an admin's stored values, else the configured ones."""
    terms = effective(session, base)
    weeks = _interval_weeks(session)
    return AdminTerms(
        retention_months=terms.retention_months,
        audit_retention_months=terms.audit_retention_months,
        follow_up_interval_weeks=weeks if weeks is not None else policy.interval.days // 7,
    )


def store(session: Session, terms: AdminTerms, now: datetime) -> None:
    """Store all three (the caller validated them: whole numbers in range)."""
    values = {
        "retention_months": terms.retention_months,
        "audit_retention_months": terms.audit_retention_months,
        INTERVAL: terms.follow_up_interval_weeks,
    }
    existing = set(
        session.execute(
            select(stored_settings.c.name).where(stored_settings.c.name.in_(list(values)))
        ).scalars()
    )
    for name, value in values.items():
        if name in existing:
            session.execute(
                update(stored_settings)
                .where(stored_settings.c.name == name)
                .values(value=value, updated_at=now)
            )
        else:
            session.execute(insert(stored_settings).values(name=name, value=value, updated_at=now))
