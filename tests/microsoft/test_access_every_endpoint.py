"""Every API endpoint refuses whoever a talk does not belong to, in Microsoft mode.

What this file proves, for every rule under /api/ in the app's URL map (an endpoint added later
without an access case in CASES fails these tests, naming it):

- a colleague of the same tenant who takes no part in a talk gets 404 on each of its URLs, the
  same answer as for a talk that does not exist, so ids cannot be probed;
- a user of another allowed tenant gets 404 too, even one whose Entra object id is a
  participant's ("twin id"), and sees nothing of the first tenant on the endpoints that are
  not about one talk (me, people, overview, talks, meeting lookup, calendar, planning);
- a participant of one talk who puts another talk's agreement, point, supervisor or meeting
  ids into their own talk's URLs is refused (404, or the documented role refusal) and changes
  nothing in that other talk;
- without a token, or with a well-signed token of a tenant that is not allowed, every endpoint
  answers 401 with its Bearer challenge (naming a refused token as such), apart from the public
  ones in PUBLIC, whatever the request's body: authentication comes before anything is read;
- an external school supervisor reads a talk only when it is shared with them, and then only
  reads it, without how to reach the meeting or the participants' other talks: writes, the
  calendar event and the participants' own tools answer 404, as to anyone else;
- after each scenario the database holds exactly the rows it held before (no half-saved state)
  and talks X0 and X look the same to their participants;
- and, as the control, that talk X's own participants are refused none of these requests, so
  each refusal above is about who asked, not about a wrong id or a body the endpoint rejects.

Each test builds one small world (two tenants, a few talks) and loops over the endpoints inside,
with a subtest per (caller, endpoint): about a second per test, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from plugin.bootstrap import sso_validator
from plugin.domain.checkin import CheckIn, CheckInReason
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store.metadata import metadata
from plugin.store.schema import people
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from tests.conftest import START
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client
from tests.microsoft.graph_fake import GraphFake

#: Endpoints anyone may call without a token, each with the reason it holds nothing private.
PUBLIC: dict[str, str] = {
    "GET /api/openapi.json": "the API's own description: the same for everyone, holds no data",
}

#: Methods Flask answers for every rule without running its view (HEAD runs the GET view, so
#: the GET case covers it; OPTIONS only lists the allowed methods).
IMPLICIT_METHODS = frozenset({"HEAD", "OPTIONS"})


def refused_for_shape(response: TestResponse) -> bool:
    """A malformed request (400) or a body pydantic rejected (422 with per-field `details`):
    refused for its shape, not for who asked. Bodies are read before anyone is looked up, so
    a case sent like this would prove nothing about access."""
    error = (response.get_json(silent=True) or {}).get("error") or {}
    return response.status_code == 400 or (response.status_code == 422 and "details" in error)


# -- the cases: one request per endpoint ------------------------------------------------------


class Scope(Enum):
    #: The URL names a talk: only its two participants (and, reading only, a supervisor it is
    #: shared with) may get anything but 404.
    TALK = "talk"
    #: About the caller only (me, my tenant's people, my talks, planning as myself).
    SELF = "self"


class Foreign(Enum):
    """Which id of *another* talk a replay puts into the URL or body of the replayer's talk."""

    AGREEMENT = "agreement"
    EARLIER_AGREEMENT = "earlier agreement"
    SUPERVISOR = "supervisor"
    SUPERVISOR_EMAIL = "supervisor's address"
    POINT = "preparation point"
    CHAT = "meeting chat"


class Role(Enum):
    LEAD = "lead"
    LEARNER = "learner"


@dataclass(frozen=True)
class Target:
    """The ids a case's request is built from: normally all of one talk; mixed for replays."""

    talk_id: str
    #: The talk's `version`, which every write of the talk as a whole names.
    talk_version: int
    #: The form as its participants see it: what a signature names.
    form_hash: str
    agreement_id: str
    agreement_version: int
    earlier_agreement_id: str
    earlier_version: int
    supervisor_id: str
    supervisor_email: str
    point_id: str
    learner_id: str
    learner_email: str
    chat_id: str
    #: Marco's own Outlook appointment with Sem (its id as Office.js gives it).
    outlook_item_id: str
    #: Marco's private feedback draft in the talk.
    draft_id: str = ""
    draft_version: int = 1
    #: A check-in proposed to Marco about X0's agreement E.
    check_in_id: str = ""
    check_in_version: int = 1


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    json: dict[str, Any] | None
    query: dict[str, str] | None
    headers: dict[str, str]


def _talk(t: Target) -> dict[str, str]:
    return {"talk_id": t.talk_id}


def _agreement(t: Target) -> dict[str, str]:
    return {"talk_id": t.talk_id, "agreement_id": t.agreement_id}


def _earlier(t: Target) -> dict[str, str]:
    return {"talk_id": t.talk_id, "agreement_id": t.earlier_agreement_id}


def _share(t: Target) -> dict[str, str]:
    return {"talk_id": t.talk_id, "person_id": t.supervisor_id}


def _agenda_item(t: Target) -> dict[str, str]:
    # The earlier agreement is on X's agenda ("what came of it?").
    return {"talk_id": t.talk_id, "key": f"earlier:{t.earlier_agreement_id}"}


def _draft(t: Target) -> dict[str, str]:
    return {"talk_id": t.talk_id, "draft_id": t.draft_id}


def _check_in(t: Target) -> dict[str, str]:
    return {"check_in_id": t.check_in_id}


def _none(t: Target) -> dict[str, str]:
    return {}


def _type(t: Target) -> dict[str, str]:
    return {"type_id": "ontwikkelgesprek"}


def _chat(t: Target) -> dict[str, str]:
    return {"chat_id": t.chat_id}


@dataclass(frozen=True)
class Case:
    """One endpoint's request, valid in shape, so any refusal is about access only."""

    method: str
    rule: str
    scope: Scope
    path: Callable[[Target], dict[str, str]] = _talk
    body: Callable[[Target], dict[str, Any]] | None = None
    query: Callable[[Target], dict[str, str]] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    #: A shared supervisor may GET this one (read-only access).
    supervisor_reads: bool = False
    #: The participant role the domain demands, checked before anything the ids point at.
    only: Role | None = None
    #: Which participant of talk X sends it in the control run (the other one for confirming
    #: the lead's wording or reacting as the learner).
    control: Role = Role.LEAD
    #: Which foreign id a replay of this case carries (None: nothing to replay).
    foreign: Foreign | None = None
    #: Destroys what later control requests need, so the control run sends it late: 1 takes
    #: away its own target (an agreement, a share), 2 the whole talk (cancelling it).
    destructive: int = 0

    @property
    def key(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def writes(self) -> bool:
        return self.method != "GET"

    def request(self, target: Target) -> Request:
        values = self.path(target)
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], self.rule)
        return Request(
            self.method,
            url,
            self.body(target) if self.body else None,
            self.query(target) if self.query else None,
            dict(self.headers),
        )


def _new_appointment(t: Target) -> dict[str, Any]:
    return {"item_id": None, "attendees": [{"email": t.learner_email, "name": "Sem"}]}


