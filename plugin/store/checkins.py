"""Queries of the check-ins: which slipped agreements have no proposal yet, which agreements
have one running, and a lead's proposals waiting.

The candidates are narrowed by index (open agreements by due date; "stuck" entries by time)
and the occasions proposed already are left out by an anti-join on the proposals' unique key.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import String, and_, cast, exists, or_, select
from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.agreement_progress import AgreementProgress, ProgressKind
from plugin.domain.checkin import CheckIn, CheckInState
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.store.between_talks_tables import agreement_progress, check_ins
from plugin.store.reminders import open_due_unless
from plugin.store.schema import agreements, talks


def overdue_unproposed(
    session: Session, first: date, last: date
) -> Sequence[tuple[Agreement, Talk]]:
    """Open agreements of signed talks due in [first, last] with no proposal for that date."""
    proposed = exists().where(
        and_(
            check_ins.c.agreement_id == agreements.c.id,
            check_ins.c.reason_key == cast(agreements.c.due, String),
        )
    )
    return open_due_unless(session, first, last, proposed)


def stuck_unproposed(
    session: Session, since: datetime
) -> Sequence[tuple[AgreementProgress, Agreement, Talk]]:
    """ "Stuck" entries since `since` on open agreements of signed talks, with no proposal for
    that entry (the caller checks it is still the agreement's latest change)."""
    proposed = exists().where(
        and_(
            check_ins.c.agreement_id == agreement_progress.c.agreement_id,
            check_ins.c.reason_key == agreement_progress.c.id,
        )
    )
    rows = session.execute(
        select(AgreementProgress, Agreement, Talk)
        .join(agreements, agreements.c.id == agreement_progress.c.agreement_id)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(
            agreement_progress.c.kind == ProgressKind.STUCK.value,
            agreement_progress.c.created_at >= since,
            agreements.c.status == AgreementStatus.OPEN.value,
            talks.c.status == TalkStatus.SIGNED.value,
            ~proposed,
        )
        .order_by(agreement_progress.c.created_at, agreement_progress.c.id)
    ).all()
    return [(row[0], row[1], row[2]) for row in rows]


def running(session: Session, agreement_ids: Iterable[str], now: datetime) -> set[str]:
    """Of these agreements, those with a check-in running: waiting for the lead, or accepted
    and not over yet (not booked yet, or its talk not ended and not cancelled)."""
    ids = list(agreement_ids)
    if not ids:
        return set()
    check_in_talk = talks.alias("check_in_talk")
    rows = session.execute(
        select(check_ins.c.agreement_id)
        .outerjoin(check_in_talk, check_in_talk.c.id == check_ins.c.check_in_talk_id)
        .where(
            check_ins.c.agreement_id.in_(ids),
            or_(
                check_ins.c.state == CheckInState.PROPOSED.value,
                and_(
                    check_ins.c.state == CheckInState.ACCEPTED.value,
                    or_(
                        check_ins.c.check_in_talk_id.is_(None),
                        and_(
                            check_in_talk.c.ends_at > now,
                            check_in_talk.c.status != TalkStatus.CANCELLED.value,
                        ),
                    ),
                ),
            ),
        )
    ).all()
    return {row[0] for row in rows}


def check_in(session: Session, tenant_id: str, check_in_id: str) -> CheckIn | None:
    found = session.get(CheckIn, check_in_id)
    return found if found is not None and found.tenant_id == tenant_id else None


def booked_as(session: Session, talk: Talk) -> CheckIn | None:
    """The check-in booked as this check-in talk (found by its agreement's proposals)."""
    if talk.check_in_of is None:
        return None
    found: CheckIn | None = session.execute(
        select(CheckIn).where(
            check_ins.c.tenant_id == talk.tenant_id,
            check_ins.c.agreement_id == talk.check_in_of,
            check_ins.c.check_in_talk_id == talk.id,
        )
    ).scalar_one_or_none()
    return found


def waiting_for(session: Session, lead_id: str) -> Sequence[tuple[CheckIn, Agreement]]:
    """The lead's proposals waiting for their decision, with their agreements, oldest first."""
    rows = session.execute(
        select(CheckIn, Agreement)
        .join(agreements, agreements.c.id == check_ins.c.agreement_id)
        .where(
            check_ins.c.lead_id == lead_id,
            check_ins.c.state == CheckInState.PROPOSED.value,
            agreements.c.status == AgreementStatus.OPEN.value,
        )
        .order_by(check_ins.c.created_at, check_ins.c.id)
    ).all()
    return [(row[0], row[1]) for row in rows]
