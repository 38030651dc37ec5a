"""Queries: every lookup the services need, each scoped to one tenant."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, func, insert, or_, select, update
from sqlalchemy.orm import Session, lazyload
from sqlalchemy.orm.util import identity_key

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.people import Person, Track
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.store.db import LOCK_ON_LOAD
from plugin.store.schema import agreements, people, talk_shares, talks, tracks


def person(session: Session, tenant_id: str, person_id: str) -> Person | None:
    found = session.get(Person, person_id)
    return found if found is not None and found.tenant_id == tenant_id else None


def lock_people(session: Session, person_ids: Iterable[str]) -> None:
    """Row-lock these people until the transaction ends (in id order: no deadlocks)."""
    session.execute(
        select(people.c.id)
        .where(people.c.id.in_(sorted(set(person_ids))))
        .order_by(people.c.id)
        .with_for_update()
    ).all()


def person_by_identity(session: Session, tenant_id: str, object_id: str) -> Person | None:
    return session.execute(
        select(Person).where(people.c.tenant_id == tenant_id, people.c.object_id == object_id)
    ).scalar_one_or_none()


def colleagues(session: Session, tenant_id: str) -> Sequence[Person]:
    return (
        session.execute(
            select(Person)
            .where(people.c.tenant_id == tenant_id, people.c.external.is_(False))
            .order_by(people.c.display_name, people.c.id)
        )
        .scalars()
        .all()
    )


def supervisors(session: Session, tenant_id: str) -> Sequence[Person]:
    return (
        session.execute(
            select(Person)
            .where(people.c.tenant_id == tenant_id, people.c.external.is_(True))
            .order_by(people.c.display_name, people.c.id)
        )
        .scalars()
        .all()
    )


def names(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    ids = set(person_ids)
    if not ids:
        return {}
    return {
        row.id: row.display_name
        for row in session.execute(
            select(people.c.id, people.c.display_name).where(people.c.id.in_(ids))
        )
    }


def people_by_id(session: Session, person_ids: Iterable[str]) -> dict[str, Person]:
    ids = set(person_ids)
    if not ids:
        return {}
    found = session.execute(select(Person).where(people.c.id.in_(ids))).scalars()
    return {p.id: p for p in found}


def track_for(session: Session, tenant_id: str, lead_id: str, learner_id: str) -> Track | None:
    return session.execute(
        select(Track).where(
            tracks.c.tenant_id == tenant_id,
            tracks.c.lead_id == lead_id,
            tracks.c.learner_id == learner_id,
        )
    ).scalar_one_or_none()


_TALK_RELATIONS_ON_ACCESS = (
    lazyload(Talk.agreements),  # type: ignore[arg-type]
    lazyload(Talk.preparations),  # type: ignore[arg-type]
    lazyload(Talk.agenda_notes),  # type: ignore[arg-type]
    lazyload(Talk.signatures),  # type: ignore[arg-type]
)


def talk(session: Session, tenant_id: str, talk_id: str) -> Talk | None:
    """The tenant's talk as an aggregate.

    In a transaction that writes (`Database.writing`) the talk's row is locked on PostgreSQL
    until it ends (SQLite's write lock covers the whole database already).
    """
    query = select(Talk).where(talks.c.id == talk_id, talks.c.tenant_id == tenant_id)
    if session.info.get(LOCK_ON_LOAD) and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=talks)
    return session.execute(query).scalar_one_or_none()


def open_talk_for_event(session: Session, tenant_id: str, event_id: str) -> Talk | None:
    """The talk (not cancelled) held in the calendar event with this id, if there is one."""
    found: Talk | None = session.execute(
        select(Talk).where(
            talks.c.tenant_id == tenant_id,
            talks.c.event_id == event_id,
            talks.c.status != TalkStatus.CANCELLED.value,
        )
    ).scalar_one_or_none()
    return found


def talk_times(session: Session, tenant_id: str, talk_id: str) -> tuple[datetime, datetime] | None:
    """When the tenant's talk is (start, end), or None for no such talk: one small read, or
    none when the session holds the talk already (a list of talks that has its follow-up)."""
    known = session.identity_map.get(identity_key(Talk, talk_id))
    if isinstance(known, Talk):
        return (known.starts_at, known.ends_at) if known.tenant_id == tenant_id else None
    row = session.execute(
        select(talks.c.starts_at, talks.c.ends_at).where(
            talks.c.id == talk_id, talks.c.tenant_id == tenant_id
        )
    ).one_or_none()
    return (row.starts_at, row.ends_at) if row is not None else None


def talk_status(session: Session, tenant_id: str, talk_id: str) -> TalkStatus | None:
    """The tenant's talk's status, or None for no such talk: one small read."""
    status = session.execute(
        select(talks.c.status).where(talks.c.id == talk_id, talks.c.tenant_id == tenant_id)
    ).scalar()
    return None if status is None else TalkStatus(status)


def talks_of_series(session: Session, series_id: str) -> Sequence[Talk]:
    """The talks of one series (its occurrences that became talks), soonest first."""
    return (
        session.execute(
            select(Talk)
            .where(talks.c.series_id == series_id)
            .order_by(talks.c.starts_at, talks.c.id)
        )
        .scalars()
        .all()
    )


def talks_in_meeting(session: Session, tenant_id: str, chat_id: str) -> Sequence[Talk]:
    """The tenant's talks held in the Teams meeting with this chat, soonest first."""
    return (
        session.execute(
            select(Talk)
            .where(talks.c.tenant_id == tenant_id, talks.c.meeting_chat_id == chat_id)
            .order_by(talks.c.starts_at, talks.c.id)
        )
        .scalars()
        .all()
    )


def talks_of(session: Session, viewer: Person) -> Sequence[Talk]:
    """Every talk the person takes part in, oldest first."""
    return (
        session.execute(
            select(Talk)
            .where(
                talks.c.tenant_id == viewer.tenant_id,
                or_(talks.c.lead_id == viewer.id, talks.c.learner_id == viewer.id),
            )
            .order_by(talks.c.starts_at, talks.c.id)
        )
        .scalars()
        .all()
    )


def earlier_open_agreements(session: Session, current: Talk) -> Sequence[tuple[Agreement, Talk]]:
    """Agreements still open (or closed from this talk) from signed talks before this one."""
    rows = session.execute(
        select(Agreement, Talk)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(
            talks.c.track_id == current.track_id,
            talks.c.status == TalkStatus.SIGNED.value,
            talks.c.starts_at < current.starts_at,
            or_(
                agreements.c.status == AgreementStatus.OPEN.value,
                agreements.c.closed_in_talk_id == current.id,
            ),
        )
        .order_by(talks.c.starts_at, agreements.c.position)
        # The earlier talks' own relations are read only if a caller needs them.
        .options(*_TALK_RELATIONS_ON_ACCESS)
    ).all()
    return [(row[0], row[1]) for row in rows]


def open_agreements_of_tracks(
    session: Session, tenant_id: str, track_ids: Iterable[str]
) -> Sequence[tuple[Agreement, Talk]]:
    ids = list(track_ids)
    if not ids:
        return []
    rows = session.execute(
        select(Agreement, Talk)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(
            talks.c.tenant_id == tenant_id,
            talks.c.track_id.in_(ids),
            talks.c.status == TalkStatus.SIGNED.value,
            agreements.c.status == AgreementStatus.OPEN.value,
        )
        .order_by(agreements.c.due.is_(None), agreements.c.due, talks.c.starts_at)
    ).all()
    return [(row[0], row[1]) for row in rows]


def tracks_of(session: Session, viewer: Person) -> Sequence[Track]:
    return (
        session.execute(
            select(Track)
            .where(
                tracks.c.tenant_id == viewer.tenant_id,
                or_(tracks.c.lead_id == viewer.id, tracks.c.learner_id == viewer.id),
            )
            .order_by(tracks.c.created_at, tracks.c.id)
        )
        .scalars()
        .all()
    )


# -- read-only shares with school supervisors ---------------------------------------------------


def is_shared_with(session: Session, talk_id: str, person_id: str) -> bool:
    return bool(
        session.execute(
            select(
                exists().where(
                    talk_shares.c.talk_id == talk_id, talk_shares.c.person_id == person_id
                )
            )
        ).scalar()
    )


def shares_of(session: Session, talk_id: str) -> list[str]:
    return list(
        session.execute(
            select(talk_shares.c.person_id)
            .where(talk_shares.c.talk_id == talk_id)
            .order_by(talk_shares.c.person_id)
        ).scalars()
    )


def add_share(session: Session, talk_id: str, person_id: str, by: str, now: datetime) -> None:
    if not is_shared_with(session, talk_id, person_id):
        session.execute(
            insert(talk_shares).values(
                talk_id=talk_id, person_id=person_id, shared_by=by, created_at=now
            )
        )


def share_link_id(session: Session, talk_id: str, person_id: str) -> str | None:
    link: str | None = session.execute(
        select(talk_shares.c.link_id).where(
            talk_shares.c.talk_id == talk_id, talk_shares.c.person_id == person_id
        )
    ).scalar()
    return link


def set_share_link(session: Session, talk_id: str, person_id: str, link_id: str) -> None:
    session.execute(
        update(talk_shares)
        .where(talk_shares.c.talk_id == talk_id, talk_shares.c.person_id == person_id)
        .values(link_id=link_id)
    )


def shares_with_people(session: Session, talk_id: str) -> list[dict[str, Any]]:
    rows = session.execute(
        select(
            talk_shares.c.person_id,
            talk_shares.c.created_at,
            talk_shares.c.link_id,
            people.c.display_name,
            people.c.email,
        )
        .join(people, people.c.id == talk_shares.c.person_id)
        .where(talk_shares.c.talk_id == talk_id)
        .order_by(people.c.display_name, people.c.id)
    )
    return [
        {
            "person_id": row.person_id,
            "name": row.display_name,
            "email": row.email,
            "shared_at": row.created_at.isoformat(),
            "has_link": row.link_id is not None,
        }
        for row in rows
    ]


def people_by_email(session: Session, tenant_id: str, emails: Iterable[str]) -> dict[str, Person]:
    """The tenant's people with these addresses, keyed by the lower-cased address."""
    wanted = {e.lower() for e in emails}
    if not wanted:
        return {}
    found = session.execute(
        select(Person).where(
            people.c.tenant_id == tenant_id, func.lower(people.c.email).in_(wanted)
        )
    ).scalars()
    return {p.email.lower(): p for p in found}


def external_person_by_email(session: Session, tenant_id: str, email: str) -> Person | None:
    found: Person | None = session.execute(
        select(Person).where(
            people.c.tenant_id == tenant_id,
            people.c.external.is_(True),
            func.lower(people.c.email) == email.lower(),
        )
    ).scalar()
    return found


def remove_share(session: Session, talk_id: str, person_id: str) -> None:
    session.execute(
        delete(talk_shares).where(
            talk_shares.c.talk_id == talk_id, talk_shares.c.person_id == person_id
        )
    )


def talks_shared_with(session: Session, viewer: Person) -> Sequence[Talk]:
    shared = select(talk_shares.c.talk_id).where(talk_shares.c.person_id == viewer.id)
    return (
        session.execute(
            select(Talk)
            .where(talks.c.tenant_id == viewer.tenant_id, talks.c.id.in_(shared))
            .order_by(talks.c.starts_at)
        )
        .scalars()
        .all()
    )


def planned_talks_of_track(session: Session, tenant_id: str, track_id: str) -> Sequence[Talk]:
    """The track's talks still planned, soonest first (a few; a daily series some dozens)."""
    return (
        session.execute(
            select(Talk)
            .where(
                talks.c.tenant_id == tenant_id,
                talks.c.track_id == track_id,
                talks.c.status == TalkStatus.PLANNED.value,
            )
            .order_by(talks.c.starts_at, talks.c.id)
        )
        .scalars()
        .all()
    )
