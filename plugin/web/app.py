"""The Flask application factory: blueprints, languages, sessions, security headers."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request, session
from flask.testing import FlaskClient
from flask_babel import Babel, get_locale
from werkzeug.routing import BaseConverter
from werkzeug.test import TestResponse

from plugin.i18n import DEFAULT_LANGUAGE, LANGUAGES, TRANSLATIONS_DIR, resolve
from plugin.paths import templates_dir
from plugin.services.context import Services
from plugin.services.people import session_generation, session_generations
from plugin.settings import LOCAL
from plugin.web import api, consent, errors, form_pdf, graph_hooks, live_publish, outlook, pages
from plugin.web.context import EXTENSION, PANEL_ANSWERS, STAMPS
from plugin.web.host import TEAMSJS, ScriptSource
from plugin.web.live_shortcut import LiveShortcut
from plugin.web.outlook import OFFICEJS, OfficeScript
from plugin.web.panel_answers import PanelAnswers
from plugin.web.session import SESSION_CHECK
from plugin.web.session_check import SessionGenerations
from plugin.web.session_cookies import RememberingSessionInterface
from plugin.web.stamps import TalkStamps

if TYPE_CHECKING:  # PyJWT is loaded only in Microsoft mode, where tokens are checked
    from plugin.identity.teams_sso import SsoValidator

SESSION_COOKIE = "ontwikkelgesprek_session"
#: On every response in Microsoft mode, which answers over https only.
HSTS = ("Strict-Transport-Security", "max-age=31536000")
#: On every response, pages and API alike.
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
)

#: The hosts that embed tabs, per Microsoft's "Prerequisites" for Teams tabs (Teams, Outlook and
#: the Microsoft 365 app, and *.cloud.microsoft they are moving to). Microsoft mode only.
MICROSOFT_FRAME_ANCESTORS = (
    "https://*.cloud.microsoft",
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://*.microsoft365.com",
    "https://*.office.com",
    "https://outlook.office.com",
    "https://outlook.office365.com",
    "https://outlook-sdf.office.com",
    "https://outlook-sdf.office365.com",
)


def content_security_policy(mode: str, teamsjs: ScriptSource = TEAMSJS) -> str:
    if mode == LOCAL:
        return (
            "default-src 'self'; img-src 'self' data:; "
            "frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
        )
    # Besides our own scripts, exactly one: the pinned TeamsJS file on Microsoft's CDN (whose
    # content the page checks again by its integrity hash).
    ancestors = " ".join(("'self'", *MICROSOFT_FRAME_ANCESTORS))
    return (
        f"default-src 'self'; script-src 'self' {teamsjs.src}; img-src 'self' data:; "
        f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
    )


def taskpane_security_policy(officejs: OfficeScript) -> str:
    """The Outlook task pane's, in Microsoft mode: our scripts and Office.js's host, nothing
    inline. Office.js has no fixed hash (Microsoft updates it in place), so no TeamsJS here."""
    ancestors = " ".join(("'self'", *MICROSOFT_FRAME_ANCESTORS))
    return (
        f"default-src 'self'; script-src 'self' {officejs.origin}; img-src 'self' data:; "
        f"frame-ancestors {ancestors}; base-uri 'none'; form-action 'self'"
    )


class ClosingTestClient(FlaskClient):
    """Flask's test client, closing each response as a WSGI server does once it is sent."""

    def open(self, *args: Any, buffered: bool = True, **kwargs: Any) -> TestResponse:
        return super().open(*args, buffered=buffered, **kwargs)


class PathSegment(BaseConverter):
    """The default URL converter, less control characters: no id of ours holds one, and
    PostgreSQL would refuse a NUL in a query. Such a URL simply matches no route (404)."""

    regex = r"[^/\x00-\x1f\x7f]+"


def select_language() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session["lang"] = asked
        return asked
    stored = session.get("lang")
    if stored in LANGUAGES:
        return str(stored)
    return resolve(request.accept_languages.best_match(LANGUAGES, default=DEFAULT_LANGUAGE))


