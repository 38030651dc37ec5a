"""Queries of the reminder scan: what may be due, what was reminded of, who turned what off.

Each candidate query narrows by an index to a window of days (open agreements by due date,
talks by start or end); the agreements' query leaves out what was reminded of already with an
anti-join on the occasions' primary key, so the scan's cost follows what is due now, not all
that is open. The occasions themselves are kept only while a scan could find them again
(`forget_occasions`), so the anti-joins stay the size of the scan's windows, not of history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Exists, String, and_, cast, delete, exists, insert, select, tuple_
from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.store.schema import agreements, talks
from plugin.store.working_tables import reminder_occasions, reminder_opt_outs


def open_agreements_due(
    session: Session, kind: str, first: date, last: date
) -> Sequence[tuple[Agreement, Talk]]:
    """Open agreements of signed talks due in [first, last], not yet reminded of as `kind`
    for that due date."""
    reminded = exists().where(
        and_(
            reminder_occasions.c.kind == kind,
            reminder_occasions.c.subject_id == agreements.c.id,
            reminder_occasions.c.occasion_key == cast(agreements.c.due, String),
        )
    )
    return open_due_unless(session, first, last, reminded)


def open_due_unless(
    session: Session, first: date, last: date, handled: Exists
) -> Sequence[tuple[Agreement, Talk]]:
    """Open agreements of signed talks due in [first, last] for which `handled` (a correlated
    EXISTS on `agreements`: reminded, a check-in proposed) does not hold, by due date."""
    rows = session.execute(
        select(Agreement, Talk)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(
            agreements.c.status == AgreementStatus.OPEN.value,
            agreements.c.due.is_not(None),
            agreements.c.due >= first,
            agreements.c.due <= last,
            talks.c.status == TalkStatus.SIGNED.value,
            ~handled,
        )
        .order_by(agreements.c.due, agreements.c.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def talks_starting(
    session: Session, after: datetime, before: datetime
) -> list[tuple[str, datetime]]:
    """(id, start) of the planned talks (not check-ins) starting in (after, before): a few
    days' worth, by the start's index. Only ids and times: the caller leaves out the occasions
    recorded (by key: a moved talk is a new occasion) before it loads any talk."""
    rows = session.execute(
        select(talks.c.id, talks.c.starts_at).where(
            talks.c.status == TalkStatus.PLANNED.value,
            talks.c.check_in_of.is_(None),
            talks.c.starts_at > after,
            talks.c.starts_at < before,
        )
    )
    return [(row.id, row.starts_at) for row in rows]


def talks_ended(session: Session, after: datetime, before: datetime) -> list[tuple[str, datetime]]:
    """(id, end) of the talks (not check-ins) neither signed nor cancelled that ended in
    [after, before), by the partial index on their end."""
    rows = session.execute(
        select(talks.c.id, talks.c.ends_at).where(
            talks.c.status.in_((TalkStatus.PLANNED.value, TalkStatus.HELD.value)),
            talks.c.check_in_of.is_(None),
            talks.c.ends_at >= after,
            talks.c.ends_at < before,
        )
    )
    return [(row.id, row.ends_at) for row in rows]


def talks_by_id(session: Session, talk_ids: Iterable[str]) -> Sequence[Talk]:
    """The talks themselves (with their relations), in order of their start."""
    ids = list(talk_ids)
    if not ids:
        return []
    return (
        session.execute(
            select(Talk).where(talks.c.id.in_(ids)).order_by(talks.c.starts_at, talks.c.id)
        )
        .scalars()
        .all()
    )


def reminded_keys(session: Session, kind: str, subject_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(subject id, occasion key) of the occasions of `kind` recorded for these subjects."""
    ids = list(subject_ids)
    if not ids:
        return set()
    rows = session.execute(
        select(reminder_occasions.c.subject_id, reminder_occasions.c.occasion_key).where(
            reminder_occasions.c.kind == kind, reminder_occasions.c.subject_id.in_(ids)
        )
    )
    return {(row.subject_id, row.occasion_key) for row in rows}


@dataclass(frozen=True)
class OccasionRow:
    """An occasion as it is recorded."""

    kind: str
    subject_id: str
    key: str
    tenant_id: str
    forget_after: datetime


#: Occasions per INSERT: a few hundred rows keep each statement well under SQLite's limit of
#: bound parameters (32,766) and PostgreSQL's (65,535).
RECORD_BATCH = 500


def record_occasions(session: Session, occasions: Sequence[OccasionRow], now: datetime) -> None:
    """Remember the occasions, one INSERT per `RECORD_BATCH`, in the caller's transaction
    (with their reminders' jobs: all or nothing). A second scan that found one of them too
    fails on the primary key and runs again from scratch, then without it."""
    if not occasions:
        return
    rows = [
        {
            "kind": o.kind,
            "subject_id": o.subject_id,
            "occasion_key": o.key,
            "tenant_id": o.tenant_id,
            "created_at": now,
            "forget_after": o.forget_after,
        }
        for o in occasions
    ]
    # With RETURNING, SQLAlchemy's "insertmanyvalues" writes the rows as multi-row INSERTs of
    # a page each, on SQLite and PostgreSQL alike, rendered from one compiled statement (for
    # 1,000 rows measured 2-5 times faster than compiling `.values(rows)`). What it returns is
    # not needed.
    session.execute(
        insert(reminder_occasions)
        .returning(reminder_occasions.c.kind)
        .execution_options(insertmanyvalues_page_size=RECORD_BATCH),
        rows,
    ).all()


def forget_occasions(session: Session, now: datetime, limit: int) -> int:
    """Delete up to `limit` occasions no scan can find any more (the oldest first, by
    `ix_reminder_occasions_forget_after`); how many went."""
    key = (
        reminder_occasions.c.kind,
        reminder_occasions.c.subject_id,
        reminder_occasions.c.occasion_key,
    )
    doomed = (
        select(*key)
        .where(reminder_occasions.c.forget_after < now)
        .order_by(reminder_occasions.c.forget_after)
        .limit(limit)
    )
    result = session.execute(delete(reminder_occasions).where(tuple_(*key).in_(doomed)))
    return int(getattr(result, "rowcount", 0) or 0)


def turned_off(session: Session, person_ids: Iterable[str]) -> set[tuple[str, str]]:
    """(person id, kind) of the reminders these people turned off."""
    ids = list(person_ids)
    if not ids:
        return set()
    rows = session.execute(select(reminder_opt_outs).where(reminder_opt_outs.c.person_id.in_(ids)))
    return {(row.person_id, row.kind) for row in rows}


def kinds_off(session: Session, person_id: str) -> list[str]:
    rows = session.execute(
        select(reminder_opt_outs.c.kind).where(reminder_opt_outs.c.person_id == person_id)
    )
    return sorted(row.kind for row in rows)


def set_kinds_off(session: Session, person_id: str, kinds: Iterable[str]) -> None:
    session.execute(reminder_opt_outs.delete().where(reminder_opt_outs.c.person_id == person_id))
    wanted = sorted(set(kinds))
    if wanted:
        session.execute(
            insert(reminder_opt_outs), [{"person_id": person_id, "kind": k} for k in wanted]
        )
