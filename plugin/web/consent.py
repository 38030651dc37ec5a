"""The consent step (Microsoft mode): before the lead signs a talk held in a Teams meeting, the
app must be allowed to post the summary in the meeting chat in their name (`ChatMessage.Send`).

1. The sign request asks on-behalf-of for that permission. If Entra ID answers that consent is
   needed, nothing is signed: the answer is 403 ``consent_required`` with a ``consent_url``.
2. The page opens that URL in a TeamsJS authentication pop-up. It carries a ticket signed for
   this person, valid for minutes; `start` checks it and sends the pop-up to Entra ID's sign-in
   (msal's authorization-code flow with PKCE), keeping msal's flow in an encrypted cookie.
3. Entra ID posts the answer back to `done`, which redeems it (only for the ticket's own
   account: someone signing in with another account in the pop-up is refused) and tells the
   pop-up's TeamsJS whether it worked; the page then signs.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from flask import Blueprint, abort, g, redirect, render_template, request
from werkzeug.wrappers import Response as BaseResponse

from plugin.domain.people import Person
from plugin.domain.talk_state import Role
from plugin.identity.signed import fernet, sign, unsign
from plugin.identity.token_problems import TokenProblem
from plugin.services import talks
from plugin.services.context import Services, user_key
from plugin.services.people import signed_in_person
from plugin.web.context import as_viewer_read, services
from plugin.web.errors import ConsentRequired
from plugin.web.host import teamsjs
from plugin.web.session import SSO_TOKEN

blueprint = Blueprint("consent", __name__)

_TICKET = "consent-ticket"
_TICKET_LIFETIME = timedelta(minutes=10)
_COOKIE = "og_consent"
_COOKIE_PATH = "/teams/consent"


def require_chat_consent(talk_id: str) -> None:
    """Raise ConsentRequired when the lead signing this talk must first allow the summary post.

    Only for a talk whose summary goes to its meeting chat, and only for its lead. The question
    to Entra ID is asked after the database read, outside any transaction.
    """
    svc = services()
    assertion = g.get(SSO_TOKEN)
    if svc.chat is None or not isinstance(assertion, str):
        return

    def lead_of_a_chat_talk(
        _svc: Services, session: Any, me: Person
    ) -> tuple[str, str, str] | None:
        talk = talks.load_talk(session, me, talk_id)
        if not (talk.meeting_chat_id and talk.chat_summary and talk.role_of(me.id) is Role.LEAD):
            return None
        return me.tenant_id, me.id, me.object_id

    found = as_viewer_read(lead_of_a_chat_talk)
    if found is None:
        return
    tenant_id, person_id, object_id = found
    if svc.chat.consent_missing(user_key(tenant_id, object_id), assertion):
        expires = svc.clock.now() + _TICKET_LIFETIME
        ticket = sign(svc.secret_key, _TICKET, [tenant_id, person_id], expires)
        raise ConsentRequired(
            f"{svc.links.base_url.rstrip('/')}{_COOKIE_PATH}/start?ticket={ticket}"
        )


def _sealer(svc: Services) -> Fernet:
    """Encrypts the sign-in state the pop-up's cookie carries."""
    return fernet(svc.secret_key, b"ontwikkelgesprek/consent/v1")


def _redirect_uri(svc: Services) -> str:
    return f"{svc.links.base_url.rstrip('/')}{_COOKIE_PATH}/done"


def _page(outcome: str, status: int = 200) -> tuple[str, int]:
    source = teamsjs()
    boot = {"outcome": outcome, "teamsjs": {"src": source.src, "integrity": source.integrity}}
    return render_template("pages/consent_done.html", outcome=outcome, boot=boot), status


@blueprint.get(f"{_COOKIE_PATH}/start")
def start() -> BaseResponse | tuple[str, int]:
    svc = services()
    if svc.chat is None:
        abort(404)  # local mode: no Microsoft 365, nothing to consent to
    found = unsign(svc.secret_key, _TICKET, request.args.get("ticket", ""), svc.clock.now())
    if found is None or len(found[0]) != 2:
        return _page("expired", 400)
    tenant_id, person_id = found[0]
    person = svc.read(lambda s: signed_in_person(s, str(tenant_id), str(person_id)))
    if person is None or person.external:
        return _page("failed", 400)
    key = user_key(person.tenant_id, person.object_id)
    try:
        flow = svc.chat.begin_consent(key, _redirect_uri(svc), person.email)
    except TokenProblem:
        return _page("failed", 502)
    kept = {"flow": flow, "tid": person.tenant_id, "oid": person.object_id, "key": key}
    response = redirect(flow["auth_uri"])
    response.set_cookie(
        _COOKIE,
        _sealer(svc).encrypt(json.dumps(kept).encode()).decode(),
        max_age=int(_TICKET_LIFETIME.total_seconds()),
        path=_COOKIE_PATH,
        secure=True,
        httponly=True,
        # Entra ID posts the answer back from its own site (form_post): a Lax cookie would stay
        # behind. The cookie holds only this one sign-in's state, encrypted.
        samesite="None",
    )
    return response


@blueprint.route(f"{_COOKIE_PATH}/done", methods=["GET", "POST"])
def done() -> tuple[str, int, dict[str, str]]:
    svc = services()
    if svc.chat is None:
        abort(404)
    cookie = request.cookies.get(_COOKIE)
    if not cookie:
        return _finish(_page("expired", 400))
    try:
        kept: dict[str, Any] = json.loads(_sealer(svc).decrypt(cookie.encode()))
    except (InvalidToken, ValueError):
        return _finish(_page("expired", 400))
    answer = request.form if request.method == "POST" else request.args
    if answer.get("error") == "access_denied":
        return _finish(_page("declined"))
    try:
        svc.chat.finish_consent(kept["key"], kept["flow"], answer, kept["tid"], kept["oid"])
    except TokenProblem:
        return _finish(_page("failed", 400))
    return _finish(_page("ok"))


def _finish(page: tuple[str, int]) -> tuple[str, int, dict[str, str]]:
    body, status = page
    # One sign-in, one cookie: whatever happened, it is used up.
    expired = f"{_COOKIE}=; Path={_COOKIE_PATH}; Max-Age=0; Secure; HttpOnly; SameSite=None"
    return body, status, {"Set-Cookie": expired, "Cache-Control": "no-store"}
