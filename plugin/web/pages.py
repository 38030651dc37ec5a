"""Browser routes outside the API: sign-in links, the feed, health, and the pages.

The pages are the future Teams tabs: server-rendered shells that get their identity and their
talk from the server (the session and an access-checked lookup), then small JavaScript modules
under `static/js/` talk to the JSON API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from werkzeug.wrappers import Response as BaseResponse

from plugin.domain.checklist import ChecklistTemplate
from plugin.domain.errors import InvalidInput, NotFound
from plugin.domain.people import Person
from plugin.domain.series import now_or_next
from plugin.domain.talk_state import TalkStatus
from plugin.identity.feeds import feed_token_valid
from plugin.identity.local import redeem_signin_token
from plugin.services import audit, checkins, sharing, talk_types, talks, views
from plugin.services.context import Services
from plugin.services.people import signed_in_person
from plugin.web import privacy_page
from plugin.web.context import services
from plugin.web.host import in_microsoft_mode, shell, signed_in_by_host
from plugin.web.session import csrf_token, signed_in_identity, start_session

blueprint = Blueprint("pages", __name__)

THEMES = ("auto", "light", "dark", "contrast")
#: TeamsJS's frame context of the meeting side panel (teams.js passes it on as ``?frame=``).
SIDE_PANEL = "sidePanel"


@blueprint.get("/healthz")
def healthz() -> Response:
    svc = services()
    return jsonify({"status": "ok", "mode": current_app.config["OG_MODE"], "database": svc.db.kind})


@blueprint.get("/signin/<token>")
def signin(token: str) -> BaseResponse:
    svc = services()
    if in_microsoft_mode():
        abort(404)  # identity comes only from Teams tokens there
    person = svc.write(lambda s: redeem_signin_token(s, token, svc.clock.now()))
    if person is None:
        return Response(
            render_template("pages/signin_failed.html", **_chrome(None)),
            status=410,
            mimetype="text/html",
        )
    start_session(person)
    return redirect(url_for("pages.home"))


@blueprint.get("/feeds/<person_id>/<token>.ics")
def feed(person_id: str, token: str) -> Response:
    from plugin.services import feeds  # iCalendar is loaded on first use, not at start-up

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


# -- pages ------------------------------------------------------------------------------------


def _viewer(session: Any) -> Person | None:
    identity = signed_in_identity()
    return signed_in_person(session, *identity) if identity else None


def _chrome(me: Person | None, **boot: Any) -> dict[str, Any]:
    """What every page template needs: who, theme, language, and the data for its script."""
    theme = request.cookies.get("og_theme", "auto")
    lang = str(get_locale() or "nl")
    narrow = request.args.get("embed") == "1" or request.args.get("frame") == SIDE_PANEL
    return {
        "me": me,
        "theme": theme if theme in THEMES else "auto",
        # Inside Teams the host has the header, theme and language; the side panel is narrow.
        "embedded": narrow or signed_in_by_host(),
        "narrow": narrow,
        "boot": {
            "csrf": csrf_token() if me else "",
            "lang": lang,
            "me": {"id": me.id, "name": me.display_name} if me else None,
            **boot,
        },
    }


def _signed_out() -> tuple[str, int]:
    if in_microsoft_mode():
        return shell(), 200  # a host's frame: the shell signs in with the host's token
    return render_template("pages/welcome.html", **_chrome(None)), 401


def _page(template: str, **boot: Any) -> BaseResponse | tuple[str, int] | str:
    svc = services()
    me = svc.read(_viewer)
    if me is None:
        return _signed_out()
    return render_template(template, **_chrome(me, **boot))


def _talk_page(
    template: str, talk_id: str, *, check_in_page: str | None = None
) -> BaseResponse | tuple[str, int] | str:
    """A talk's page; for a check-in talk (its `check_in` in the page's data), the page
    `check_in_page` instead if given (a check-in has no form to sign)."""
    svc = services()

    def work(
        session: Any,
    ) -> tuple[Person | None, dict[str, Any] | None, dict[str, Any] | None, ChecklistTemplate]:
        me = _viewer(session)
        if me is None:
            return None, None, None, svc.template
        try:
            talk, read_only = talks.load_readable_talk(session, me, talk_id)
        except NotFound:
            return me, None, None, svc.template
        detail = views.talk_detail(svc, session, talk, me.id, read_only=read_only)
        checklist = talk_types.talk_template(svc, session, talk)
        return me, detail, checkins.for_talk(session, me, talk), checklist

    me, talk, check_in, checklist = svc.read(work)
    if me is None:
        return _signed_out()
    if talk is None:
        return render_template("pages/not_found.html", **_chrome(me)), 404
    if check_in is not None and check_in_page is not None:
        url = url_for(check_in_page, talk_id=talk_id)
        if request.args:
            url += "?" + urlencode(request.args.to_dict(flat=False), doseq=True)
        return redirect(url)
    for other in talk.get("series", []):
        other["label"] = format_datetime(
            datetime.fromisoformat(other["starts_at"]),
            format="EEE d MMM, HH:mm",
            tzinfo=ZoneInfo(svc.policy.hours.timezone),
            locale=str(get_locale() or "nl"),
        )
    guide = _talk_guide(svc, me, checklist)
    return render_template(
        template,
        talk=talk,
        check_in=check_in,
        **_chrome(me, talk_id=talk_id, talk=talk, check_in=check_in, **guide),
    )


def _talk_guide(svc: Services, me: Person, checklist: ChecklistTemplate) -> dict[str, Any]:
    """What a talk page's help needs: the server's clock (is the talk on now?), the goals'
    texts and questions to ask in this language, and the hints this person folded away."""
    lang = str(get_locale() or "nl")
    goals = {
        item["id"]: {"text": item["text"], "questions": item.get("questions", [])}
        for section in checklist.to_dict(lang)["sections"]
        for item in section["items"]
    }
    return {"now": svc.clock.now().isoformat(), "goals": goals, "folded_hints": me.folded_hints}


@blueprint.get("/")
def home() -> BaseResponse | tuple[str, int] | str:
    return _page("pages/overview.html")


@blueprint.get("/talks/new")
def plan_page() -> BaseResponse | tuple[str, int] | str:
    return _page("pages/plan.html")


@blueprint.get("/talks/<talk_id>")
def talk_page(talk_id: str) -> BaseResponse | tuple[str, int] | str:
    """The talk's link (in invites): the view that fits where the talk stands."""
    svc = services()

    def work(session: Any) -> str | None:
        me = _viewer(session)
        if me is None:
            return None
        try:
            talk, read_only = talks.load_readable_talk(session, me, talk_id)
        except NotFound:
            return "missing"
        if read_only or talk.status in (TalkStatus.SIGNED, TalkStatus.CANCELLED):
            return "pages.form_page"
        if request.args.get("frame") == SIDE_PANEL:
            return "pages.panel_page"  # the meeting's side panel: agreements during the call
        if talk.status is TalkStatus.HELD or talk.starts_at <= svc.clock.now():
            return "pages.panel_page"
        return "pages.prepare_page"

    target = svc.read(work)
    if target is None:
        return _signed_out()
    if target == "missing":
        return render_template("pages/not_found.html", **_chrome(None)), 404
    # The query string goes along as it came (frame, lang…); as keyword arguments it could
    # collide with url_for's own (talk_id, endpoint, _method…).
    url = url_for(target, talk_id=talk_id)
    if request.args:
        url += "?" + urlencode(request.args.to_dict(flat=False), doseq=True)
    return redirect(url)


