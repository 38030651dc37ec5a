"""Talks: list, plan, read, the live panel's conditional poll, move, cancel, the .ics, and
the Teams meeting a talk is held in."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
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
from plugin.web.live_shortcut import JSON, known_answer, live_etag, seen_version
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
    known = known_answer(current_app, tenant_id, person_id, talk_id, request.if_none_match)
    if known is not None:
        return _live_response(known.etag, known.body)
    stamp = stamps().stamp(tenant_id, talk_id)
    if stamp is None or person_id not in stamp[1:]:
        return jsonify(as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)))
    role = "lead" if person_id == stamp[1] else "learner"
    # Built once per version, by the writer or else whoever asked first: the rest is memory
    # or one row. Unless the caller has seen a newer version than this process's stamp: then
    # the database is asked.
    body = None
    if seen_version(request.if_none_match, person_id) < stamp[0]:
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
    # This process's stamp may lag another's change by one refresh; the database said the
    # caller is up to date after all.
    return _live_response(etag, None if request.if_none_match.contains(etag) else body)


def _live_response(etag: str, body: bytes | None) -> Response:
    response = Response(status=304) if body is None else Response(body, mimetype=JSON)
    response.set_etag(etag)
    return response


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
