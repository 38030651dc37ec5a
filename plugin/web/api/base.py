"""The API blueprint, its self-describing route registry, and the helpers its routes share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify
from flask_babel import get_locale
from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict
from plugin.domain.people import Person
from plugin.services import talks, views
from plugin.services.context import Services
from plugin.settings import LOCAL
from plugin.web import live_publish
from plugin.web.context import as_viewer_read, as_viewer_write, panel_answers, services
from plugin.web.openapi import Api

T = TypeVar("T")

blueprint = Blueprint("api", __name__, url_prefix="/api")
api = Api(blueprint, title="Ontwikkelgesprek API", version="1")


def language() -> str:
    return str(get_locale() or "nl")


def attachment(content: bytes, filename: str, mimetype: str) -> Response:
    """A file to download that holds someone's data: no shared cache keeps it."""
    response = Response(content, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def talk_for_viewer(svc: Services, session: Session, talk_id: str, me: Person) -> dict[str, Any]:
    talk, read_only = talks.load_readable_talk(session, me, talk_id)
    return views.talk_detail(svc, session, talk, me.id, read_only=read_only)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(api.document("/api", microsoft=current_app.config.get("OG_MODE") != LOCAL))


#: Refusals because the talk is not as the writer saw it: they answer with the talk as it is.
TALK_CHANGED = frozenset({"stale", "form_changed"})


def write_talk(talk_id: str, work: Callable[[Services, Session, Person], T]) -> T:
    """A change of one talk. Refused because the talk changed meanwhile (409), the answer
    carries the talk as it is now, so the client can show what changed without asking again."""
    try:
        return as_viewer_write(work)
    except Conflict as error:
        if error.code in TALK_CHANGED and error.params.get("current") is None:
            error.params["current"] = as_viewer_read(
                lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)
            )
        raise


def write_then_detail(
    talk_id: str, work: Callable[[Services, Session, Person], object]
) -> dict[str, Any]:
    write_talk(talk_id, work)
    detail = live_publish.written_detail(services(), talk_id) or as_viewer_read(
        lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me)
    )
    live_publish.share(panel_answers(), detail)
    return detail
