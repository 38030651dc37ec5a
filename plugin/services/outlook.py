"""Talks made from the organiser's own Outlook appointments: the add-in's use cases.

The add-in's task pane names the appointment by Outlook's item id; the calendar
(`Services.appointments`) reads it from the signed-in organiser's own mailbox, outside any
transaction. These functions then run inside the caller's transaction: they decide with the
same rules as the rest of the app (who may be the learner is `domain.invite`'s rule, the
times are checked as a planned talk's are) and record the remote work in the outbox: the mark
on the event, and our tab in its Teams meeting. Nothing new is booked: the appointment is the
organiser's, and stays theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin.calendar.appointments import Appointment
from plugin.domain.errors import Conflict, InvalidInput, NotAllowed
from plugin.domain.invite import InvitedPerson, choose_learner, sort_invited
from plugin.domain.people import Person
from plugin.domain.series import Occurrence, TalkSeries
from plugin.domain.talk import MAX_TITLE, Talk
from plugin.domain.talk_state import TalkStatus
from plugin.services import lead_rule, series, talks, views
from plugin.services.context import Services
from plugin.services.followup import event_draft
from plugin.store import repo


def talk_card(svc: Services, session: Session, talk: Talk, viewer: Person) -> dict[str, Any]:
    """What the task pane shows of a talk: its summary, its link, and who has prepared."""
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    return {
        **views.talk_summary(talk, names, viewer.id),
        "url": svc.links.talk(talk.id),
        "prepared": {
            "lead": talk.preparation_of(talk.lead_id) is not None,
            "learner": talk.preparation_of(talk.learner_id) is not None,
        },
    }


def appointment_view(
    svc: Services,
    session: Session,
    lead: Person,
    appointment: Appointment | None,
    attendees: Sequence[InvitedPerson],
) -> dict[str, Any]:
    """The appointment's talk if it is one already, else who of its people can be the learner.

    `attendees` are what Outlook shows in the form (a new appointment has no calendar copy
    yet); once the appointment is read from the calendar, its own attendees count."""
    talks.require_member(lead)
    talk = _talk_of(svc, session, lead, appointment) if appointment is not None else None
    if talk is not None and talk.role_of(lead.id) is None:
        talk = None  # someone else's talk: not this person's business
    invited: Iterable[InvitedPerson] = appointment.invite.invited if appointment else attendees
    invited = list(invited)
    known = repo.people_by_email(session, lead.tenant_id, (p.email for p in invited))
    found = sort_invited(invited, lead, known)
    # Only the colleagues this lead may lead (the organisation's rule, `lead_rule.py`).
    candidates = lead_rule.learners_for(svc, session, lead, found.candidates)
    return {
        "talk": talk_card(svc, session, talk, lead) if talk is not None else None,
        "candidates": [views.person_view(p) for p in candidates],
        "unknown": list(found.unknown),
        "learner_id": candidates[0].id if len(candidates) == 1 else None,
    }


def make_talk(
    svc: Services,
    session: Session,
    lead: Person,
    appointment: Appointment,
    *,
    learner_id: str | None,
    goals: Iterable[str],
    own_goal: str,
    occurrences: Sequence[Occurrence] = (),
    talk_type: str | None = None,
) -> tuple[Talk, bool]:
    """The talk held in this appointment: made now (True), or the one made before (False).

    A recurring meeting becomes a talk series (`occurrences`: its occurrences, read before):
    the answer is then the series' talk on now or next. ``talk_type`` names the kind of talk
    (default: the development talk); a talk made before stays the kind it is."""
    talks.require_member(lead)
    existing = _talk_of(svc, session, lead, appointment)
    if existing is not None and existing.role_of(lead.id) is not None:
        return existing, False
    if not appointment.is_organizer or existing is not None:
        raise NotAllowed("not_organizer", "item_id")
    if appointment.cancelled:
        raise Conflict("appointment_cancelled", "item_id")
    invite = appointment.invite
    known = repo.people_by_email(session, lead.tenant_id, (p.email for p in invite.invited))
    learner = choose_learner(sort_invited(invite.invited, lead, known), learner_id)
    if appointment.recurring:
        made = series.make_series(
            svc,
            session,
            lead,
            learner,
            master_id=appointment.series_master_id or appointment.ref.event_id,
            join_url=appointment.ref.join_url,
            subject=invite.subject,
            goals=goals,
            own_goal=own_goal,
            occurrences=occurrences,
            talk_type=talk_type,
        )
        first = series.next_talk(session, made, svc.clock.now())
        if first is None:
            raise InvalidInput("series_over", "item_id")
        return first, True
    subject = invite.subject.strip()
    talk = talks.plan_talk(
        svc,
        session,
        lead,
        learner_id=learner.id,
        starts_at=invite.start,
        duration_minutes=int((invite.end - invite.start).total_seconds() // 60),
        # The appointment keeps its subject; the talk's title is ours, and a subject longer
        # than a title may be is not cut: the talk then gets its usual title.
        title=subject if 0 < len(subject) <= MAX_TITLE else None,
        goals=goals,
        own_goal=own_goal,
        outlook_event=appointment.ref,
        talk_type=talk_type,
    )
    return talk, True


def _talk_of(
    svc: Services, session: Session, lead: Person, appointment: Appointment
) -> Talk | None:
    """The talk made of this appointment before: its own, or its series' talk on now or next."""
    if appointment.recurring:
        master = appointment.series_master_id or appointment.ref.event_id
        found = series.series_by_master(session, lead.tenant_id, master)
        if found is not None and found.active:
            return series.next_talk(session, found, svc.clock.now())
    return repo.open_talk_for_event(session, lead.tenant_id, appointment.ref.event_id)


def invite_html(svc: Services, session: Session, talk: Talk) -> str:
    """The checklist and the talk's link, for the top of the appointment's body."""
    return event_draft(svc, session, talk).body_html


def unlink(
    svc: Services, session: Session, lead: Person, talk_id: str, *, expected_version: int
) -> Talk:
    """Cancel the talk of an Outlook appointment; the appointment stays as the organiser
    made it (nothing is sent to the attendees)."""
    talk = talks.load_talk_for_change(session, lead, talk_id, expected_version)
    now = svc.clock.now()
    talk.unlink_outlook_event(lead.id, now)
    if talk.series_id is not None:
        # Unlinking one occurrence unlinks the series: no more talks, the open ones cancelled.
        whole = session.get(TalkSeries, talk.series_id)
        if whole is not None:
            whole.ended(now)
            for other in series.talks_of_series(session, whole.id):
                if other.status is TalkStatus.PLANNED:
                    other.unlink_outlook_event(lead.id, now)
    return talk