def _invite(t: Target) -> dict[str, str]:
    """An invite (.ics) from another calendar with the learner among the invited."""
    start = (START + timedelta(days=6)).strftime("%Y%m%dT%H%M%SZ")
    end = (START + timedelta(days=6, hours=1)).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//access test//NL",
        "BEGIN:VEVENT",
        "UID:access-invite-1",
        f"DTSTART:{start}",
        f"DTEND:{end}",
        "SUMMARY:Gesprek",
        f"ATTENDEE:mailto:{t.learner_email}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return {"ics": "\r\n".join(lines) + "\r\n"}


#: Cases whose body names someone by e-mail address: an answer may repeat what was sent.
ECHOES_ITS_BODY = frozenset(
    {"POST /api/invites/read", "POST /api/talks/from-invite", "POST /api/outlook/appointment"}
)
#: Planning as a lead: a school supervisor is refused before anything else is looked at.
MEMBERS_ONLY = frozenset(
    {
        "POST /api/talks",
        "POST /api/outlook/talks",
        "POST /api/meetings/<chat_id>/series",
        *ECHOES_ITS_BODY,
    }
)


def _window(t: Target) -> dict[str, str]:
    return {"start": START.isoformat(), "end": (START + timedelta(days=14)).isoformat()}


CASES: dict[str, Case] = {
    case.key: case
    for case in [
        Case("GET", "/api/me", Scope.SELF, _none),
        Case("POST", "/api/me/feed/renew", Scope.SELF, _none),
        Case("POST", "/api/signout", Scope.SELF, _none),
        Case("GET", "/api/people", Scope.SELF, _none),
        Case("GET", "/api/checklist", Scope.SELF, _none),
        Case("GET", "/api/talk-types", Scope.SELF, _none),
        Case("GET", "/api/overview", Scope.SELF, _none),
        Case("GET", "/api/talks", Scope.SELF, _none),
        Case("PUT", "/api/me/hints", Scope.SELF, _none, body=lambda t: {"folded": ["questions"]}),
        Case("GET", "/api/me/reminders", Scope.SELF, _none),
        Case("GET", "/api/me/export", Scope.SELF, _none),
        # The admin's endpoints: nobody in these worlds is an admin, so all but "am I?" are 403.
        Case("GET", "/api/admin/me", Scope.SELF, _none),
        Case("GET", "/api/admin/settings", Scope.SELF, _none),
        Case(
            "PUT",
            "/api/admin/settings",
            Scope.SELF,
            _none,
            body=lambda t: {
                "retention_months": 24,
                "audit_retention_months": 60,
                "follow_up_interval_weeks": 6,
            },
        ),
        Case("GET", "/api/admin/late", Scope.SELF, _none),
        Case("GET", "/api/admin/people", Scope.SELF, _none),
        Case(
            "GET",
            "/api/admin/people/<person_id>/export",
            Scope.SELF,
            lambda t: {"person_id": t.learner_id},
        ),
        Case("GET", "/api/admin/audit", Scope.SELF, _none),
        Case("GET", "/api/admin/working-hours", Scope.SELF, _none),
        Case(
            "PUT",
            "/api/admin/working-hours",
            Scope.SELF,
            _none,
            body=lambda t: {
                "days": [0, 1, 2, 3, 4],
                "start": "08:00",
                "end": "17:00",
                "holidays": [],
                "version": 0,
            },
        ),
        Case(
            "GET",
            "/api/admin/national-holidays",
            Scope.SELF,
            _none,
            query=lambda t: {"year": "2027"},
        ),
        Case("GET", "/api/admin/talk-types", Scope.SELF, _none),
        Case("GET", "/api/admin/talk-types/<type_id>", Scope.SELF, _type),
        Case("PUT", "/api/admin/talk-types/<type_id>", Scope.SELF, _type, body=lambda t: {}),
        Case(
            "PUT",
            "/api/admin/talk-types/<type_id>/hidden",
            Scope.SELF,
            _type,
            body=lambda t: {"hidden": True, "version": 0},
        ),
        Case("DELETE", "/api/admin/talk-types/<type_id>", Scope.SELF, _type),
        Case("GET", "/api/admin/lead-pairs", Scope.SELF, _none),
        Case(
            "POST",
            "/api/admin/lead-pairs",
            Scope.SELF,
            _none,
            body=lambda t: {"lead_id": t.supervisor_id, "learner_id": t.learner_id},
        ),
        Case(
            "DELETE",
            "/api/admin/lead-pairs/<lead_id>/<learner_id>",
            Scope.SELF,
            lambda t: {"lead_id": t.supervisor_id, "learner_id": t.learner_id},
        ),
        Case(
            "POST",
            "/api/admin/lead-pairs/import",
            Scope.SELF,
            _none,
            body=lambda t: {"csv": "lead,learner\n"},
        ),
        Case("PUT", "/api/me/reminders", Scope.SELF, _none, body=lambda t: {"off": ["sign"]}),
        # Guidance reads nothing of anyone: the same answer for every signed-in caller.
        Case(
            "POST",
            "/api/guidance/question",
            Scope.SELF,
            _none,
            body=lambda t: {"text": "Ging het goed?", "lang": "nl"},
        ),
        Case(
            "POST",
            "/api/guidance/agreement",
            Scope.SELF,
            _none,
            body=lambda t: {"what": "Beter je best doen", "lang": "nl"},
        ),
        Case(
            "POST",
            "/api/guidance/feedback",
            Scope.SELF,
            _none,
            body=lambda t: {"steps": {"behaviour": "Je bent slordig"}, "lang": "nl"},
        ),
        Case(
            "POST",
            "/api/talks",
            Scope.SELF,
            _none,
            body=lambda t: {
                "learner_id": t.learner_id,
                "starts_at": (START + timedelta(days=5)).isoformat(),
                "duration_minutes": 30,
            },
        ),
        # The window is checked before who asks (422 otherwise): send a valid one.
        Case("GET", "/api/calendar/events", Scope.SELF, _none, query=_window),
        # Reads an invite: who of its invited people is a colleague of the caller's own.
        Case("POST", "/api/invites/read", Scope.SELF, _none, body=_invite),
        Case("POST", "/api/talks/from-invite", Scope.SELF, _none, body=_invite),
        # The Outlook add-in: an appointment still being written (no id), then Marco's own.
        Case("POST", "/api/outlook/appointment", Scope.SELF, _none, body=_new_appointment),
        Case(
            "POST",
            "/api/outlook/talks",
            Scope.SELF,
            _none,
            body=lambda t: {"item_id": t.outlook_item_id},
        ),
        Case(
            "POST",
            "/api/outlook/talks/<talk_id>/unlink",
            Scope.TALK,
            body=lambda t: {"version": t.talk_version},
            only=Role.LEAD,
        ),
        # Lists the caller's own talks in a meeting: X's chat id must find X for nobody else.
        Case("GET", "/api/meetings/<chat_id>/talks", Scope.SELF, _chat),
        # A recurring meeting made a series: looked for in the caller's own calendar only.
        Case("POST", "/api/meetings/<chat_id>/series", Scope.SELF, _chat, body=lambda t: {}),
        Case("GET", "/api/talks/<talk_id>", Scope.TALK, supervisor_reads=True),
        # `If-None-Match: *` matches any ETag: it must not turn a refusal into a 304.
        Case(
            "GET",
            "/api/talks/<talk_id>/live",
            Scope.TALK,
            headers={"If-None-Match": "*"},
            supervisor_reads=True,
        ),
        # Every write of the talk as a whole names the version it is based on (422 without, 409
        # when stale): each is sent with the talk's version of now.
        Case(
            "PATCH",
            "/api/talks/<talk_id>",
            Scope.TALK,
            body=lambda t: {"title": "Overgenomen gesprek", "version": t.talk_version},
            only=Role.LEAD,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/cancel",
            Scope.TALK,
            body=lambda t: {"version": t.talk_version},
            only=Role.LEAD,
            destructive=2,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/held",
            Scope.TALK,
            body=lambda t: {"version": t.talk_version},
        ),
        Case(
            "PUT",
            "/api/talks/<talk_id>/meeting",
            Scope.TALK,
            body=lambda t: {"chat_id": t.chat_id, "version": t.talk_version},
            only=Role.LEAD,
            foreign=Foreign.CHAT,
        ),
        # The participants' only: the event holds the meeting's join link.
        Case("GET", "/api/talks/<talk_id>/event.ics", Scope.TALK),
        Case("GET", "/api/talks/<talk_id>/preparation", Scope.TALK),
        Case(
            "PUT",
            "/api/talks/<talk_id>/preparation",
            Scope.TALK,
            body=lambda t: {
                "ticked": [],
                "points": [{"id": t.point_id, "text": "Wat ik wil bespreken"}],
                "version": 0,
            },
            foreign=Foreign.POINT,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/earlier-agreements/<agreement_id>/status",
            Scope.TALK,
            _earlier,
            body=lambda t: {"version": t.earlier_version, "status": "done"},
            foreign=Foreign.EARLIER_AGREEMENT,
        ),
        # After sign-off, any day: a note on X0's agreement E (its URL names no talk; whoever
        # takes no part in E's talk gets the talk loader's 404, as for no agreement at all).
        Case(
            "POST",
            "/api/agreements/<agreement_id>/progress",
            Scope.TALK,
            lambda t: {"agreement_id": t.earlier_agreement_id},
            body=lambda t: {"version": t.earlier_version, "kind": "note", "note": "Loopt goed"},
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/agreements",
            Scope.TALK,
            body=lambda t: {"what": "Een afspraak van buiten", "owner": "both"},
        ),
        # A check-in proposed about E (its URL names no talk; whoever takes no part in E's
        # talk gets the same 404 as for no check-in). In the control run the outcome is
        # refused for not being held yet (409), and dismissing after accepting (409).
        Case("GET", "/api/check-ins/<check_in_id>", Scope.TALK, _check_in),
        Case(
            "POST",
            "/api/check-ins/<check_in_id>/accept",
            Scope.TALK,
            _check_in,
            body=lambda t: {"version": t.check_in_version},
            only=Role.LEAD,
        ),
        Case(
            "POST",
            "/api/check-ins/<check_in_id>/dismiss",
            Scope.TALK,
            _check_in,
            body=lambda t: {"version": t.check_in_version},
            only=Role.LEAD,
        ),
        Case(
            "PUT",
            "/api/check-ins/<check_in_id>/outcome",
            Scope.TALK,
            _check_in,
            body=lambda t: {"version": t.check_in_version, "due": "2099-01-01"},
        ),
        Case(
            "POST",
            "/api/check-ins/<check_in_id>/outcome/confirm",
            Scope.TALK,
            _check_in,
            body=lambda t: {"version": t.check_in_version},
        ),
        Case(
            "PATCH",
            "/api/talks/<talk_id>/agreements/<agreement_id>",
            Scope.TALK,
            _agreement,
            body=lambda t: {"version": t.agreement_version, "what": "Anders geformuleerd"},
            foreign=Foreign.AGREEMENT,
        ),
        # The version is checked before who asks (422 otherwise): send the real one.
        # The control run sends it once Sem has confirmed A: the removal then waits for him.
        Case(
            "DELETE",
            "/api/talks/<talk_id>/agreements/<agreement_id>",
            Scope.TALK,
            _agreement,
            query=lambda t: {"version": str(t.agreement_version)},
            foreign=Foreign.AGREEMENT,
            destructive=1,
        ),
        # Sem confirms Marco's request to remove A (sent right after it in the control run).
        Case(
            "POST",
            "/api/talks/<talk_id>/agreements/<agreement_id>/removal",
            Scope.TALK,
            _agreement,
            body=lambda t: {"version": t.agreement_version, "keep": False},
            control=Role.LEARNER,
            foreign=Foreign.AGREEMENT,
            destructive=1,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/agreements/<agreement_id>/confirm",
            Scope.TALK,
            _agreement,
            body=lambda t: {"version": t.agreement_version},
            control=Role.LEARNER,
            foreign=Foreign.AGREEMENT,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/agreements/<agreement_id>/reaction",
            Scope.TALK,
            _agreement,
            body=lambda t: {"version": t.agreement_version, "reaction": "Eens"},
            only=Role.LEARNER,
            control=Role.LEARNER,
            foreign=Foreign.AGREEMENT,
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/sign",
            Scope.TALK,
            body=lambda t: {"form_hash": t.form_hash},
        ),
        Case("GET", "/api/talks/<talk_id>/form", Scope.TALK, supervisor_reads=True),
        # During the talk: the agenda's notes, my own goal, my private feedback drafts.
        Case(
            "PUT",
            "/api/talks/<talk_id>/agenda/<key>",
            Scope.TALK,
            _agenda_item,
            body=lambda t: {"version": 0, "discussed": True, "note": "Besproken"},
        ),
        Case("PUT", "/api/talks/<talk_id>/own-goal", Scope.TALK, body=lambda t: {"text": "Doel"}),
        Case("GET", "/api/talks/<talk_id>/feedback", Scope.TALK),
        Case(
            "POST",
            "/api/talks/<talk_id>/feedback",
            Scope.TALK,
            body=lambda t: {"steps": {"positive": "Je werkt netjes"}},
        ),
        # Marco's own draft: Sem gets the same 404 as anyone (drafts are private).
        Case(
            "PATCH",
            "/api/talks/<talk_id>/feedback/<draft_id>",
            Scope.TALK,
            _draft,
            body=lambda t: {"version": t.draft_version, "said": True},
        ),
        Case(
            "DELETE",
            "/api/talks/<talk_id>/feedback/<draft_id>",
            Scope.TALK,
            _draft,
            destructive=1,
        ),
        Case("GET", "/api/talks/<talk_id>/follow-up", Scope.TALK),
        Case(
            "POST",
            "/api/talks/<talk_id>/follow-up",
            Scope.TALK,
            body=lambda t: {"version": t.talk_version},
        ),
        Case(
            "POST",
            "/api/talks/<talk_id>/shares",
            Scope.TALK,
            body=lambda t: {"person_id": t.supervisor_id, "version": t.talk_version},
            only=Role.LEAD,
            foreign=Foreign.SUPERVISOR,
        ),
        Case("GET", "/api/talks/<talk_id>/shares", Scope.TALK, only=Role.LEAD),
        Case(
            "POST",
            "/api/talks/<talk_id>/share-links",
            Scope.TALK,
            body=lambda t: {
                "name": "Bea School",
                "email": t.supervisor_email,
                "days": 30,
                "version": t.talk_version,
            },
            only=Role.LEAD,
            foreign=Foreign.SUPERVISOR_EMAIL,
        ),
        Case(
            "DELETE",
            "/api/talks/<talk_id>/shares/<person_id>",
            Scope.TALK,
            _share,
            query=lambda t: {"version": str(t.talk_version)},
            only=Role.LEAD,
            foreign=Foreign.SUPERVISOR,
            destructive=1,
        ),
    ]
}