@blueprint.get("/meetings/<chat_id>")
def meeting_page(chat_id: str) -> BaseResponse | tuple[str, int] | str:
    """The meeting tab of a recurring meeting: one chat for all its times, so it opens the
    viewer's talk on now or next (the page then offers the other times)."""
    svc = services()

    def work(session: Any) -> str | None:
        me = _viewer(session)
        if me is None:
            return None
        try:
            found = talks.talks_in_meeting(session, me, chat_id)
        except InvalidInput:
            return "missing"
        now = svc.clock.now()
        chosen = now_or_next(found, now)
        return chosen.id if chosen else "missing"

    target = svc.read(work)
    if target is None:
        return _signed_out()
    if target == "missing":
        return render_template("pages/not_found.html", **_chrome(None)), 404
    url = url_for("pages.talk_page", talk_id=target)
    if request.args:
        url += "?" + urlencode(request.args.to_dict(flat=False), doseq=True)
    return redirect(url)


@blueprint.get("/talks/<talk_id>/prepare")
def prepare_page(talk_id: str) -> BaseResponse | tuple[str, int] | str:
    return _talk_page("pages/prepare.html", talk_id)


@blueprint.get("/talks/<talk_id>/panel")
def panel_page(talk_id: str) -> BaseResponse | tuple[str, int] | str:
    return _talk_page("pages/panel.html", talk_id)


