"""The API blueprint, its self-describing route registry, and the helpers its routes share."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify
from flask_babel import get_locale
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import talks, views
from plugin.services.context import Services
from plugin.web.context import as_viewer_read, as_viewer_write
from plugin.web.openapi import Api

blueprint = Blueprint("api", __name__, url_prefix="/api")
api = Api(blueprint, title="Ontwikkelgesprek API", version="1")


def language() -> str:
    return str(get_locale() or "nl")


def talk_for_viewer(svc: Services, session: Session, talk_id: str, me: Person) -> dict[str, Any]:
    talk, read_only = talks.load_readable_talk(session, me, talk_id)
    return views.talk_detail(svc, session, talk, me.id, read_only=read_only)


@blueprint.get("/openapi.json")
def openapi() -> Response:
    return jsonify(api.document("/api"))


def write_then_detail(talk_id: str, work: Any) -> dict[str, Any]:
    as_viewer_write(work)
    return as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me))
