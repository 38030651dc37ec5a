"""The bridge from a request to the services: the app's `Services` and the signed-in viewer."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.services.people import signed_in_person
from plugin.web.errors import Unauthenticated
from plugin.web.panel_answers import PanelAnswers
from plugin.web.session import check_csrf, signed_in_identity
from plugin.web.stamps import TalkStamps

T = TypeVar("T")
EXTENSION = "ontwikkelgesprek"
STAMPS = "ontwikkelgesprek.stamps"
PANEL_ANSWERS = "ontwikkelgesprek.panel_answers"


def services() -> Services:
    found: Services = current_app.extensions[EXTENSION]
    return found


def stamps() -> TalkStamps:
    found: TalkStamps = current_app.extensions[STAMPS]
    return found


def panel_answers() -> PanelAnswers:
    found: PanelAnswers = current_app.extensions[PANEL_ANSWERS]
    return found


def _viewer(session: Session) -> Person:
    identity = signed_in_identity()
    if identity is None:
        raise Unauthenticated()
    tenant_id, person_id = identity
    person = signed_in_person(session, tenant_id, person_id)
    if person is None:
        raise Unauthenticated()
    return person


def as_viewer_read(work: Callable[[Services, Session, Person], T]) -> T:
    svc = services()
    return svc.read(lambda session: work(svc, session, _viewer(session)))


def as_viewer_write(work: Callable[[Services, Session, Person], T]) -> T:
    if signed_in_identity() is None:
        raise Unauthenticated()  # before the CSRF check: nobody signed in is a 401, not a 403
    check_csrf()
    svc = services()
    return svc.write(lambda session: work(svc, session, _viewer(session)))
