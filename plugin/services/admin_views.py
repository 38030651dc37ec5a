"""What the admin page shows: late talks, the organisation's people, and the audit log.

All of it stays within the admin's tenant, and none of it carries a talk's contents: a late
talk is its id, its two people, its dates and its state; an audit entry is ids and names.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from plugin.domain.admin import TalkTimes, lateness
from plugin.domain.people import Person
from plugin.domain.talk_state import FollowUpStatus, TalkStatus
from plugin.services.context import Services
from plugin.services.working_time import hours_of
from plugin.store.audit_tables import audit_log
from plugin.store.schema import people, talks

#: At most this many late talks are listed (the oldest first): enough to act on.
LATE_LIMIT = 500
AUDIT_PAGE_SIZE = 50


def late_talks(svc: Services, session: Session, admin: Person) -> list[dict[str, Any]]:
    """The tenant's talks that lag behind, oldest first: ids, names, dates and state only."""
    now = svc.clock.now()
    lead, learner = people.alias("lead"), people.alias("learner")
    # A broad filter in SQL; `lateness` decides (working days are not SQL's to count).
    query = (
        select(
            talks.c.id,
            talks.c.status,
            talks.c.starts_at,
            talks.c.ends_at,
            talks.c.follow_up_status,
            talks.c.check_in_of,
            lead.c.display_name.label("lead_name"),
            learner.c.display_name.label("learner_name"),
        )
        .join(lead, lead.c.id == talks.c.lead_id)
        .join(learner, learner.c.id == talks.c.learner_id)
        .where(
            talks.c.tenant_id == admin.tenant_id,
            or_(
                and_(
                    talks.c.status.in_([TalkStatus.PLANNED.value, TalkStatus.HELD.value]),
                    talks.c.ends_at < now,
                ),
                and_(
                    talks.c.status == TalkStatus.SIGNED.value,
                    talks.c.follow_up_status != FollowUpStatus.BOOKED.value,
                    talks.c.check_in_of.is_(None),
                ),
            ),
        )
        .order_by(talks.c.starts_at, talks.c.id)
    )
    late = []
    # Working days are the admin's tenant's (its admin may have set holidays).
    hours = hours_of(session, svc.policy.hours, admin.tenant_id)
    for row in session.execute(query):
        times = TalkTimes(
            status=TalkStatus(row.status),
            starts_at=row.starts_at,
            ends_at=row.ends_at,
            follow_up_status=FollowUpStatus(row.follow_up_status),
            check_in=row.check_in_of is not None,
        )
        state = lateness(times, now, hours)
        if state is None:
            continue
        late.append(
            {
                "talk_id": row.id,
                "lead": row.lead_name,
                "learner": row.learner_name,
                "starts_at": row.starts_at.isoformat(),
                "ends_at": row.ends_at.isoformat(),
                "status": times.status.value,
                "late": state.value,
            }
        )
        if len(late) >= LATE_LIMIT:
            break
    return late


def tenant_people(session: Session, admin: Person) -> list[dict[str, Any]]:
    """The tenant's people, by name: whose data an admin can export."""
    rows = session.execute(
        select(people.c.id, people.c.display_name, people.c.email, people.c.external)
        .where(people.c.tenant_id == admin.tenant_id)
        .order_by(func.lower(people.c.display_name), people.c.id)
    )
    return [
        {"id": r.id, "name": r.display_name, "email": r.email, "external": r.external} for r in rows
    ]


def person_in_tenant(session: Session, admin: Person, person_id: str) -> Person | None:
    found = session.get(Person, person_id)
    return found if found is not None and found.tenant_id == admin.tenant_id else None


def audit_page(session: Session, admin: Person, page: int) -> dict[str, Any]:
    """One page of the tenant's audit log, newest first, with names where the people exist."""
    rows = list(
        session.execute(
            select(audit_log)
            .where(audit_log.c.tenant_id == admin.tenant_id)
            .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
            .limit(AUDIT_PAGE_SIZE + 1)
            .offset(page * AUDIT_PAGE_SIZE)
        )
    )
    more = len(rows) > AUDIT_PAGE_SIZE
    rows = rows[:AUDIT_PAGE_SIZE]
    ids = {i for r in rows for i in (r.actor_id, r.subject_id) if i}
    names: dict[str, str] = {}
    if ids:
        found = session.execute(
            select(people.c.id, people.c.display_name).where(
                people.c.id.in_(ids), people.c.tenant_id == admin.tenant_id
            )
        )
        names = {row.id: row.display_name for row in found}
    return {
        "page": page,
        "more": more,
        "entries": [
            {
                "at": r.at.isoformat(),
                "action": r.action,
                "via": r.via,
                "talk_id": r.talk_id,
                # A name; "" for someone since removed (an id nobody can resolve); None when
                # nobody is named (the command line on the server).
                "actor": names.get(r.actor_id, "") if r.actor_id else None,
                "subject": names.get(r.subject_id, "") if r.subject_id else None,
            }
            for r in rows
        ],
    }
