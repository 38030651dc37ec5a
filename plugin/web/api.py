"""The JSON API under /api/: thin views that parse, call a service, and answer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import get_locale
from pydantic import AwareDatetime, TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from plugin.calendar.port import Attendee
from plugin.domain.errors import Conflict, InvalidInput, NotFound
from plugin.domain.people import Person
from plugin.domain.schedule import Interval
from plugin.identity.feeds import feed_token
from plugin.identity.share_links import share_link_token
from plugin.services import talks, views
from plugin.services.context import Services
from plugin.store import repo
from plugin.web.consent import require_chat_consent
from plugin.web.context import as_viewer_read, as_viewer_write, services, stamps
from plugin.web.errors import Unauthenticated
from plugin.web.openapi import Api
from plugin.web.schemas import (
    AgreementChange,
    AgreementIn,
    FollowUpChoice,
    MeetingLink,
    PlanTalk,
    PreparationIn,
    ReactionIn,
    ShareIn,
    ShareLinkIn,
    StatusIn,
    UpdateTalk,
    Versioned,
)
from plugin.web.session import csrf_token, end_session, signed_in_identity

blueprint = Blueprint("api", __name__, url_prefix="/api")
api = Api(blueprint, title="Ontwikkelgesprek API", version="1")

MAX_CALENDAR_WINDOW = timedelta(days=92)


def language() -> str:
    return str(get_locale() or "nl")


def _detail(svc: Services, session: Session, talk_id: str, me: Person) -> dict[str, Any]:
    talk, read_only = talks.load_readable_talk(session, me, talk_id)
    return views.talk_detail(svc, session, talk, me.id, read_only=read_only)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(api.document("/api"))


# -- me ---------------------------------------------------------------------------------------


def _me(svc: Services, me: Person) -> dict[str, Any]:
    return {
        **views.person_view(me),
        "tenant_id": me.tenant_id,
        "csrf_token": csrf_token(),
        "feed_url": svc.links.feed(me.id, feed_token(svc.secret_key, me)),
        "language": language(),
    }


@api.route("GET", "/me", summary="Who I am, my CSRF token and my feed URL", tag="me")
def me() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: _me(svc, me))


@api.route(
    "POST", "/me/feed/renew", summary="Renew my feed URL (the old one stops working)", tag="me"
)
def renew_feed() -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        me.renew_feed()
        return _me(svc, me)

    return as_viewer_write(work)


@api.route("POST", "/signout", summary="Sign out", tag="me")
def signout() -> dict[str, Any]:
    as_viewer_write(lambda svc, s, me: None)
    end_session()
    return {"signed_out": True}


@api.route("GET", "/people", summary="Colleagues I can plan a talk with", tag="me")
def people() -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        if me.external:
            # A school supervisor reads what is shared with them; the staff list is not.
            return {"people": [], "supervisors": []}
        return {
            "people": [
                views.person_view(p) for p in repo.colleagues(s, me.tenant_id) if p.id != me.id
            ],
            "supervisors": [views.person_view(p) for p in repo.supervisors(s, me.tenant_id)],
        }

    return as_viewer_read(work)


@api.route("GET", "/checklist", summary="The preparation checklist, in my language", tag="me")
def checklist() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: svc.template.to_dict(language()))


@api.route("GET", "/overview", summary="My upcoming talks, open agreements and history", tag="me")
def overview() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: {**views.overview(svc, s, me), "me": _me(svc, me)})


# -- talks ------------------------------------------------------------------------------------


@api.route("GET", "/talks", summary="Talks I take part in", tag="talks")
def list_talks() -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        mine = repo.talks_of(s, me)
        names = repo.names(s, {p for t in mine for p in (t.lead_id, t.learner_id)})
        return {"talks": [views.talk_summary(t, names, me.id) for t in mine]}

    return as_viewer_read(work)


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
        )
        return talk.id

    talk_id = as_viewer_write(work)
    return as_viewer_read(lambda svc, s, me: _detail(svc, s, talk_id, me))


@api.route("GET", "/talks/<talk_id>", summary="One talk with its agreements", tag="talks")
def get_talk(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: _detail(svc, s, talk_id, me))


def _write_then_detail(talk_id: str, work: Any) -> dict[str, Any]:
    as_viewer_write(work)
    return as_viewer_read(lambda svc, s, me: _detail(svc, s, talk_id, me))


@api.route(
    "GET",
    "/talks/<talk_id>/live",
    summary="The talk for a live panel; send If-None-Match to get 304 while nothing changed",
    tag="talks",
)
def live_talk(talk_id: str) -> Response | dict[str, Any]:
    identity = signed_in_identity()
    if identity is None:
        raise Unauthenticated()
    tenant_id, person_id = identity
    stamp = stamps().stamp(tenant_id, talk_id)
    # Every change a panel shows bumps the talk's version, so the version is the ETag.
    participant = stamp is not None and person_id in stamp[1:]
    if stamp is not None and participant:
        etag = _live_etag(stamp[0], person_id)
        if request.if_none_match.contains(etag):
            response = Response(status=304)
            response.set_etag(etag)
            return response
    if not participant:
        return jsonify(as_viewer_read(lambda svc, s, me: _detail(svc, s, talk_id, me)))
    # A participant's identity and access were settled by the stamp: load only what the
    # panel shows, in as few queries as possible (changed polls follow every save).
    svc = services()
    detail = svc.read(lambda s: _panel_detail(svc, s, tenant_id, person_id, talk_id))
    etag = _live_etag(detail["version"], person_id)
    # This process's cached version may lag another's change by one refresh; the database
    # said the caller is up to date after all.
    response = Response(status=304) if request.if_none_match.contains(etag) else jsonify(detail)
    response.set_etag(etag)
    return response


def _panel_detail(
    svc: Services, session: Session, tenant_id: str, person_id: str, talk_id: str
) -> dict[str, Any]:
    talk = repo.talk(session, tenant_id, talk_id, with_preparations=False)
    if talk is None or talk.role_of(person_id) is None:
        raise NotFound("not_found", "talk")
    return views.talk_detail(svc, session, talk, person_id, read_only=False, with_shares=False)


def _live_etag(version: int, person_id: str) -> str:
    # The answer is data, not text, so the language does not enter the tag.
    return f"{version}-{person_id[:8]}"


@api.route(
    "PATCH",
    "/talks/<talk_id>",
    summary="Move, retitle or change the goals",
    tag="talks",
    body=UpdateTalk,
)
def update_talk(talk_id: str, body: UpdateTalk) -> dict[str, Any]:
    return _write_then_detail(
        talk_id,
        lambda svc, s, me: talks.update_talk(
            svc, s, me, talk_id, **body.model_dump(exclude_unset=True)
        ),
    )


@api.route("POST", "/talks/<talk_id>/cancel", summary="Cancel the talk (lead)", tag="talks")
def cancel_talk(talk_id: str) -> dict[str, Any]:
    return _write_then_detail(talk_id, lambda svc, s, me: talks.cancel_talk(svc, s, me, talk_id))


@api.route("POST", "/talks/<talk_id>/held", summary="Mark the talk as held", tag="talks")
def mark_held(talk_id: str) -> dict[str, Any]:
    return _write_then_detail(talk_id, lambda svc, s, me: talks.mark_held(svc, s, me, talk_id))


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
        talk, _ = talks.load_readable_talk(s, me, talk_id)
        return feeds.talk_ics(svc, s, talk), ics_filename(talk.title, talk.starts_at)

    body, filename = as_viewer_read(work)
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


# -- preparation ------------------------------------------------------------------------------


@api.route(
    "GET",
    "/talks/<talk_id>/preparation",
    summary="Checklist, my and the other's points, earlier open agreements",
    tag="preparation",
)
def get_preparation(talk_id: str) -> dict[str, Any]:
    return _preparation(talk_id)


def _preparation(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: views.preparation_view(
            svc, s, talks.load_talk(s, me, talk_id), me, language()
        )
    )


@api.route(
    "PUT",
    "/talks/<talk_id>/preparation",
    summary="Save my ticks and discussion points",
    tag="preparation",
    body=PreparationIn,
)
def put_preparation(talk_id: str, body: PreparationIn) -> dict[str, Any]:
    as_viewer_write(
        lambda svc, s, me: talks.prepare(
            svc,
            s,
            me,
            talk_id,
            ticked=body.ticked,
            points=[p.model_dump() for p in body.points],
            expected_version=body.version,
        )
    )
    return _preparation(talk_id)


@api.route(
    "POST",
    "/talks/<talk_id>/earlier-agreements/<agreement_id>/status",
    summary="Close or reopen an earlier talk's agreement",
    tag="preparation",
    body=StatusIn,
)
def close_earlier(talk_id: str, agreement_id: str, body: StatusIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: talks.close_agreement_from(
            svc, s, me, talk_id, agreement_id, status=body.status, expected_version=body.version
        ).to_dict()
    )


# -- agreements -------------------------------------------------------------------------------


@api.route(
    "POST",
    "/talks/<talk_id>/agreements",
    summary="Record an agreement",
    tag="agreements",
    body=AgreementIn,
    status=201,
)
def add_agreement(talk_id: str, body: AgreementIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: talks.add_agreement(
            svc, s, me, talk_id, what=body.what, owner=body.owner, due=body.due
        ).to_dict()
    )


@api.route(
    "PATCH",
    "/talks/<talk_id>/agreements/<agreement_id>",
    summary="Change an agreement's wording, owner or due date",
    tag="agreements",
    body=AgreementChange,
)
def edit_agreement(talk_id: str, agreement_id: str, body: AgreementChange) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("what", "owner"):
        if key in changes and changes[key] is None:
            raise InvalidInput("required", key)
    return as_viewer_write(
        lambda svc, s, me: talks.edit_agreement(
            svc, s, me, talk_id, agreement_id, expected_version=body.version, changes=changes
        ).to_dict()
    )


@api.route(
    "DELETE",
    "/talks/<talk_id>/agreements/<agreement_id>",
    summary="Remove an agreement (before signing)",
    tag="agreements",
)
def remove_agreement(talk_id: str, agreement_id: str) -> dict[str, Any]:
    version = request.args.get("version", "")
    if not version.isdigit():
        raise InvalidInput("required", "version")
    as_viewer_write(
        lambda svc, s, me: talks.remove_agreement(
            svc, s, me, talk_id, agreement_id, expected_version=int(version)
        )
    )
    return {"removed": agreement_id}


@api.route(
    "POST",
    "/talks/<talk_id>/agreements/<agreement_id>/confirm",
    summary="Confirm the wording (the other participant)",
    tag="agreements",
    body=Versioned,
)
def confirm_agreement(talk_id: str, agreement_id: str, body: Versioned) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: talks.confirm_agreement(
            svc, s, me, talk_id, agreement_id, expected_version=body.version
        ).to_dict()
    )


@api.route(
    "POST",
    "/talks/<talk_id>/agreements/<agreement_id>/reaction",
    summary="The learner's reaction",
    tag="agreements",
    body=ReactionIn,
)
def react(talk_id: str, agreement_id: str, body: ReactionIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: talks.react(
            svc, s, me, talk_id, agreement_id, reaction=body.reaction, expected_version=body.version
        ).to_dict()
    )


# -- sign-off, form, follow-up ----------------------------------------------------------------


@api.route("POST", "/talks/<talk_id>/sign", summary="Sign the talk form", tag="sign-off")
def sign(talk_id: str) -> dict[str, Any]:
    # Before anything is signed: may the app post the summary in the lead's name? (Teams)
    require_chat_consent(talk_id)
    return _write_then_detail(talk_id, lambda svc, s, me: talks.sign(svc, s, me, talk_id))


@api.route(
    "GET",
    "/talks/<talk_id>/form",
    summary="The signed form, and whether it is intact",
    tag="sign-off",
)
def form(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: views.form_view(s, talks.load_readable_talk(s, me, talk_id)[0])
    )


@api.route(
    "GET",
    "/talks/<talk_id>/follow-up",
    summary="The follow-up booking's status and options",
    tag="follow-up",
)
def follow_up(talk_id: str) -> dict[str, Any]:
    return _follow_up(talk_id)


def _follow_up(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: views.follow_up_view(talks.load_talk(s, me, talk_id)))


@api.route(
    "POST",
    "/talks/<talk_id>/follow-up",
    summary="Book the follow-up at an offered time, or search again",
    tag="follow-up",
    body=FollowUpChoice,
)
def choose_follow_up(talk_id: str, body: FollowUpChoice) -> dict[str, Any]:
    as_viewer_write(lambda svc, s, me: talks.choose_follow_up(svc, s, me, talk_id, body.starts_at))
    return _follow_up(talk_id)


# -- sharing ----------------------------------------------------------------------------------


@api.route(
    "POST",
    "/talks/<talk_id>/shares",
    summary="Share the talk read-only with a school supervisor",
    tag="sharing",
    body=ShareIn,
)
def add_share(talk_id: str, body: ShareIn) -> dict[str, Any]:
    return {
        "shared_with": as_viewer_write(
            lambda svc, s, me: talks.share(svc, s, me, talk_id, body.person_id)
        )
    }


@api.route(
    "DELETE",
    "/talks/<talk_id>/shares/<person_id>",
    summary="Stop sharing with a supervisor",
    tag="sharing",
)
def remove_share(talk_id: str, person_id: str) -> dict[str, Any]:
    return {
        "shared_with": as_viewer_write(
            lambda svc, s, me: talks.unshare(svc, s, me, talk_id, person_id)
        )
    }


# -- Teams meetings ---------------------------------------------------------------------------


@api.route(
    "GET",
    "/meetings/<chat_id>/talks",
    summary="My talks held in the Teams meeting with this chat id",
    tag="teams",
)
def meeting_talks(chat_id: str) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        found = talks.talks_in_meeting(s, me, chat_id)
        names = repo.names(s, {p for t in found for p in (t.lead_id, t.learner_id)})
        return {"talks": [views.talk_summary(t, names, me.id) for t in found]}

    return as_viewer_read(work)


@api.route(
    "PUT",
    "/talks/<talk_id>/meeting",
    summary="Hold the talk in the Teams meeting with this chat id (lead)",
    tag="teams",
    body=MeetingLink,
)
def link_meeting(talk_id: str, body: MeetingLink) -> dict[str, Any]:
    return _write_then_detail(
        talk_id,
        lambda svc, s, me: talks.link_meeting(
            svc, s, me, talk_id, body.chat_id, chat_summary=body.chat_summary
        ),
    )


@api.route(
    "GET",
    "/talks/<talk_id>/shares",
    summary="Who the talk is shared with (lead)",
    tag="sharing",
)
def list_shares(talk_id: str) -> dict[str, Any]:
    return {"shares": as_viewer_read(lambda svc, s, me: talks.shares(s, me, talk_id))}


@api.route(
    "POST",
    "/talks/<talk_id>/share-links",
    summary="Make a read-only link for a school supervisor (lead); it retires their older one",
    tag="sharing",
    body=ShareLinkIn,
    status=201,
)
def add_share_link(talk_id: str, body: ShareLinkIn) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        supervisor, claim = talks.share_by_link(
            svc, s, me, talk_id, name=body.name, email=body.email, days=body.days
        )
        return {
            "url": svc.links.shared(share_link_token(svc.secret_key, claim)),
            "expires_at": claim.expires.isoformat(),
            "supervisor": views.person_view(supervisor),
        }

    made = as_viewer_write(work)
    made["shares"] = as_viewer_read(lambda svc, s, me: talks.shares(s, me, talk_id))
    return made


# -- calendar ---------------------------------------------------------------------------------


@api.route(
    "GET",
    "/calendar/events",
    summary="My calendar's events in a window (?start=&end=)",
    tag="calendar",
)
def calendar_events() -> dict[str, Any]:
    adapter = TypeAdapter(AwareDatetime)
    window: dict[str, Any] = {}
    for name in ("start", "end"):
        try:
            window[name] = adapter.validate_python(request.args.get(name, ""))
        except ValidationError:
            raise InvalidInput("invalid_date", name) from None
    if window["end"] <= window["start"] or window["end"] - window["start"] > MAX_CALENDAR_WINDOW:
        raise InvalidInput("invalid_date", "end")

    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        if svc.graph is not None:
            # Reading Outlook would be a Graph call inside a request: never on the web path.
            raise Conflict("calendar_in_outlook")
        events = svc.calendar(s).list_events(
            Attendee(me.id, me.display_name, me.email), Interval(window["start"], window["end"])
        )
        return {
            "events": [
                {
                    "event_id": e.ref.event_id,
                    "ical_uid": e.ref.ical_uid,
                    "subject": e.subject,
                    "start": e.start.isoformat(),
                    "end": e.end.isoformat(),
                    "organizer_id": e.organizer_id,
                    "attendee_ids": list(e.attendee_ids),
                    "cancelled": e.cancelled,
                    "categories": list(e.categories),
                }
                for e in events
            ]
        }

    return as_viewer_read(work)


__all__ = ["api", "blueprint", "services"]
