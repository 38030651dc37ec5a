"""Every write names the version it is based on: "never overwrite each other silently".

One table holds every state-changing operation of `/api/openapi.json` that changes something
that already exists, with a set-up that builds what the operation needs. For each of them:

(a) everything valid but the version (or `form_hash`) left out: 422 naming it, nothing changed;
(b) a stale version (current before a real change of the same thing, made through the API
    first): 409 whose `error.current` holds the state as it is now, nothing changed;
(c) the right version: the write goes through (2xx) and changes the database.

"Nothing changed" is a snapshot of every row of the tables a write can touch, read straight
from the database with SQLAlchemy. A new write operation in the document without an entry in
the table (or in the explicit list of creations) fails `test_every_write_is_in_the_table`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from plugin.services import reminders
from plugin.web import admin_access
from tests.support.tables import snapshot
from tests.talk_types_admin.conftest import type_file

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Writes that create something new (or end my own session), and a read that takes its input
#: as a body (an invite): nothing to be stale against.
CREATIONS = frozenset(
    {
        ("POST", "/api/talks"),
        ("POST", "/api/talks/from-invite"),
        ("POST", "/api/invites/read"),
        ("POST", "/api/outlook/appointment"),
        ("POST", "/api/outlook/talks"),
        ("POST", "/api/meetings/{chat_id}/series"),
        ("POST", "/api/talks/{talk_id}/agreements"),
        ("POST", "/api/me/feed/renew"),
        ("POST", "/api/signout"),
        ("POST", "/api/talks/{talk_id}/feedback"),
        ("POST", "/api/guidance/question"),
        ("POST", "/api/guidance/agreement"),
        ("POST", "/api/guidance/feedback"),
    }
)

#: Writes of set membership, where the request is the whole of what it says: pairing a lead
#: with a learner again, or unpairing them again, changes nothing, so two admins cannot
#: overwrite each other (the answer's `changed` tells whether it did).
SET_MEMBERSHIP = frozenset(
    {
        ("POST", "/api/admin/lead-pairs"),
        ("DELETE", "/api/admin/lead-pairs/{lead_id}/{learner_id}"),
        ("POST", "/api/admin/lead-pairs/import"),
    }
)

#: Writes of what only one person ever writes, so nobody can overwrite anybody: my own goal
#: (the lead's and the learner's are two fields), my folded hints, my reminder switches,
#: dropping my own draft.
OWN_ONLY = frozenset(
    {
        ("PUT", "/api/talks/{talk_id}/own-goal"),
        ("PUT", "/api/me/hints"),
        ("PUT", "/api/me/reminders"),
        ("DELETE", "/api/talks/{talk_id}/feedback/{draft_id}"),
    }
)


CHAT_ID = "19:meeting_ZmFrZS1tZWV0aW5n@thread.v2"
ADMIN_EMAIL = "hanna.hr@example.test"


def write_operations(document: dict[str, Any]) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    }


@dataclass
class World:
    """The people and clients a set-up may use; `talk` is under way (ten minutes in)."""

    marco: Any
    sem: Any
    lead: Any
    learner: Any
    talk: Any
    clock: Any
    make_person: Callable[..., Any]
    #: For what no request does: the reminder scan proposing a check-in.
    services: Any = None
    #: An admin of the organisation, signed in (made on first use): the admin page's writes.
    make_admin: Callable[[], Any] | None = None

    @property
    def admin(self) -> Any:
        assert self.make_admin is not None
        return self.make_admin()


@dataclass
class Case:
    """One operation, ready to send: who sends it, to which ids, with which other fields, and
    the stale and the right value of its version (or form hash)."""

    actor: Any
    ids: dict[str, str]
    body: dict[str, Any] | None
    stale: int | str
    right: int | str
    key: str = "version"
    in_query: bool = False
    #: What the right version answers; only the follow-up of a booked talk differs (below).
    accepted: Callable[[Any], bool] = field(default=lambda r: 200 <= r.status_code < 300)
    changes_state: bool = True


def ok(response) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.json)
    return response.json


def talk_version(client, talk_id: str) -> int:
    return int(client.talk(talk_id)["version"])


def add_agreement(client, talk_id: str, what: str = "Sem oefent met inregelen", **extra) -> dict:
    response = client.post(f"/api/talks/{talk_id}/agreements", json={"what": what, **extra})
    assert response.status_code == 201, response.json
    return response.json


def retitle(world: World, title: str) -> tuple[int, int]:
    """A real change of the talk: (the version before it, the version after it)."""
    before = talk_version(world.marco, world.talk.id)
    changed = world.marco.patch(
        f"/api/talks/{world.talk.id}", json={"title": title, "version": before}
    )
    after = ok(changed)["version"]
    assert after != before
    return before, after


def edit_agreement(client, talk_id: str, item: dict, what: str) -> dict:
    url = f"/api/talks/{talk_id}/agreements/{item['id']}"
    return ok(client.patch(url, json={"version": item["version"], "what": what}))


# -- the set-ups, one per operation ------------------------------------------------------------


def talk_change(actor: str, body: dict[str, Any]) -> Callable[[World], Case]:
    """A change of the talk as a whole, made stale by the lead retitling the talk."""

    def setup(world: World) -> Case:
        stale, right = retitle(world, "Eerst anders genoemd")
        return Case(getattr(world, actor), {"talk_id": world.talk.id}, dict(body), stale, right)

    return setup


def share_with_supervisor(world: World) -> Case:
    supervisor = world.make_person(display_name="Bea School", external=True)
    stale, right = retitle(world, "Eerst anders genoemd")
    return Case(world.marco, {"talk_id": world.talk.id}, {"person_id": supervisor.id}, stale, right)


def stop_sharing(world: World) -> Case:
    supervisor = world.make_person(display_name="Bea School", external=True)
    stale = talk_version(world.marco, world.talk.id)
    # The real change: sharing it, which the removal must be based on.
    shared = ok(
        world.marco.post(
            f"/api/talks/{world.talk.id}/shares",
            json={"person_id": supervisor.id, "version": stale},
        )
    )
    return Case(
        world.marco,
        {"talk_id": world.talk.id, "person_id": supervisor.id},
        None,
        stale,
        shared["version"],
        in_query=True,
    )


def book_follow_up(world: World) -> Case:
    talk_id = world.talk.id
    item = add_agreement(world.marco, talk_id)
    url = f"/api/talks/{talk_id}/agreements/{item['id']}/confirm"
    ok(world.sem.post(url, json={"version": item["version"]}))
    ok(world.marco.sign(talk_id))
    signed = ok(world.sem.sign(talk_id))
    assert signed["follow_up"]["status"] == "booked"
    # A signed talk is locked, but sharing it is still a change of it (a new version).
    supervisor = world.make_person(display_name="Bea School", external=True)
    stale = talk_version(world.marco, talk_id)
    shared = world.marco.post(
        f"/api/talks/{talk_id}/shares", json={"person_id": supervisor.id, "version": stale}
    )
    right = ok(shared)["version"]

    def already_booked(response) -> bool:
        # A follow-up of a signed talk that is booked already cannot be booked again: with
        # the right version this is the documented 409 `already_booked` (not `stale`). Making
        # the booking need attention takes a calendar that refuses; (a) and (b) are what
        # this test is about, and they hold here.
        return response.status_code == 409 and response.json["error"]["code"] == "already_booked"

    return Case(
        world.marco,
        {"talk_id": talk_id},
        {},
        stale,
        right,
        accepted=already_booked,
        changes_state=False,
    )


def unlink_from_outlook(world: World) -> Case:
    """Unlinking names the talk's version too. A talk planned here was never linked to an
    Outlook appointment, so the right version gets the documented 409 `not_from_outlook`
    (tests/microsoft/test_outlook_link.py unlinks linked ones)."""
    case = talk_change("marco", {})(world)
    case.accepted = lambda r: r.status_code == 409 and r.json["error"]["code"] == "not_from_outlook"
    case.changes_state = False
    return case


def edited_agreement(actor: str, body: dict[str, Any], *, in_query: bool = False):
    """A change of one agreement (the lead's), made stale by the lead rewording it."""

    def setup(world: World) -> Case:
        item = add_agreement(world.marco, world.talk.id)
        edited = edit_agreement(world.marco, world.talk.id, item, "Anders geformuleerd")
        return Case(
            getattr(world, actor),
            {"talk_id": world.talk.id, "agreement_id": item["id"]},
            None if in_query else dict(body),
            item["version"],
            edited["version"],
            in_query=in_query,
        )

    return setup


def react_to_agreement(world: World) -> Case:
    item = add_agreement(world.marco, world.talk.id)
    url = f"/api/talks/{world.talk.id}/agreements/{item['id']}/reaction"
    first = ok(world.sem.post(url, json={"version": item["version"], "reaction": "Eerste"}))
    return Case(
        world.sem,
        {"talk_id": world.talk.id, "agreement_id": item["id"]},
        {"reaction": "Tweede gedachte"},
        item["version"],
        first["version"],
    )


def decide_removal(world: World) -> Case:
    talk_id = world.talk.id
    item = add_agreement(world.marco, talk_id)
    base = f"/api/talks/{talk_id}/agreements/{item['id']}"
    confirmed = ok(world.sem.post(f"{base}/confirm", json={"version": item["version"]}))
    # Sem stands behind it, so Marco's removal waits for Sem.
    asked = ok(world.marco.delete(base, query_string={"version": confirmed["version"]}))
    requested = asked["removal_requested"]
    # The real change of the same agreement that keeps the request: Sem's reaction.
    reacted = ok(
        world.sem.post(
            f"{base}/reaction", json={"version": requested["version"], "reaction": "Jammer"}
        )
    )
    assert reacted["removal_requested_by"] is not None
    return Case(
        world.sem,
        {"talk_id": talk_id, "agreement_id": item["id"]},
        {"keep": False},
        requested["version"],
        reacted["version"],
    )


def close_earlier_agreement(world: World) -> Case:
    """The earlier talk (signed, same track) holds the agreement; its follow-up closes it."""
    talk_id = world.talk.id
    item = add_agreement(world.marco, talk_id, owner="learner")
    confirm = f"/api/talks/{talk_id}/agreements/{item['id']}/confirm"
    ok(world.sem.post(confirm, json={"version": item["version"]}))
    ok(world.marco.sign(talk_id))
    later_id = ok(world.sem.sign(talk_id))["follow_up"]["talk_id"]
    assert later_id
    [earlier] = ok(world.marco.get(f"/api/talks/{later_id}/preparation"))["earlier_agreements"]
    url = f"/api/talks/{later_id}/earlier-agreements/{item['id']}/status"
    done = ok(world.sem.post(url, json={"status": "done", "version": earlier["version"]}))
    return Case(
        world.marco,
        {"talk_id": later_id, "agreement_id": item["id"]},
        {"status": "open"},
        earlier["version"],
        done["version"],
    )


def agreement_progress(world: World) -> Case:
    """After sign-off: Marco's note moves Sem's agreement on; Sem, who read it before, marks
    it done."""
    talk_id = world.talk.id
    item = add_agreement(world.marco, talk_id, owner="learner")
    confirm = f"/api/talks/{talk_id}/agreements/{item['id']}/confirm"
    confirmed = ok(world.sem.post(confirm, json={"version": item["version"]}))
    ok(world.marco.sign(talk_id))
    ok(world.sem.sign(talk_id))
    url = f"/api/agreements/{item['id']}/progress"
    noted = ok(
        world.marco.post(
            url, json={"version": confirmed["version"], "kind": "note", "note": "Hoe gaat het?"}
        )
    )
    return Case(
        world.sem,
        {"agreement_id": item["id"]},
        {"kind": "done"},
        confirmed["version"],
        noted["version"],
    )


def proposed_check_in(world: World) -> dict[str, Any]:
    """Sem's agreement of the signed talk went overdue: the reminder scan proposed a check-in
    to Marco, and the worker found its time (the proposal's second version)."""
    talk_id = world.talk.id
    due = world.talk.starts_at.astimezone(ZoneInfo("Europe/Amsterdam")).date()
    item = add_agreement(world.marco, talk_id, owner="learner", due=due.isoformat())
    confirm = f"/api/talks/{talk_id}/agreements/{item['id']}/confirm"
    ok(world.sem.post(confirm, json={"version": item["version"]}))
    ok(world.marco.sign(talk_id))
    ok(world.sem.sign(talk_id))
    world.clock.set(world.talk.starts_at + timedelta(days=1))
    svc = world.services
    svc.write(lambda s: reminders.scan(svc, s))
    [todo] = [t for t in ok(world.marco.get("/api/overview"))["todo"] if t["kind"] == "check_in"]
    offer: dict[str, Any] = todo["check_in"]
    assert (offer["version"], offer["starts_at"] is not None) == (2, True), offer
    return offer


def decide_check_in(world: World) -> Case:
    """Marco decides on the proposal as he read it before the worker found its time."""
    offer = proposed_check_in(world)
    return Case(world.marco, {"check_in_id": offer["id"]}, {}, 1, offer["version"])


def held_check_in(world: World) -> dict[str, Any]:
    """The proposal accepted, booked and under way."""
    offer = proposed_check_in(world)
    url = f"/api/check-ins/{offer['id']}"
    ok(world.marco.post(f"{url}/accept", json={"version": offer["version"]}))
    booked: dict[str, Any] = ok(world.marco.get(url))
    assert booked["check_in_talk_id"] is not None, booked
    world.clock.set(datetime.fromisoformat(booked["starts_at"]) + timedelta(minutes=1))
    return booked


def check_in_outcome(world: World) -> Case:
    """Sem writes a new due date; Marco, who read the check-in before, writes another."""
    booked = held_check_in(world)
    url = f"/api/check-ins/{booked['id']}/outcome"
    first = ok(world.sem.put(url, json={"version": booked["version"], "due": "2027-04-01"}))
    return Case(
        world.marco,
        {"check_in_id": booked["id"]},
        {"due": "2027-04-08"},
        booked["version"],
        first["version"],
    )


def confirm_check_in_outcome(world: World) -> Case:
    """Sem writes a new due date, then changes it; Marco confirms the one he reads now."""
    booked = held_check_in(world)
    url = f"/api/check-ins/{booked['id']}/outcome"
    first = ok(world.sem.put(url, json={"version": booked["version"], "due": "2027-04-01"}))
    second = ok(world.sem.put(url, json={"version": first["version"], "due": "2027-04-08"}))
    return Case(world.marco, {"check_in_id": booked["id"]}, {}, first["version"], second["version"])


def save_preparation(world: World) -> Case:
    url = f"/api/talks/{world.talk.id}/preparation"
    first = ok(world.sem.put(url, json={"ticked": ["goals.wishes"], "version": 0}))
    return Case(
        world.sem,
        {"talk_id": world.talk.id},
        {"ticked": ["tips.listen"], "points": [{"text": "Meer storingen", "shared": True}]},
        0,
        first["mine"]["version"],
    )


def note_agenda_item(world: World) -> Case:
    """Sem notes the first goal; Marco, who read it before, writes over it: refused."""
    talk_id = world.talk.id
    url = f"/api/talks/{talk_id}/agenda/goal:goals.learn"
    ok(world.sem.put(url, json={"version": 0, "discussed": True, "note": "Gaat goed"}))
    [item] = [
        i for i in world.marco.talk(talk_id)["agenda"]["items"] if i["key"] == "goal:goals.learn"
    ]
    return Case(
        world.marco,
        {"talk_id": talk_id, "key": "goal:goals.learn"},
        {"discussed": True, "note": "Gaat goed, meer zelf doen"},
        0,
        item["version"],
    )


def change_feedback_draft(world: World) -> Case:
    """Marco's own draft, changed in another tab first."""
    url = f"/api/talks/{world.talk.id}/feedback"
    made = world.marco.post(url, json={"steps": {"positive": "Je werkt netjes"}})
    assert made.status_code == 201, made.json
    draft = made.json
    changed = ok(
        world.marco.patch(
            f"{url}/{draft['id']}",
            json={"version": draft["version"], "steps": {"positive": "Je werkt heel netjes"}},
        )
    )
    return Case(
        world.marco,
        {"talk_id": world.talk.id, "draft_id": draft["id"]},
        {"said": True},
        draft["version"],
        changed["version"],
    )


def sign_form(world: World) -> Case:
    talk_id = world.talk.id
    item = add_agreement(world.marco, talk_id)
    base = f"/api/talks/{talk_id}/agreements/{item['id']}"
    confirmed = ok(world.sem.post(f"{base}/confirm", json={"version": item["version"]}))
    stale = world.marco.talk(talk_id)["form_hash"]
    # The real change of the form: Sem's reaction is part of what both sign.
    ok(world.sem.post(f"{base}/reaction", json={"version": confirmed["version"], "reaction": "Ja"}))
    right = world.marco.talk(talk_id)["form_hash"]
    assert right != stale
    return Case(world.marco, {"talk_id": talk_id}, {}, stale, right, key="form_hash")


#: (method, path template) → the set-up of that operation. Every write of the document that
#: is not a creation must be here.
TERMS = {"retention_months": 24, "audit_retention_months": 60, "follow_up_interval_weeks": 6}
WEEK = {"days": [0, 1, 2, 3, 4], "start": "08:00", "end": "17:00", "holidays": []}


def admin_terms(world: World) -> Case:
    """The organisation's terms, saved once by another admin (version 0 → 1)."""
    admin = world.admin
    ok(admin.put("/api/admin/settings", json={**TERMS, "version": 0}))
    return Case(admin, {}, {**TERMS, "follow_up_interval_weeks": 8}, 0, 1)


def working_hours(world: World) -> Case:
    """The organisation's working week, saved once by another admin (version 0 → 1)."""
    admin = world.admin
    ok(admin.put("/api/admin/working-hours", json={**WEEK, "version": 0}))
    holiday = {"date": "2027-04-27", "name": "Koningsdag"}
    return Case(admin, {}, {**WEEK, "holidays": [holiday]}, 0, 1)


def upload_type(world: World) -> Case:
    """An organisation's own talk type, uploaded once (version 0 → 1), then again."""
    admin = world.admin
    first = {"version": 0, "file": type_file("exitgesprek", "Eerste")}
    ok(admin.put("/api/admin/talk-types/exitgesprek", json=first))
    return Case(
        admin, {"type_id": "exitgesprek"}, {"file": type_file("exitgesprek", "Tweede")}, 0, 1
    )


def remove_type(world: World) -> Case:
    admin = world.admin
    url = "/api/admin/talk-types/exitgesprek"
    ok(admin.put(url, json={"version": 0, "file": type_file("exitgesprek", "Eerste")}))
    ok(admin.put(url, json={"version": 1, "file": type_file("exitgesprek", "Tweede")}))
    return Case(admin, {"type_id": "exitgesprek"}, None, 1, 2, in_query=True)


def hide_type(world: World) -> Case:
    admin = world.admin
    ok(admin.put("/api/admin/talk-types/pop-gesprek/hidden", json={"version": 0, "hidden": True}))
    return Case(admin, {"type_id": "pop-gesprek"}, {"hidden": False}, 0, 1)


OPERATIONS: dict[tuple[str, str], Callable[[World], Case]] = {
    ("PUT", "/api/admin/settings"): admin_terms,
    ("PUT", "/api/admin/working-hours"): working_hours,
    ("PUT", "/api/admin/talk-types/{type_id}"): upload_type,
    ("DELETE", "/api/admin/talk-types/{type_id}"): remove_type,
    ("PUT", "/api/admin/talk-types/{type_id}/hidden"): hide_type,
    ("PATCH", "/api/talks/{talk_id}"): talk_change("marco", {"title": "Nieuwe titel"}),
    ("POST", "/api/talks/{talk_id}/cancel"): talk_change("marco", {}),
    ("POST", "/api/talks/{talk_id}/held"): talk_change("sem", {}),
    ("PUT", "/api/talks/{talk_id}/meeting"): talk_change("marco", {"chat_id": CHAT_ID}),
    ("POST", "/api/talks/{talk_id}/follow-up"): book_follow_up,
    ("POST", "/api/talks/{talk_id}/shares"): share_with_supervisor,
    ("POST", "/api/talks/{talk_id}/share-links"): talk_change(
        "marco", {"name": "Bea School", "email": "bea@roc.example", "days": 30}
    ),
    ("DELETE", "/api/talks/{talk_id}/shares/{person_id}"): stop_sharing,
    ("PATCH", "/api/talks/{talk_id}/agreements/{agreement_id}"): edited_agreement(
        "sem", {"what": "Sems formulering"}
    ),
    ("DELETE", "/api/talks/{talk_id}/agreements/{agreement_id}"): edited_agreement(
        "marco", {}, in_query=True
    ),
    ("POST", "/api/talks/{talk_id}/agreements/{agreement_id}/confirm"): edited_agreement("sem", {}),
    ("POST", "/api/talks/{talk_id}/agreements/{agreement_id}/reaction"): react_to_agreement,
    ("POST", "/api/talks/{talk_id}/agreements/{agreement_id}/removal"): decide_removal,
    ("POST", "/api/talks/{talk_id}/earlier-agreements/{agreement_id}/status"): (
        close_earlier_agreement
    ),
    ("POST", "/api/agreements/{agreement_id}/progress"): agreement_progress,
    ("POST", "/api/check-ins/{check_in_id}/accept"): decide_check_in,
    ("POST", "/api/check-ins/{check_in_id}/dismiss"): decide_check_in,
    ("PUT", "/api/check-ins/{check_in_id}/outcome"): check_in_outcome,
    ("POST", "/api/check-ins/{check_in_id}/outcome/confirm"): confirm_check_in_outcome,
    ("PUT", "/api/talks/{talk_id}/preparation"): save_preparation,
    ("PUT", "/api/talks/{talk_id}/agenda/{key}"): note_agenda_item,
    ("PATCH", "/api/talks/{talk_id}/feedback/{draft_id}"): change_feedback_draft,
    ("POST", "/api/talks/{talk_id}/sign"): sign_form,
    ("POST", "/api/outlook/talks/{talk_id}/unlink"): unlink_from_outlook,
}


def send(case: Case, method: str, path: str, value: Any = ...) -> Any:
    """The operation with `value` as its version (left out when `...`)."""
    url = path.format(**case.ids)
    kwargs: dict[str, Any] = {}
    if case.in_query:
        kwargs["query_string"] = {} if value is ... else {case.key: value}
    else:
        body = dict(case.body or {})
        if value is not ...:
            body[case.key] = value
        kwargs["json"] = body
    return case.actor._send(method, url, kwargs.pop("json", None), **kwargs)


def names_field(error: dict[str, Any], name: str) -> bool:
    return error.get("field") == name or any(
        detail.get("field") == name for detail in error.get("details", [])
    )


# -- the tests --------------------------------------------------------------------------------


def test_every_write_is_in_the_table(app):
    document = app.test_client().get("/api/openapi.json").json
    writes = write_operations(document)
    exempt = CREATIONS | OWN_ONLY | SET_MEMBERSHIP
    assert not set(OPERATIONS) & exempt
    missing = writes - set(OPERATIONS) - exempt
    assert not missing, f"writes without a version case in OPERATIONS: {sorted(missing)}"
    gone = (set(OPERATIONS) | exempt) - writes
    assert not gone, f"cases of writes the document no longer has: {sorted(gone)}"


@pytest.mark.parametrize(
    ("method", "path"), sorted(OPERATIONS), ids=[f"{m} {p}" for m, p in sorted(OPERATIONS)]
)
def test_write_needs_the_current_version(
    method,
    path,
    marco,
    sem,
    lead,
    learner,
    make_talk,
    make_person,
    clock,
    services,
    app,
    client_for,
):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=10))

    @cache
    def make_admin() -> Any:
        hr = make_person(display_name="Hanna de Boer", email=ADMIN_EMAIL)
        admin_access.install(app, SimpleNamespace(admins=ADMIN_EMAIL))
        return client_for(hr)

    world = World(marco, sem, lead, learner, talk, clock, make_person, services, make_admin)
    case = OPERATIONS[(method, path)](world)
    what = f"{method} {path.format(**case.ids)}"

    # (a) Everything valid but the version: 422 naming it, nothing changed.
    before = snapshot(services)
    missing = send(case, method, path)
    assert missing.status_code == 422, (what, missing.status_code, missing.json)
    assert names_field(missing.json["error"], case.key), (what, missing.json)
    assert snapshot(services) == before, f"{what} without {case.key} changed the database"

    # (b) A version that was current before a real change of the same thing: 409 with the
    # state as it is now, nothing changed.
    stale = send(case, method, path, case.stale)
    assert stale.status_code == 409, (what, stale.status_code, stale.json)
    error = stale.json["error"]
    assert error["code"] == ("form_changed" if case.key == "form_hash" else "stale"), error
    assert error.get("current") is not None, (what, error)
    assert snapshot(services) == before, f"{what} with a stale {case.key} changed the database"

    # (c) The right version goes through.
    right = send(case, method, path, case.right)
    assert case.accepted(right), (what, right.status_code, right.json)
    after = snapshot(services)
    if case.changes_state:
        assert after != before, f"{what} answered {right.status_code} but changed nothing"
    else:
        assert after == before, f"{what} answered {right.status_code} and changed the database"
