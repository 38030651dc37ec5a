"""The whole loop of the guide through the API: plan, prepare, agree, confirm, react, sign,
and the follow-up booked in both calendars and both feeds."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from tests.conftest import START


def created(response):
    """The answer of a set-up step, which must have worked for the rest to mean anything."""
    assert response.status_code == 201, response.json
    return response.json


def test_whole_loop_for_lead_and_learner(client_for, lead, learner, clock, services):
    marco, sem = client_for(lead), client_for(learner)

    # 1. Plan: the lead plans a talk with goals.
    starts = START + timedelta(days=2, hours=1)  # Wednesday 10:00 in Amsterdam
    planned = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": starts.isoformat(),
            "duration_minutes": 45,
            "goals": ["goals.learn", "goals.feedback"],
            "own_goal": "Hoe gaat het met het inregelen?",
        },
    )
    assert planned.status_code == 201, planned.json
    talk = planned.json
    talk_id = talk["id"]
    assert talk["status"] == "planned"
    assert talk["my_role"] == "lead"
    assert talk["calendar"]["state"] == "synced"

    # The invite is in both calendars, carrying the checklist and the link.
    window = {"start": START.isoformat(), "end": (START + timedelta(days=7)).isoformat()}
    for who in (marco, sem):
        events = who.get("/api/calendar/events", query_string=window).json["events"]
        assert [e["subject"] for e in events] == [talk["title"]]

    # 2. Prepare: both tick items and add points; each sees the other's shared points.
    saved = sem.put(
        f"/api/talks/{talk_id}/preparation",
        json={
            "ticked": ["goals.wishes", "tips.listen"],
            "points": [
                {"text": "Ik wil meer storingsdienst doen", "shared": True},
                {"text": "Privé: vakantie in mei", "shared": False},
            ],
            "version": 0,
        },
    )
    assert saved.status_code == 200, saved.json
    assert saved.json["mine"]["version"] == 1
    marcos = marco.put(
        f"/api/talks/{talk_id}/preparation",
        json={"ticked": ["goals.learn"], "points": [{"text": "Rapportages op tijd"}], "version": 0},
    )
    assert marcos.status_code == 200, marcos.json
    seen_by_marco = marco.get(f"/api/talks/{talk_id}/preparation").json
    assert [p["text"] for p in seen_by_marco["other"]["points"]] == [
        "Ik wil meer storingsdienst doen"
    ]
    assert seen_by_marco["checklist"]["source"]["url"] == "https://werkpleklerenindetechniek.nl"

    # 3. Talk: agreements during the call.
    clock.set(starts + timedelta(minutes=10))
    due = (starts + timedelta(days=20)).date().isoformat()
    first = created(
        marco.post(
            f"/api/talks/{talk_id}/agreements",
            json={
                "what": "Sem regelt zelfstandig een installatie in",
                "owner": "learner",
                "due": due,
            },
        )
    )
    second = created(
        sem.post(
            f"/api/talks/{talk_id}/agreements",
            json={"what": "Marco plant een dag meelopen", "owner": "lead"},
        )
    )

    # Signing before every agreement is confirmed is refused, naming the agreements.
    early = marco.sign(talk_id)
    assert early.status_code == 409
    assert early.json["error"]["field"] == "agreements"

    # 4. The other participant confirms each wording; the learner reacts.
    confirmed = sem.post(
        f"/api/talks/{talk_id}/agreements/{first['id']}/confirm",
        json={"version": first["version"]},
    )
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["confirmed_by"] == learner.id
    reacted = sem.post(
        f"/api/talks/{talk_id}/agreements/{first['id']}/reaction",
        json={"version": confirmed.json["version"], "reaction": "Goed plan, graag met checklist."},
    )
    assert reacted.status_code == 200, reacted.json
    assert (
        marco.post(
            f"/api/talks/{talk_id}/agreements/{second['id']}/confirm",
            json={"version": second["version"]},
        ).status_code
        == 200
    )

    # 5. Both sign; the form is locked and its hash verifies.
    assert marco.sign(talk_id).json["status"] == "held"
    signed = sem.sign(talk_id).json
    assert signed["status"] == "signed"
    assert {s["role"] for s in signed["signatures"]} == {"lead", "learner"}
    form = marco.get(f"/api/talks/{talk_id}/form").json
    assert form["intact"] is True
    assert len(form["content_hash"]) == 64
    locked = marco.post(f"/api/talks/{talk_id}/agreements", json={"what": "Nog iets"})
    assert locked.status_code == 409
    assert locked.json["error"]["code"] == "locked"

    # The follow-up is booked: before the due date, in working hours, in both calendars.
    follow = signed["follow_up"]
    assert follow["status"] == "booked", follow
    follow_up = marco.get(f"/api/talks/{follow['talk_id']}").json
    assert follow_up["previous_talk_id"] == talk_id
    follow_start = follow_up["starts_at"]
    assert follow_start < due
    for who in (marco, sem):
        overview = who.get("/api/overview").json
        assert follow["talk_id"] in [t["id"] for t in overview["upcoming"]]
        events = who.get(
            "/api/calendar/events",
            query_string={
                "start": START.isoformat(),
                "end": (START + timedelta(days=60)).isoformat(),
            },
        ).json["events"]
        assert any(e["subject"] == follow_up["title"] for e in events)
        feed_url = who.get("/api/me").json["feed_url"]
        feed = Calendar.from_ical(who.get(feed_url.removeprefix("http://og.test")).data)
        summaries = [str(e["SUMMARY"]) for e in feed.walk("VEVENT")]
        assert follow_up["title"] in summaries

    # The open agreements show in the follow-up's preparation, and can be closed there.
    prep = sem.get(f"/api/talks/{follow['talk_id']}/preparation").json
    earlier = {a["what"]: a for a in prep["earlier_agreements"]}
    assert set(earlier) == {
        "Sem regelt zelfstandig een installatie in",
        "Marco plant een dag meelopen",
    }
    item = earlier["Marco plant een dag meelopen"]
    closed = marco.post(
        f"/api/talks/{follow['talk_id']}/earlier-agreements/{item['id']}/status",
        json={"status": "done", "version": item["version"]},
    )
    assert closed.status_code == 200, closed.json
    assert closed.json["closed_in_talk_id"] == follow["talk_id"]
    # Closing from a later talk leaves the signed form intact.
    assert marco.get(f"/api/talks/{talk_id}/form").json["intact"] is True
