"""Planning as a kind of talk from the Outlook add-in (one appointment, or a recurring meeting
made a series) and from a recurring Teams meeting's set-up page. The pane is offered the
tenant's types; a series keeps its type's version for every talk made for it, later ones too,
whatever becomes of the type. Real msal and msgraph-sdk against the fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.series import TalkSeries
from plugin.domain.talk_types import TalkTypes, built_in_types
from plugin.services import calendar_sync, talk_types
from plugin.store import repo
from tests.microsoft.outlook_world import Office
from tests.microsoft.test_series_sync import Series
from tests.support.tables import snapshot
from tests.talk_types_planning.support import kind_of


def test_the_pane_is_offered_the_kinds_of_talk_in_its_language(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    shown = office.client.post(
        "/api/outlook/appointment",
        headers={**as_marco, "Accept-Language": "en"},
        json={"item_id": item_id},
    )
    assert shown.status_code == 200, shown.json
    offered = shown.json["types"]
    assert offered["default"] == "ontwikkelgesprek"
    names = {t["id"]: t["name"] for t in offered["types"]}
    assert names["pop-gesprek"] == "POP talk (personal development plan)"
    assert names["ontwikkelgesprek"] == "Development talk"
    # Each with its own goals (only those: the pane shows nothing else of the checklist).
    pop = next(t for t in offered["types"] if t["id"] == "pop-gesprek")
    assert set(pop) == {"id", "name", "description", "default", "goals"}
    assert set(pop["goals"]) == {"title", "intro", "items"}
    assert pop["goals"]["items"][0]["text"] == "Development goals, written as behaviour"


def test_an_appointment_becomes_the_chosen_kind_of_talk(office: Office) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem, subject="")
    made = office.client.post(
        "/api/outlook/talks",
        headers=as_marco,
        json={"item_id": item_id, "type": "pop-gesprek", "goals": ["goals.behaviour"]},
    )
    assert made.status_code == 201, made.json
    talk = made.json["talk"]
    assert kind_of(office.svc, talk["id"]) == "pop-gesprek"
    assert talk["title"] == "POP-gesprek: Sem"
    # The top of the invite is the POP talk's checklist.
    assert "Ontwikkeldoelen, beschreven als gedrag" in made.json["invite_html"]
    # Once made, the pane shows the talk: no types to choose.
    shown = office.client.post(
        "/api/outlook/appointment", headers=as_marco, json={"item_id": item_id}
    )
    assert shown.json["talk"]["id"] == talk["id"] and "types" not in shown.json


@pytest.mark.parametrize("wrong", ["functioneringsgesprek", ""])
def test_an_unknown_type_from_the_pane_is_refused_and_nothing_is_saved(
    office: Office, wrong: str
) -> None:
    marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    item_id = office.appointment(marco, sem)
    before = snapshot(office.svc)
    refused = office.client.post(
        "/api/outlook/talks", headers=as_marco, json={"item_id": item_id, "type": wrong}
    )
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["field"] == "type"
    assert snapshot(office.svc) == before
    office.outbox.drain()
    assert office.graph.extended_properties(marco, office.stored(marco)["id"]) == []


def test_a_series_keeps_its_type_for_every_talk_made_for_it_later(weekly: Series) -> None:
    office = weekly.office
    made = office.client.post(
        "/api/outlook/talks",
        headers=weekly.as_marco,
        json={"item_id": weekly.item_id, "type": "pop-gesprek", "goals": ["goals.behaviour"]},
    )
    assert made.status_code == 201, made.json
    series = weekly.series()
    first = weekly.talks()
    assert {t.template_id for t in first} == {series.template_id}
    assert kind_of(office.svc, first[0].id) == "pop-gesprek"
    assert {t.title for t in first} == {"Wekelijks gesprek"}  # the meeting's subject

    # The POP talk is taken out of the app's types; the window moves on.
    office.svc.types = TalkTypes(tuple(t for t in built_in_types() if t.id != "pop-gesprek"))
    calendar_sync.maintain(office.svc)
    office.clock.advance(timedelta(weeks=2))
    calendar_sync.maintain(office.svc)
    later = [t for t in weekly.talks() if t.id not in {f.id for f in first}]
    assert len(later) == 2
    assert {t.template_id for t in later} == {series.template_id}
    assert {t.goals[0] for t in later} == {"goals.behaviour"}
    # Read by its kept version: still the POP talk's checklist.
    template = office.svc.read(lambda s: talk_types.talk_template(office.svc, s, later[-1]))
    assert template.id == "pop-gesprek"


def test_the_meeting_tab_makes_a_series_of_the_chosen_kind(weekly: Series) -> None:
    office = weekly.office
    [master] = [e for e in office.graph.events(weekly.marco) if e["id"] == weekly.master]
    chat = chat_id_from_join_url(master["onlineMeeting"]["joinUrl"])
    assert chat
    before = snapshot(office.svc)
    refused = office.client.post(
        f"/api/meetings/{chat}/series", headers=weekly.as_marco, json={"type": "exitgesprek"}
    )
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["field"] == "type"
    assert snapshot(office.svc) == before

    made = office.client.post(
        f"/api/meetings/{chat}/series",
        headers=weekly.as_marco,
        json={"type": "inwerkgesprek"},
    )
    assert made.status_code == 201, made.json
    series = office.svc.read(lambda s: s.query(TalkSeries).one())
    found = office.svc.read(lambda s: repo.talks_of_series(s, series.id))
    assert {t.template_id for t in found} == {series.template_id}
    assert kind_of(office.svc, made.json["id"]) == "inwerkgesprek"
    # No subject from the tab: the series' title names the kind of talk.
    assert series.title.startswith("Inwerk")


def test_the_meeting_tab_plans_one_talk_of_the_chosen_kind(office: Office) -> None:
    _marco, as_marco = office.person("Marco")
    sem, _ = office.person("Sem")
    learner = office.person_record(sem)
    made = office.client.post(
        "/api/talks",
        headers=as_marco,
        json={
            "learner_id": learner.id,
            "starts_at": (office.clock.now() + timedelta(days=2)).isoformat(),
            "meeting_chat_id": "19:meeting_abc@thread.v2",
            "type": "voortgangsgesprek-bpv",
        },
    )
    assert made.status_code == 201, made.json
    assert kind_of(office.svc, made.json["id"]) == "voortgangsgesprek-bpv"
