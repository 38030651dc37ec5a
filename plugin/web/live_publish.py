"""A request that changes talks shares each one's new live-panel answer once it has answered.

The changing process builds the answer once, from the talk just as it committed it (no load
from the database again), keeps it in its memory, so the writer's own next poll is served
from there, and in the database for the panels on other processes. That work is for the
others: it runs when the writer's response has been sent (`Response.call_on_close`, which a
WSGI server calls after writing the body), so the writer never waits for it. A panel that
polls in between builds the answer itself; it is never stale (`panel_answers`). Changes made
outside a request (the worker's calendar jobs) are built by the first poll that needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response, after_this_request, g, has_request_context
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from plugin.domain.talk import Talk
from plugin.services import views
from plugin.services.context import Services
from plugin.web.panel_answers import PanelAnswers
from plugin.web.session import signed_in_identity

_CHANGED = "og_changed_talks"

log = logging.getLogger(__name__)


def _once_sent(response: Response, work: Callable[[], None]) -> None:
    """Run `work` after `response` has gone out. Outside the request by then: a failure is
    logged by its kind only (a database error's text would carry the talk's words)."""

    def run() -> None:
        try:
            work()
        except SQLAlchemyError as error:
            log.warning("live answer not shared: %s", type(error).__name__)

    response.call_on_close(run)


def written_detail(services: Services, talk_id: str) -> dict[str, Any] | None:
    """The talk as the signed-in writer sees it, built from the talk this request has just
    committed (no second load), or None if this request did not change it."""
    identity = signed_in_identity()
    talk = (g.get(_CHANGED) or {}).get(talk_id)
    if identity is None or talk is None:
        return None

    def build(session: Session) -> dict[str, Any]:
        session.add(talk)
        # A writer takes part in the talk (the change was allowed), so nothing is read-only.
        return views.talk_detail(services, session, talk, identity[1], read_only=False)

    return services.read(build)


def share(answers: PanelAnswers, detail: dict[str, Any]) -> None:
    """The writer built the talk as a participant sees it anyway (its answer): share that,
    instead of building it once more after the request."""
    identity = signed_in_identity()
    if identity is None or detail["read_only"]:
        return
    changed: dict[str, Talk | None] | None = g.get(_CHANGED)
    if changed:
        changed.pop(detail["id"], None)
    tenant_id = identity[0]
    # The lead's answer also lists the talk's shares; the panel does not show them.
    shared = {k: v for k, v in detail.items() if k != "shared_with"}

    @after_this_request
    def when_sent(response: Response) -> Response:
        _once_sent(response, lambda: answers.publish(tenant_id, shared))
        return response


def register(app: Flask, services: Services, answers: PanelAnswers) -> None:
    def remember(changed: Mapping[str, Talk | None]) -> None:
        if has_request_context():
            g.setdefault(_CHANGED, {}).update(changed)

    services.db.talk_listeners.append(remember)

    @app.after_request
    def publish(response: Response) -> Response:
        changed: dict[str, Talk | None] = g.pop(_CHANGED, {})
        written = [talk for _, talk in sorted(changed.items()) if talk is not None]
        if not written:
            return response

        def build(session: Session) -> list[tuple[str, dict[str, Any]]]:
            # The committed talks join this read, so that what the answer adds (names, the
            # track's earlier agreements, the follow-up's time) is read beside them.
            for talk in written:
                session.add(talk)
            return [
                (talk.tenant_id, views.live_panel_detail(services, session, talk))
                for talk in written
            ]

        def build_and_publish() -> None:
            for tenant_id, detail in services.read(build):
                answers.publish(tenant_id, detail)

        _once_sent(response, build_and_publish)
        return response
