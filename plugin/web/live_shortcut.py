"""A live panel's poll, answered from this process's memory, before Flask when it can.

Every open panel asks twice a second whether its talk changed. Nearly always the answer is
304 Not Modified, and after a change it is the talk's new answer, which this process holds
in memory by then (the writer's process built it, the others read it ahead: `stamps`,
`panel_answers`). Through Flask either costs about 160 µs of a worker's time, most of it
Flask's own (request context, URL matching, the session, a response object, the hooks), where
a bare Flask endpoint costs 60. `known_answer` is the view's own first step (`live_talk`), and
`LiveShortcut`, a WSGI layer, gives the same answer with no Flask in between, after the same
checks: who asks (local mode: a session cookie verified before, `RememberingSessionInterface.
known`, whose session still counts; Microsoft mode: over https, a Teams token accepted before
and still in its time, `SsoValidator.accepted`, whose person is remembered), and that person
takes part in the talk (its stamp). Anything else (a cookie or token not seen yet, a query
string, an answer not in memory, someone else's talk) goes to Flask as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import ETags
from werkzeug.http import parse_cookie, parse_etags, quote_etag

from plugin.settings import LOCAL
from plugin.web.context import PANEL_ANSWERS, STAMPS
from plugin.web.panel_answers import PanelAnswers
from plugin.web.session import (
    SESSION_CHECK,
    SIGNED_IN_PEOPLE,
    SSO_VALIDATOR,
    bearer_token,
    session_identity,
)
from plugin.web.session_cookies import RememberingSessionInterface
from plugin.web.stamps import TalkStamps

if TYPE_CHECKING:  # PyJWT is loaded only in Microsoft mode
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from plugin.identity.teams_sso import SsoValidator
    from plugin.web.sso import SignedInPeople

#: The live route, as `PathSegment` matches a talk id (no slash, no control character).
_LIVE = re.compile(r"/api/talks/([^/\x00-\x1f\x7f]+)/live")
JSON = "application/json"


def live_etag(version: int, person_id: str) -> str:
    """The live answer's entity tag: the talk's version for this person. The answer is data,
    not text, so the language does not enter the tag."""
    return f"{version}-{person_id[:8]}"


class LiveShortcut:
    def __init__(
        self, app: Flask, wsgi_app: WSGIApplication, headers: Iterable[tuple[str, str]]
    ) -> None:
        self._app = app
        self._wsgi_app = wsgi_app
        #: What Flask adds to the view's answer (security headers, `Vary: Cookie`), besides the
        #: answer's own.
        self._headers = list(headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        try:
            known = self._known(environ)
        except SQLAlchemyError:
            # A talk's stamp not in memory is read from the database; if that fails, Flask
            # tries again and answers the failure as every view does.
            known = None
        if known is None:
            return self._wsgi_app(environ, start_response)
        tag = ("ETag", quote_etag(known.etag))
        if known.body is None:
            start_response("304 NOT MODIFIED", [tag, *self._headers])
            return []
        length = str(len(known.body))
        start_response(
            "200 OK",
            [("Content-Type", JSON), ("Content-Length", length), tag, *self._headers],
        )
        return [known.body]

    def _known(self, environ: WSGIEnvironment) -> KnownAnswer | None:
        """The answer to a signed-in participant's poll when memory holds it; else None
        (Flask answers)."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("QUERY_STRING"):
            return None
        found = _LIVE.fullmatch(environ.get("PATH_INFO", ""))
        if found is None:
            return None
        # The app's own parts, looked up as its views do (a test may swap one after start).
        app = self._app
        if app.config["OG_MODE"] == LOCAL:
            identity = _session_identity(app, environ)
        else:
            identity = _bearer_identity(app, environ)
        if identity is None:
            return None
        return known_answer(
            app, *identity, found.group(1), parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
        )


def _session_identity(app: Flask, environ: WSGIEnvironment) -> tuple[str, str] | None:
    """Local mode: the person of a session cookie verified before, while it counts. A request
    that also sends a bearer token goes to Flask (which ignores that header here)."""
    sessions = app.session_interface
    if "HTTP_AUTHORIZATION" in environ or not isinstance(sessions, RememberingSessionInterface):
        return None
    cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
    data = sessions.known(app, cookie) if cookie else None
    return session_identity(data, app.extensions[SESSION_CHECK]) if data else None


def _bearer_identity(app: Flask, environ: WSGIEnvironment) -> tuple[str, str] | None:
    """Microsoft mode, over https only: the person of a Teams token accepted before, while its
    times hold and who it is is remembered (`web/sso.py`). A new token, a refused one, or
    plain http goes to Flask, which checks it and answers."""
    header = environ.get("HTTP_AUTHORIZATION")
    validator: SsoValidator | None = app.extensions.get(SSO_VALIDATOR)
    if header is None or validator is None or environ.get("wsgi.url_scheme") != "https":
        return None
    token = bearer_token(header)
    identity = validator.accepted(token) if token is not None else None
    if identity is None:
        return None
    people: SignedInPeople = app.extensions[SIGNED_IN_PEOPLE]
    return people.get(identity)


@dataclass(frozen=True)
class KnownAnswer:
    etag: str
    #: The serialised answer; None when the caller has this version already (304).
    body: bytes | None


def known_answer(
    app: Flask, tenant_id: str, person_id: str, talk_id: str, asked: ETags
) -> KnownAnswer | None:
    """A participant's live answer from this process's memory: 304 when they have the talk's
    version, the answer when memory holds it. None when the database must be asked: for
    someone who takes part in no such talk, an answer not in memory, or a caller who has seen
    a newer version than this process's stamp (another process answered it; the stamp lags).
    Every change a panel shows bumps the talk's version, so the version is the tag."""
    stamps: TalkStamps = app.extensions[STAMPS]
    stamp = stamps.stamp(tenant_id, talk_id)
    if stamp is None or person_id not in stamp[1:]:
        return None
    version, lead_id, _ = stamp
    etag = live_etag(version, person_id)
    if asked.contains(etag):
        return KnownAnswer(etag, None)
    if seen_version(asked, person_id) >= version:
        return None
    answers: PanelAnswers = app.extensions[PANEL_ANSWERS]
    body = answers.remembered(talk_id, version, "lead" if person_id == lead_id else "learner")
    return KnownAnswer(etag, body) if body is not None else None


def seen_version(asked: ETags, person_id: str) -> int:
    """The newest version of the talk the caller's If-None-Match names (0 when none)."""
    suffix = f"-{person_id[:8]}"
    seen = [
        int(tag[: -len(suffix)])
        for tag in asked.as_set()
        if tag.endswith(suffix) and tag[: -len(suffix)].isdigit()
    ]
    return max(seen, default=0)
