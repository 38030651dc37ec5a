"""Use cases of a talk as a whole: load it with its access rules, plan, move, cancel.

The other use cases sit beside this one: `preparation`, `agreements`, `signoff`, `sharing`.
Each function runs inside the caller's transaction (`Services.write`), loads what it needs
scoped to the viewer's tenant, lets the domain decide, and records remote work in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plugin.calendar.port import EventRef
from plugin.domain.errors import InvalidInput, NotAllowed, NotFound
from plugin.domain.meeting import chat_id_from_join_url, valid_chat_id
from plugin.domain.people import Person, Track, check_pair
from plugin.domain.talk import MAX_TITLE, Talk, check_schedule
from plugin.domain.talk_content import clean_goals
from plugin.domain.talk_state import CalendarState
from plugin.domain.talk_types import TalkType
from plugin.domain.text import clean_text
from plugin.i18n import translations
from plugin.jobs.outbox import enqueue
from plugin.services import lead_rule
from plugin.services.context import Services
from plugin.services.talk_types import catalogue, planned_version, talk_template, version_id
from plugin.store import repo

SYNC_EVENT = "sync_event"
BOOK_FOLLOW_UP = "book_follow_up"
POST_SUMMARY = "post_summary"
#: Write the talk's id onto the organiser's own Outlook event (Microsoft mode).
MARK_EVENT = "mark_event"
#: Install the app in the talk's meeting chat and pin our tab there (Microsoft mode).
PIN_TAB = "pin_tab"
#: Book a follow-up again by the policy (it was dragged in Outlook to before its talk).
REBOOK_FOLLOW_UP = "rebook_follow_up"


def job_key(talk_id: str) -> str:
    """One talk's calendar jobs run one at a time, in the order they were recorded."""
    return f"talk:{talk_id}"


def today(svc: Services) -> date:
    return svc.clock.now().astimezone(ZoneInfo(svc.policy.hours.timezone)).date()


def default_title(
    svc: Services, learner: Person, follow_up: bool = False, kind: str | None = None
) -> str:
    """ "Development talk: Sem Bakker"; ``kind`` names another type of talk instead."""
    gettext = translations(svc.language).gettext
    label = gettext("Follow-up talk") if follow_up else kind or gettext("Development talk")
    return f"{label}: {learner.display_name}"[:MAX_TITLE]


# -- loading, with access rules ---------------------------------------------------------------


def load_talk(session: Session, viewer: Person, talk_id: str) -> Talk:
    """The talk if the viewer takes part in it; anything else looks like a missing talk."""
    talk = repo.talk(session, viewer.tenant_id, talk_id)
    if talk is None or talk.role_of(viewer.id) is None:
        raise NotFound("not_found", "talk")
    return talk


def load_talk_for_change(
    session: Session, viewer: Person, talk_id: str, expected_version: int
) -> Talk:
    """The talk, for a change of the talk as a whole based on `expected_version` of it: a
    change based on an older state is refused (409), never applied over the newer one."""
    talk = load_talk(session, viewer, talk_id)
    talk.require_version(expected_version)
    return talk


def load_readable_talk(session: Session, viewer: Person, talk_id: str) -> tuple[Talk, bool]:
    """The talk for a participant, or read-only for a supervisor it is shared with."""
    talk = repo.talk(session, viewer.tenant_id, talk_id)
    if talk is None:
        raise NotFound("not_found", "talk")
    if talk.role_of(viewer.id) is not None:
        return talk, False
    if viewer.external and repo.is_shared_with(session, talk.id, viewer.id):
        return talk, True
    raise NotFound("not_found", "talk")


def person_in_tenant(session: Session, viewer: Person, person_id: str, field: str) -> Person:
    found = repo.person(session, viewer.tenant_id, person_id)
    if found is None:
        raise InvalidInput("unknown_person", field)
    return found


def require_member(viewer: Person) -> None:
    if viewer.external:
        raise NotAllowed("external", "talk")


# -- planning ---------------------------------------------------------------------------------


