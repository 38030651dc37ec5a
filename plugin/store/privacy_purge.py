"""Deleting tracks for good (the retention purge), and the facts the retention rule reads.

Every table that holds something of a talk is named here (`delete_tracks`); what is not:
`talk_type_versions` (a type's content, shared by many talks, nothing personal) and
`audit_log` (ids only, with its own period). Each call works inside its caller's transaction,
on ids it was given, so the caller decides how big a batch (and a transaction) is.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Engine, delete, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugin.domain.agreement import AgreementStatus
from plugin.domain.retention import TrackFacts
from plugin.domain.talk_state import TalkStatus
from plugin.store.audit_tables import audit_log
from plugin.store.between_talks_tables import agreement_progress, check_ins
from plugin.store.schema import (
    agenda_notes,
    agreements,
    feedback_drafts,
    people,
    preparations,
    signatures,
    talk_series,
    talk_shares,
    talks,
    tracks,
)
from plugin.store.working_tables import (
    calendar_attendees,
    calendar_events,
    graph_subscriptions,
    live_answers,
    outbox_jobs,
    reminder_occasions,
    reminder_opt_outs,
    signin_tokens,
)

#: Outbox job keys of a talk, a check-in, a person's reminders and their mailbox (the
#: services' `job_key`, `_job_key`, reminders' and calendar sync's keys).
TALK_KEY, CHECK_IN_KEY, REMINDER_KEY, MAILBOX_KEY = "talk:", "check-in:", "reminder:", "mailbox:"


@dataclass(frozen=True)
class TalkLine:
    """One talk of an expired track, as the dry run lists it: ids and dates, no names."""

    talk_id: str
    track_id: str
    starts_at: datetime
    status: str


def track_facts(
    session: Session, track_ids: Collection[str] | None = None
) -> dict[str, TrackFacts]:
    """Every track's (or the given tracks') facts for the retention rule: three aggregates."""
    only: list[ColumnElement[bool]] = [] if track_ids is None else [tracks.c.id.in_(track_ids)]
    out: dict[str, list[object]] = {
        row.id: [None, row.created_at, None]
        for row in session.execute(select(tracks.c.id, tracks.c.created_at).where(*only))
    }
    talk_only = [] if track_ids is None else [talks.c.track_id.in_(track_ids)]
    held = func.max(talks.c.ends_at).filter(talks.c.status != TalkStatus.CANCELLED.value)
    for row in session.execute(
        select(talks.c.track_id, held, func.max(talks.c.updated_at))
        .where(*talk_only)
        .group_by(talks.c.track_id)
    ):
        facts = out.setdefault(row[0], [None, None, None])
        facts[0] = row[1]
        facts[1] = _later(facts[1], row[2])  # type: ignore[arg-type]
    open_due = func.max(agreements.c.due).filter(agreements.c.status == AgreementStatus.OPEN.value)
    for row in session.execute(
        select(talks.c.track_id, func.max(agreements.c.updated_at), open_due)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(*talk_only)
        .group_by(talks.c.track_id)
    ):
        facts = out.setdefault(row[0], [None, None, None])
        facts[1] = _later(facts[1], row[1])  # type: ignore[arg-type]
        facts[2] = row[2]
    series_only = [] if track_ids is None else [talk_series.c.track_id.in_(track_ids)]
    for series in session.execute(
        select(talk_series.c.track_id, func.max(talk_series.c.updated_at))
        .where(*series_only)
        .group_by(talk_series.c.track_id)
    ):
        facts = out.setdefault(series[0], [None, None, None])
        facts[1] = _later(facts[1], series[1])  # type: ignore[arg-type]
    return {
        track_id: TrackFacts(_utc(f[0]), _utc(f[1]), f[2])  # type: ignore[arg-type]
        for track_id, f in out.items()
    }


def _utc(moment: datetime | None) -> datetime | None:
    # SQLite hands back aggregates as naive (or text) values: the UTC the column stored.
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None or b is None:
        return a or b
    return max(_utc(a), _utc(b))  # type: ignore[type-var]


def talks_of_tracks(session: Session, track_ids: Collection[str]) -> list[TalkLine]:
    rows = session.execute(
        select(talks.c.id, talks.c.track_id, talks.c.starts_at, talks.c.status)
        .where(talks.c.track_id.in_(track_ids))
        .order_by(talks.c.track_id, talks.c.starts_at)
    )
    return [TalkLine(r.id, r.track_id, r.starts_at, str(r.status)) for r in rows]


def delete_tracks(session: Session, track_ids: Collection[str]) -> tuple[int, set[str]]:
    """Delete the tracks and everything of their talks; (talks deleted, the people who were
    in them: the caller deletes those with nothing left, `delete_people_left_bare`)."""
    track_ids = list(track_ids)
    if not track_ids:
        return 0, set()
    rows = session.execute(
        select(talks.c.id, talks.c.event_id, talks.c.lead_id, talks.c.learner_id).where(
            talks.c.track_id.in_(track_ids)
        )
    ).all()
    talk_ids = [r.id for r in rows]
    involved = {p for r in rows for p in (r.lead_id, r.learner_id)}
    involved |= set(
        session.execute(select(tracks.c.lead_id).where(tracks.c.id.in_(track_ids))).scalars()
    )
    involved |= set(
        session.execute(select(tracks.c.learner_id).where(tracks.c.id.in_(track_ids))).scalars()
    )
    event_ids = [r.event_id for r in rows if r.event_id]
    agreement_ids = list(
        session.execute(select(agreements.c.id).where(agreements.c.talk_id.in_(talk_ids))).scalars()
    )
    check_in_ids = list(
        session.execute(
            select(check_ins.c.id).where(
                or_(check_ins.c.talk_id.in_(talk_ids), check_ins.c.track_id.in_(track_ids))
            )
        ).scalars()
    )
    for share in session.execute(
        select(talk_shares.c.person_id, talk_shares.c.shared_by).where(
            talk_shares.c.talk_id.in_(talk_ids)
        )
    ):
        involved.update((share.person_id, share.shared_by))
    delete_outbox_jobs(session, talk_ids, check_in_ids)
    session.execute(
        delete(reminder_occasions).where(
            reminder_occasions.c.subject_id.in_([*talk_ids, *agreement_ids])
        )
    )
    session.execute(delete(live_answers).where(live_answers.c.talk_id.in_(talk_ids)))
    session.execute(delete(check_ins).where(check_ins.c.id.in_(check_in_ids)))
    session.execute(
        delete(agreement_progress).where(agreement_progress.c.agreement_id.in_(agreement_ids))
    )
    for table in (feedback_drafts, signatures, talk_shares, preparations, agenda_notes):
        session.execute(delete(table).where(table.c.talk_id.in_(talk_ids)))
    session.execute(delete(agreements).where(agreements.c.talk_id.in_(talk_ids)))
    # The local calendar's copies (local mode); an Outlook event is its organiser's, and
    # stays in their calendar (nothing matches here in Microsoft mode).
    session.execute(delete(calendar_events).where(calendar_events.c.id.in_(event_ids)))
    # A talk's `previous_talk_id` names another of the same track: one statement takes all.
    session.execute(delete(talks).where(talks.c.id.in_(talk_ids)))
    session.execute(delete(talk_series).where(talk_series.c.track_id.in_(track_ids)))
    session.execute(delete(tracks).where(tracks.c.id.in_(track_ids)))
    return len(talk_ids), involved


def delete_outbox_jobs(
    session: Session, talk_ids: Sequence[str], check_in_ids: Sequence[str]
) -> None:
    """Every job about these talks or check-ins, pending or done (their payloads name them)."""
    keys = [TALK_KEY + t for t in talk_ids] + [CHECK_IN_KEY + c for c in check_in_ids]
    if keys:
        session.execute(delete(outbox_jobs).where(outbox_jobs.c.key.in_(keys)))
    if talk_ids:
        # Reminders are keyed by person; their payload names the talk.
        about = outbox_jobs.c.payload["talk_id"].as_string()
        session.execute(
            delete(outbox_jobs).where(
                outbox_jobs.c.key.like(REMINDER_KEY + "%"), about.in_(talk_ids)
            )
        )


def _named_by() -> list[Column[Any]]:
    """Where a person may still be named once their own rows are gone."""
    return [
        tracks.c.lead_id,
        tracks.c.learner_id,
        talk_shares.c.person_id,
        talk_shares.c.shared_by,
        calendar_events.c.organizer_id,
        calendar_attendees.c.person_id,
        talk_series.c.lead_id,
        talk_series.c.learner_id,
    ]


@dataclass(frozen=True)
class GonePerson:
    id: str
    tenant_id: str
    object_id: str


def delete_people_left_bare(session: Session, person_ids: Iterable[str]) -> list[GonePerson]:
    """Delete those of the people who are in nothing any more, with their own rows (sign-in
    links, reminder switches, subscriptions, jobs); returns who went (for their token caches).
    One query finds them (anti-joins), whatever their number."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return []
    query = select(people.c.id, people.c.tenant_id, people.c.object_id).where(
        people.c.id.in_(wanted)
    )
    for column in _named_by():
        query = query.where(~select(column).where(column == people.c.id).exists())
    gone = [GonePerson(r.id, r.tenant_id, r.object_id) for r in session.execute(query)]
    ids = [p.id for p in gone]
    if ids:
        delete_own_rows(session, ids)
        session.execute(delete(people).where(people.c.id.in_(ids)))
    return gone


