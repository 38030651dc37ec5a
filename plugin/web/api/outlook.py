"""The Outlook add-in's task pane: what the appointment being written is (a talk already, or
who can be its learner), make it a talk, and unlink it again.

The appointment is read from the signed-in organiser's own mailbox, in their name, before the
transaction starts (a remote call holds no database lock); a refusal names the field.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import g
from sqlalchemy.orm import Session

from plugin.calendar.appointments import Appointment, AppointmentConsentMissing
from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.domain.errors import NotAllowed, NotFound
from plugin.domain.invite import InvitedPerson
from plugin.domain.people import Person
from plugin.domain.series import WINDOW, Occurrence
from plugin.services import lead_rule, outlook, talk_types, talks
from plugin.services.context import Services, user_key
from plugin.services.people import signed_in_person
from plugin.web.api.base import api, language, write_talk
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.errors import Unavailable
from plugin.web.schemas import AppointmentIn, TalkFromAppointment, Versioned
from plugin.web.session import SSO_TOKEN, signed_in_identity


def _read_appointment(item_id: str) -> Appointment | None:
    """The appointment from the organiser's own mailbox (the route checked the sign-in)."""
    svc = services()
    identity = signed_in_identity()
    assertion = g.get(SSO_TOKEN)
    if identity is None or not isinstance(assertion, str):
        raise NotAllowed("outlook_only", "item_id")  # signed in, but not from a Microsoft host
    tenant_id, person_id = identity
    me = svc.read(lambda s: signed_in_person(s, tenant_id, person_id))
    if me is None:
        raise NotAllowed("outlook_only", "item_id")
    talks.require_member(me)  # a school supervisor plans nothing: no need to read their mail
    try:
        return svc.appointments.read(
            user_key(me.tenant_id, me.object_id), me.tenant_id, assertion, item_id
        )
    except AppointmentConsentMissing:
        raise NotAllowed("graph_consent_required", "item_id") from None
    except RetryableCalendarError:
        raise Unavailable("calendar_unavailable") from None
    except CalendarRejected as error:
        raise NotAllowed("calendar_refused", "item_id", reason=error.reason) from None


@api.route(
    "POST",
    "/outlook/appointment",
    summary="The appointment open in Outlook: its talk, or who of its people can be the learner",
    tag="outlook",
    body=AppointmentIn,
)
def appointment(body: AppointmentIn) -> dict[str, Any]:
    found = _read_appointment(body.item_id) if body.item_id else None
    people = [InvitedPerson(p.email, p.name) for p in body.attendees]

    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        view = outlook.appointment_view(svc, s, me, found, people)
        if view["talk"] is None:
            view["types"] = _offered_types(svc, s, me)
        return view

    return as_viewer_read(work)


def _offered_types(svc: Services, s: Session, me: Person) -> dict[str, Any]:
    """The kinds of talk the pane offers, in its language: each with only what the pane shows
    of its checklist, the goals to choose (no questions), on every pane opened."""
    types = talk_types.offered(svc, s, me.tenant_id)
    return {
        "default": types.default_id,
        "types": [
            {
                "id": each["id"],
                "name": each["name"],
                "description": each["description"],
                "default": each["default"],
                "goals": _goals_to_choose(each["checklist"]),
            }
            for each in types.summaries(language())
        ],
    }


def _goals_to_choose(checklist: dict[str, Any]) -> dict[str, Any] | None:
    section = next((x for x in checklist["sections"] if x["kind"] == "goals"), None)
    if section is None:
        return None
    items = [{k: item[k] for k in ("id", "text", "help", "free_text")} for item in section["items"]]
    return {"title": section["title"], "intro": section["intro"], "items": items}


@api.route(
    "POST",
    "/outlook/talks",
    summary="Make the appointment a talk (once): answers the talk and the text for its top",
    tag="outlook",
    body=TalkFromAppointment,
    status=201,
)
def make_talk(body: TalkFromAppointment) -> tuple[dict[str, Any], int]:
    found = _read_appointment(body.item_id)
    if found is None:
        raise NotFound("appointment_not_found", "item_id")
    occurrences = _occurrences(found) if found.recurring else []

    def work(svc: Services, s: Session, me: Person) -> tuple[str, bool, str | None]:
        talk, created = outlook.make_talk(
            svc,
            s,
            me,
            found,
            learner_id=body.learner_id,
            goals=body.goals,
            own_goal=body.own_goal,
            occurrences=occurrences,
            talk_type=body.type,
        )
        return talk.id, created, outlook.invite_html(svc, s, talk) if created else None

    # The lead rule's remote look-up (if any) happens before the transaction, not in it.
    talk_id, created, html = lead_rule.planning(services(), lambda: as_viewer_write(work))
    card = as_viewer_read(lambda svc, s, me: _card(svc, s, me, talk_id))
    return {"talk": card, "created": created, "invite_html": html}, 201 if created else 200


def _occurrences(found: Appointment) -> list[Occurrence]:
    """A series' occurrences in the window where they become talks, read before the
    transaction (with the app's token: the series is the organiser's, verified just now)."""
    svc = services()
    organizer = found.invite.organizer
    if svc.watch is None or organizer is None:
        return []
    now = svc.clock.now()
    master = found.series_master_id or found.ref.event_id
    try:
        return svc.watch.instances(organizer.email, master, now - timedelta(days=1), now + WINDOW)
    except RetryableCalendarError:
        raise Unavailable("calendar_unavailable") from None
    except CalendarRejected as error:
        raise NotAllowed("calendar_refused", "item_id", reason=error.reason) from None


@api.route(
    "POST",
    "/outlook/talks/<talk_id>/unlink",
    summary="Cancel the talk of an Outlook appointment; the appointment stays as it is",
    tag="outlook",
    body=Versioned,
)
def unlink(talk_id: str, body: Versioned) -> dict[str, Any]:
    write_talk(
        talk_id,
        lambda svc, s, me: outlook.unlink(svc, s, me, talk_id, expected_version=body.version),
    )
    return {"talk": as_viewer_read(lambda svc, s, me: _card(svc, s, me, talk_id))}


def _card(svc: Services, s: Session, me: Person, talk_id: str) -> dict[str, Any]:
    return outlook.talk_card(svc, s, talks.load_talk(s, me, talk_id), me)
