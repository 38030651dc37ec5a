"""Property: whatever a client sends to whatever operation of `/api/openapi.json`, the API
answers without a 5xx, lets only the talk's participants change or read it, answers 401 to
anyone not signed in, and a refused request leaves every row of the database as it was.

Hypothesis draws, for every operation of the document in each example, an odd request: an
arbitrary JSON value, or a body built from the operation's own schema (valid values, with
fields replaced by odd ones: control characters, NUL, lone surrogates, RTL marks, emoji,
10 000 characters, huge and negative numbers, floats, booleans for numbers, numbers for text,
nested lists, impossible and extreme dates, epoch integers), raw bytes (invalid UTF-8,
malformed or deeply nested JSON), odd path ids and odd query strings. It sends them as the
lead, the learner, a colleague with no part in the talk, and nobody. One set-up (a talk under
way with agreements, an earlier signed talk in the same track, a supervisor it is shared
with) serves a whole test function: the database is compared after every refused request
and read again after an accepted one, so reusing it is safe.

"Only participants" holds for the operations of a talk (`/api/talks/{talk_id}…`): the
stranger never gets a 2xx there, nor a 409 or an `error.current` (which would tell them the
talk exists). The other operations (me, people, checklist, overview, my talks, my calendar,
planning a talk) are everyone's own; there the stranger may succeed, but no answer to the
stranger or to nobody may contain an id of the set-up's talks or agreements.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from plugin.store import schema
from tests.support.tables import snapshot

ACTORS = ("lead", "learner", "stranger", "anonymous")
PARTICIPANTS = frozenset({"lead", "learner"})
CHAT_ID = "19:meeting_ZmFrZS1tZWV0aW5n@thread.v2"
LONG = "x" * 10_000

ODD_TEXT = [
    "\x00",
    "Gesprek\x00",
    "\x07\x08\x0b\x1b[31m",
    "\x7f",
    "\ud800",
    "a\udfffb",
    "\u202egnirts\u200f\u200e",
    "😀👩‍👩‍👧‍👦🏳️‍🌈",
    "\ufeff\u200b",
    "",
    "   ",
    LONG,
    "é" * 10_000,
    "9999-12-31T23:30:00+00:00",
    "0001-01-01T00:00:00+14:00",
    "2027-02-30",
    "9999-12-31",
    "0001-01-01",
    "2027-02-30T10:00:00+01:00",
    "2027-03-02T10:00:00",
    "1803542400",
    "-1",
    "NaN",
    "../..",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "null",
    "19:" + "a" * 300 + "@thread.v2",
]
ODD_NUMBERS = [
    0,
    -1,
    1,
    2**31 - 1,
    2**31,
    2**63,
    -(2**63),
    10**30,
    -(10**30),
    1.5,
    -0.0,
    1e308,
    1803542400,
    True,
    False,
]
ODD_SHAPES = [
    None,
    [],
    {},
    [[[[]]]],
    [1, [2, [3, [4, [5]]]]],
    {"a": {"b": {"c": {}}}},
    ["goals.learn"] * 60,
    [{"text": "x"}] * 101,
    [{"text": "\x00"}],
    {"$ref": "#/components/schemas/PlanTalk"},
]
ODD_BYTES = [
    b"",
    b"{",
    b'{"what": "half',
    b"\xff\xfe\x00{",
    b'{"what": "\xed\xa0\x80"}',
    b"[" * 5_000 + b"]" * 5_000,
    b'{"a":' * 3_000 + b"1" + b"}" * 3_000,
    b"null",
    b'"text"',
    b"NaN",
    b'{"version": 1, "version": 2}',
    b"\x00",
]
ODD_IDS = [
    "\x00",
    "a\x00b",
    "é",
    "😀",
    "\ud800",
    "\u202e",
    "x" * 300,
    "..",
    ".",
    "%2e%2e",
    "no-such-id",
    "' OR '1'='1",
    " ",
]
ODD_QUERIES = [
    "",
    "version=%C2%B2",
    "version=-1",
    "talk_id=x&endpoint=y&_method=z",
    "version=99999999999999999999",
    "version=%00",
    "version=1.5",
    "version=",
    "version=1&version=2",
    "lang=en",
    "lang=%00",
    "start=9999-12-31T23:30:00%2B00:00&end=0001-01-01T00:00:00%2B14:00",
    "start=2027-02-30&end=1803542400",
]
CONTENT_TYPES = [
    *["application/json"] * 20,
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "text/plain",
    "application/x-www-form-urlencoded",
]

json_text = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=12),
)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | json_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_text, inner, max_size=4),
    max_leaves=8,
)
odd_values = st.one_of(
    st.sampled_from(ODD_TEXT),
    st.sampled_from(ODD_NUMBERS),
    st.sampled_from(ODD_SHAPES),
    json_values,
)


def segment(value: str) -> str:
    """A path segment as a client puts it on the wire (lone surrogates as their bytes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    body: dict[str, Any] | None  # the JSON Schema of the body, $refs resolved one level

    @property
    def of_a_talk(self) -> bool:
        return "{talk_id}" in self.path


def operations_of(document: dict[str, Any]) -> list[Operation]:
    schemas = document["components"]["schemas"]
    found = []
    for path, entries in sorted(document["paths"].items()):
        for method, entry in sorted(entries.items()):
            ref = (
                entry.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
                .get("$ref")
            )
            body = schemas[ref.rsplit("/", 1)[-1]] if ref else None
            found.append(Operation(method.upper(), path, body))
    return found


def value_of_type(prop: dict[str, Any]) -> Any:
    """A plain value of a property's type, for a field this test has no better value for."""
    kinds = [prop.get("type")] + [option.get("type") for option in prop.get("anyOf", [])]
    for kind, value in (("string", "x"), ("integer", 1), ("boolean", True), ("array", [])):
        if kind in kinds:
            return value
    return None


@dataclass
class Arena:
    """The talk under way, the earlier signed one, the people and their browsers."""

    app: Any
    services: Any
    clock: Any
    client_for: Callable[[Any], Any]
    make_talk: Callable[..., Any]
    people: dict[str, Any]
    clients: dict[str, Any]
    earlier_id: str
    earlier_agreement_id: str
    live_id: str = ""
    operations: list[Operation] = field(default_factory=list)
    secrets: set[str] = field(default_factory=set)
    before: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    # -- the state ------------------------------------------------------------------------

    def rows(self, table, *where) -> list[Any]:
        with self.services.db.engine.connect() as connection:
            return list(connection.execute(select(table).where(*where)))

    def live(self) -> Any:
        [row] = self.rows(schema.talks, schema.talks.c.id == self.live_id)
        return row

    def agreement_ids(self) -> list[str]:
        rows = self.rows(schema.agreements, schema.agreements.c.talk_id == self.live_id)
        return [row.id for row in rows] + [self.earlier_agreement_id]

    def version_for(self, op: Operation, ids: dict[str, str], actor: str) -> int:
        if not set(ids.values()) <= self.real_ids():
            return 1  # an odd id: no version to look up
        if "agreement_id" in ids:
            rows = self.rows(schema.agreements, schema.agreements.c.id == ids["agreement_id"])
            return rows[0].version if rows else 1
        if op.path.endswith("/preparation") and actor in self.people:
            rows = self.rows(
                schema.preparations,
                schema.preparations.c.talk_id == ids.get("talk_id", ""),
                schema.preparations.c.person_id == self.people[actor].id,
            )
            return rows[0].version if rows else 0
        rows = self.rows(schema.talks, schema.talks.c.id == ids.get("talk_id", ""))
        return rows[0].version if rows else 1

    def real_ids(self) -> set[str]:
        return {
            self.live_id,
            self.earlier_id,
            CHAT_ID,
            *self.agreement_ids(),
            *(person.id for person in self.people.values()),
        }

    def form_hash(self, talk_id: str) -> str:
        if talk_id not in (self.live_id, self.earlier_id):
            return "0" * 64
        return str(self.clients["lead"].talk(talk_id)["form_hash"])

    def ensure_live_talk(self) -> None:
        """A talk under way that can still change, with an agreement of each participant."""
        row = self.live() if self.live_id else None
        if row is None or row.status in ("cancelled", "signed"):
            talk = self.make_talk(
                self.people["lead"],
                self.people["learner"],
                starts_at=self.clock.now() + timedelta(hours=1),
            )
            self.live_id = talk.id
            self.secrets.add(talk.id)
            row = self.live()
        if row.starts_at > self.clock.now():
            self.clock.set(row.starts_at + timedelta(minutes=10))
        if len(self.agreement_ids()) < 3:
            for who, what in (("lead", "Marco regelt een meeloopdag"), ("learner", "Sem leest")):
                added = self.clients[who].post(
                    f"/api/talks/{self.live_id}/agreements", json={"what": what}
                )
                assert added.status_code == 201, added.json
                self.secrets.add(added.json["id"])
        self.before = snapshot(self.services)

    def sign_in_again(self, actor: str) -> None:
        self.clients[actor] = self.client_for(self.people[actor])
        self.before = snapshot(self.services)

    # -- drawing a request ----------------------------------------------------------------

    def path_ids(self, op: Operation, draw) -> dict[str, str]:
        real = {
            "talk_id": [self.live_id, self.live_id, self.earlier_id],
            "agreement_id": self.agreement_ids(),
            "person_id": [self.people["supervisor"].id, self.people["learner"].id],
            "chat_id": [CHAT_ID],
        }
        ids = {}
        for name in (part[1:-1] for part in op.path.split("/") if part.startswith("{")):
            # Draw an index, not an element: the lists of real ids change as the talk does,
            # and Hypothesis needs the same choices to draw the same way every time.
            pick = draw(st.integers(0, 6 * len(ODD_IDS) - 1), label=name)
            choices = real.get(name, ["x"])
            ids[name] = ODD_IDS[pick] if pick < len(ODD_IDS) else choices[pick % len(choices)]
        return ids

    def valid_body(self, op: Operation, ids: dict[str, str], actor: str) -> dict[str, Any]:
        assert op.body is not None
        now = self.clock.now()
        known: dict[str, Callable[[], Any]] = {
            "learner_id": lambda: self.people["learner"].id,
            "starts_at": lambda: (now + timedelta(days=2)).isoformat(),
            "duration_minutes": lambda: 45,
            "title": lambda: "Kwartaalgesprek",
            "goals": lambda: ["goals.learn"],
            "own_goal": lambda: "Stand van zaken",
            "meeting_chat_id": lambda: CHAT_ID,
            "chat_id": lambda: CHAT_ID,
            "chat_summary": lambda: False,
            "name": lambda: "Bea School",
            "email": lambda: "bea@roc.example",
            "days": lambda: 30,
            "ticked": lambda: ["goals.wishes"],
            "points": lambda: [{"text": "Meer storingen", "shared": True}],
            "what": lambda: "Sem oefent met inregelen",
            "owner": lambda: "both",
            "due": lambda: (now + timedelta(days=7)).date().isoformat(),
            "keep": lambda: True,
            "reaction": lambda: "Prima",
            "status": lambda: "done",
            "person_id": lambda: self.people["supervisor"].id,
            "form_hash": lambda: self.form_hash(ids.get("talk_id", "")),
            "version": lambda: self.version_for(op, ids, actor),
        }
        return {
            name: known[name]() if name in known else value_of_type(prop)
            for name, prop in op.body.get("properties", {}).items()
        }

    def body_from_schema(self, op: Operation, ids, actor: str, draw) -> Any:
        """The operation's valid body with none, one or a few fields made odd (or left out),
        so that requests reach the rules behind the schema, and some go through."""
        body = self.valid_body(op, ids, actor) if op.body is not None else {}
        if "version" in body and draw(st.integers(0, 3), label="stale version?") == 0:
            body["version"] -= 1
        changes = draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]), label="changes")
        for _ in range(changes):
            if not body:
                break
            name = draw(st.sampled_from(sorted(body)), label="field")
            if draw(st.integers(0, 4), label="leave out?") == 0:
                body.pop(name, None)
            else:
                body[name] = draw(odd_values, label=name)
        if draw(st.integers(0, 9), label="extra field?") == 0:
            body[draw(json_text, label="extra field")] = draw(odd_values, label="extra value")
        return body

    def draw_request(self, op: Operation, actor: str, draw) -> dict[str, Any]:
        ids = self.path_ids(op, draw)
        path = op.path
        for name, value in ids.items():
            path = path.replace("{" + name + "}", segment(value))
        query = draw(st.sampled_from(["", "", ""]) | st.sampled_from(ODD_QUERIES), label="query")
        if op.method == "DELETE" and draw(st.booleans(), label="right version?"):
            query = f"version={self.version_for(op, ids, actor)}"
        kind = draw(st.sampled_from(["schema"] * 8 + ["json", "json", "bytes", "none"]))
        headers = {}
        data: bytes | None = None
        if kind in ("schema", "json"):
            value = (
                self.body_from_schema(op, ids, actor, draw)
                if kind == "schema"
                else draw(json_values, label="body")
            )
            ascii_only = draw(st.booleans(), label="ensure_ascii")
            text = json.dumps(value, ensure_ascii=ascii_only, allow_nan=True)
            data = text.encode("utf-8", "surrogatepass")
        elif kind == "bytes":
            data = draw(st.sampled_from(ODD_BYTES), label="bytes")
        if data is not None:
            headers["Content-Type"] = draw(st.sampled_from(CONTENT_TYPES), label="content type")
        return {
            "method": op.method,
            "url": path + (f"?{query}" if query else ""),
            "data": data,
            "headers": headers,
        }

    # -- sending it and checking the answer ------------------------------------------------

    def client(self, actor: str) -> Any:
        if actor == "anonymous":
            return self.app.test_client()
        return self.clients[actor].client

    def routable(self, method: str, path: str) -> bool:
        adapter = self.app.url_map.bind("og.test")
        try:
            adapter.match(path, method=method)
        except HTTPException:
            return False
        return True

    def fire(self, op: Operation, actor: str, request: dict[str, Any], caplog) -> None:
        headers = dict(request["headers"])
        if actor != "anonymous":
            headers["X-CSRF-Token"] = self.clients[actor].csrf
        caplog.clear()
        response = self.client(actor).open(
            request["url"], method=request["method"], data=request["data"], headers=headers
        )
        status = response.status_code
        shown = {**request, "data": (request["data"] or b"")[:300]}
        what = f"{actor} {op.method} {op.path}: {shown!r} → {status} {response.data[:500]!r}"
        assert status < 500, f"{what}\n{caplog.text}"
        if status >= 400:
            assert response.is_json, what
            assert response.json["error"]["code"], what
        if actor == "anonymous":
            expected = 401 if self.routable(op.method, response.request.path) else 404
            assert status == expected, what
        if actor not in PARTICIPANTS:
            assert not (op.of_a_talk and 200 <= status < 300), what
            leaked = [secret for secret in self.secrets if secret.encode() in response.data]
            assert not leaked, f"{what} shows {leaked}"
        if actor == "stranger" and op.of_a_talk:
            error = response.json["error"]
            assert status in (400, 404, 413, 422), what
            assert "current" not in error, what
        if status >= 400:
            after = snapshot(self.services)
            changed = [name for name, rows in after.items() if rows != self.before[name]]
            assert not changed, f"refused, yet changed {changed}: {what}"
            return
        # Accepted: the database may have changed; start again from what it holds now.
        if op.path == "/api/signout":
            self.sign_in_again(actor)
        self.ensure_live_talk()


