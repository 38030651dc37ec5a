"""The lead rule on every way of planning: refused with a message naming `learner_id`,
nothing saved; what follows from a talk keeps its pair, unchecked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from plugin.domain.clock import FixedClock
from plugin.domain.invite import InvitedPerson
from plugin.domain.lead_rule import NotYourLearner
from plugin.services import lead_pairs, outlook, series
from plugin.services.context import Services
from tests.leads.conftest import plan_body
from tests.support.tables import snapshot

INVITES = Path(__file__).parent.parent / "calendar" / "invites"


def assert_refused(answer, name: str) -> None:
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert (error["code"], error["field"]) == ("not_your_learner", "learner_id")
    assert name in error["message"]


def test_by_default_anyone_may_lead_anyone(client_for, marco, sem, clock):
    # As before the rule existed: even the intern may plan with their praktijkopleider.
    answer = client_for(sem).post("/api/talks", json=plan_body(marco, clock.now() + timedelta(1)))
    assert answer.status_code == 201, answer.json


def test_pairs_allow_the_paired_lead_only(
    services: Services, use_rule, pair, client_for, marco, sem, lisa, clock: FixedClock
):
    use_rule("pairs")
    pair(marco, sem)
    tomorrow = clock.now() + timedelta(days=1)
    assert client_for(marco).post("/api/talks", json=plan_body(sem, tomorrow)).status_code == 201
    before = snapshot(services)
    answer = client_for(lisa).post("/api/talks", json=plan_body(sem, tomorrow))
    assert_refused(answer, "Sem")
    assert "Jij bent niet de begeleider van Sem" in answer.json["error"]["message"]
    assert snapshot(services) == before


@pytest.mark.parametrize("rule", ["pairs"])
def test_an_intern_cannot_plan_a_talk_with_their_praktijkopleider_as_the_learner(
    services: Services, use_rule, pair, client_for, marco, sem, clock: FixedClock, rule: str
):
    use_rule(rule)
    pair(marco, sem)
    before = snapshot(services)
    answer = client_for(sem).post(
        "/api/talks",
        json=plan_body(marco, clock.now() + timedelta(days=1)),
        headers={"Accept-Language": "en"},
    )
    assert_refused(answer, "Marco")
    assert answer.json["error"]["message"] == "You are not Marco's lead. Choose someone you lead."
    assert snapshot(services) == before


def test_from_an_invite_the_rule_holds_too(services: Services, use_rule, client_for, make_person):
    use_rule("pairs")
    marco = make_person(display_name="Marco de Vries", email="marco@installatie.example")
    make_person(display_name="Sem Bakker", email="sem.bakker@installatie.example")
    text = (INVITES / "outlook_desktop.ics").read_text()
    client = client_for(marco)
    preview = client.post("/api/invites/read", json={"ics": text})
    assert preview.status_code == 200, preview.json
    assert (preview.json["candidates"], preview.json["learner_id"]) == ([], None)
    before = snapshot(services)
    answer = client.post("/api/talks/from-invite", json={"ics": text})
    assert_refused(answer, "Sem")
    assert snapshot(services) == before


def test_the_people_list_offers_only_whom_i_may_lead(use_rule, pair, client_for, marco, sem, lisa):
    client = client_for(marco)
    everyone = client.get("/api/people", query_string={"may_lead": "1"}).json
    assert ({p["id"] for p in everyone["people"]}, everyone["restricted"]) == (
        {sem.id, lisa.id},
        False,
    )
    use_rule("pairs")
    pair(marco, sem)
    mine = client.get("/api/people", query_string={"may_lead": "1"}).json
    assert ([p["id"] for p in mine["people"]], mine["restricted"]) == ([sem.id], True)
    # Without the filter, the list is the whole staff (as the share dialog needs it).
    assert len(client.get("/api/people").json["people"]) == 2


def test_a_follow_up_keeps_its_pair_after_the_pair_is_removed(
    services: Services, use_rule, pair, client_for, marco, sem, clock: FixedClock
):
    use_rule("pairs")
    pair(marco, sem)
    lead, learner = client_for(marco), client_for(sem)
    planned = lead.post("/api/talks", json=plan_body(sem, clock.now() + timedelta(days=1)))
    assert planned.status_code == 201, planned.json
    services.write(lambda s: lead_pairs.remove(s, marco.email, sem.email, None))
    clock.set(clock.now() + timedelta(days=1, minutes=5))
    for who in (lead, learner):
        signed = who.sign(planned.json["id"])
        assert signed.status_code == 200, signed.json
    assert signed.json["follow_up"]["status"] == "booked", signed.json["follow_up"]
    follow_up = lead.talk(signed.json["follow_up"]["talk_id"])
    assert (follow_up["lead"]["id"], follow_up["learner"]["id"]) == (marco.id, sem.id)


def test_a_series_and_the_outlook_pane_follow_the_rule(
    services: Services, use_rule, pair, marco, sem, lisa
):
    use_rule("pairs")
    pair(marco, sem)
    attendees = [InvitedPerson(p.email) for p in (sem, lisa)]
    pane = services.read(lambda s: outlook.appointment_view(services, s, marco, None, attendees))
    assert ([c["id"] for c in pane["candidates"]], pane["learner_id"]) == ([sem.id], sem.id)

    before = snapshot(services)
    with pytest.raises(NotYourLearner):
        services.write(
            lambda s: series.make_series(
                services,
                s,
                lisa,
                sem,
                master_id="master-1",
                join_url=None,
                subject="",
                goals=[],
                own_goal="",
                occurrences=[],
            )
        )
    assert snapshot(services) == before