def api_endpoints(app: Flask) -> list[str]:
    """'METHOD /rule' for every rule under /api/ the app serves, as the URL map has them."""
    return sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in (rule.methods or set()) - IMPLICIT_METHODS
    )


# -- what an answer should be -----------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    code: str | None = None
    field: str | None = None
    #: The `WWW-Authenticate` header a 401 carries (RFC 6750), when that is part of the answer.
    challenge: str | None = None

    def problem(self, response: TestResponse) -> str | None:
        """Why the response is not this answer, or None when it is."""
        error = (response.get_json(silent=True) or {}).get("error") or {}
        got = (response.status_code, error.get("code"), error.get("field"))
        wanted = (self.status, self.code or got[1], self.field or got[2])
        if got != wanted:
            return f"wanted {wanted}, got {got}: {response.get_data(as_text=True)[:300]}"
        challenge = response.headers.get("WWW-Authenticate")
        if self.challenge is not None and challenge != self.challenge:
            return f"wanted the challenge {self.challenge!r}, got {challenge!r}"
        return None


#: The refusal for a talk the caller may not see: the talk loader's own 404 (field "talk"),
#: which also tells it apart from Flask's 404 for a URL that matches no rule (field None).
TALK_NOT_FOUND = Expect(404, "not_found", "talk")
AGREEMENT_NOT_FOUND = Expect(404, "not_found", "agreement")
#: No token sent: the answer names the scheme that gets in.
UNAUTHENTICATED = Expect(401, "unauthenticated", challenge="Bearer")
#: A token sent and refused: the challenge says so (and nothing about why).
REFUSED_TOKEN = Expect(401, "unauthenticated", challenge='Bearer error="invalid_token"')