def plan_talk(
    svc: Services,
    session: Session,
    lead: Person,
    *,
    learner_id: str,
    starts_at: datetime,
    duration_minutes: int,
    title: str | None,
    goals: Iterable[str],
    own_goal: str,
    meeting_chat_id: str | None = None,
    chat_summary: bool = False,
    outlook_event: EventRef | None = None,
    talk_type: str | None = None,
) -> Talk:
    """Plan a talk; its Teams meeting is booked, unless it is planned for a meeting that exists:
    ``meeting_chat_id`` (the meeting tab's "create a talk for this meeting") or
    ``outlook_event`` (the organiser's own appointment, verified, from the Outlook add-in).

    ``talk_type`` names the kind of talk (default: the development talk); the talk keeps the
    type's current version, whatever becomes of the type later."""
    require_member(lead)
    learner = person_in_tenant(session, lead, learner_id, "learner_id")
    check_pair(lead, learner)
    lead_rule.check(svc, session, lead, learner)
    kind = planned_version(svc, session, talk_type, lead.tenant_id)
    now = svc.clock.now()
    ends_at = starts_at + timedelta(minutes=duration_minutes)
    check_schedule(starts_at, ends_at, now)
    track = track_between(svc, session, lead, learner)
    talk = Talk(
        id=svc.new_id(),
        tenant_id=lead.tenant_id,
        track_id=track.id,
        lead_id=lead.id,
        learner_id=learner.id,
        title=clean_text(title, "title", max_length=MAX_TITLE, required=False)
        or default_title(svc, learner, kind=type_label(svc, kind)),
        starts_at=starts_at,
        ends_at=ends_at,
        template_id=version_id(kind),
        goals=clean_goals(goals, kind.template.ordered_item_ids()),
        own_goal=clean_text(own_goal, "own_goal", max_length=500, required=False),
        created_at=now,
        updated_at=now,
    )
    if meeting_chat_id is not None:
        talk.link_meeting(lead.id, meeting_chat_id, now, chat_summary=chat_summary)
        # The meeting is the organiser's own, in their calendar: we don't book or edit it.
        talk.calendar_state = CalendarState.SYNCED
    elif outlook_event is not None:
        chat_id = chat_id_from_join_url(outlook_event.join_url)
        talk.link_outlook_event(
            outlook_event.event_id, outlook_event.ical_uid, outlook_event.join_url, chat_id
        )
    session.add(talk)
    session.flush()
    if outlook_event is not None:
        enqueue(session, MARK_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    elif meeting_chat_id is None:
        enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    if meeting_chat_id is not None or outlook_event is not None:
        pin_tab_later(svc, session, talk)
    return talk


def type_label(svc: Services, kind: TalkType) -> str | None:
    """The type's name for a talk's title; None for the default type (its usual title)."""
    if kind.id == catalogue(svc).default_id:
        return None
    return kind.template.name.in_(svc.language)


def pin_tab_later(svc: Services, session: Session, talk: Talk) -> None:
    """Have the worker put our tab in the talk's Teams meeting (Microsoft mode), once."""
    chat_id = talk.meeting_chat_id or chat_id_from_join_url(talk.join_url)
    if svc.tabs is None or chat_id is None or talk.tab_chat_id == chat_id:
        return
    enqueue(session, PIN_TAB, {"talk_id": talk.id}, svc.clock.now(), key=job_key(talk.id))


def talks_in_meeting(session: Session, viewer: Person, chat_id: str) -> list[Talk]:
    """The viewer's talks held in the meeting with this chat, soonest first."""
    if not valid_chat_id(chat_id):
        raise InvalidInput("invalid_chat_id", "chat_id")
    return [
        t
        for t in repo.talks_in_meeting(session, viewer.tenant_id, chat_id)
        if t.role_of(viewer.id) is not None
    ]


def link_meeting(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    chat_id: str,
    *,
    chat_summary: bool,
    expected_version: int,
) -> Talk:
    talk = load_talk_for_change(session, viewer, talk_id, expected_version)
    # The meeting the app booked has only the two in it: its chat gets the summary anyway.
    ours = chat_id_from_join_url(talk.join_url) == chat_id
    talk.link_meeting(viewer.id, chat_id, svc.clock.now(), chat_summary=chat_summary or ours)
    pin_tab_later(svc, session, talk)
    return talk


def track_between(svc: Services, session: Session, lead: Person, learner: Person) -> Track:
    track = repo.track_for(session, lead.tenant_id, lead.id, learner.id)
    if track is None:
        track = Track(
            id=svc.new_id(),
            tenant_id=lead.tenant_id,
            lead_id=lead.id,
            learner_id=learner.id,
            created_at=svc.clock.now(),
        )
        session.add(track)
        session.flush()
    return track


def update_talk(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    expected_version: int,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
    goals: Iterable[str] | None = None,
    own_goal: str | None = None,
) -> Talk:
    talk = load_talk_for_change(session, viewer, talk_id, expected_version)
    now = svc.clock.now()
    calendar_changed = False
    if starts_at is not None or duration_minutes is not None:
        start = starts_at or talk.starts_at
        minutes = duration_minutes or int((talk.ends_at - talk.starts_at).total_seconds() // 60)
        talk.reschedule(viewer.id, start, start + timedelta(minutes=minutes), now)
        calendar_changed = True
    if title is not None:
        talk.retitle(viewer.id, title, now)
        calendar_changed = True
    if goals is not None or own_goal is not None:
        talk.set_goals(
            viewer.id,
            goals if goals is not None else talk.goals,
            own_goal if own_goal is not None else talk.own_goal,
            talk_template(svc, session, talk).ordered_item_ids(),
            now,
        )
        calendar_changed = True
    if calendar_changed:
        enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def cancel_talk(
    svc: Services, session: Session, viewer: Person, talk_id: str, *, expected_version: int
) -> Talk:
    talk = load_talk_for_change(session, viewer, talk_id, expected_version)
    now = svc.clock.now()
    talk.cancel(viewer.id, now)
    enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def mark_held(
    svc: Services, session: Session, viewer: Person, talk_id: str, *, expected_version: int
) -> Talk:
    talk = load_talk_for_change(session, viewer, talk_id, expected_version)
    talk.mark_held(viewer.id, svc.clock.now())
    return talk
