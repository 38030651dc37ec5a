"""Browser routes outside the API: sign-in links, the feed, health, and the plain pages.

The full pages (the future Teams tabs) come in a later step; until then `/` and
`/talks/<id>` show the essentials server-side so that a sign-in link lands somewhere useful.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from plugin.domain.people import Person
from plugin.identity.feeds import feed_token_valid
from plugin.identity.local import redeem_signin_token
from plugin.services import feeds, talks, views
from plugin.settings import LOCAL
from plugin.store import repo
from plugin.web.context import services
from plugin.web.session import signed_in_identity, start_session

blueprint = Blueprint("pages", __name__)


@blueprint.get("/healthz")
def healthz() -> Response:
    svc = services()
    return jsonify({"status": "ok", "mode": current_app.config["OG_MODE"], "database": svc.db.kind})


@blueprint.get("/signin/<token>")
def signin(token: str) -> BaseResponse:
    svc = services()
    if current_app.config["OG_MODE"] != LOCAL:
        abort(404)
    person = svc.write(lambda s: redeem_signin_token(s, token, svc.clock.now()))
    if person is None:
        return Response(
            render_template("pages/signin_failed.html"), status=410, mimetype="text/html"
        )
    start_session(person)
    return redirect(url_for("pages.home"))


@blueprint.get("/feeds/<person_id>/<token>.ics")
def feed(person_id: str, token: str) -> Response:
    svc = services()

    def work(session: Any) -> bytes | None:
        person = session.get(Person, person_id)
        if person is None or not feed_token_valid(svc.secret_key, person, token):
            return None
        return feeds.person_feed(svc, session, person, person.locale)

    body = svc.read(work)
    if body is None:
        abort(404)
    return Response(
        body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"}
    )


def _viewer(session: Any) -> Person | None:
    identity = signed_in_identity()
    return repo.person(session, *identity) if identity else None


@blueprint.get("/")
def home() -> BaseResponse | str:
    svc = services()

    def work(session: Any) -> dict[str, Any] | None:
        me = _viewer(session)
        return None if me is None else {"me": me, "overview": views.overview(svc, session, me)}

    data = svc.read(work)
    if data is None:
        return render_template("pages/welcome.html")
    return render_template("pages/home.html", **data)


@blueprint.get("/talks/<talk_id>")
def talk_page(talk_id: str) -> BaseResponse | str:
    svc = services()

    def work(session: Any) -> dict[str, Any] | None:
        me = _viewer(session)
        if me is None:
            return None
        talk, read_only = talks.load_readable_talk(session, me, talk_id)
        return {"me": me, "talk": views.talk_detail(svc, session, talk, me, read_only=read_only)}

    data = svc.read(work)
    if data is None:
        return render_template("pages/welcome.html"), 401  # type: ignore[return-value]
    return render_template("pages/talk.html", **data)