#: The admin's endpoints, to anyone who is not one (before the body is looked at).
NOT_ADMIN = Expect(403, "not_admin")

#: What callers without a part in talk X get from the endpoints not about one talk (leak
#: checks come on top). Planning names tenant A's Sem as the learner: in tenant B, where this is
#: sent, an unknown person.
SELF_ANSWERS: dict[str, Expect] = {
    "GET /api/me": Expect(200),
    "POST /api/me/feed/renew": Expect(200),
    "POST /api/signout": Expect(200),
    "GET /api/people": Expect(200),
    "GET /api/checklist": Expect(200),
    "GET /api/talk-types": Expect(200),
    "GET /api/overview": Expect(200),
    "GET /api/talks": Expect(200),
    "PUT /api/me/hints": Expect(200),
    "GET /api/me/reminders": Expect(200),
    "PUT /api/me/reminders": Expect(200),
    "GET /api/me/export": Expect(200),
    "GET /api/admin/me": Expect(200),
    "GET /api/admin/settings": NOT_ADMIN,
    "PUT /api/admin/settings": NOT_ADMIN,
    "GET /api/admin/late": NOT_ADMIN,
    "GET /api/admin/people": NOT_ADMIN,
    "GET /api/admin/people/<person_id>/export": NOT_ADMIN,
    "GET /api/admin/audit": NOT_ADMIN,
    "GET /api/admin/working-hours": NOT_ADMIN,
    "PUT /api/admin/working-hours": NOT_ADMIN,
    "GET /api/admin/national-holidays": NOT_ADMIN,
    "GET /api/admin/talk-types": NOT_ADMIN,
    "GET /api/admin/talk-types/<type_id>": NOT_ADMIN,
    "PUT /api/admin/talk-types/<type_id>": NOT_ADMIN,
    "PUT /api/admin/talk-types/<type_id>/hidden": NOT_ADMIN,
    "DELETE /api/admin/talk-types/<type_id>": NOT_ADMIN,
    "GET /api/admin/lead-pairs": NOT_ADMIN,
    "POST /api/admin/lead-pairs": NOT_ADMIN,
    "DELETE /api/admin/lead-pairs/<lead_id>/<learner_id>": NOT_ADMIN,
    "POST /api/admin/lead-pairs/import": NOT_ADMIN,
    "POST /api/guidance/question": Expect(200),
    "POST /api/guidance/agreement": Expect(200),
    "POST /api/guidance/feedback": Expect(200),
    "POST /api/talks": Expect(422, "unknown_person", "learner_id"),
    # Tenant A's learner is nobody in another tenant: no colleague to hold the talk with.
    "POST /api/invites/read": Expect(200),
    "POST /api/talks/from-invite": Expect(422, "no_learner", "learner_id"),
    "POST /api/outlook/appointment": Expect(200),
    # Another tenant's token reads no mailbox of tenant A: Graph refuses it.
    "POST /api/outlook/talks": Expect(403, "calendar_refused", "item_id"),
    # Microsoft mode reads calendars from Outlook, never on the web path.
    "GET /api/calendar/events": Expect(409, "calendar_in_outlook"),
    "GET /api/meetings/<chat_id>/talks": Expect(200),
    # Another tenant's token reads no calendar here; X's chat is in nobody's series of theirs.
    "POST /api/meetings/<chat_id>/series": Expect(403, "calendar_refused", "chat_id"),
}


# -- the world --------------------------------------------------------------------------------


@dataclass
class Actor:
    label: str
    name: str
    oid: str
    tenant: str
    email: str
    person_id: str = ""


