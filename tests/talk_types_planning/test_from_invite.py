"""Planning from an invite (.ics) as a kind of talk: the talk keeps the chosen type's version,
its invite carries that type's checklist; an unknown type is refused by name, nothing saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar

from tests.support.tables import snapshot
from tests.talk_types_planning.support import kind_of

INVITES = Path(__file__).parent.parent / "calendar" / "invites"
TEXT = (INVITES / "outlook_desktop.ics").read_text()


@pytest.fixture
def marco(make_person, client_for):
    return client_for(make_person(display_name="Marco de Vries", email="marco@installatie.example"))


@pytest.fixture
def sem(make_person):
    return make_person(display_name="Sem Bakker", email="sem.bakker@installatie.example")


def _description(ics: str) -> str:
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    return str(event["DESCRIPTION"])


def test_an_invite_is_planned_as_the_chosen_kind_of_talk(services, marco, sem):
    answer = marco.post(
        "/api/talks/from-invite",
        json={"ics": TEXT, "type": "voortgangsgesprek-bpv", "goals": ["goals.wellbeing"]},
    )
    assert answer.status_code == 201, answer.json
    talk = answer.json["talk"]
    assert talk["goals"] == ["goals.wellbeing"]
    assert kind_of(services, talk["id"]) == "voortgangsgesprek-bpv"
    # The invite that goes back out carries the BPV checklist, not the development talk's.
    description = _description(answer.json["invite"]["ics"])
    assert "Hoe het gaat: welbevinden en inzet" in description


def test_without_a_type_an_invite_is_a_development_talk(services, marco, sem):
    answer = marco.post("/api/talks/from-invite", json={"ics": TEXT})
    assert answer.status_code == 201, answer.json
    assert kind_of(services, answer.json["talk"]["id"]) == "ontwikkelgesprek"


def test_the_goals_must_be_the_chosen_types(services, marco, sem):
    before = snapshot(services)
    answer = marco.post(
        "/api/talks/from-invite",
        json={"ics": TEXT, "type": "pop-gesprek", "goals": ["goals.learn"]},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "goals"
    assert snapshot(services) == before


@pytest.mark.parametrize("wrong", ["functioneringsgesprek", ""])
def test_an_unknown_type_is_refused_by_name_and_nothing_is_saved(services, marco, sem, wrong):
    before = snapshot(services)
    answer = marco.post(
        "/api/talks/from-invite",
        json={"ics": TEXT, "type": wrong},
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "type"
    assert snapshot(services) == before