@blueprint.get("/talks/<talk_id>/form")
def form_page(talk_id: str) -> BaseResponse | tuple[str, int] | str:
    # A check-in is not signed: its outcome is on its own page.
    page = _talk_page("pages/form.html", talk_id, check_in_page="pages.panel_page")
    if isinstance(page, str) and (who := signed_in_identity()) is not None:  # shown: audit it
        audit.record_if_signed(
            services(), "form", tenant_id=who[0], actor_id=who[1], talk_id=talk_id
        )
    return page


# -- a supervisor's share link ----------------------------------------------------------------


@blueprint.get("/shared/<token>")
def shared_talk(token: str) -> tuple[str, int, dict[str, str]]:
    """The form of a talk, read-only, for the school supervisor holding the lead's link."""
    svc = services()
    lang = str(get_locale() or "nl")

    def work(session: Any) -> tuple[Person, dict[str, Any], str] | None:
        found = sharing.talk_by_share_link(svc, session, token)
        if found is None:
            return None
        talk, supervisor, claim = found
        until = claim.expires.astimezone(svc.policy.hours.zone).date()
        view = views.shared_talk_view(svc, session, talk, supervisor.id, lang)
        return supervisor, view, format_date(until, format="long", locale=lang)

    found = svc.read(work)
    headers = {"Cache-Control": "private, no-store", "X-Robots-Tag": "noindex"}
    if found is None:
        return render_template("pages/share_link_invalid.html", **_chrome(None)), 404, headers
    supervisor, view, until = found
    audit.record(
        svc,
        "share_link",
        tenant_id=supervisor.tenant_id,
        actor_id=supervisor.id,
        talk_id=view["talk"]["id"],
    )
    chrome = _chrome(supervisor, talk_id=view["talk"]["id"], shared_link=True, **view)
    page = render_template(
        "pages/form.html", talk=view["talk"], shared_link=True, shared_until=until, **chrome
    )
    return page, 200, headers


# -- Teams -------------------------------------------------------------------------------------


@blueprint.get("/teams/personal")
def teams_personal() -> BaseResponse | tuple[str, int] | str:
    """The personal app's tab: my overview."""
    return _page("pages/overview.html")


@blueprint.get("/teams/configure")
def teams_configure() -> BaseResponse | tuple[str, int] | str:
    """Shown when the app is added to a meeting: link the meeting to a talk, or plan one."""
    return _page("pages/teams_configure.html", public_url=services().links.base_url.rstrip("/"))


# -- about ------------------------------------------------------------------------------------


@blueprint.get("/about")
def about() -> str:
    from importlib.metadata import version

    return render_template(
        "pages/about.html", app_version=version("ontwikkelgesprek"), **_chrome(None)
    )


@blueprint.get("/privacy")
def privacy() -> str:
    return render_template("pages/privacy.html", **privacy_page.page_terms(), **_chrome(None))


@blueprint.get("/terms")
def terms() -> str:
    return render_template("pages/terms.html", **_chrome(None))


# -- admin ------------------------------------------------------------------------------------


@blueprint.get("/admin")
def admin_page() -> BaseResponse | tuple[str, int] | str:
    from plugin.web.admin_access import viewer_is_admin

    me = services().read(_viewer)
    if me is None:
        return _signed_out()
    if not viewer_is_admin(me):
        return render_template("pages/admin.html", allowed=False, **_chrome(me)), 403
    return render_template("pages/admin.html", allowed=True, **_chrome(me))