@dataclass
class World:
    app: Flask
    client: FlaskClient
    svc: Services
    entra: EntraFake
    clock: FixedClock
    tenant_a: str
    tenant_b: str
    tenant_c: str
    actors: dict[str, Actor]
    x0: str = ""
    x: str = ""
    y: str = ""
    z: str = ""
    earlier_agreement: str = ""
    x_agreement: str = ""
    z_agreement: str = ""
    sem_point: str = ""
    marco_draft: str = ""
    check_in: str = ""
    #: The Teams meeting chat X is held in.
    x_chat: str = "19:meeting_ZXhhbXBsZS1YLW1lZXRpbmc@thread.v2"
    outlook_item_id: str = ""
    _tokens: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    _targets: dict[str, Target] = field(default_factory=dict)

    def __getitem__(self, label: str) -> Actor:
        return self.actors[label]

    def auth(self, actor: Actor) -> dict[str, str]:
        """A fresh Teams SSO token for the actor (cached while the clock stands still)."""
        key = (actor.label, self.clock.now().isoformat())
        if key not in self._tokens:
            self._tokens[key] = bearer(
                self.entra,
                self.clock,
                actor.oid,
                tid=actor.tenant,
                name=actor.name,
                extra={"preferred_username": actor.email},
            )
        return self._tokens[key]

    def send(self, request: Request, actor: Actor | None = None) -> TestResponse:
        """The request, as the actor (with their bearer token) or as nobody (no token)."""
        headers = dict(request.headers)
        if actor is not None:
            headers.update(self.auth(actor))
        return self.client.open(
            request.url,
            method=request.method,
            json=request.json,
            query_string=request.query,
            headers=headers,
        )

    def call(
        self, actor: Actor, method: str, url: str, json: dict[str, Any] | None = None
    ) -> TestResponse:
        return self.send(Request(method, url, json, None, {}), actor)

    def ok(
        self, actor: Actor, method: str, url: str, json: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        response = self.call(actor, method, url, json)
        assert response.status_code in (200, 201), (method, url, response.json)
        body: dict[str, Any] = response.get_json()
        return body

    def target(self, talk: str, *, fresh: bool = False) -> Target:
        """The ids of one of tenant A's talks X0 or X, all belonging together (`fresh`: with
        the versions of now, after changes)."""
        if fresh or talk not in self._targets:
            self._targets[talk] = self._target(talk)
        return self._targets[talk]

    def _target(self, talk: str) -> Target:
        detail = self.ok(self["marco"], "GET", f"/api/talks/{talk}")
        own = {self.x0: self.earlier_agreement, self.x: self.x_agreement}[talk]
        found = [a for a in detail["agreements"] if a["id"] == own]
        if found:
            [agreement] = found
            agreement_version = agreement["version"]
        else:
            # Removed by the control run: later cases keep naming it as it last was.
            agreement_version = self._targets[talk].agreement_version
        earlier = self.ok(self["marco"], "GET", f"/api/talks/{self.x}/preparation")
        [previous] = [a for a in earlier["earlier_agreements"] if a["id"] == self.earlier_agreement]
        return Target(
            talk_id=talk,
            talk_version=detail["version"],
            form_hash=detail["form_hash"],
            agreement_id=own,
            agreement_version=agreement_version,
            earlier_agreement_id=previous["id"],
            earlier_version=previous["version"],
            supervisor_id=self["bea"].person_id,
            supervisor_email=self["bea"].email,
            point_id=self.sem_point,
            learner_id=self["sem"].person_id,
            learner_email=self["sem"].email,
            chat_id=self.x_chat,
            outlook_item_id=self.outlook_item_id,
            draft_id=self.marco_draft,
            draft_version=self._draft_version(talk),
            check_in_id=self.check_in,
            check_in_version=self.ok(self["marco"], "GET", f"/api/check-ins/{self.check_in}")[
                "version"
            ],
        )

    def _draft_version(self, talk: str) -> int:
        drafts = self.ok(self["marco"], "GET", f"/api/talks/{talk}/feedback")["drafts"]
        return next((int(d["version"]) for d in drafts if d["id"] == self.marco_draft), 1)

    def version(self, actor: Actor, talk: str) -> int:
        """The talk's version as the actor reads it now."""
        version: int = self.ok(actor, "GET", f"/api/talks/{talk}")["version"]
        return version

    def sign(self, actor: Actor, talk: str) -> dict[str, Any]:
        """Sign the form as the actor reads it now (its `form_hash`)."""
        shown = self.ok(actor, "GET", f"/api/talks/{talk}")["form_hash"]
        return self.ok(actor, "POST", f"/api/talks/{talk}/sign", {"form_hash": shown})

    def plan(self, lead: Actor, learner: Actor, starts_in: timedelta) -> str:
        return str(
            self.ok(
                lead,
                "POST",
                "/api/talks",
                {
                    "learner_id": learner.person_id,
                    "starts_at": (self.clock.now() + starts_in).isoformat(),
                    "duration_minutes": 30,
                },
            )["id"]
        )


def _actors(tenant_a: str, tenant_b: str, tenant_c: str) -> dict[str, Actor]:
    marco, sem = str(uuid.uuid4()), str(uuid.uuid4())

    def actor(label: str, name: str, tenant: str, oid: str | None = None) -> Actor:
        # Own addresses: twins share an object id, and the leak check must not trip on a
        # name both tenants happen to use. (In .example: share links take only addresses that
        # can be real, and .test is a special-use name no mailbox has.)
        address = f"{label}@{tenant[:8]}.example"
        return Actor(label, name, oid or str(uuid.uuid4()), tenant, address)

    return {
        a.label: a
        for a in [
            actor("marco", "Marco de Vries", tenant_a, marco),  # lead of X0, X and Y
            actor("sem", "Sem Bakker", tenant_a, sem),  # learner of X0 and X
            actor("lisa", "Lisa Smit", tenant_a),  # learner of Y
            actor("anna", "Anna Visser", tenant_a),  # a colleague in no talk
            actor("bea", "Bea School", tenant_a),  # supervisor X is shared with
            actor("carl", "Carl Stagebureau", tenant_a),  # supervisor nothing is shared with
            # Tenant B: the same object ids as Marco and Sem, other people.
            actor("twin_marco", "Martijn Jansen", tenant_b, marco),  # lead of Z
            actor("twin_sem", "Sanne Jansen", tenant_b, sem),  # learner of Z
            actor("bob", "Bob Opleider", tenant_b),  # tenant B's supervisor
            # Tenant C is not allowed: Marco's object id again, signed by a real tenant.
            actor("stranger", "Marco de Vries", tenant_c, marco),
        ]
    }


@pytest.fixture
def world(
    ms_services: Services,
    ms_settings: Settings,
    entra: EntraFake,
    graph: GraphFake,
    clock: FixedClock,
) -> Iterator[World]:
    """Tenants A and B allowed, C not; in A talks X0 (signed), X and Y; in B talk Z.

    X0 and X are Marco (lead) and Sem's; X0 has agreement E, still open, so X offers it as an
    earlier agreement. X has agreement A (Marco's wording, unconfirmed), a point in Sem's
    preparation, and is shared with supervisor Bea. Y is Marco and Lisa's; Z is the twins'.
    """
    tenant_b, tenant_c = str(uuid.uuid4()), str(uuid.uuid4())
    # The fake signs for C too, so C's tokens fail only on the allow list.
    entra.tenants.update({tenant_b, tenant_c})
    both = ms_settings.model_copy(update={"allowed_tenants": f"{entra.tenant_id},{tenant_b}"})
    app = create_app(ms_services, mode="microsoft", sso=sso_validator(both, clock))
    app.testing = True
    w = World(
        app,
        https_client(app),
        ms_services,
        entra,
        clock,
        entra.tenant_id,
        tenant_b,
        tenant_c,
        _actors(entra.tenant_id, tenant_b, tenant_c),
    )
    # The Outlook add-in reads in the caller's name (on-behalf-of, on the tests' clock).
    entra.clock = lambda: clock.now().timestamp()
    for label in ("marco", "sem"):
        graph.add_mailbox(w[label].email, display_name=w[label].name, oid=w[label].oid)
    start = clock.now() + timedelta(days=3)
    appointment = graph.add_event(
        w["marco"].email,
        "Gesprek",
        start,
        start + timedelta(minutes=45),
        attendees=[w["sem"].email],
        online_meeting=True,
    )
    w.outlook_item_id = graph.ews_id(w["marco"].email, appointment["id"])
    try:
        _build(w)
        yield w
    finally:
        app.extensions[STAMPS].stop()


def _build(w: World) -> None:
    # Everyone signs in once now: a first sign-in adds the person, which would otherwise show
    # up as a change in the before/after comparison of the database.
    for actor in w.actors.values():
        if actor.tenant != w.tenant_c:
            actor.person_id = w.ok(actor, "GET", "/api/me")["id"]
    external = {w[label].person_id for label in ("bea", "carl", "bob")}

    def make_supervisors(session: Any) -> None:
        # There is no API for this: an administrator marks school supervisors.
        for person in session.scalars(select(Person).where(people.c.id.in_(external))):
            person.external = True

    w.svc.write(make_supervisors)
    marco, sem = w["marco"], w["sem"]
    w.x0 = w.plan(marco, sem, timedelta(hours=1))
    w.x = w.plan(marco, sem, timedelta(days=1))
    w.y = w.plan(marco, w["lisa"], timedelta(days=2))
    w.z = w.plan(w["twin_marco"], w["twin_sem"], timedelta(days=1))

    # X0: one agreement, confirmed, both sign once the talk is under way.
    agreement = w.ok(marco, "POST", f"/api/talks/{w.x0}/agreements", {"what": "Sem leest in"})
    w.earlier_agreement = agreement["id"]
    w.ok(sem, "POST", f"/api/talks/{w.x0}/agreements/{agreement['id']}/confirm", {"version": 1})
    w.clock.set(w.clock.now() + timedelta(hours=1, minutes=10))
    w.sign(marco, w.x0)
    assert w.sign(sem, w.x0)["status"] == "signed"
    w.check_in = _propose_check_in(w, w.x0, agreement["id"])

    # X: an agreement, a preparation point, a share.
    w.x_agreement = w.ok(marco, "POST", f"/api/talks/{w.x}/agreements", {"what": "Meeloopdag"})[
        "id"
    ]
    prepared = w.ok(
        sem,
        "PUT",
        f"/api/talks/{w.x}/preparation",
        {"points": [{"text": "Mijn leerdoel"}], "version": 0},
    )
    [point] = prepared["mine"]["points"]
    w.sem_point = point["id"]
    draft = {"steps": {"positive": "Je werkt veilig"}}
    w.marco_draft = w.ok(marco, "POST", f"/api/talks/{w.x}/feedback", draft)["id"]
    assert [a["id"] for a in prepared["earlier_agreements"]] == [w.earlier_agreement]
    shared = w.ok(
        marco,
        "POST",
        f"/api/talks/{w.x}/shares",
        {"person_id": w["bea"].person_id, "version": w.version(marco, w.x)},
    )
    assert shared["shared_with"] == [w["bea"].person_id]
    meeting = {"chat_id": w.x_chat, "version": shared["version"]}  # sharing moved it on
    w.ok(marco, "PUT", f"/api/talks/{w.x}/meeting", meeting)

    # Z, in tenant B: an agreement of its own, so a replayed id is missed among real ones.
    w.z_agreement = w.ok(
        w["twin_marco"], "POST", f"/api/talks/{w.z}/agreements", {"what": "Elders"}
    )["id"]
    # The live panel's stamp cache is warm for X, as it is while its panel is open.
    assert w.call(marco, "GET", f"/api/talks/{w.x}/live").status_code == 200


def _propose_check_in(w: World, talk_id: str, agreement_id: str) -> str:
    """A check-in proposed to the lead about the agreement (there is no API for this: the
    reminder scan proposes one when an agreement slips)."""

    def propose(session: Any) -> str:
        talk = session.get(Talk, talk_id)
        now = w.clock.now()
        check_in = CheckIn(
            id=str(uuid.uuid4()),
            tenant_id=talk.tenant_id,
            agreement_id=agreement_id,
            talk_id=talk.id,
            track_id=talk.track_id,
            lead_id=talk.lead_id,
            learner_id=talk.learner_id,
            reason=CheckInReason.STUCK,
            reason_key=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
        )
        session.add(check_in)
        return check_in.id

    return w.svc.write(propose)


# -- checking ---------------------------------------------------------------------------------


def database_rows(svc: Services, *, skip_people_of: str | None = None) -> dict[str, list[str]]:
    """Every row of every table, as sorted reprs: any write at all shows up as a difference."""

    def read(session: Any) -> dict[str, list[str]]:
        rows: dict[str, list[str]] = {}
        people = session.execute(select(metadata.tables["people"])).mappings().all()
        # What the callers of that tenant may change of their own: their person (folded hints,
        # feed token) and their reminder switches.
        skipped = {r["id"] for r in people if r["tenant_id"] == skip_people_of}
        for table in metadata.sorted_tables:
            found = session.execute(select(table)).mappings().all()
            if table.name == "people" and skip_people_of is not None:
                found = [r for r in found if r["tenant_id"] != skip_people_of]
            if table.name == "reminder_opt_outs":
                found = [r for r in found if r["person_id"] not in skipped]
            if table.name == "audit_log":  # anyone may export their own data (GET /api/me/export)
                found = [r for r in found if r["action"] != "export"]
            rows[table.name] = sorted(repr(dict(r)) for r in found)
        return rows

    return svc.read(read)


def talk_views(w: World) -> dict[str, Any]:
    """X0 and X as their participants see them: the talks, agreements (E's status included),
    signatures, follow-up, shares, and both preparations."""
    marco, sem = w["marco"], w["sem"]
    return {
        "X0": w.ok(marco, "GET", f"/api/talks/{w.x0}"),
        "X": w.ok(marco, "GET", f"/api/talks/{w.x}"),
        "X, Marco's preparation": w.ok(marco, "GET", f"/api/talks/{w.x}/preparation"),
        "X, Sem's preparation": w.ok(sem, "GET", f"/api/talks/{w.x}/preparation"),
    }


@dataclass
class Snapshot:
    rows: dict[str, list[str]]
    views: dict[str, Any]


def snapshot(w: World, *, skip_people_of: str | None = None) -> Snapshot:
    return Snapshot(database_rows(w.svc, skip_people_of=skip_people_of), talk_views(w))


def assert_unchanged(w: World, before: Snapshot, *, skip_people_of: str | None = None) -> None:
    after = snapshot(w, skip_people_of=skip_people_of)
    changed = [name for name in before.rows if before.rows[name] != after.rows[name]]
    assert not changed, f"refused requests changed tables {changed}"
    assert after.views == before.views, "X0 or X looks different after the refusals"


def answer_text(response: TestResponse) -> str:
    """The answer as text to search; a zip (a person's export) by the text of its JSON files."""
    if response.mimetype != "application/zip":
        return response.get_data(as_text=True)
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        return "\n".join(
            archive.read(name).decode() for name in archive.namelist() if name.endswith(".json")
        )


def check(
    subtests: pytest.Subtests,
    scenario: str,
    label: str,
    case: Case,
    response: TestResponse,
    want: Expect,
    secrets: dict[str, str] | None = None,
) -> None:
    """One subtest: the answer, containing none of `secrets` (what → value)."""
    with subtests.test(msg=f"{scenario}: {label} {case.method} {response.request.path}"):
        problem = want.problem(response)
        text = answer_text(response)
        leaked = sorted(what for what, value in (secrets or {}).items() if value in text)
        if leaked:
            problem = f"{problem or ''} shows {leaked}".strip()
        assert problem is None, f"{case.key}: {problem}"


def covered(subtests: pytest.Subtests, app: Flask, scope: Scope | None = None) -> Iterator[Case]:
    """The cases of the app's endpoints (of one scope), failing a subtest for any uncovered."""
    for key in api_endpoints(app):
        if key in PUBLIC:
            continue
        case = CASES.get(key)
        if case is None:
            with subtests.test(msg=key):
                pytest.fail(f"no access case for {key}")
            continue
        if scope is None or case.scope is scope:
            yield case


def talk_x_secrets(w: World) -> dict[str, str]:
    """What only X0's and X's participants may see (their colleagues see names and ids)."""
    return {
        "X0": w.x0,
        "X": w.x,
        "agreement E": w.earlier_agreement,
        "agreement A": w.x_agreement,
        "Sem's point": w.sem_point,
    }


def check_own_reads(
    subtests: pytest.Subtests, w: World, scenario: str, labels: tuple[str, ...]
) -> None:
    """The reading endpoints not about one talk show the callers none of X0's and X's ids."""
    secrets = talk_x_secrets(w)
    target = w.target(w.x)
    for label in labels:
        for case in covered(subtests, w.app, Scope.SELF):
            if case.writes:
                continue  # planning or renewing a feed is the caller's own business
            response = w.send(case.request(target), w[label])
            check(subtests, scenario, label, case, response, SELF_ANSWERS[case.key], secrets)


# -- the tests --------------------------------------------------------------------------------


def test_every_api_endpoint_has_an_access_case(ms_app: Flask) -> None:
    served = set(api_endpoints(ms_app))
    missing = sorted(served - CASES.keys() - PUBLIC.keys())
    assert not missing, "\n".join(f"no access case for {key}" for key in missing)
    stale = sorted((CASES.keys() | PUBLIC.keys()) - served)
    assert not stale, f"access cases for endpoints the app no longer serves: {stale}"
    unanswered = sorted(
        key for key, case in CASES.items() if case.scope is Scope.SELF and key not in SELF_ANSWERS
    )
    assert not unanswered, f"no expected answer in SELF_ANSWERS for {unanswered}"


def test_each_case_is_a_request_its_participants_may_make(
    world: World, subtests: pytest.Subtests
) -> None:
    """The control: sent by talk X's own participants, no case is refused for access or shape.

    So each 404 in the other tests comes from who asked, not from a wrong id or a body the
    endpoint would reject anyway (bodies are checked before access: a bad one answers 422
    with `details`, or 400, to anyone).
    """
    w = world
    by_role = {Role.LEAD: w["marco"], Role.LEARNER: w["sem"]}
    cases = sorted(covered(subtests, w.app), key=lambda c: (c.writes, c.destructive))
    for case in cases:
        # Writes move versions on: each write is sent with the versions of now.
        target = w.target(w.x, fresh=case.writes)
        if case.writes:
            roles: tuple[Role, ...] = (case.control,)
        else:
            roles = (case.only,) if case.only else (Role.LEAD, Role.LEARNER)
        for role in roles:
            response = w.send(case.request(target), by_role[role])
            if case.scope is Scope.SELF and not case.writes:
                check(subtests, "control", role.value, case, response, SELF_ANSWERS[case.key])
                continue
            with subtests.test(msg=f"control: {role.value} {case.key}"):
                body = response.get_json(silent=True) or {}
                if not case.writes:
                    assert response.status_code in (200, 304), body
                    continue
                assert response.status_code not in (401, 404), body
                assert not refused_for_shape(response), body
                if case.key == "DELETE /api/talks/<talk_id>/agreements/<agreement_id>":
                    # Sem confirmed A (the confirm case, earlier): Marco's removal waits for him.
                    assert response.status_code == 200, body
                    requested = body["removal_requested"]
                    assert requested["id"] == w.x_agreement, body
                    assert requested["removal_requested_by"] == w["marco"].person_id, body
                if case.key.endswith("/removal"):
                    assert (response.status_code, body) == (200, {"removed": w.x_agreement})
    # X's meeting chat finds X for its own participants (and for nobody else, further on).
    in_meeting = f"/api/meetings/{w.x_chat}/talks"
    for role, actor in by_role.items():
        assert [t["id"] for t in w.ok(actor, "GET", in_meeting)["talks"]] == [w.x], role


def test_a_colleague_who_takes_no_part_gets_404_everywhere(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    before = snapshot(w)
    # Anna is in no talk; Lisa takes part in Y, with the same lead as X. Signed X0 and open X
    # take different paths through the domain (locked or not): each is tried.
    for label, talk in (("anna", w.x0), ("lisa", w.x)):
        target = w.target(talk)
        for case in covered(subtests, w.app, Scope.TALK):
            response = w.send(case.request(target), w[label])
            check(subtests, "colleague", label, case, response, TALK_NOT_FOUND)
    check_own_reads(subtests, w, "colleague", ("anna", "lisa"))
    assert_unchanged(w, before)


def test_another_tenant_gets_404_everywhere_even_with_a_twin_object_id(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    # The twins' object ids are Marco's and Sem's: the tenant makes them other people.
    assert w["twin_marco"].person_id != w["marco"].person_id
    before = snapshot(w)
    # Twin Marco tries the talk his twin leads, twin Sem the signed one his twin signed.
    for label, talk in (("twin_marco", w.x), ("twin_sem", w.x0), ("bob", w.x)):
        target = w.target(talk)
        for case in covered(subtests, w.app, Scope.TALK):
            response = w.send(case.request(target), w[label])
            check(subtests, "other tenant", label, case, response, TALK_NOT_FOUND)
    assert_unchanged(w, before)


def replay_expectation(case: Case, role: Role, same_tenant: bool) -> Expect | None:
    """The documented answer when a participant puts talk X's id into their own talk's URL.

    None: not a replay at all (sharing one's own talk with a supervisor of one's own
    organisation is allowed, whichever talk that supervisor also reads).
    """
    if case.only is not None and case.only is not role:
        # The role rule comes first and says nothing about the foreign id.
        code = "lead_only" if case.only is Role.LEAD else "learner_only"
        return Expect(403, code)
    if case.foreign in (Foreign.AGREEMENT, Foreign.EARLIER_AGREEMENT):
        return AGREEMENT_NOT_FOUND
    if case.foreign is Foreign.SUPERVISOR:
        if case.method == "DELETE":
            # Removing a share the talk does not have is a no-op that leaves X's share alone.
            return Expect(200)
        return None if same_tenant else Expect(422, "unknown_person", "person_id")
    if case.foreign is Foreign.SUPERVISOR_EMAIL:
        # An address is what a lead types in: in their own organisation it finds that
        # supervisor (allowed); in another it must make a new one, never reach tenant A's.
        return None if same_tenant else Expect(201)
    if case.foreign is Foreign.POINT:
        # Point ids are the caller's own preparation's: reusing one creates a point in it.
        return Expect(200)
    if case.foreign is Foreign.CHAT:
        # A chat id is no secret (a recurring series shares one chat): a lead may hold their
        # own talk in it. Across tenants that must still not join the two tenants' talks.
        return None if same_tenant else Expect(200)
    raise AssertionError(f"no replay expectation for {case.key}")


def test_replayed_ids_of_another_talk_are_refused_and_change_nothing_there(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    x = w.target(w.x)
    # Only X (and X0, whose agreement X closes) must stay as they were; the replayers' own
    # talks may take the few replays that are legitimate requests about them.
    before = talk_views(w)
    replayers = [
        ("lisa", w.y, Role.LEARNER, True),
        ("marco", w.y, Role.LEAD, True),  # takes part in X himself: the URL's talk decides
        ("twin_sem", w.z, Role.LEARNER, False),
        ("twin_marco", w.z, Role.LEAD, False),
    ]
    replays = [c for c in covered(subtests, w.app, Scope.TALK) if c.foreign is not None]
    assert replays
    for label, own_talk, role, same_tenant in replayers:
        for case in replays:
            want = replay_expectation(case, role, same_tenant)
            if want is None:
                continue
            # X's ids in the replayer's own talk, named at its version of now (a replay that
            # is a legitimate request moves it on), so no refusal comes from a stale version.
            own_version = w.version(w[label], own_talk)
            mixed = Target(**{**x.__dict__, "talk_id": own_talk, "talk_version": own_version})
            response = w.send(case.request(mixed), w[label])
            check(subtests, "replay", label, case, response, want)
            if case.foreign is Foreign.SUPERVISOR_EMAIL and response.status_code == 201:
                made = response.get_json()["supervisor"]["id"]
                assert made != w["bea"].person_id, "a link in tenant B reached tenant A's Bea"
    assert talk_views(w) == before, "a replay changed X0 or X"
    # Z now claims X's meeting chat too; each tenant still finds only its own talk there.
    in_meeting = f"/api/meetings/{w.x_chat}/talks"
    for label, talk in (("marco", w.x), ("sem", w.x), ("twin_marco", w.z), ("twin_sem", w.z)):
        assert [t["id"] for t in w.ok(w[label], "GET", in_meeting)["talks"]] == [talk], label


def test_without_a_valid_token_every_endpoint_answers_401(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    before = snapshot(w)
    target = w.target(w.x)
    stranger = w["stranger"]
    for case in covered(subtests, w.app):
        request = case.request(target)
        check(subtests, "no token", "-", case, w.send(request), UNAUTHENTICATED)
        # Authentication comes before the request is read: a body or query string that would
        # be refused for its shape (and control characters) changes nothing in the answer.
        malformed = Request(
            request.method,
            request.url,
            {"version": "1", "unexpected": "\x00"},
            {"version": "x", "start": "gisteren"},
            request.headers,
        )
        check(subtests, "no token, bad body", "-", case, w.send(malformed), UNAUTHENTICATED)
        # Tenant C is a real tenant whose token is well signed, for Marco's object id: only the
        # allow list refuses it.
        refused = w.send(request, stranger)
        check(subtests, "tenant not allowed", stranger.label, case, refused, REFUSED_TOKEN)
    for key, reason in PUBLIC.items():
        method, url = key.split(" ", 1)
        with subtests.test(msg=f"public: {key} ({reason})"):
            assert w.client.open(url, method=method).status_code == 200
    assert_unchanged(w, before)


def tenant_a_secrets(w: World) -> dict[str, str]:
    """Strings of tenant A that no answer to tenant B may contain: ids, names, addresses."""
    secrets = {"tenant A": w.tenant_a}
    for actor in w.actors.values():
        if actor.tenant == w.tenant_a:
            secrets.update(
                {
                    f"{actor.label} id": actor.person_id,
                    f"{actor.label} name": actor.name,
                    f"{actor.label} email": actor.email,
                }
            )
    detail = w.ok(w["marco"], "GET", f"/api/talks/{w.x}")
    secrets.update(
        {
            "X0": w.x0,
            "X": w.x,
            "Y": w.y,
            "track of X": detail["track_id"],
            "agreement E": w.earlier_agreement,
            "agreement A": w.x_agreement,
            "Sem's point": w.sem_point,
            "X's title": detail["title"],
        }
    )
    return secrets


def test_another_tenant_sees_nothing_of_tenant_a_outside_talks(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    secrets = tenant_a_secrets(w)
    # Renewing a feed changes the caller's own row in tenant B: compare tenant A's only.
    before = snapshot(w, skip_people_of=w.tenant_b)
    target = w.target(w.x)
    for label in ("twin_marco", "twin_sem", "bob"):
        for case in covered(subtests, w.app, Scope.SELF):
            response = w.send(case.request(target), w[label])
            want = SELF_ANSWERS[case.key]
            if label == "bob" and case.key in MEMBERS_ONLY:
                # A supervisor may plan no talk at all: refused before the learner is sought.
                want = Expect(403, "external", "talk")
            shown = secrets
            if case.key in ECHOES_ITS_BODY:
                # The invite sent names Sem's address; saying it is unknown here leaks nothing.
                shown = {k: v for k, v in secrets.items() if v != target.learner_email}
            check(subtests, "other tenant", label, case, response, want, shown)

    twin, twin_sem, bob = w["twin_marco"], w["twin_sem"], w["bob"]
    me = w.ok(twin, "GET", "/api/me")
    assert (me["id"], me["tenant_id"]) == (twin.person_id, w.tenant_b)
    people = w.ok(twin, "GET", "/api/people")
    assert [p["id"] for p in people["people"]] == [twin_sem.person_id]
    assert [p["id"] for p in people["supervisors"]] == [bob.person_id]
    assert [t["id"] for t in w.ok(twin, "GET", "/api/talks")["talks"]] == [w.z]
    overview = w.ok(twin_sem, "GET", "/api/overview")
    assert [t["id"] for t in overview["upcoming"]] == [w.z]
    assert w.ok(bob, "GET", "/api/overview")["shared_with_me"] == []
    assert_unchanged(w, before, skip_people_of=w.tenant_b)


def test_a_supervisor_reads_only_what_is_shared_and_changes_nothing(
    world: World, subtests: pytest.Subtests
) -> None:
    w = world
    before = snapshot(w)
    bea, carl = w["bea"], w["carl"]
    x, x0 = w.target(w.x), w.target(w.x0)
    for case in covered(subtests, w.app, Scope.TALK):
        # Carl has nothing shared; Bea has X shared, not X0.
        for label, target in (("carl", x), ("bea", x0)):
            response = w.send(case.request(target), w[label])
            check(subtests, "supervisor", label, case, response, TALK_NOT_FOUND)
        # On X Bea reads the talk, its live panel, calendar event and form; every write, and
        # the participants' own tools (preparation, follow-up), answer like a missing talk.
        want = Expect(200) if case.supervisor_reads else TALK_NOT_FOUND
        response = w.send(case.request(x), bea)
        check(subtests, "shared supervisor", "bea", case, response, want)
        if case.key == "GET /api/talks/<talk_id>" and response.status_code == 200:
            seen: dict[str, Any] = response.get_json()
            assert seen["read_only"] is True
            assert seen["id"] == w.x and seen["agreements"], seen  # the form itself, yes
            # What the share page leaves out: how to reach the meeting, whom the talk is
            # shared with, the participants' pages and their other talks.
            for key in (
                "calendar",
                "meeting_chat_id",
                "chat_summary",
                "urls",
                "shared_with",
                "previous_talk_id",
            ):
                assert key not in seen, key
            assert "talk_id" not in seen["follow_up"], seen["follow_up"]
    # Nor can a supervisor plan a talk of their own.
    planned = w.call(
        bea,
        "POST",
        "/api/talks",
        {
            "learner_id": w["sem"].person_id,
            "starts_at": (w.clock.now() + timedelta(days=3)).isoformat(),
        },
    )
    assert Expect(403, "external").problem(planned) is None
    check_own_reads(subtests, w, "supervisor", ("carl",))
    assert [t["id"] for t in w.ok(bea, "GET", "/api/overview")["shared_with_me"]] == [w.x]
    assert w.ok(carl, "GET", "/api/overview")["shared_with_me"] == []
    assert_unchanged(w, before)
