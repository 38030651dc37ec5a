"""Use cases of a talk: plan, prepare, record agreements, confirm, react, sign, share, cancel.

Each function runs inside the caller's transaction (`Services.write`), loads what it needs
scoped to the viewer's tenant, lets the domain decide, and records remote work in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.errors import InvalidInput, NotAllowed, NotFound
from plugin.domain.meeting import chat_id_from_join_url, valid_chat_id
from plugin.domain.people import Person, Track, check_pair
from plugin.domain.preparation import Preparation
from plugin.domain.talk import (
    MAX_TITLE,
    CalendarState,
    Role,
    Talk,
    check_schedule,
    clean_goals,
    close_earlier_agreement,
)
from plugin.domain.text import clean_text
from plugin.i18n import translations
from plugin.identity.share_links import ShareClaim, read_share_link_token
from plugin.jobs.outbox import enqueue
from plugin.services.context import Services
from plugin.store import repo

SYNC_EVENT = "sync_event"
BOOK_FOLLOW_UP = "book_follow_up"
POST_SUMMARY = "post_summary"


def job_key(talk_id: str) -> str:
    """One talk's calendar jobs run one at a time, in the order they were recorded."""
    return f"talk:{talk_id}"


def today(svc: Services) -> date:
    return svc.clock.now().astimezone(ZoneInfo(svc.policy.hours.timezone)).date()


def default_title(svc: Services, learner: Person, follow_up: bool = False) -> str:
    gettext = translations(svc.language).gettext
    label = gettext("Follow-up talk") if follow_up else gettext("Development talk")
    return f"{label}: {learner.display_name}"[:MAX_TITLE]


# -- loading, with access rules ---------------------------------------------------------------


def load_talk(session: Session, viewer: Person, talk_id: str) -> Talk:
    """The talk if the viewer takes part in it; anything else looks like a missing talk."""
    talk = repo.talk(session, viewer.tenant_id, talk_id)
    if talk is None or talk.role_of(viewer.id) is None:
        raise NotFound("not_found", "talk")
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


def _person(session: Session, viewer: Person, person_id: str, field: str) -> Person:
    found = repo.person(session, viewer.tenant_id, person_id)
    if found is None:
        raise InvalidInput("unknown_person", field)
    return found


def _require_member(viewer: Person) -> None:
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
) -> Talk:
    """Plan a talk; its Teams meeting is booked, unless it is planned for a meeting that exists
    (``meeting_chat_id``: the meeting tab's "create a talk for this meeting")."""
    _require_member(lead)
    learner = _person(session, lead, learner_id, "learner_id")
    check_pair(lead, learner)
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
        or default_title(svc, learner),
        starts_at=starts_at,
        ends_at=ends_at,
        template_id=svc.template.id,
        goals=clean_goals(goals, svc.template.ordered_item_ids()),
        own_goal=clean_text(own_goal, "own_goal", max_length=500, required=False),
        created_at=now,
        updated_at=now,
    )
    if meeting_chat_id is not None:
        talk.link_meeting(lead.id, meeting_chat_id, now, chat_summary=chat_summary)
        # The meeting is the organiser's own, in their calendar: we don't book or edit it.
        talk.calendar_state = CalendarState.SYNCED
    session.add(talk)
    session.flush()
    if meeting_chat_id is None:
        enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


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
) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    # The meeting the app booked has only the two in it: its chat gets the summary anyway.
    ours = chat_id_from_join_url(talk.join_url) == chat_id
    talk.link_meeting(viewer.id, chat_id, svc.clock.now(), chat_summary=chat_summary or ours)
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
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    title: str | None = None,
    goals: Iterable[str] | None = None,
    own_goal: str | None = None,
) -> Talk:
    talk = load_talk(session, viewer, talk_id)
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
            svc.template.ordered_item_ids(),
            now,
        )
        calendar_changed = True
    if calendar_changed:
        enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def cancel_talk(svc: Services, session: Session, viewer: Person, talk_id: str) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    now = svc.clock.now()
    talk.cancel(viewer.id, now)
    enqueue(session, SYNC_EVENT, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def mark_held(svc: Services, session: Session, viewer: Person, talk_id: str) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    talk.mark_held(viewer.id, svc.clock.now())
    return talk


# -- preparation ------------------------------------------------------------------------------


def prepare(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    ticked: Iterable[str],
    points: Iterable[Mapping[str, Any]],
    expected_version: int | None,
) -> Preparation:
    talk = load_talk(session, viewer, talk_id)
    return talk.prepare(
        viewer.id,
        ticked=ticked,
        points=points,
        expected_version=expected_version,
        known_items=svc.template.ordered_item_ids(),
        new_id=svc.new_id,
        now=svc.clock.now(),
    )


def close_agreement_from(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    status: AgreementStatus,
    expected_version: int,
) -> Agreement:
    """Close or reopen an earlier talk's agreement from this talk's preparation."""
    current = load_talk(session, viewer, talk_id)
    earlier_talk = next(
        (t for a, t in repo.earlier_open_agreements(session, current) if a.id == agreement_id),
        None,
    )
    if earlier_talk is None:
        raise NotFound("not_found", "agreement")
    return close_earlier_agreement(
        current,
        earlier_talk,
        agreement_id,
        by=viewer.id,
        status=status,
        expected_version=expected_version,
        now=svc.clock.now(),
    )


# -- agreements -------------------------------------------------------------------------------


def add_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    what: str,
    owner: Owner,
    due: date | None,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.add_agreement(
        viewer.id,
        what=what,
        owner=owner,
        due=due,
        today=today(svc),
        new_id=svc.new_id(),
        now=svc.clock.now(),
    )


def edit_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.edit_agreement(
        viewer.id,
        agreement_id,
        expected_version=expected_version,
        today=today(svc),
        now=svc.clock.now(),
        what=changes.get("what"),
        owner=changes.get("owner"),
        due=changes.get("due"),
        clear_due="due" in changes and changes["due"] is None,
    )


def remove_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
) -> None:
    talk = load_talk(session, viewer, talk_id)
    talk.remove_agreement(
        viewer.id, agreement_id, expected_version=expected_version, now=svc.clock.now()
    )