def create_app(
    services: Services,
    *,
    mode: str = LOCAL,
    secure_cookies: bool = False,
    sso: SsoValidator | None = None,
    proxy_hops: int = 0,
    teamsjs: ScriptSource = TEAMSJS,
    officejs: OfficeScript = OFFICEJS,
) -> Flask:
    """The app; in Microsoft mode `sso` validates the Teams tokens that say who is asking.

    `proxy_hops`: how many reverse proxies in front may be believed about the client's scheme,
    host and address (`X-Forwarded-*`); 0 believes none, so nobody can forge them.
    """
    app = Flask(
        __name__,
        template_folder=str(templates_dir()),
        static_folder=str(Path(__file__).resolve().parent.parent / "static"),
        static_url_path="/static",
    )
    # A server closes each response after sending it, and what a write shares with the other
    # panels runs then (`live_publish`); Flask's test client closes only when asked, so its
    # responses are buffered (and so closed) here, as a server would.
    app.test_client_class = ClosingTestClient
    app.session_interface = RememberingSessionInterface()
    app.url_map.converters["default"] = PathSegment
    app.url_map.converters["string"] = PathSegment
    app.config.update(
        SECRET_KEY=services.secret_key,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        # Re-signing the cookie on every poll of a live panel costs more than the poll itself.
        SESSION_REFRESH_EACH_REQUEST=False,
        MAX_CONTENT_LENGTH=256 * 1024,
        JSON_SORT_KEYS=False,
        OG_MODE=mode,
        # Tests give stand-ins for TeamsJS and Office.js here; everyone else gets the CDN files.
        OG_TEAMSJS=teamsjs,
        OG_OFFICEJS=officejs,
        BABEL_DEFAULT_LOCALE=DEFAULT_LANGUAGE,
        BABEL_TRANSLATION_DIRECTORIES=str(TRANSLATIONS_DIR),
    )
    app.extensions[EXTENSION] = services
    app.extensions[SESSION_CHECK] = SessionGenerations(
        lambda tenant_id, person_id: session_generation(services.db, tenant_id, person_id),
        read_many=lambda keys: session_generations(services.db, keys),
    )
    answers = app.extensions[PANEL_ANSWERS] = PanelAnswers(services.db)
    stamps = TalkStamps(services.db, on_new_versions=answers.prefetch)
    services.db.talk_listeners.append(stamps.learn)
    app.extensions[STAMPS] = stamps
    live_publish.register(app, services, answers)
    Babel(app, locale_selector=select_language)
    errors.register(app)
    if mode != LOCAL:

        @app.before_request
        def https_only() -> None:
            # Teams loads tabs over https only, and tokens must not cross the wire in clear.
            # The health check stays open for load balancers that probe over http.
            if request.scheme != "https" and request.path != "/healthz":
                raise errors.BadRequest("https_required")

    if sso is not None:
        from plugin.web import sso as sso_sign_in

        sso_sign_in.register(app, sso)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(form_pdf.blueprint)
    app.register_blueprint(consent.blueprint)
    app.register_blueprint(outlook.blueprint)
    app.register_blueprint(graph_hooks.blueprint)

    @app.context_processor
    def language() -> dict[str, str]:
        return {"lang": str(get_locale() or DEFAULT_LANGUAGE)}

    csp = content_security_policy(mode, teamsjs)
    taskpane_csp = csp if mode == LOCAL else taskpane_security_policy(officejs)

    @app.after_request
    def security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS:
            response.headers.setdefault(name, value)
        if request.endpoint == "outlook.taskpane":
            response.headers.setdefault("Content-Security-Policy", taskpane_csp)
        response.headers.setdefault("Content-Security-Policy", csp)
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        if mode != LOCAL and request.scheme == "https":
            response.headers.setdefault(*HSTS)
        return response

    # A live panel's poll is answered before Flask when memory holds the answer, with the
    # headers Flask gives the same answer: an API response, which in local mode read the
    # session cookie, and in Microsoft mode went over https.
    app.wsgi_app = LiveShortcut(  # type: ignore[method-assign]
        app,
        app.wsgi_app,
        headers=[
            *SECURITY_HEADERS,
            ("Content-Security-Policy", csp),
            ("Cache-Control", "no-store"),
            ("Vary", "Cookie") if mode == LOCAL else HSTS,
        ],
    )
    if proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops, x_host=proxy_hops
        )
    return app
