"""Bring in an invite from another calendar (local mode): the talk takes the invite's time,
subject and attendees, and the lead gets the invite back, updated, to send from their own
calendar: the same UID with a higher SEQUENCE, so calendars replace the event, and the
checklist and the talk's link at the top of its description, above the organiser's own text.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plugin.calendar.ics import IcsEvent, ics_filename, render_calendar
from plugin.calendar.ics import Person as IcsPerson
from plugin.calendar.invite import read_invite
from plugin.calendar.port import TALK_CATEGORY
from plugin.domain.invite import Invite, Invitees, choose_learner, invitees
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import lead_rule, talks, views
from plugin.services.context import Services
from plugin.services.followup import event_draft
from plugin.store import repo


@dataclass(frozen=True)
class UpdatedInvite:
    ics: bytes
    filename: str


def read(svc: Services, session: Session, lead: Person, text: str) -> tuple[Invite, Invitees]:
    """The invite, and who of its attendees the lead can hold the talk with."""
    talks.require_member(lead)
    invite = read_invite(text, ZoneInfo(svc.policy.hours.timezone))
    known = repo.people_by_email(session, lead.tenant_id, (p.email for p in invite.invited))
    return invite, invitees(invite, lead, known)


def preview(svc: Services, session: Session, lead: Person, text: str) -> dict[str, Any]:
    """What the plan page shows of an invite before the talk is made of it."""
    invite, found = read(svc, session, lead, text)
    # Only the colleagues this lead may lead (the organisation's rule, `lead_rule.py`).
    candidates = lead_rule.learners_for(svc, session, lead, found.candidates)
    return {
        "subject": invite.subject,
        "starts_at": invite.start.isoformat(),
        "ends_at": invite.end.isoformat(),
        "duration_minutes": _minutes(invite),
        "candidates": [views.person_view(p) for p in candidates],
        "unknown": list(found.unknown),
        # The learner when there is only one to choose.
        "learner_id": candidates[0].id if len(candidates) == 1 else None,
    }


def plan_from_invite(
    svc: Services,
    session: Session,
    lead: Person,
    text: str,
    *,
    learner_id: str | None,
    title: str | None,
    goals: Iterable[str],
    own_goal: str,
    talk_type: str | None = None,
) -> tuple[Talk, UpdatedInvite]:
    """Plan the talk the invite describes, and the invite updated to send out again;
    ``talk_type`` names the kind of talk (default: the development talk)."""
    invite, found = read(svc, session, lead, text)
    learner = choose_learner(found, learner_id)
    talk = talks.plan_talk(
        svc,
        session,
        lead,
        learner_id=learner.id,
        starts_at=invite.start,
        duration_minutes=_minutes(invite),
        title=title or invite.subject or None,
        goals=goals,
        own_goal=own_goal,
        talk_type=talk_type,
    )
    return talk, _updated(svc, session, talk, lead, invite)


def _minutes(invite: Invite) -> int:
    return int((invite.end - invite.start).total_seconds() // 60)


def _updated(
    svc: Services, session: Session, talk: Talk, lead: Person, invite: Invite
) -> UpdatedInvite:
    draft = event_draft(svc, session, talk)
    description = draft.body_text
    if invite.description.strip():
        description = f"{description}\n\n{invite.description.strip()}"
    organizer = invite.organizer
    now = svc.clock.now()
    event = IcsEvent(
        uid=invite.uid,
        sequence=invite.sequence + 1,
        summary=invite.subject or talk.title,
        description=description,
        start=talk.starts_at,
        end=talk.ends_at,
        organizer=IcsPerson(
            (organizer.name if organizer else "") or lead.display_name,
            organizer.email if organizer else lead.email,
        ),
        attendees=tuple(IcsPerson(a.name or a.email, a.email) for a in invite.attendees),
        url=svc.links.talk(talk.id),
        status="CONFIRMED",
        created=now,
        last_modified=now,
        categories=(TALK_CATEGORY,),
    )
    ics = render_calendar(
        name=event.summary,
        events=[event],
        method="REQUEST",
        timezone=svc.policy.hours.timezone,
        refresh=None,
    )
    return UpdatedInvite(ics, ics_filename(event.summary, talk.starts_at))
