"""Talk series: a recurring meeting in Outlook made a series of talks (Microsoft mode).

Made from the Outlook add-in on a recurring meeting. Every occurrence that comes within the
window (`domain/series.py`) becomes a talk of its own, linked to that occurrence and held in
the series' one Teams chat; the worker makes the next ones as the window moves on
(`resync`, from the calendar sync's upkeep and after a change of the series).

`resync` is how a series follows Outlook: the master is read (gone or cancelled: the series
ends, and its open talks are cancelled), then its occurrences over the span of its talks. A
talk whose occurrence is still there follows it (moved, or unchanged); after a move of the
whole series the open talks take the new occurrences in order; a talk whose occurrence is
gone is cancelled. One occurrence moved or cancelled on its own changes only its own talk,
through the ordinary path of one event.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin.domain.errors import InvalidInput
from plugin.domain.invite import InvitedPerson, choose_learner, sort_invited
from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.people import Person
from plugin.domain.series import (
    WINDOW,
    Occurrence,
    SeriesTalk,
    TalkSeries,
    follow_series_move,
    now_or_next,
)
from plugin.domain.talk import MAX_TITLE, Talk
from plugin.domain.talk_calendar import EventState
from plugin.domain.talk_content import clean_goals
from plugin.domain.talk_state import TalkStatus
from plugin.domain.text import clean_text
from plugin.jobs.outbox import has_pending
from plugin.services import lead_rule, talk_types, talks
from plugin.services.context import Services
from plugin.store import repo
from plugin.store.schema import talk_series

log = logging.getLogger(__name__)

#: How far back a series is read: an occurrence on now is still its talk's.
_BEHIND = timedelta(days=1)


def series_by_master(session: Session, tenant_id: str, master_id: str) -> TalkSeries | None:
    found: TalkSeries | None = session.execute(
        select(TalkSeries).where(
            talk_series.c.tenant_id == tenant_id, talk_series.c.master_event_id == master_id
        )
    ).scalar_one_or_none()
    return found


def active_series_of(session: Session, tenant_id: str, lead_id: str) -> Sequence[TalkSeries]:
    return (
        session.execute(
            select(TalkSeries).where(
                talk_series.c.tenant_id == tenant_id,
                talk_series.c.lead_id == lead_id,
                talk_series.c.active.is_(True),
            )
        )
        .scalars()
        .all()
    )


def talks_of_series(session: Session, series_id: str) -> Sequence[Talk]:
    return repo.talks_of_series(session, series_id)


def next_talk(session: Session, series: TalkSeries, now: datetime) -> Talk | None:
    """The series' talk on now, else the next one; else its last."""
    return now_or_next(talks_of_series(session, series.id), now)


def make_series(
    svc: Services,
    session: Session,
    lead: Person,
    learner: Person,
    *,
    master_id: str,
    join_url: str | None,
    subject: str,
    goals: Iterable[str],
    own_goal: str,
    occurrences: Sequence[Occurrence],
    talk_type: str | None = None,
) -> TalkSeries:
    """The series of talks for this recurring meeting, its first talks made.

    ``talk_type`` names the kind of talk (default: the development talk). The series keeps
    that type's version now: every talk made for it, now or later, is planned with it."""
    lead_rule.check(svc, session, lead, learner)  # its later talks keep the pair, unchecked
    kind = talk_types.planned_version(svc, session, talk_type, lead.tenant_id)
    now = svc.clock.now()
    track = talks.track_between(svc, session, lead, learner)
    subject = subject.strip()
    title = talks.default_title(svc, learner, kind=talks.type_label(svc, kind))
    series = TalkSeries(
        id=svc.new_id(),
        tenant_id=lead.tenant_id,
        track_id=track.id,
        lead_id=lead.id,
        learner_id=learner.id,
        master_event_id=master_id,
        title=subject if 0 < len(subject) <= MAX_TITLE else title,
        template_id=talk_types.version_id(kind),
        goals=clean_goals(goals, kind.template.ordered_item_ids()),
        own_goal=clean_text(own_goal, "own_goal", max_length=500, required=False),
        join_url=join_url,
        meeting_chat_id=chat_id_from_join_url(join_url),
        created_at=now,
        updated_at=now,
    )
    session.add(series)
    session.flush()
    made = materialise(svc, session, series, occurrences)
    log.info("made talk series %s with %s talks", series.id, len(made))
    return series


