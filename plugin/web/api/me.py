"""My identity, CSRF token, feed URL, reminder switches, colleagues (all, or those I may lead),
checklist, overview, and the download of my data."""

from __future__ import annotations

from typing import Any

from flask import Response
from pydantic import Field
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.domain.reminders import ReminderKind
from plugin.identity.feeds import feed_token
from plugin.services import (
    audit,
    overview,
    privacy_export,
    reminder_settings,
    talk_types,
    talks,
    views,
)
from plugin.services import people as people_service
from plugin.services.context import Services
from plugin.web.api.base import api, attachment, language
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.schemas import Body, HintsIn, Query
from plugin.web.session import csrf_token, end_session


class RemindersIn(Body):
    #: The kinds I want no reminder of; every other kind is on.
    off: list[ReminderKind] = Field(max_length=len(ReminderKind))


def _me(svc: Services, me: Person) -> dict[str, Any]:
    return {
        **views.person_view(me),
        "tenant_id": me.tenant_id,
        "csrf_token": csrf_token(),
        "feed_url": svc.links.feed(me.id, feed_token(svc.secret_key, me)),
        "language": language(),
        "folded_hints": list(me.folded_hints),
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


@api.route(
    "PUT",
    "/me/hints",
    summary="The talk hints I folded away (remembered on every device)",
    tag="me",
    body=HintsIn,
)
def fold_hints(body: HintsIn) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        me.fold_hints(body.folded)
        return {"folded_hints": list(me.folded_hints)}

    return as_viewer_write(work)


@api.route(
    "GET", "/me/reminders", summary="Which kinds of reminder I get (each on or off)", tag="me"
)
def my_reminders() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: reminder_settings.reminder_settings(s, me))


@api.route(
    "PUT",
    "/me/reminders",
    summary="Turn kinds of reminder off (the ones listed) and on (all others)",
    tag="me",
    body=RemindersIn,
)
def set_my_reminders(body: RemindersIn) -> dict[str, Any]:
    return as_viewer_write(lambda svc, s, me: reminder_settings.turn_off(s, me, body.off))


@api.route("POST", "/signout", summary="Sign out", tag="me")
def signout() -> dict[str, Any]:
    # Ends every session of mine on the server too: a copied cookie stops working now.
    def work(svc: Services, s: Session, me: Person) -> Person:
        me.end_sessions()
        return me

    end_session(as_viewer_write(work))
    return {"signed_out": True}


class PeopleQuery(Query):
    #: Only the colleagues I may lead under the organisation's rule (`domain/lead_rule.py`).
    may_lead: bool = False


@api.route(
    "GET",
    "/people",
    summary="Colleagues I can plan a talk with (may_lead=1: only those I may lead)",
    tag="me",
    query=PeopleQuery,
)
def people(query: PeopleQuery) -> dict[str, Any]:
    if query.may_lead:
        return as_viewer_read(lambda svc, s, me: people_service.people_to_lead(svc, s, me))
    return as_viewer_read(lambda svc, s, me: views.people_to_plan_with(s, me))


class ChecklistQuery(Query):
    #: A talk I may read: its own type's checklist, as it was planned. Without it: the
    #: checklist of my organisation's default type.
    talk_id: str | None = Field(default=None, max_length=36)
    #: The language, as on every page (`?lang=en`); read by the app's language choice.
    lang: str | None = Field(default=None, max_length=16)


@api.route(
    "GET",
    "/checklist",
    summary="A checklist in my language: a talk's own (talk_id), else my organisation's default",
    tag="me",
    query=ChecklistQuery,
)
def checklist(query: ChecklistQuery) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        if query.talk_id is None:
            template = talk_types.offered(svc, s, me.tenant_id).default.template
        else:
            talk, _read_only = talks.load_readable_talk(s, me, query.talk_id)
            template = talk_types.talk_template(svc, s, talk)
        return template.to_dict(language())

    return as_viewer_read(work)


@api.route("GET", "/overview", summary="My upcoming talks, open agreements and history", tag="me")
def my_overview() -> dict[str, Any]:
    return as_viewer_read(lambda svc, s, me: {**overview.overview(svc, s, me), "me": _me(svc, me)})


@api.route(
    "GET",
    "/me/export",
    summary="My data: a zip with my talks as JSON and the PDF of each signed form",
    tag="me",
    content_type="application/zip",
)
def my_export() -> Response:
    me = as_viewer_read(lambda svc, s, me: me)
    svc = services()
    made = privacy_export.export(svc, me.id)
    audit.record(svc, "export", tenant_id=me.tenant_id, actor_id=me.id, subject_id=me.id)
    return attachment(made.content, made.filename, "application/zip")
