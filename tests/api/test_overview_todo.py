"""`GET /api/overview`'s "todo": what I should do now, most urgent first, each with its link.

The talk of these tests is on Tuesday 2 March 2027, 09:00–09:45 in Amsterdam (the clock starts
on Monday 09:00). The rules themselves are tabled in tests/domain/test_todo.py; here they run
through the API, on both databases, with the people and tenants kept apart.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

AMS = ZoneInfo("Europe/Amsterdam")


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


def todo(client: Any) -> list[dict[str, Any]]:
    response = client.get("/api/overview")
    assert response.status_code == 200, response.json
    items: list[dict[str, Any]] = response.json["todo"]
    return items


def pairs(client: Any, *kinds: str) -> list[tuple[str, str]]:
    """The to-dos as (kind, agreement id or talk id), in order; only `kinds` when given."""
    return [
        (item["kind"], item.get("agreement_id", item["talk_id"]))
        for item in todo(client)
        if not kinds or item["kind"] in kinds
    ]


def add(client: Any, talk_id: str, what: str, **extra: Any) -> dict[str, Any]:
    response = client.post(f"/api/talks/{talk_id}/agreements", json={"what": what, **extra})
    assert response.status_code == 201, response.json
    found: dict[str, Any] = response.json
    return found


def confirm(client: Any, talk_id: str, item: dict[str, Any]) -> None:
    response = client.post(
        f"/api/talks/{talk_id}/agreements/{item['id']}/confirm", json={"version": item["version"]}
    )
    assert response.status_code == 200, response.json


def prepare(client: Any, talk_id: str) -> None:
    saved = client.put(
        f"/api/talks/{talk_id}/preparation", json={"ticked": [], "points": [], "version": 0}
    )
    assert saved.status_code == 200, saved.json


def hold_and_sign(marco, sem, clock, talk, *agreements: dict[str, Any]) -> dict[str, Any]:
    """Hold the talk with these agreements (written by Marco, confirmed by Sem); both sign.
    Answers the completed sign-off (its follow-up)."""
    clock.set(talk.starts_at + timedelta(minutes=5))
    for values in agreements:
        confirm(sem, talk.id, add(marco, talk.id, **values))
    clock.set(talk.ends_at + timedelta(minutes=1))
    assert marco.sign(talk.id).status_code == 200
    signed = sem.sign(talk.id)
    assert signed.status_code == 200, signed.json
    done: dict[str, Any] = signed.json
    return done


def agreement_ids(marco, talk_id: str) -> dict[str, str]:
    return {a["what"]: a["id"] for a in marco.talk(talk_id)["agreements"]}


@pytest.fixture
def talk(make_talk, lead, learner):
    return make_talk(lead, learner)


# -- prepare ----------------------------------------------------------------------------------


def test_a_talk_tomorrow_asks_each_for_a_preparation_until_it_is_saved(
    marco, sem, talk, make_talk, lead, learner, clock
):
    make_talk(lead, learner, starts_at=clock.now() + timedelta(days=10))  # too far to ask
    [item] = todo(marco)
    assert item == {
        "kind": "prepare",
        "talk_id": talk.id,
        "title": talk.title,
        "starts_at": talk.starts_at.isoformat(),
        "url": f"/talks/{talk.id}/prepare",
    }
    assert pairs(sem) == [("prepare", talk.id)]

    prepare(marco, talk.id)
    assert todo(marco) == []
    # Sem's preparation is Sem's own.
    assert pairs(sem) == [("prepare", talk.id)]
    prepare(sem, talk.id)
    assert todo(sem) == []


def test_two_working_days_ahead_reach_over_the_weekend(marco, make_talk, lead, learner, clock):
    clock.set(at(3, 5, 15))  # Friday
    tuesday = make_talk(lead, learner, starts_at=at(3, 9, 9))
    wednesday = make_talk(lead, learner, starts_at=at(3, 10, 9))
    assert pairs(marco) == [("prepare", tuesday.id)]
    clock.set(at(3, 6, 12))  # Saturday: still Monday and Tuesday to go
    assert pairs(marco) == [("prepare", tuesday.id)]
    clock.set(at(3, 8, 8))  # Monday
    assert pairs(marco) == [("prepare", tuesday.id), ("prepare", wednesday.id)]


# -- confirm and sign -------------------------------------------------------------------------


def test_confirm_what_the_other_wrote_then_sign(marco, sem, talk, clock):
    for client in (marco, sem):
        prepare(client, talk.id)
    clock.set(talk.starts_at + timedelta(minutes=5))
    item = add(marco, talk.id, "Sem leest de handleiding", owner="learner")
    # Marco's own wording waits for Sem, not for Marco.
    assert todo(marco) == []
    [waiting] = todo(sem)
    assert waiting == {
        "kind": "confirm",
        "talk_id": talk.id,
        "agreement_id": item["id"],
        "title": "Sem leest de handleiding",
        "starts_at": talk.starts_at.isoformat(),
        "url": f"/talks/{talk.id}",
    }
    confirm(sem, talk.id, item)
    assert todo(sem) == []

    # Sem rewords it: now Marco confirms.
    changed = sem.patch(
        f"/api/talks/{talk.id}/agreements/{item['id']}",
        json={"version": item["version"] + 1, "what": "Sem leest hoofdstuk 1 van de handleiding"},
    )
    assert changed.status_code == 200, changed.json
    assert pairs(marco) == [("confirm", item["id"])]
    assert todo(sem) == []

    # After the talk, signing waits for the confirmation: one to-do, not two.
    clock.set(talk.ends_at + timedelta(minutes=1))
    assert pairs(marco) == [("confirm", item["id"])]
    assert pairs(sem) == [("sign", talk.id)]
    confirm(marco, talk.id, changed.json)
    assert todo(marco) == [
        {
            "kind": "sign",
            "talk_id": talk.id,
            "title": talk.title,
            "starts_at": talk.starts_at.isoformat(),
            "url": f"/talks/{talk.id}",
        }
    ]
    assert marco.sign(talk.id).status_code == 200
    assert todo(marco) == []
    assert pairs(sem) == [("sign", talk.id)]
    assert sem.sign(talk.id).status_code == 200
    assert pairs(sem, "sign", "confirm") == []


def test_a_talk_marked_held_asks_for_signatures_before_its_end(marco, sem, talk, clock):
    clock.set(talk.starts_at + timedelta(minutes=10))
    assert pairs(marco, "sign") == []
    held = marco.post(
        f"/api/talks/{talk.id}/held", json={"version": marco.talk(talk.id)["version"]}
    )
    assert held.status_code == 200, held.json
    assert pairs(marco, "sign") == [("sign", talk.id)]
    assert pairs(sem, "sign") == [("sign", talk.id)]


def test_a_cancelled_talk_asks_nothing(marco, sem, talk):
    cancelled = marco.post(
        f"/api/talks/{talk.id}/cancel", json={"version": marco.talk(talk.id)["version"]}
    )
    assert cancelled.status_code == 200, cancelled.json
    assert todo(marco) == todo(sem) == []


# -- agreements due ---------------------------------------------------------------------------


def test_my_agreements_due_soon_then_overdue_each_to_its_owner(marco, sem, talk, clock):
    hold_and_sign(
        marco,
        sem,
        clock,
        talk,
        {"what": "Marco regelt een meeloopdag", "owner": "lead", "due": "2027-03-09"},
        {"what": "Sem leest de handleiding", "owner": "learner", "due": "2027-03-09"},
        {"what": "Samen de planning maken", "owner": "both", "due": "2027-03-16"},
        {"what": "Sem oefent vaker", "owner": "learner"},
    )
    ids = agreement_ids(marco, talk.id)
    # Tuesday 2 March: the 9th is five working days on, the 16th ten.
    assert pairs(marco, "due_soon", "overdue") == [("due_soon", ids["Marco regelt een meeloopdag"])]
    [soon] = [t for t in todo(sem) if t["kind"] == "due_soon"]
    assert soon == {
        "kind": "due_soon",
        "talk_id": talk.id,
        "agreement_id": ids["Sem leest de handleiding"],
        "title": "Sem leest de handleiding",
        "due": "2027-03-09",
        "url": f"/talks/{talk.id}",
    }

    clock.set(at(3, 10, 9))  # Wednesday the 10th
    assert pairs(marco, "due_soon", "overdue") == [
        ("overdue", ids["Marco regelt een meeloopdag"]),
        ("due_soon", ids["Samen de planning maken"]),
    ]
    assert pairs(sem, "due_soon", "overdue") == [
        ("overdue", ids["Sem leest de handleiding"]),
        ("due_soon", ids["Samen de planning maken"]),
    ]


def test_five_working_days_over_the_weekend(marco, sem, talk, clock):
    hold_and_sign(
        marco,
        sem,
        clock,
        talk,
        {"what": "Vrijdag", "owner": "lead", "due": "2027-03-12"},
        {"what": "Maandag", "owner": "lead", "due": "2027-03-15"},
    )
    ids = agreement_ids(marco, talk.id)
    clock.set(at(3, 5, 17))  # Friday: the next Friday is five working days on
    assert pairs(marco, "due_soon") == [("due_soon", ids["Vrijdag"])]
    clock.set(at(3, 6, 12))  # Saturday: counted from Monday on, still the Friday
    assert pairs(marco, "due_soon") == [("due_soon", ids["Vrijdag"])]
    clock.set(at(3, 7, 23))  # Sunday night
    assert pairs(marco, "due_soon") == [("due_soon", ids["Vrijdag"])]
    clock.set(at(3, 8, 0, 30))  # Monday: the Monday after is five working days on
    assert pairs(marco, "due_soon") == [("due_soon", ids["Vrijdag"]), ("due_soon", ids["Maandag"])]


def test_a_closed_agreement_is_no_longer_a_todo(marco, sem, talk, clock):
    signed = hold_and_sign(
        marco,
        sem,
        clock,
        talk,
        {"what": "Marco belt de leverancier", "owner": "lead", "due": "2027-03-03"},
    )
    clock.set(at(3, 4, 9))
    [item] = [t for t in todo(marco) if t["kind"] == "overdue"]
    follow_up = signed["follow_up"]["talk_id"]
    [earlier] = marco.get(f"/api/talks/{follow_up}/preparation").json["earlier_agreements"]
    closed = marco.post(
        f"/api/talks/{follow_up}/earlier-agreements/{item['agreement_id']}/status",
        json={"status": "done", "version": earlier["version"]},
    )
    assert closed.status_code == 200, closed.json
    assert pairs(marco, "overdue", "due_soon") == []


# -- order ------------------------------------------------------------------------------------


def test_most_urgent_first(marco, sem, talk, clock, make_talk, make_person, client_for, lead):
    signed = hold_and_sign(
        marco,
        sem,
        clock,
        talk,
        {"what": "Te laat", "owner": "lead", "due": "2027-03-03"},
        {"what": "Binnenkort", "owner": "both", "due": "2027-03-12"},
    )
    ids = agreement_ids(marco, talk.id)
    follow_up = signed["follow_up"]["talk_id"]
    bo, ilse = make_person(display_name="Bo Stagiair"), make_person(display_name="Ilse Monteur")
    held = make_talk(lead, bo, starts_at=at(3, 8, 9))
    coming = make_talk(lead, ilse, starts_at=at(3, 9, 13))
    clock.set(at(3, 8, 10))  # Monday 8 March, after Bo's talk
    assert pairs(marco) == [
        ("overdue", ids["Te laat"]),
        # The follow-up the sign-off booked (before the 3rd) was never held: sign it, oldest first.
        ("sign", follow_up),
        ("sign", held.id),
        ("prepare", coming.id),
        ("due_soon", ids["Binnenkort"]),
    ]
    assert pairs(client_for(bo)) == [("sign", held.id)]


# -- whose -----------------------------------------------------------------------------------


def test_never_another_persons_or_another_tenants_talks(
    marco, sem, talk, make_person, make_talk, client_for
):
    anna, ben = make_person(display_name="Anna Lead"), make_person(display_name="Ben Learner")
    theirs = make_talk(anna, ben)
    outside_lead = make_person(display_name="Olga Elders", tenant_id="other-tenant")
    outside_learner = make_person(display_name="Oscar Elders", tenant_id="other-tenant")
    outside = make_talk(outside_lead, outside_learner)
    assert pairs(marco) == pairs(sem) == [("prepare", talk.id)]
    assert pairs(client_for(anna)) == [("prepare", theirs.id)]
    assert pairs(client_for(outside_learner)) == [("prepare", outside.id)]


def test_a_school_supervisor_has_no_todos(client_for, make_person):
    supervisor = client_for(make_person(display_name="Bea School", external=True))
    assert todo(supervisor) == []


def test_the_leads_list_holds_each_agreement_once_and_says_whose(
    marco, sem, talk, clock, lead, learner
):
    hold_and_sign(
        marco,
        sem,
        clock,
        talk,
        {"what": "Van Marco", "owner": "lead"},
        {"what": "Van Sem", "owner": "learner"},
        {"what": "Van allebei", "owner": "both"},
    )
    ids = agreement_ids(marco, talk.id)
    lead_lists = marco.get("/api/overview").json["open_agreements"]
    learner_lists = sem.get("/api/overview").json["open_agreements"]
    assert [a["id"] for a in lead_lists["mine"]] == [ids["Van Marco"], ids["Van allebei"]]
    [learners] = lead_lists["my_learners"]
    assert learners["id"] == ids["Van Sem"]
    assert learners["owner"] == "learner"
    assert learners["learner"] == {"id": learner.id, "name": "Sem Learner"}
    assert [a["id"] for a in learner_lists["mine"]] == [ids["Van Sem"], ids["Van allebei"]]
    assert learner_lists["my_learners"] == []
    # A shared agreement names both, so each side can say who they keep it with.
    shared = next(a for a in learner_lists["mine"] if a["owner"] == "both")
    assert shared["lead"] == {"id": lead.id, "name": "Marco Lead"}
    assert shared["learner"] == {"id": learner.id, "name": "Sem Learner"}