def materialise(
    svc: Services, session: Session, series: TalkSeries, occurrences: Sequence[Occurrence]
) -> list[Talk]:
    """Talks for the occurrences that came within the window and have none yet."""
    now = svc.clock.now()
    existing = talks_of_series(session, series.id)
    made: list[Talk] = []
    have = [t.occurrence_start for t in existing if t.occurrence_start is not None]
    for occurrence in series.due(occurrences, have, now):
        state = occurrence.state
        talk = Talk(
            id=svc.new_id(),
            tenant_id=series.tenant_id,
            track_id=series.track_id,
            lead_id=series.lead_id,
            learner_id=series.learner_id,
            title=series.title,
            starts_at=state.starts_at,
            ends_at=state.ends_at,
            # The series' kept version, never the type as it is now.
            template_id=series.template_id,
            goals=list(series.goals),
            own_goal=series.own_goal,
            created_at=now,
            updated_at=now,
            series_id=series.id,
            occurrence_start=occurrence.original_start,
        )
        talk.link_outlook_event(occurrence.event_id, "", series.join_url, series.meeting_chat_id)
        session.add(talk)
        made.append(talk)
    session.flush()
    if made and not existing:
        talks.pin_tab_later(svc, session, made[0])  # one chat for the whole series
    return made


def resync(svc: Services, session: Session, series: TalkSeries) -> None:
    """Bring the series' talks in line with the series in Outlook, and make the next ones."""
    watch = svc.watch
    if watch is None or not series.active:
        return
    people = repo.people_by_id(session, (series.lead_id, series.learner_id))
    lead, learner = people[series.lead_id], people[series.learner_id]
    now = svc.clock.now()
    found = talks_of_series(session, series.id)
    master = watch.read(lead.email, series.master_event_id)
    if master is None or master.cancelled:
        series.ended(now)
        for talk in found:
            talk.apply_event(None, lead.email, learner.email, now)
        return
    start = min([now - _BEHIND, *(t.starts_at for t in found)])
    end = max([now + WINDOW, *(t.ends_at for t in found)]) + _BEHIND
    occurrences = watch.instances(lead.email, series.master_event_id, start, end)
    _follow(session, found, occurrences, lead, learner, now)
    materialise(svc, session, series, occurrences)


def _follow(
    session: Session,
    found: Sequence[Talk],
    occurrences: Sequence[Occurrence],
    lead: Person,
    learner: Person,
    now: datetime,
) -> None:
    by_start = {o.original_start: o for o in occurrences}
    matched = follow_series_move(
        [
            SeriesTalk(t.id, t.occurrence_start, t.starts_at, t.status is TalkStatus.PLANNED)
            for t in found
            if t.occurrence_start is not None and t.status is not TalkStatus.CANCELLED
        ],
        occurrences,
        now,
    )
    for talk in found:
        if talk.status is TalkStatus.CANCELLED or talk.occurrence_start is None:
            continue
        if has_pending(session, talks.job_key(talk.id), (talks.SYNC_EVENT,)):
            continue
        occurrence = matched.get(talk.id) or by_start.get(talk.occurrence_start)
        if occurrence is None and talk.status is not TalkStatus.PLANNED:
            continue  # held or signed: what happened stays, whatever the series does now
        if occurrence is not None and talk.id in matched:
            talk.occurrence_start = occurrence.original_start
            talk.event_id = occurrence.event_id
        change = talk.apply_event(
            occurrence.state if occurrence else None, lead.email, learner.email, now
        )
        if change.anything:
            log.info("talk %s follows its series in Outlook: %s", talk.id, change)


def series_for_meeting(
    svc: Services,
    session: Session,
    lead: Person,
    *,
    master_id: str,
    master: EventState,
    join_url: str | None,
    learner_id: str | None,
    goals: Iterable[str],
    own_goal: str,
    occurrences: Sequence[Occurrence],
    talk_type: str | None = None,
) -> tuple[Talk, bool]:
    """The series of the recurring meeting whose Teams tab is being set up (the lead is its
    organiser): made now (True), or made before (False); answers its talk on now or next."""
    talks.require_member(lead)
    now = svc.clock.now()
    found = series_by_master(session, lead.tenant_id, master_id)
    if found is not None and found.active and found.lead_id == lead.id:
        current = next_talk(session, found, now)
        if current is not None:
            return current, False
    invited = [InvitedPerson(address) for address in sorted(master.attendees)]
    known = repo.people_by_email(session, lead.tenant_id, (p.email for p in invited))
    learner = choose_learner(sort_invited(invited, lead, known), learner_id)
    made = make_series(
        svc,
        session,
        lead,
        learner,
        master_id=master_id,
        join_url=join_url,
        subject="",
        goals=goals,
        own_goal=own_goal,
        occurrences=occurrences,
        talk_type=talk_type,
    )
    current = next_talk(session, made, now)
    if current is None:
        raise InvalidInput("series_over", "chat_id")
    return current, True
