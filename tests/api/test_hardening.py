"""Issue 12's findings, one test each: a signature covers only what the signer saw, writes name
the state they are based on, and odd input gets a clear 4xx (never a 5xx) and changes nothing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from plugin.services.context import Busy
from plugin.store.schema import talks
from tests.conftest import START
from tests.support.tables import snapshot


@pytest.fixture
def talk(make_talk, lead, learner, clock):
    """A talk under way: its start has passed, so agreements can be made and signed."""
    planned = make_talk(lead, learner)
    clock.set(planned.starts_at + timedelta(minutes=10))
    return planned


def add(client, talk_id, what):
    answer = client.post(f"/api/talks/{talk_id}/agreements", json={"what": what})
    assert answer.status_code == 201, answer.json
    return answer.json


def confirm(client, talk_id, item):
    url = f"/api/talks/{talk_id}/agreements/{item['id']}/confirm"
    answer = client.post(url, json={"version": item["version"]})
    assert answer.status_code == 200, answer.json
    return answer.json


# -- a signature covers the form as the signer saw it -------------------------------------------


def test_a_signature_covers_only_the_form_its_signer_saw(marco, sem, talk):
    first = confirm(sem, talk.id, add(marco, talk.id, "Sem regelt een installatie in"))
    second = confirm(sem, talk.id, add(marco, talk.id, "Marco plant een dag meelopen"))
    seen_by_sem = sem.talk(talk.id)  # two confirmed agreements

    # The lead removes one the learner confirmed: it waits for the learner, nothing is gone.
    url = f"/api/talks/{talk.id}/agreements/{second['id']}"
    asked = marco.delete(url, query_string={"version": second["version"]})
    assert asked.status_code == 200, asked.json
    assert (
        asked.json["removal_requested"]["removal_requested_by"] == marco.talk(talk.id)["lead"]["id"]
    )
    assert len(marco.talk(talk.id)["agreements"]) == 2

    # The learner signs what they saw: refused, with the form as it is now.
    refused = sem.post(f"/api/talks/{talk.id}/sign", json={"form_hash": seen_by_sem["form_hash"]})
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "form_changed"
    now = refused.json["error"]["current"]
    assert [a["removal_requested_by"] is not None for a in now["agreements"]] == [False, True]
    assert sem.talk(talk.id)["signatures"] == []

    # The learner confirms the removal; the lead signs the form as it stands.
    pending = now["agreements"][1]
    gone = sem.post(f"{url}/removal", json={"version": pending["version"], "keep": False})
    assert gone.json == {"removed": second["id"]}
    assert marco.sign(talk.id).status_code == 200
    # Signing what one saw before that change is refused too; seen anew, it signs.
    stale = sem.post(f"/api/talks/{talk.id}/sign", json={"form_hash": now["form_hash"]})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "form_changed"
    signed = sem.sign(talk.id)
    assert signed.json["status"] == "signed"
    form = marco.get(f"/api/talks/{talk.id}/form").json
    assert [a["id"] for a in form["form"]["agreements"]] == [first["id"]]
    assert form["intact"] is True


def test_own_unconfirmed_wording_is_removed_at_once(marco, talk):
    item = add(marco, talk.id, "Een typefout")
    url = f"/api/talks/{talk.id}/agreements/{item['id']}"
    assert marco.delete(url, query_string={"version": item["version"]}).json == {
        "removed": item["id"]
    }


def test_a_sign_without_the_form_hash_is_refused(marco, talk, services):
    before = snapshot(services)
    for body in ({}, {"form_hash": "abc"}, {"form_hash": None}):
        answer = marco.post(f"/api/talks/{talk.id}/sign", json=body)
        assert answer.status_code == 422, answer.json
        assert answer.json["error"]["field"] == "form_hash"
    assert snapshot(services) == before


# -- no server error on odd input -----------------------------------------------------------------


def test_a_csrf_token_with_characters_outside_ascii_is_refused_not_a_crash(marco, talk):
    answer = marco.client.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": "Iets"},
        headers={"X-CSRF-Token": "tökén-ÿ"},
    )
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "csrf"


@pytest.mark.parametrize("version", ["²", "-1", "1.0", "1_0", " 1", "", "x"])
def test_a_version_in_the_query_string_must_be_a_number(marco, talk, services, version):
    item = add(marco, talk.id, "Iets")
    before = snapshot(services)
    url = f"/api/talks/{talk.id}/agreements/{item['id']}"
    answer = marco.delete(url, query_string={"version": version})
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "version"
    assert snapshot(services) == before


@pytest.mark.parametrize("name", ["talk_id", "endpoint", "_method", "_external"])
def test_the_talk_link_passes_any_query_string_along(marco, talk, name):
    answer = marco.get(f"/talks/{talk.id}", query_string={name: "x", "lang": "en"})
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/talks/{talk.id}/panel?{name}=x&lang=en"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"what": "Eerst\x00daarna"}, "what"),
        ({"what": "Bel\x07"}, "what"),
        ({"what": "Escape\x1b[31m"}, "what"),
        ({"what": "Delete\x7f"}, "what"),
        ({"what": "Goed", "owner": "lead\x00"}, "owner"),
        ({"what": "Goed", "due": "2027-03-10\x00"}, "due"),
    ],
)
def test_control_characters_are_refused_alike_on_both_databases(marco, talk, services, body, field):
    before = snapshot(services)
    answer = marco.post(f"/api/talks/{talk.id}/agreements", json=body)
    assert answer.status_code == 422, answer.json
    assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (
        "control_characters",
        field,
    )
    assert snapshot(services) == before


def test_a_control_character_names_its_place_in_a_list(sem, talk, services):
    before = snapshot(services)
    answer = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={"version": 0, "points": [{"text": "Goed"}, {"text": "Niet\x00goed"}]},
    )
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "points[1].text"
    # The schema's own errors name places the same way.
    typed = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={"version": 0, "points": [{"text": "Goed"}, {"text": "x", "shared": "ja"}]},
    )
    assert typed.status_code == 422
    assert typed.json["error"]["field"] == "points[1].shared"
    assert snapshot(services) == before


def test_a_lone_surrogate_is_refused(marco, talk, services):
    before = snapshot(services)
    answer = marco.client.post(
        f"/api/talks/{talk.id}/agreements",
        data=b'{"what": "half \\ud800 a character"}',
        headers={"X-CSRF-Token": marco.csrf, "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert answer.json["error"]["code"] == "control_characters"
    assert snapshot(services) == before


@pytest.mark.parametrize("path", ["/api/talks/ab%00cd", "/api/talks/ab%07cd/agreements"])
def test_an_id_with_a_control_character_matches_nothing(marco, path):
    assert marco.get(path).status_code == 404


@pytest.mark.parametrize(
    "starts_at",
    ["9999-12-31T23:30:00+00:00", "0001-01-01T00:00:00+14:00", "2032-06-01T10:00:00+00:00"],
)
def test_plan_refuses_dates_outside_the_window(marco, learner, services, starts_at):
    before = snapshot(services)
    answer = marco.post(
        "/api/talks",
        json={"learner_id": learner.id, "starts_at": starts_at, "duration_minutes": 30},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "starts_at"
    assert snapshot(services) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"chat_summary": "yes", "meeting_chat_id": None}, "chat_summary"),
        ({"duration_minutes": "30"}, "duration_minutes"),
        ({"starts_at": 1803542400}, "starts_at"),
        ({"goals": "goals.learn"}, "goals"),
    ],
)
def test_types_are_strict_at_the_door(marco, learner, services, changes, field):
    body = {
        "learner_id": learner.id,
        "starts_at": (START + timedelta(days=2)).isoformat(),
        **changes,
    }
    before = snapshot(services)
    answer = marco.post("/api/talks", json=body)
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == field
    assert snapshot(services) == before


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000 + b"]" * 100_000, b'{"what": ' * 5000 + b'"x"' + b"}" * 5000, b"[]", b"7"],
    ids=["deep-list", "deep-object", "a-list", "a-number"],
)
def test_a_body_of_the_wrong_shape_is_refused(marco, talk, services, raw):
    before = snapshot(services)
    answer = marco.client.post(
        f"/api/talks/{talk.id}/agreements",
        data=raw,
        headers={"X-CSRF-Token": marco.csrf, "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 422), answer.json
    assert answer.json["error"]["code"] in ("malformed_json", "type")
    assert snapshot(services) == before


def test_agreements_and_shares_per_talk_are_bounded(marco, talk, make_person, services):
    for i in range(50):
        add(marco, talk.id, f"Afspraak {i}")
    answer = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "Nummer 51"})
    assert answer.status_code == 422
    assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (
        "too_many",
        "agreements",
    )
    assert "50" in answer.json["error"]["message"]
    for i in range(10):
        supervisor = make_person(display_name=f"Begeleider {i}", external=True)
        body = {"person_id": supervisor.id, "version": marco.talk(talk.id)["version"]}
        assert marco.post(f"/api/talks/{talk.id}/shares", json=body).status_code == 200
    one_more = make_person(display_name="Nog een", external=True)
    before = snapshot(services)
    body = {"person_id": one_more.id, "version": marco.talk(talk.id)["version"]}
    answer = marco.post(f"/api/talks/{talk.id}/shares", json=body)
    assert (answer.json["error"]["code"], answer.json["error"]["field"]) == (
        "too_many",
        "person_id",
    )
    assert snapshot(services) == before


# -- authentication first, and its description ----------------------------------------------------


def test_every_operation_answers_401_before_it_reads_the_request(app):
    document = app.test_client().get("/api/openapi.json").json
    anonymous = app.test_client()
    for path, operations in document["paths"].items():
        url = path.replace("{", "").replace("}", "")  # any id: nobody is signed in anyway
        for method in operations:
            answer = anonymous.open(
                url,
                method=method.upper(),
                data=b"{not json",
                headers={"Content-Type": "application/json"},
                query_string={"version": "²", "start": "gisteren"},
            )
            assert answer.status_code == 401, (method, path, answer.json)
            assert answer.json["error"]["code"] == "unauthenticated"
            # Local mode has no bearer scheme to announce.
            assert "WWW-Authenticate" not in answer.headers


def test_a_change_without_the_csrf_token_is_refused_before_its_body_is_read(marco, talk):
    answer = marco.client.post(
        f"/api/talks/{talk.id}/agreements",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "csrf"


def test_the_api_description_declares_its_security(app):
    document = app.test_client().get("/api/openapi.json").json
    schemes = document["components"]["securitySchemes"]
    assert schemes["session"] == {
        "type": "apiKey",
        "in": "cookie",
        "name": "ontwikkelgesprek_session",
        "description": schemes["session"]["description"],
    }
    assert schemes["csrf"]["in"] == "header" and schemes["csrf"]["name"] == "X-CSRF-Token"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            wanted = [{"session": []}] if method == "get" else [{"session": [], "csrf": []}]
            assert operation["security"] == wanted, (method, path)
            assert "401" in operation["responses"]
    removal = document["paths"]["/api/talks/{talk_id}/agreements/{agreement_id}"]["delete"]
    [version] = [p for p in removal["parameters"] if p["name"] == "version"]
    assert (version["in"], version["required"]) == ("query", True)


# -- sessions end on the server ------------------------------------------------------------


def test_signing_out_ends_the_session_on_the_server(app, marco, talk):
    cookie = marco.client.get_cookie("ontwikkelgesprek_session")
    assert cookie is not None
    copy = app.test_client()
    copy.set_cookie("ontwikkelgesprek_session", cookie.value)
    assert copy.get(f"/api/talks/{talk.id}").status_code == 200
    assert marco.post("/api/signout").json == {"signed_out": True}
    assert copy.get(f"/api/talks/{talk.id}").status_code == 401
    assert copy.get(f"/api/talks/{talk.id}/live").status_code == 401


# -- a feed survives one bad row ----------------------------------------------------------------


def test_a_feed_leaves_out_a_row_it_cannot_show(marco, talk, make_talk, lead, learner, services):
    other = make_talk(lead, learner, title="Goed gesprek")
    far = talk.starts_at.replace(year=9999, month=12, day=31, hour=23)
    with services.db.engine.begin() as connection:  # a row from before dates were bounded
        connection.execute(
            sa.update(talks)
            .where(talks.c.id == talk.id)
            .values(starts_at=far, ends_at=far + timedelta(minutes=30))
        )
    feed_url = marco.get("/api/me").json["feed_url"].split("http://testserver", 1)[-1]
    feed = marco.get(feed_url.replace("http://localhost:8470", ""))
    assert feed.status_code == 200
    text = feed.get_data(as_text=True)
    assert "Goed gesprek" in text and other.id in text
    assert f"talk-{talk.id}" not in text
    ics = marco.get(f"/api/talks/{talk.id}/event.ics")
    assert ics.status_code == 409
    assert ics.json["error"]["code"] == "outside_calendar"


# -- races are retried, never a 500 ----------------------------------------------------------


def test_a_write_that_keeps_losing_a_race_gives_up_with_busy(services):
    tries = []

    def locked(_session):
        tries.append(1)
        raise sa.exc.OperationalError("INSERT …", {}, Exception("database is locked"))

    with pytest.raises(Busy):
        services.write(locked)
    assert len(tries) == 5


def test_busy_answers_503_with_retry_after(app):
    with app.test_request_context("/api/talks"):
        answer = app.make_response(app.handle_user_exception(Busy()))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json["error"]["code"] == "busy"


def test_concurrent_writers_to_one_talk_all_succeed(app, client_for, lead, talk):
    writers = [client_for(lead) for _ in range(20)]
    start = threading.Barrier(len(writers))
    answers: list[int] = []

    def write(client, number):
        start.wait()
        answers.append(
            client.post(
                f"/api/talks/{talk.id}/agreements", json={"what": f"Afspraak {number}"}
            ).status_code
        )

    threads = [threading.Thread(target=write, args=(c, i)) for i, c in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [201] * 20
    stored = writers[0].talk(talk.id)["agreements"]
    assert sorted(a["position"] for a in stored) == list(range(1, 21))