@pytest.fixture
def arena(app, services, clock, client_for, make_person, make_talk, lead, learner) -> Arena:
    people = {
        "lead": lead,
        "learner": learner,
        "stranger": make_person(display_name="Anna Collega"),
        "supervisor": make_person(display_name="Bea School", external=True),
    }
    clients = {who: client_for(people[who]) for who in ("lead", "learner", "stranger")}
    marco, sem = clients["lead"], clients["learner"]
    earlier = make_talk(lead, learner)
    clock.set(earlier.starts_at + timedelta(minutes=10))
    item = marco.post(
        f"/api/talks/{earlier.id}/agreements", json={"what": "Sem plant", "owner": "learner"}
    ).json
    confirm = f"/api/talks/{earlier.id}/agreements/{item['id']}/confirm"
    assert sem.post(confirm, json={"version": item["version"]}).status_code == 200
    assert marco.sign(earlier.id).status_code == 200
    signed = sem.sign(earlier.id)
    assert signed.status_code == 200, signed.json
    live_id = signed.json["follow_up"]["talk_id"]
    assert live_id
    document = app.test_client().get("/api/openapi.json").json
    world = Arena(
        app=app,
        services=services,
        clock=clock,
        client_for=client_for,
        make_talk=make_talk,
        people=people,
        clients=clients,
        earlier_id=earlier.id,
        earlier_agreement_id=item["id"],
        live_id=live_id,
        operations=operations_of(document),
        secrets={earlier.id, live_id, item["id"]},
    )
    version = marco.talk(live_id)["version"]
    shared = marco.post(
        f"/api/talks/{live_id}/shares",
        json={"person_id": people["supervisor"].id, "version": version},
    )
    assert shared.status_code == 200, shared.json
    world.ensure_live_talk()
    return world


