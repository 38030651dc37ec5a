"""Talks: list, plan, read, the live panel's conditional poll, move, cancel, the .ics, and
the Teams meeting a talk is held in."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import lead_rule, talk_types, talks, views
from plugin.services.context import Services
from plugin.web.api.base import api, language, talk_for_viewer, write_then_detail
from plugin.web.context import (
    as_viewer_read,
    as_viewer_write,
    panel_answers,
    services,
    stamps,
)
from plugin.web.errors import Unauthenticated
from plugin.web.live_shortcut import live_etag
from plugin.web.schemas import (
    MeetingLink,
    PlanTalk,
    UpdateTalk,
    Versioned,
)
from plugin.web.session import signed_in_identity


@api.route("GET", "/talks", summary="Talks I take part in", tag="talks")
def list_talks() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: {"talks": views.my_talks(s, me)})


@api.route(
    "POST", "/talks", summary="Plan a talk (I am the lead)", tag="talks", body=PlanTalk, status=201
)
def plan_talk(body: PlanTalk) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> str:
        talk = talks.plan_talk(
            svc,
            s,
            me,
            learner_id=body.learner_id,
            starts_at=body.starts_at,
            duration_minutes=body.duration_minutes,
            title=body.title,
            goals=body.goals,
            own_goal=body.own_goal,
            meeting_chat_id=body.meeting_chat_id,
            chat_summary=body.chat_summary,
            talk_type=body.type,
        )
        return talk.id

    # Under the `manager` rule, Graph is asked before the write transaction (`planning`).
    talk_id = lead_rule.planning(services(), lambda: as_viewer_write(work))
    return as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me))


@api.route("GET", "/talk-types", summary="The kinds of talk to plan, in my language", tag="talks")
def list_talk_types() -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        types = talk_types.offered(svc, s, me.tenant_id)
        return {"default": types.default_id, "types": types.summaries(language())}

    return as_viewer_read(work)


@api.route("GET", "/talks/<talk_id>", summary="One talk with its agreements", tag="talks")
def get_talk(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me))


@api.route(
    "GET",
    "/talks/<talk_id>/live",
    summary="The talk for a live panel; send If-None-Match to get 304 while nothing changed",
    tag="talks",
)
def live_talk(talk_id: str) -> Response | dict[str, Any]:
    identity = signed_in_identity()
    if identity is None:  # checked by the route already; this tells the type checker
        raise Unauthenticated()
    tenant_id, person_id = identity
    stamp = stamps().stamp(tenant_id, talk_id)
    # Every change a panel shows bumps the talk's version, so the version is the ETag.
    participant = stamp is not None and person_id in stamp[1:]
    if stamp is not None and participant:
        etag = live_etag(stamp[0], person_id)
        if request.if_none_match.contains(etag):
            response = Response(status=304)
            response.set_etag(etag)
            return response
    if not participant:
        return jsonify(as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)))
    assert stamp is not None
    role = "lead" if person_id == stamp[1] else "learner"
    # Built once per version, by the writer or else whoever asked first: the rest is memory
    # or one row. Unless the caller has seen a newer version than this process's stamp
    # (another process answered it): the stamp lags, and the database is asked.
    body = None
    if _seen_version(person_id) < stamp[0]:
        body = panel_answers().get(tenant_id, talk_id, stamp[0], role)
    if body is None:
        # A participant's identity and access were settled by the stamp: load only what the
        # panel shows, in as few queries as possible.
        svc = services()
        detail = svc.read(lambda s: views.panel_detail(svc, s, tenant_id, person_id, talk_id))
        body = panel_answers().put(detail, role)
        version = detail["version"]
    else:
        version = stamp[0]
    etag = live_etag(version, person_id)
    # This process's cached version may lag another's change by one refresh; the database
    # said the caller is up to date after all.
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(etag)
    return response


def _seen_version(person_id: str) -> int:
    """The newest version the caller's If-None-Match names (0 when none)."""
    suffix = f"-{person_id[:8]}"
    seen = [
        int(tag[: -len(suffix)])
        for tag in request.if_none_match.as_set()
        if tag.endswith(suffix) and tag[: -len(suffix)].isdigit()
    ]
    return max(seen, default=0)


@api.route(
    "PATCH",
    "/talks/<talk_id>",
    summary="Move, retitle or change the goals",
    tag="talks",
    body=UpdateTalk,
)
def update_talk(talk_id: str, body: UpdateTalk) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    return write_then_detail(
        talk_id,
        lambda svc, s, me: talks.update_talk(
            svc, s, me, talk_id, expected_version=body.version, **changes
        ),
    )


@api.route(
    "POST",
    "/talks/<talk_id>/cancel",
    summary="Cancel the talk (lead)",
    tag="talks",
    body=Versioned,
)
def cancel_talk(talk_id: str, body: Versioned) -> dict[str, Any]:
    return write_then_detail(
        talk_id,
        lambda svc, s, me: talks.cancel_talk(svc, s, me, talk_id, expected_version=body.version),
    )


@api.route(
    "POST", "/talks/<talk_id>/held", summary="Mark the talk as held", tag="talks", body=Versioned
)
def mark_held(talk_id: str, body: Versioned) -> dict[str, Any]:
    return write_then_detail(
        talk_id,
        lambda svc, s, me: talks.mark_held(svc, s, me, talk_id, expected_version=body.version),
    )


@api.route(
    "GET",
    "/talks/<talk_id>/event.ics",
    summary="The talk's calendar event",
    tag="talks",
    content_type="text/calendar",
)
def talk_event(talk_id: str) -> Response:
    # iCalendar is loaded on first use: it would add a sixth of a second to every start.
    from plugin.calendar.ics import ics_filename
    from plugin.services import feeds

    def work(svc: Services, s: Session, me: Person) -> tuple[bytes, str]:
        # Participants only: the event holds the meeting's join link.
        talk = talks.load_talk(s, me, talk_id)
        # The invite in it is the talk's own type version's (`followup.event_draft`).
        return feeds.talk_ics(svc, s, talk), ics_filename(talk.title, talk.starts_at)

    body, filename = as_viewer_read(work)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- Teams meetings ---------------------------------------------------------------------------


@api.route(
    "GET",
    "/meetings/<chat_id>/talks",
    summary="My talks held in the Teams meeting with this chat id",
    tag="teams",
)
def meeting_talks(chat_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: {
            "talks": views.talk_summaries(s, talks.talks_in_meeting(s, me, chat_id), me.id)
        }
    )


@api.route(
    "PUT",
    "/talks/<talk_id>/meeting",
    summary="Hold the talk in the Teams meeting with this chat id (lead)",
    tag="teams",
    body=MeetingLink,
)
def link_meeting(talk_id: str, body: MeetingLink) -> dict[str, Any]:
    return write_then_detail(
        talk_id,
        lambda svc, s, me: talks.link_meeting(
            svc,
            s,
            me,
            talk_id,
            body.chat_id,
            chat_summary=body.chat_summary,
            expected_version=body.version,
        ),
    )