def confirm_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.confirm_agreement(
        viewer.id, agreement_id, expected_version=expected_version, now=svc.clock.now()
    )


def react(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    reaction: str,
    expected_version: int,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.react(
        viewer.id,
        agreement_id,
        reaction=reaction,
        expected_version=expected_version,
        now=svc.clock.now(),
    )


# -- sign-off and follow-up -------------------------------------------------------------------


def sign(svc: Services, session: Session, viewer: Person, talk_id: str) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    now = svc.clock.now()
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    if talk.sign(viewer.id, new_id=svc.new_id(), now=now, names=names):
        enqueue(session, BOOK_FOLLOW_UP, {"talk_id": talk.id}, now, key=job_key(talk.id))
        if svc.chat is not None and talk.meeting_chat_id is not None and talk.chat_summary:
            # After the booking (same key: in order), so the card can name the next talk.
            enqueue(session, POST_SUMMARY, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def choose_follow_up(
    svc: Services, session: Session, viewer: Person, talk_id: str, starts_at: datetime | None
) -> Talk:
    """Book the follow-up again: at a chosen time (one of the options), or by searching anew."""
    talk = load_talk(session, viewer, talk_id)
    talk.retry_follow_up(viewer.id)
    now = svc.clock.now()
    payload: dict[str, Any] = {"talk_id": talk.id}
    if starts_at is not None:
        if starts_at.tzinfo is None:
            raise InvalidInput("timezone_required", "starts_at")
        if starts_at <= now:
            raise InvalidInput("in_past", "starts_at")
        payload["starts_at"] = starts_at.isoformat()
    enqueue(session, BOOK_FOLLOW_UP, payload, now, key=job_key(talk.id))
    return talk


# -- sharing with a school supervisor ---------------------------------------------------------


def _load_as_lead(session: Session, viewer: Person, talk_id: str, field: str) -> Talk:
    """The talk, for its lead: sharing is the lead's to decide."""
    talk = load_talk(session, viewer, talk_id)
    if talk.role_of(viewer.id) is not Role.LEAD:
        raise NotAllowed("lead_only", field)
    return talk


def share(
    svc: Services, session: Session, viewer: Person, talk_id: str, person_id: str
) -> list[str]:
    talk = _load_as_lead(session, viewer, talk_id, "person_id")
    supervisor = _person(session, viewer, person_id, "person_id")
    if not supervisor.external:
        raise InvalidInput("not_external", "person_id")
    repo.add_share(session, talk.id, supervisor.id, viewer.id, svc.clock.now())
    return repo.shares_of(session, talk.id)


def unshare(
    svc: Services, session: Session, viewer: Person, talk_id: str, person_id: str
) -> list[str]:
    talk = _load_as_lead(session, viewer, talk_id, "person_id")
    repo.remove_share(session, talk.id, person_id)
    return repo.shares_of(session, talk.id)


def shares(session: Session, viewer: Person, talk_id: str) -> list[dict[str, Any]]:
    talk = _load_as_lead(session, viewer, talk_id, "talk")
    return repo.shares_with_people(session, talk.id)


#: How long a supervisor's link works, unless the lead says otherwise (days), and at most.
SHARE_LINK_DAYS = 30
MAX_SHARE_LINK_DAYS = 180


def share_by_link(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    name: str,
    email: str,
    days: int = SHARE_LINK_DAYS,
) -> tuple[Person, ShareClaim]:
    """Share the talk read-only with a supervisor outside the organisation, by a link.

    The supervisor is a person of the lead's tenant marked external (found again by e-mail
    address); a new link for them retires their earlier one.
    """
    talk = _load_as_lead(session, viewer, talk_id, "email")
    if not 1 <= days <= MAX_SHARE_LINK_DAYS:
        raise InvalidInput("choice", "days")
    name = clean_text(name, "name", max_length=100)
    email = clean_text(email, "email", max_length=254).lower()
    supervisor = repo.external_person_by_email(session, viewer.tenant_id, email)
    if supervisor is None:
        supervisor = Person(
            id=svc.new_id(),
            tenant_id=viewer.tenant_id,
            # Not an Entra object id (those are GUIDs), so no token can ever sign in as them.
            object_id=f"share-link:{svc.new_id()}",
            display_name=name,
            email=email,
            external=True,
        )
        session.add(supervisor)
        session.flush()
    now = svc.clock.now()
    repo.add_share(session, talk.id, supervisor.id, viewer.id, now)
    link_id = svc.new_id()
    repo.set_share_link(session, talk.id, supervisor.id, link_id)
    return supervisor, ShareClaim(talk.id, supervisor.id, link_id, now + timedelta(days=days))


def talk_by_share_link(
    svc: Services, session: Session, token: str
) -> tuple[Talk, Person, ShareClaim] | None:
    """The talk and supervisor of a share link that is genuine, unexpired and not revoked."""
    claim = read_share_link_token(svc.secret_key, token, svc.clock.now())
    if claim is None:
        return None
    if repo.share_link_id(session, claim.talk_id, claim.person_id) != claim.link_id:
        return None  # the lead stopped sharing, or made a newer link
    supervisor = session.get(Person, claim.person_id)
    if supervisor is None or not supervisor.external:
        return None
    talk = repo.talk(session, supervisor.tenant_id, claim.talk_id)
    return (talk, supervisor, claim) if talk is not None else None
