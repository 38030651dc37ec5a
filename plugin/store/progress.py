"""Queries of agreements' progress between talks: whose talk an agreement is in, the histories
of many agreements in one read, and what was closed since the last talk."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, FromClause, and_, func, or_, select
from sqlalchemy.orm import Session, lazyload

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.agreement_progress import AgreementProgress
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.store import repo
from plugin.store.between_talks_tables import agreement_progress
from plugin.store.schema import agreements, talks

#: The track's talks before the current one, as a second name for `talks` in one query. Made
#: once: an alias made per call copies every column, which cost more than the query itself.
_PRIOR = talks.alias("prior")


def talk_of_agreement(session: Session, tenant_id: str, agreement_id: str) -> str | None:
    """The id of the tenant's talk that holds this agreement, or None."""
    found: str | None = session.execute(
        select(agreements.c.talk_id)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(agreements.c.id == agreement_id, talks.c.tenant_id == tenant_id)
    ).scalar_one_or_none()
    return found


def histories(session: Session, agreement_ids: Iterable[str]) -> dict[str, list[AgreementProgress]]:
    """Each agreement's progress, oldest first (agreements without any are left out)."""
    ids = sorted(set(agreement_ids))
    if not ids:
        return {}
    found: dict[str, list[AgreementProgress]] = {}
    rows = session.execute(
        select(AgreementProgress)
        .where(agreement_progress.c.agreement_id.in_(ids))
        .order_by(agreement_progress.c.agreement_id, agreement_progress.c.position)
    ).scalars()
    for entry in rows:
        found.setdefault(entry.agreement_id, []).append(entry)
    return found


def later_open_talks(session: Session, talk: Talk) -> list[Talk]:
    """The talks after `talk` in its track that are not signed or cancelled: their agendas
    list its open agreements (each loaded as for a change: locked on PostgreSQL)."""
    ids = session.execute(
        select(talks.c.id)
        .where(
            talks.c.tenant_id == talk.tenant_id,
            talks.c.track_id == talk.track_id,
            talks.c.starts_at > talk.starts_at,
            talks.c.status.in_([TalkStatus.PLANNED.value, TalkStatus.HELD.value]),
        )
        .order_by(talks.c.id)
    ).scalars()
    return [found for i in ids if (found := repo.talk(session, talk.tenant_id, i)) is not None]


def earlier_on_agenda(session: Session, current: Talk) -> list[tuple[Agreement, Talk]]:
    """The agreements of earlier signed talks in the track that `current`'s agenda shows, in
    the order of their talks: those still open, those closed in `current`, and those closed
    between talks (done or dropped by their progress) since the last signed talk before it, so
    that the agenda shows once what came of them. One query: a live panel's answer is built
    on every change, and this read is most of it."""

    def earlier(table: FromClause) -> tuple[ColumnElement[bool], ...]:
        return (
            table.c.track_id == current.track_id,
            table.c.status == TalkStatus.SIGNED.value,
            table.c.starts_at < current.starts_at,
        )

    # The last talk's start is a subquery of its own (not tied to the joined talk).
    last = select(func.max(_PRIOR.c.starts_at)).where(*earlier(_PRIOR)).scalar_subquery()
    rows = session.execute(
        select(Agreement, Talk)
        .join(talks, talks.c.id == agreements.c.talk_id)
        .where(
            *earlier(talks),
            or_(
                agreements.c.status == AgreementStatus.OPEN.value,
                agreements.c.closed_in_talk_id == current.id,
                and_(
                    agreements.c.status.in_(
                        [AgreementStatus.DONE.value, AgreementStatus.DROPPED.value]
                    ),
                    agreements.c.closed_in_talk_id.is_(None),
                    agreements.c.closed_at >= last,
                ),
            ),
        )
        .order_by(talks.c.starts_at, talks.c.id, agreements.c.position)
        # The earlier talks' own relations are read only if a caller needs them.
        .options(
            lazyload(Talk.agreements),  # type: ignore[arg-type]
            lazyload(Talk.preparations),  # type: ignore[arg-type]
            lazyload(Talk.agenda_notes),  # type: ignore[arg-type]
            lazyload(Talk.signatures),  # type: ignore[arg-type]
        )
    ).all()
    return [(row[0], row[1]) for row in rows]
