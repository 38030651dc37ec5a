"""Progress on agreements after sign-off, over the API: who may do what, what both then see
(the talk, its live version, the next talk's agenda), that the signed form stays intact, and
that each bad request gets a clear 4xx naming the field and saves nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from plugin.domain.agreement_progress import MAX_PROGRESS_NOTE
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services.context import Services
from tests.api.test_form_integrity import sign_a_talk
from tests.conftest import ApiClient
from tests.support.tables import snapshot


@pytest.fixture
def signed(marco, sem, make_talk, lead, learner, clock) -> dict[str, Any]:
    """Marco and Sem's signed talk with Sem's agreement, two days after the talk."""
    talk_id = sign_a_talk(marco, sem, make_talk, lead, learner, clock)
    clock.set(clock.now() + timedelta(days=2))
    [agreement] = marco.talk(talk_id)["agreements"]
    return {"talk_id": talk_id, "agreement": agreement}


def progress_url(agreement: dict[str, Any]) -> str:
    return f"/api/agreements/{agreement['id']}/progress"


def post(client: ApiClient, agreement: dict[str, Any], **body: Any) -> Any:
    return client.post(progress_url(agreement), json={"version": agreement["version"], **body})


def test_the_owner_marks_it_done_and_the_lead_sees_it_beside_the_intact_form(
    marco, sem, signed, clock
) -> None:
    talk_id, agreement = signed["talk_id"], signed["agreement"]
    version_before = marco.talk(talk_id)["version"]
    done = post(sem, agreement, kind="done", note="Ingeregeld bij de klant in Zeist")
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done" and done.json["version"] == agreement["version"] + 1
    [entry] = done.json["progress"]
    assert entry["kind"] == "done" and entry["note"] == "Ingeregeld bij de klant in Zeist"
    assert entry["created_at"] == clock.now().isoformat()
    assert entry["author_id"] == sem.talk(talk_id)["learner"]["id"]

    seen = marco.talk(talk_id)
    assert seen["version"] > version_before  # live panels and the open page see it
    [shown] = seen["agreements"]
    assert shown["status"] == "done" and shown["progress"] == [entry]
    form = marco.get(f"/api/talks/{talk_id}/form").json
    assert form["intact"] is True
    assert form["form"]["agreements"][0]["what"] == agreement["what"]


def test_either_writes_notes_and_the_history_keeps_its_order(marco, sem, signed) -> None:
    agreement = signed["agreement"]
    first = post(marco, agreement, kind="note", note="Heb je de cursus al gevonden?")
    assert first.status_code == 200, first.json
    second = post(sem, first.json, kind="stuck", note="Alle cursussen zitten vol")
    assert second.status_code == 200, second.json
    assert second.json["stuck"] is True and second.json["status"] == "open"
    third = post(marco, second.json, kind="reopened", note="Plek gevonden in april")
    assert third.status_code == 200, third.json
    assert third.json["stuck"] is False
    assert [e["kind"] for e in third.json["progress"]] == ["note", "stuck", "reopened"]
    assert marco.get(f"/api/talks/{signed['talk_id']}/form").json["intact"] is True


def test_the_next_talk_shows_what_happened_since(marco, sem, signed) -> None:
    agreement = signed["agreement"]
    later_id = marco.talk(signed["talk_id"])["follow_up"]["talk_id"]
    assert later_id
    later_version = marco.talk(later_id)["version"]
    noted = post(sem, agreement, kind="stuck", note="De collega die het voordoet is ziek")
    assert noted.status_code == 200, noted.json
    # The next talk's agenda shows it: its live panels must see the change too.
    assert marco.talk(later_id)["version"] > later_version
    items = {i["key"]: i for i in sem.talk(later_id)["agenda"]["items"]}
    item = items[f"earlier:{agreement['id']}"]
    assert [e["note"] for e in item["since"]] == ["De collega die het voordoet is ziek"]
    assert item["agreement"]["stuck"] is True
    [earlier] = marco.get(f"/api/talks/{later_id}/preparation").json["earlier_agreements"]
    assert [e["kind"] for e in earlier["progress"]] == ["stuck"]


def test_one_done_between_talks_is_on_the_next_agenda_once_with_what_happened(
    marco, sem, signed
) -> None:
    agreement = signed["agreement"]
    done = post(sem, agreement, kind="done", note="Gelukt bij de klant in Zeist")
    assert done.status_code == 200, done.json
    later_id = marco.talk(signed["talk_id"])["follow_up"]["talk_id"]
    items = {i["key"]: i for i in marco.talk(later_id)["agenda"]["items"]}
    item = items[f"earlier:{agreement['id']}"]
    assert item["agreement"]["status"] == "done"
    assert [e["note"] for e in item["since"]] == ["Gelukt bij de klant in Zeist"]
    # From the agenda it can be opened again, as any earlier agreement there.
    url = f"/api/talks/{later_id}/earlier-agreements/{agreement['id']}/status"
    reopened = marco.post(url, json={"status": "open", "version": done.json["version"]})
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["status"] == "open"


def test_closed_between_two_earlier_talks_is_not_on_a_third(marco, sem, signed, clock) -> None:
    agreement = signed["agreement"]
    assert post(sem, agreement, kind="done", note="Gelukt").status_code == 200
    second = marco.talk(signed["talk_id"])["follow_up"]["talk_id"]
    clock.set(datetime.fromisoformat(marco.talk(second)["starts_at"]) + timedelta(minutes=5))
    for who in (marco, sem):
        assert who.sign(second).status_code == 200
    third = marco.talk(second)["follow_up"]["talk_id"]
    assert third
    keys = [i["key"] for i in marco.talk(third)["agenda"]["items"]]
    assert f"earlier:{agreement['id']}" not in keys


# -- refusals: each a clear 4xx naming the field, and nothing saved ---------------------------


def refused(services: Services, send: Callable[[], Any], status: int, field: str | None) -> Any:
    before = snapshot(services)
    response = send()
    assert response.status_code == status, response.json
    assert response.json["error"]["field"] == field, response.json
    assert response.json["error"]["message"]
    assert snapshot(services) == before
    return response.json["error"]


@pytest.mark.parametrize("note", ["", "   "])
def test_an_empty_note_is_refused(services, sem, signed, note) -> None:
    error = refused(
        services, lambda: post(sem, signed["agreement"], kind="note", note=note), 422, "note"
    )
    assert error["code"] == "required"


def test_dropping_without_a_reason_is_refused(services, sem, signed) -> None:
    error = refused(services, lambda: post(sem, signed["agreement"], kind="dropped"), 422, "note")
    assert error["code"] == "required"


def test_a_note_over_the_limit_is_refused_and_says_the_limit(services, sem, signed) -> None:
    long = "x" * (MAX_PROGRESS_NOTE + 1)
    error = refused(
        services, lambda: post(sem, signed["agreement"], kind="note", note=long), 422, "note"
    )
    assert error["code"] == "too_long" and str(MAX_PROGRESS_NOTE) in error["message"]


def test_an_unknown_kind_is_refused(services, sem, signed) -> None:
    error = refused(services, lambda: post(sem, signed["agreement"], kind="finished"), 422, "kind")
    assert error["code"] == "choice" and "done" in error["message"]


def test_the_learner_cannot_change_the_leads_agreement(
    services, marco, sem, make_talk, lead, learner, clock
) -> None:
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    added = marco.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": "Marco regelt een leskist", "owner": "lead"},
    ).json
    sem.post(f"/api/talks/{talk.id}/agreements/{added['id']}/confirm", json={"version": 1})
    for who in (marco, sem):
        assert who.sign(talk.id).status_code == 200
    [agreement] = marco.talk(talk.id)["agreements"]
    for kind in ("done", "stuck", "dropped"):
        error = refused(
            services, lambda kind=kind: post(sem, agreement, kind=kind, note="Waarom"), 403, "kind"
        )
        assert error["code"] == "owner_or_lead"
    # A note is for either: Sem may ask how it goes.
    assert post(sem, agreement, kind="note", note="Is de leskist er al?").status_code == 200


def test_an_outsider_gets_404(services, client_for, make_person, signed) -> None:
    anna = client_for(make_person(display_name="Anna Visser"))
    refused(services, lambda: post(anna, signed["agreement"], kind="note", note="Hoi"), 404, "talk")
    unknown = {"id": "no-such-agreement", "version": 1}
    refused(services, lambda: post(anna, unknown, kind="note", note="Hoi"), 404, "talk")


def test_not_before_sign_off(
    services, marco, sem, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    added = marco.post(
        f"/api/talks/{talk.id}/agreements", json={"what": "Sem leest in", "owner": "learner"}
    ).json
    error = refused(services, lambda: post(sem, added, kind="done"), 409, "talk")
    assert error["code"] == "not_signed"


def test_a_stale_version_gets_409_with_the_agreement_now(services, marco, sem, signed) -> None:
    agreement = signed["agreement"]
    assert post(marco, agreement, kind="note", note="Hoe gaat het?").status_code == 200
    before = snapshot(services)
    stale = post(sem, agreement, kind="done")
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale"
    current = stale.json["error"]["current"]
    assert [e["note"] for e in current["progress"]] == ["Hoe gaat het?"]
    assert snapshot(services) == before


def test_sign_in_comes_first(app, services, signed) -> None:
    before = snapshot(services)
    response = app.test_client().post(
        progress_url(signed["agreement"]), json={"version": 1, "kind": "bogus"}
    )
    assert response.status_code == 401
    assert snapshot(services) == before


def test_described_in_the_openapi_document(app) -> None:
    document = app.test_client().get("/api/openapi.json").json
    operation = document["paths"]["/api/agreements/{agreement_id}/progress"]["post"]
    assert operation["requestBody"]


def test_a_supervisor_reads_the_form_not_the_progress(
    marco, sem, signed, client_for, make_person, clock: FixedClock
) -> None:
    talk_id = signed["talk_id"]
    assert post(sem, signed["agreement"], kind="note", note="Loopt").status_code == 200
    bea = make_person(display_name="Bea School", external=True)
    shared = marco.post(
        f"/api/talks/{talk_id}/shares",
        json={"person_id": bea.id, "version": marco.talk(talk_id)["version"]},
    )
    assert shared.status_code == 200, shared.json
    seen = client_for(bea).talk(talk_id)
    assert seen["read_only"] and "progress" not in seen["agreements"][0]
