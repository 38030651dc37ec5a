"""Queries for the calendar sync: the Graph subscriptions we hold, and which talks each
watched mailbox must keep in step."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.store.schema import talk_series, talks
from plugin.store.working_tables import graph_subscriptions

#: Talks whose calendar event the sync keeps in step: not yet signed or cancelled.
WATCHED = (TalkStatus.PLANNED.value, TalkStatus.HELD.value)


@dataclass(frozen=True)
class SubscriptionRow:
    id: str
    tenant_id: str
    person_id: str
    mailbox: str
    subscription_id: str
    client_state: str
    expires_at: datetime
    lifetime_seconds: int
    reconciled_at: datetime | None


def _row(found: object) -> SubscriptionRow:
    mapping = found._mapping  # type: ignore[attr-defined]
    return SubscriptionRow(**{k: mapping[k] for k in SubscriptionRow.__dataclass_fields__})


def by_subscription_id(session: Session, subscription_id: str) -> SubscriptionRow | None:
    found = session.execute(
        select(graph_subscriptions).where(graph_subscriptions.c.subscription_id == subscription_id)
    ).first()
    return _row(found) if found is not None else None


def by_row_id(session: Session, row_id: str) -> SubscriptionRow | None:
    found = session.execute(
        select(graph_subscriptions).where(graph_subscriptions.c.id == row_id)
    ).first()
    return _row(found) if found is not None else None


def of_person(session: Session, tenant_id: str, person_id: str) -> SubscriptionRow | None:
    found = session.execute(
        select(graph_subscriptions).where(
            graph_subscriptions.c.tenant_id == tenant_id,
            graph_subscriptions.c.person_id == person_id,
        )
    ).first()
    return _row(found) if found is not None else None


def all_subscriptions(session: Session) -> list[SubscriptionRow]:
    return [_row(r) for r in session.execute(select(graph_subscriptions)).all()]


def add(session: Session, row: SubscriptionRow, now: datetime) -> None:
    values = {k: getattr(row, k) for k in SubscriptionRow.__dataclass_fields__}
    session.execute(insert(graph_subscriptions).values(**values, created_at=now, updated_at=now))


def renewed(
    session: Session, row_id: str, expires_at: datetime, lifetime_seconds: int, now: datetime
) -> None:
    session.execute(
        update(graph_subscriptions)
        .where(graph_subscriptions.c.id == row_id)
        .values(expires_at=expires_at, lifetime_seconds=lifetime_seconds, updated_at=now)
    )


def reconciled(session: Session, row_id: str, now: datetime) -> None:
    session.execute(
        update(graph_subscriptions)
        .where(graph_subscriptions.c.id == row_id)
        .values(reconciled_at=now, updated_at=now)
    )


def remove(session: Session, row_id: str) -> None:
    session.execute(delete(graph_subscriptions).where(graph_subscriptions.c.id == row_id))


def leads_to_watch(session: Session) -> list[tuple[str, str]]:
    """(tenant id, person id) of everyone who leads a talk whose event we keep in step, or a
    talk series that goes on."""
    rows = session.execute(
        select(talks.c.tenant_id, talks.c.lead_id)
        .where(talks.c.status.in_(WATCHED), talks.c.event_id.is_not(None))
        .union(
            select(talk_series.c.tenant_id, talk_series.c.lead_id).where(
                talk_series.c.active.is_(True)
            )
        )
    ).all()
    return sorted({(r[0], r[1]) for r in rows})


def watched_talks(session: Session, tenant_id: str, lead_id: str) -> Sequence[Talk]:
    """The lead's talks held in calendar events that are not signed or cancelled yet."""
    return (
        session.execute(
            select(Talk).where(
                talks.c.tenant_id == tenant_id,
                talks.c.lead_id == lead_id,
                talks.c.status.in_(WATCHED),
                talks.c.event_id.is_not(None),
            )
        )
        .scalars()
        .all()
    )