#: Bounded and repeatable: the same requests on every run, about 60 s for the whole file on
#: a 2-core machine (both databases, every actor).
EXPLORE = settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    database=None,
    # No shrinking: the arena's state moves on with every accepted request, so a replay is
    # not the same request to the same state. The failure names the request instead.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.mark.parametrize("actor", ACTORS)
def test_odd_requests_never_fail_leak_or_change_anything(arena, actor, caplog):
    caplog.set_level(logging.ERROR)
    failures: list[str] = []

    @EXPLORE
    @given(data=st.data())
    def explore(data) -> None:
        # Every example draws the same way whatever the state (only indices into the state),
        # and a failure is collected rather than raised: Hypothesis would otherwise replay
        # it against a database that has moved on, and report that as flaky data instead.
        for op in arena.operations:
            request = arena.draw_request(op, actor, data.draw)
            if failures:
                continue
            try:
                arena.fire(op, actor, request, caplog)
            except Exception as error:  # an assertion, or anything the client raised
                failures.append(f"{type(error).__name__}: {error}")

    explore()
    assert not failures, failures[0]


def test_a_chunked_body_of_20_mb_is_too_large(marco, make_talk, lead, learner, clock, services):
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=10))
    before = snapshot(services)
    body = b'{"what": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    response = marco.client.post(
        f"/api/talks/{talk.id}/agreements",
        input_stream=io.BytesIO(body),
        headers={
            "X-CSRF-Token": marco.csrf,
            "Transfer-Encoding": "chunked",
            "Content-Type": "application/json",
        },
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413, (response.status_code, response.data[:300])
    assert response.json["error"]["code"] == "too_large"
    assert snapshot(services) == before
