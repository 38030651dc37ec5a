"""The talk companion over the API: the agenda both see live, notes written during the talk and
kept on the form, each person's own goal, earlier agreements closed or kept with a note by the
right person, private feedback drafts, folded hints, and the guidance checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest


def ok(response: Any) -> Any:
    assert 200 <= response.status_code < 300, (response.status_code, response.json)
    return response.json


def items(client: Any, talk_id: str) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in client.talk(talk_id)["agenda"]["items"]}


@pytest.fixture
def talk(make_talk, lead, learner, clock):
    made = make_talk(lead, learner, goals=["goals.learn", "goals.feedback", "goals.own"])
    clock.set(made.starts_at + timedelta(minutes=5))
    return made


def test_the_agenda_holds_goals_own_goals_and_shared_points_for_both(marco, sem, talk):
    ok(marco.put(f"/api/talks/{talk.id}/own-goal", json={"text": "Sem zelfstandiger maken"}))
    ok(sem.put(f"/api/talks/{talk.id}/own-goal", json={"text": "Ik wil leren solderen"}))
    ok(
        sem.put(
            f"/api/talks/{talk.id}/preparation",
            json={
                "version": 0,
                "points": [
                    {"text": "Meer storingen zelf doen", "shared": True},
                    {"text": "Alleen voor mij", "shared": False},
                ],
            },
        )
    )
    seen_by_marco = marco.talk(talk.id)["agenda"]
    assert seen_by_marco == sem.talk(talk.id)["agenda"]
    kinds = [(i["kind"], i["text"]) for i in seen_by_marco["items"]]
    # The free-text goal is the own goals, not an item of its own.
    assert kinds == [
        ("goal", "goals.learn"),
        ("goal", "goals.feedback"),
        ("own_goal", "Sem zelfstandiger maken"),
        ("own_goal", "Ik wil leren solderen"),
        ("point", "Meer storingen zelf doen"),
    ]
    assert seen_by_marco["left"] == 5
    detail = marco.talk(talk.id)
    assert detail["own_goal"] == "Sem zelfstandiger maken"
    assert detail["learner_goal"] == "Ik wil leren solderen"


def test_a_point_shared_in_the_preparation_changes_the_live_etag(marco, sem, talk):
    first = marco.get(f"/api/talks/{talk.id}/live")
    etag = first.headers["ETag"]
    ok(
        sem.put(
            f"/api/talks/{talk.id}/preparation",
            json={"version": 0, "points": [{"text": "Gereedschap", "shared": True}]},
        )
    )
    again = marco.get(f"/api/talks/{talk.id}/live", headers={"If-None-Match": etag})
    assert again.status_code == 200
    assert "point" in [i["kind"] for i in again.json["agenda"]["items"]]


def test_a_note_is_shared_versioned_and_on_the_signed_form(marco, sem, talk):
    url = f"/api/talks/{talk.id}/agenda/goal:goals.learn"
    answer = ok(sem.put(url, json={"version": 0, "discussed": True, "note": "Solderen gaat goed"}))
    # The answer is the talk as it is now: the writer's next poll is a 304.
    assert answer["agenda"]["left"] == 1
    mine = items(marco, talk.id)["goal:goals.learn"]
    assert (mine["discussed"], mine["note"], mine["version"]) == (True, "Solderen gaat goed", 1)
    stale = marco.put(url, json={"version": 0, "discussed": True, "note": "Over"})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale"
    # The refusal carries the talk as it is, with Sem's note: the page shows both.
    now = {i["key"]: i for i in stale.json["error"]["current"]["agenda"]["items"]}
    assert (now["goal:goals.learn"]["note"], now["goal:goals.learn"]["version"]) == (
        "Solderen gaat goed",
        1,
    )
    ok(marco.put(url, json={"version": 1, "discussed": True, "note": "Solderen gaat heel goed"}))
    ok(marco.sign(talk.id))
    signed = ok(sem.sign(talk.id))
    form = ok(marco.get(f"/api/talks/{talk.id}/form"))
    assert signed["status"] == "signed"
    assert form["form"]["summary"] == [
        {"key": "goal:goals.learn", "label": "goals.learn", "note": "Solderen gaat heel goed"}
    ]
    assert form["intact"] is True


def test_a_changed_note_asks_both_to_sign_again(marco, sem, talk):
    ok(marco.sign(talk.id))
    assert marco.talk(talk.id)["signatures"]
    url = f"/api/talks/{talk.id}/agenda/goal:goals.learn"
    ok(sem.put(url, json={"version": 0, "discussed": True, "note": "Nog een ding"}))
    assert marco.talk(talk.id)["signatures"] == []


def test_a_note_too_long_or_off_the_agenda_is_refused_and_nothing_saved(marco, talk):
    too_long = marco.put(
        f"/api/talks/{talk.id}/agenda/goal:goals.learn",
        json={"version": 0, "discussed": True, "note": "x" * 1001},
    )
    assert too_long.status_code == 422
    assert too_long.json["error"]["field"] == "note"
    assert "1000" in too_long.json["error"]["message"]
    off = marco.put(
        f"/api/talks/{talk.id}/agenda/goal:goals.wishes",
        json={"version": 0, "discussed": True, "note": ""},
    )
    assert off.status_code == 422 and off.json["error"]["field"] == "key"
    assert not any(i["discussed"] for i in items(marco, talk.id).values())


def test_a_stranger_sees_no_agenda_and_cannot_note_it(client_for, make_person, talk):
    stranger = client_for(make_person(display_name="Eva Anders"))
    url = f"/api/talks/{talk.id}/agenda/goal:goals.learn"
    assert stranger.put(url, json={"version": 0, "discussed": True}).status_code == 404
    assert stranger.get(f"/api/talks/{talk.id}").status_code == 404


def test_nobody_signed_in_gets_401_before_any_check(app, talk):
    client = app.test_client()
    for method, url, body in [
        ("PUT", f"/api/talks/{talk.id}/agenda/goal:goals.learn", {"bad": 1}),
        ("PUT", f"/api/talks/{talk.id}/own-goal", {}),
        ("POST", f"/api/talks/{talk.id}/feedback", {}),
        ("PUT", "/api/me/hints", {"folded": "nope"}),
        ("POST", "/api/guidance/question", {}),
        ("POST", "/api/guidance/agreement", {}),
    ]:
        answer = client.open(url, method=method, json=body)
        assert answer.status_code == 401, (url, answer.json)


# -- earlier agreements on the agenda: closed by their owner or the lead -----------------------


def _signed_with(marco: Any, sem: Any, talk: Any, owner: str) -> tuple[str, str]:
    made = ok(marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "X", "owner": owner}))
    ok(sem.post(f"/api/talks/{talk.id}/agreements/{made['id']}/confirm", json={"version": 1}))
    ok(marco.sign(talk.id))
    later = ok(sem.sign(talk.id))["follow_up"]["talk_id"]
    assert later
    return later, made["id"]


def test_the_learner_cannot_close_the_leads_agreement_the_lead_can(marco, sem, talk):
    later, agreement_id = _signed_with(marco, sem, talk, "lead")
    item = items(sem, later)[f"earlier:{agreement_id}"]
    url = f"/api/talks/{later}/earlier-agreements/{agreement_id}/status"
    version = item["agreement"]["version"]
    refused = sem.post(url, json={"status": "done", "version": version})
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "owner_or_lead"
    done = ok(marco.post(url, json={"status": "done", "version": version, "note": "Gedaan"}))
    assert (done["status"], done["close_note"]) == ("done", "Gedaan")
    # Still on this talk's agenda, now closed, for both.
    seen = items(sem, later)[f"earlier:{agreement_id}"]["agreement"]
    assert (seen["status"], seen["close_note"]) == ("done", "Gedaan")


def test_the_learner_keeps_their_own_agreement_open_with_a_note(marco, sem, talk):
    later, agreement_id = _signed_with(marco, sem, talk, "learner")
    item = items(sem, later)[f"earlier:{agreement_id}"]
    url = f"/api/talks/{later}/earlier-agreements/{agreement_id}/status"
    kept = ok(
        sem.post(
            url,
            json={"status": "open", "version": item["agreement"]["version"], "note": "Loopt nog"},
        )
    )
    assert (kept["status"], kept["close_note"]) == ("open", "Loopt nog")


def test_a_learner_cannot_reword_then_strike_the_leads_agreement(marco, sem, talk):
    made = ok(marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "Cursus NEN 3140"}))
    base = f"/api/talks/{talk.id}/agreements/{made['id']}"
    edited = ok(sem.patch(base, json={"version": made["version"], "what": "Niks"}))
    answer = ok(sem.delete(base, query_string={"version": edited["version"]}))
    assert "removal_requested" in answer
    assert [a["id"] for a in marco.talk(talk.id)["agreements"]] == [made["id"]]


# -- private feedback drafts ------------------------------------------------------------------


def test_a_feedback_draft_is_private_to_its_writer(marco, sem, talk):
    url = f"/api/talks/{talk.id}/feedback"
    made = marco.post(url, json={"steps": {"positive": "Je bus is netjes", "behaviour": "Ik zag"}})
    assert made.status_code == 201, made.json
    draft = made.json
    assert ok(marco.get(url))["drafts"] == [draft]
    assert ok(sem.get(url))["drafts"] == []
    assert "Je bus is netjes" not in str(sem.talk(talk.id))
    assert "Je bus is netjes" not in str(marco.talk(talk.id))
    other = sem.patch(f"{url}/{draft['id']}", json={"version": draft["version"], "said": True})
    assert other.status_code == 404
    assert sem.delete(f"{url}/{draft['id']}").status_code == 404
    said = ok(marco.patch(f"{url}/{draft['id']}", json={"version": draft["version"], "said": True}))
    assert said["said"] is True and said["steps"]["positive"] == "Je bus is netjes"
    ok(marco.delete(f"{url}/{draft['id']}"))
    assert ok(marco.get(url))["drafts"] == []


def test_a_draft_turned_into_an_agreement_remembers_it(marco, talk):
    url = f"/api/talks/{talk.id}/feedback"
    draft = ok(marco.post(url, json={"steps": {"suggestion": "Elke dag de bus opruimen"}}))
    made = ok(
        marco.post(
            f"/api/talks/{talk.id}/agreements", json={"what": "Elke dag om 16:00 de bus opruimen"}
        )
    )
    linked = ok(
        marco.patch(
            f"{url}/{draft['id']}",
            json={"version": draft["version"], "said": True, "agreement_id": made["id"]},
        )
    )
    assert linked["agreement_id"] == made["id"]
    wrong = marco.patch(
        f"{url}/{draft['id']}", json={"version": linked["version"], "agreement_id": "nope"}
    )
    assert wrong.status_code == 404


def test_an_empty_or_oversized_draft_is_refused(marco, talk):
    url = f"/api/talks/{talk.id}/feedback"
    empty = marco.post(url, json={"steps": {}})
    assert empty.status_code == 422 and empty.json["error"]["field"] == "steps"
    big = marco.post(url, json={"steps": {"effect": "x" * 1001}})
    assert big.status_code == 422 and big.json["error"]["field"] == "steps.effect"
    assert ok(marco.get(url))["drafts"] == []


# -- folded hints -----------------------------------------------------------------------------


def test_folded_hints_are_remembered_per_person(marco, sem):
    folded = ok(marco.put("/api/me/hints", json={"folded": ["feedback", "questions"]}))
    assert folded["folded_hints"] == ["questions", "feedback"]
    assert ok(marco.get("/api/me"))["folded_hints"] == ["questions", "feedback"]
    assert ok(sem.get("/api/me"))["folded_hints"] == []
    unknown = marco.put("/api/me/hints", json={"folded": ["everything"]})
    assert unknown.status_code == 422 and unknown.json["error"]["field"] == "folded"
    assert ok(marco.get("/api/me"))["folded_hints"] == ["questions", "feedback"]


# -- guidance ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "text", "is_open", "suggested"),
    [
        ("nl", "Ging het goed op de bouw?", False, True),
        ("nl", "Hoe ging het op de bouw?", True, False),
        ("en", "Did you like the job?", False, True),
        ("en", "What did you like about the job?", True, False),
    ],
)
def test_the_question_check(marco, lang, text, is_open, suggested):
    answer = ok(marco.post("/api/guidance/question", json={"text": text, "lang": lang}))
    assert answer["open"] is is_open
    assert bool(answer["suggestion"]) is suggested
    assert answer["message"]


def test_the_question_check_speaks_the_language_asked(marco):
    nl = ok(marco.post("/api/guidance/question", json={"text": "Ben je klaar?", "lang": "nl"}))
    en = ok(marco.post("/api/guidance/question", json={"text": "Are you done?", "lang": "en"}))
    assert nl["message"] != en["message"]
    assert "ja" in nl["message"].lower() and "yes" in en["message"].lower()


def test_the_agreement_check(marco):
    vague = ok(
        marco.post("/api/guidance/agreement", json={"what": "Beter je best doen", "lang": "nl"})
    )
    assert "action" in vague["missing"] and "due" in vague["missing"]
    assert all(h["message"] for h in vague["hints"])
    concrete = ok(
        marco.post(
            "/api/guidance/agreement",
            json={
                "what": "Sem zoekt elke storing eerst zelf op met de storingstabel; "
                "Marco kijkt het na",
                "owner": "learner",
                "due": "2027-04-01",
                "lang": "nl",
            },
        )
    )
    assert concrete["missing"] == []


def test_the_agreement_check_names_a_bad_field(marco):
    answer = marco.post("/api/guidance/agreement", json={"what": "X", "owner": "everyone"})
    assert answer.status_code == 422
    assert answer.json["error"]["details"][0]["field"] == "owner"


def test_the_guidance_routes_are_in_the_openapi_document(app):
    paths = app.test_client().get("/api/openapi.json").json["paths"]
    for path in ("/api/guidance/question", "/api/guidance/agreement"):
        assert "post" in paths[path]


def test_the_feedback_check_gives_hints_per_step_and_never_blocks(marco):
    answer = ok(
        marco.post(
            "/api/guidance/feedback",
            json={
                "lang": "nl",
                "steps": {
                    "positive": "Je bus is netjes opgeruimd.",
                    "behaviour": "Je bent altijd zo slordig.",
                    "effect": "",
                    "suggestion": "Beter je best doen",
                },
            },
        )
    )
    codes = {(h["step"], h["code"]) for h in answer["hints"]}
    assert ("behaviour", "judgement") in codes
    assert ("behaviour", "always_never") in codes
    assert ("effect", "empty_step") in codes
    assert ("suggestion", "vague_agreement") in codes
    assert all(h["message"] for h in answer["hints"])
