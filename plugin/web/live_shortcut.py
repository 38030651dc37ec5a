"""A live panel's "nothing changed" answer, given before Flask.

Every open panel asks twice a second whether its talk changed, and the answer is nearly always
304 Not Modified. Through Flask that answer costs about 160 µs of a worker's time, most of it
Flask's own (request context, URL matching, the session, a response object, the hooks),
where a bare Flask endpoint costs 60. This WSGI layer gives exactly that answer, after exactly
the checks of the `live_talk` view, with no Flask in between: a session cookie verified
before (`RememberingSessionInterface.known`) whose session still counts, the person takes part
in the talk (its stamp), and the caller already has the talk's version. Anything else (no
cookie or one not seen yet, a query string, a bearer token, a talk that changed, someone else's
talk) goes to Flask as before. Local mode only: in Microsoft mode a bearer token says who asks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.http import parse_cookie, parse_etags, quote_etag

from plugin.web.context import STAMPS
from plugin.web.session import SESSION_CHECK, session_identity
from plugin.web.session_cookies import RememberingSessionInterface
from plugin.web.stamps import TalkStamps

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

#: The live route, as `PathSegment` matches a talk id (no slash, no control character).
_LIVE = re.compile(r"/api/talks/([^/\x00-\x1f\x7f]+)/live")


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
        #: What Flask adds to the view's 304 (security headers, `Vary: Cookie`), besides its tag.
        self._headers = list(headers)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        etag = self._unchanged(environ)
        if etag is None:
            return self._wsgi_app(environ, start_response)
        start_response("304 NOT MODIFIED", [("ETag", quote_etag(etag)), *self._headers])
        return []

    def _unchanged(self, environ: WSGIEnvironment) -> str | None:
        """The caller's current tag when this is a poll of an unchanged talk it takes part in,
        asked with a known session cookie; else None (Flask answers)."""
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or environ.get("QUERY_STRING")
            or "HTTP_AUTHORIZATION" in environ
        ):
            return None
        asked = environ.get("HTTP_IF_NONE_MATCH")
        found = _LIVE.fullmatch(environ.get("PATH_INFO", ""))
        if not asked or found is None:
            return None
        # The app's own parts, looked up as its views do (a test may swap one after start).
        app = self._app
        sessions = app.session_interface
        if not isinstance(sessions, RememberingSessionInterface):
            return None
        cookie = parse_cookie(environ).get(app.config["SESSION_COOKIE_NAME"])
        data = sessions.known(app, cookie) if cookie else None
        identity = session_identity(data, app.extensions[SESSION_CHECK]) if data else None
        if identity is None:
            return None
        tenant_id, person_id = identity
        stamps: TalkStamps = app.extensions[STAMPS]
        stamp = stamps.stamp(tenant_id, found.group(1))
        if stamp is None or person_id not in stamp[1:]:
            return None
        etag = live_etag(stamp[0], person_id)
        return etag if parse_etags(asked).contains(etag) else None