def delete_own_rows(session: Session, person_ids: Sequence[str]) -> None:
    """What is a person's alone and names no talk: sign-in links, reminder switches, their
    mailbox's subscription, their reminder and mailbox jobs."""
    session.execute(delete(signin_tokens).where(signin_tokens.c.person_id.in_(person_ids)))
    session.execute(delete(reminder_opt_outs).where(reminder_opt_outs.c.person_id.in_(person_ids)))
    session.execute(
        delete(graph_subscriptions).where(graph_subscriptions.c.person_id.in_(person_ids))
    )
    keys = [prefix + p for p in person_ids for prefix in (REMINDER_KEY, MAILBOX_KEY)]
    session.execute(delete(outbox_jobs).where(outbox_jobs.c.key.in_(keys)))


def delete_audit_before(
    session: Session, before: datetime, limit: int, which: ColumnElement[bool]
) -> int:
    """Up to `limit` of the audit rows `which` selects (a tenant's) older than `before`,
    oldest first; how many went."""
    ids = list(
        session.execute(
            select(audit_log.c.id)
            .where(audit_log.c.at < before, which)
            .order_by(audit_log.c.id)
            .limit(limit)
        ).scalars()
    )
    if ids:
        session.execute(delete(audit_log).where(audit_log.c.id.in_(ids)))
    return len(ids)


def compact(engine: Engine) -> None:
    """SQLite keeps deleted bytes in its free pages and its write-ahead log: rebuild the file
    and empty the log, so what was deleted is gone from the disk too. (PostgreSQL's own
    vacuum reuses the space; its files are the server's to protect.)"""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM")
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
