"""Every endpoint of the JSON API, on its happy path (and the rules closest to it)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from openapi_spec_validator import validate

from tests.conftest import BASE_URL, START

WEEK = {"start": START.isoformat(), "end": (START + timedelta(days=7)).isoformat()}


def events_of(client, start=START, days=60):
    window = {"start": start.isoformat(), "end": (start + timedelta(days=days)).isoformat()}
    response = client.get("/api/calendar/events", query_string=window)
    assert response.status_code == 200, response.json
    return response.json["events"]


@pytest.fixture
def talk(make_talk, lead, learner):
    return make_talk(lead, learner)


def start_talk(clock, talk):
    clock.set(talk.starts_at + timedelta(minutes=5))


def add(client, talk_id, what="Sem oefent met inregelen", **extra):
    response = client.post(f"/api/talks/{talk_id}/agreements", json={"what": what, **extra})
    assert response.status_code == 201, response.json
    return response.json


def sign_both(marco, sem, talk_id):
    assert marco.sign(talk_id).status_code == 200
    signed = sem.sign(talk_id)
    assert signed.status_code == 200, signed.json
    return signed.json


# -- me ---------------------------------------------------------------------------------------


def test_me_tells_who_i_am_with_csrf_and_feed(marco, lead):
    me = marco.get("/api/me").json
    assert me["id"] == lead.id
    assert me["name"] == "Marco Lead"
    assert me["email"] == lead.email
    assert me["job_title"] == "Praktijkopleider"
    assert me["external"] is False
    assert me["tenant_id"] == lead.tenant_id
    assert me["csrf_token"] == marco.csrf
    assert me["feed_url"].startswith(f"{BASE_URL}/feeds/{lead.id}/")
    assert me["language"] == "nl"


def test_renewing_the_feed_revokes_the_old_url(marco):
    old = marco.get("/api/me").json["feed_url"]
    assert marco.get(old.removeprefix(BASE_URL)).status_code == 200
    renewed = marco.post("/api/me/feed/renew")
    assert renewed.status_code == 200, renewed.json
    new = renewed.json["feed_url"]
    assert new != old
    assert marco.get(old.removeprefix(BASE_URL)).status_code == 404
    feed = marco.get(new.removeprefix(BASE_URL))
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert marco.get("/api/me").json["feed_url"] == new


def test_signout_ends_the_session(marco):
    response = marco.post("/api/signout")
    assert response.status_code == 200
    assert response.json == {"signed_out": True}
    after = marco.get("/api/me")
    assert after.status_code == 401
    assert after.json["error"]["code"] == "unauthenticated"


def test_people_lists_colleagues_but_not_me_and_supervisors_apart(
    marco, lead, learner, make_person
):
    other = make_person(display_name="Anna Collega")
    supervisor = make_person(display_name="Bea School", external=True)
    body = marco.get("/api/people").json
    people = {p["id"]: p for p in body["people"]}
    assert lead.id not in people
    assert set(people) == {learner.id, other.id}
    assert people[learner.id]["name"] == "Sem Learner"
    assert [p["id"] for p in body["supervisors"]] == [supervisor.id]
    assert body["supervisors"][0]["external"] is True


def test_checklist_is_dutch_by_default_and_english_on_request(marco):
    dutch = marco.get("/api/checklist").json
    assert dutch["lang"] == "nl"
    assert dutch["sections"] and dutch["sections"][0]["items"]
    assert dutch["source"]["url"] == "https://werkpleklerenindetechniek.nl"
    by_query = marco.get("/api/checklist?lang=en").json
    assert by_query["lang"] == "en"
    assert by_query["name"] != dutch["name"]
    assert [s["id"] for s in by_query["sections"]] == [s["id"] for s in dutch["sections"]]
    assert by_query["sections"][0]["title"] != dutch["sections"][0]["title"]


def test_checklist_follows_accept_language(client_for, make_person):
    client = client_for(make_person())
    english = client.get("/api/checklist", headers={"Accept-Language": "en-GB,en;q=0.9"}).json
    dutch = client.get("/api/checklist", headers={"Accept-Language": "nl"}).json
    assert english["lang"] == "en"
    assert dutch["lang"] == "nl"
    assert english["name"] != dutch["name"]


def test_overview_shows_upcoming_open_agreements_and_tracks(marco, sem, lead, learner, talk, clock):
    before = marco.get("/api/overview").json
    assert [t["id"] for t in before["upcoming"]] == [talk.id]
    assert before["me"]["id"] == lead.id
    start_talk(clock, talk)
    mine = add(marco, talk.id, "Marco regelt een meeloopdag", owner="lead")
    theirs = add(marco, talk.id, "Sem leest de handleiding", owner="learner")
    # Open agreements count once the form is signed.
    assert marco.get("/api/overview").json["open_agreements"]["mine"] == []
    for item in (mine, theirs):
        sem.post(f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1})
    follow_up_id = sign_both(marco, sem, talk.id)["follow_up"]["talk_id"]

    lead_view = marco.get("/api/overview").json
    assert [t["id"] for t in lead_view["upcoming"]] == [follow_up_id]
    assert [a["id"] for a in lead_view["open_agreements"]["mine"]] == [mine["id"]]
    # Each agreement once: the lead's own is not repeated among the learner's.
    assert [a["id"] for a in lead_view["open_agreements"]["my_learners"]] == [theirs["id"]]
    assert lead_view["open_agreements"]["my_learners"][0]["learner"]["id"] == learner.id
    [track] = lead_view["tracks"]
    assert track["my_role"] == "lead"
    assert track["learner"]["name"] == "Sem Learner"
    assert {t["id"] for t in track["talks"]} == {talk.id, follow_up_id}
    assert lead_view["shared_with_me"] == []

    learner_view = sem.get("/api/overview").json
    assert [a["id"] for a in learner_view["open_agreements"]["mine"]] == [theirs["id"]]
    assert learner_view["open_agreements"]["my_learners"] == []
    assert learner_view["tracks"][0]["my_role"] == "learner"


# -- talks ------------------------------------------------------------------------------------


def test_list_talks_shows_my_talks_with_my_role(marco, sem, talk, make_person, make_talk, lead):
    make_talk(lead, make_person(display_name="Iemand Anders"))
    lead_talks = marco.get("/api/talks").json["talks"]
    assert len(lead_talks) == 2
    assert {t["my_role"] for t in lead_talks} == {"lead"}
    [only] = sem.get("/api/talks").json["talks"]
    assert only["id"] == talk.id
    assert only["my_role"] == "learner"
    assert only["lead"]["name"] == "Marco Lead"
    assert only["status"] == "planned"


def test_plan_talk_creates_it_and_invites_both(marco, sem, learner):
    starts = START + timedelta(days=1, hours=2)
    response = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": starts.isoformat(),
            "duration_minutes": 30,
            "title": "Kwartaalgesprek",
            "goals": ["goals.learn"],
            "own_goal": "Stand van zaken",
        },
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["title"] == "Kwartaalgesprek"
    assert datetime.fromisoformat(body["starts_at"]) == starts
    assert datetime.fromisoformat(body["ends_at"]) == starts + timedelta(minutes=30)
    assert body["goals"] == ["goals.learn"]
    assert body["own_goal"] == "Stand van zaken"
    assert body["learner"]["id"] == learner.id
    assert body["read_only"] is False
    assert body["calendar"]["state"] == "synced"
    assert body["shared_with"] == []
    assert body["urls"]["ics"] == f"/api/talks/{body['id']}/event.ics"
    for who in (marco, sem):
        [event] = events_of(who, days=7)
        assert event["subject"] == "Kwartaalgesprek"
        assert event["ical_uid"] == body["calendar"]["ical_uid"]
    assert sem.get(f"/api/talks/{body['id']}").json["my_role"] == "learner"


def test_get_talk_shows_detail_to_participants_only(marco, sem, talk, client_for, make_person):
    detail = sem.get(f"/api/talks/{talk.id}").json
    assert detail["id"] == talk.id
    assert detail["my_role"] == "learner"
    assert detail["agreements"] == []
    assert "shared_with" not in detail  # only the lead sees the shares
    assert "shared_with" in marco.get(f"/api/talks/{talk.id}").json
    stranger = client_for(make_person())
    assert stranger.get(f"/api/talks/{talk.id}").status_code == 404


def test_patch_talk_moves_the_event(marco, sem, talk):
    new_start = talk.starts_at + timedelta(days=2)
    response = marco.patch(
        f"/api/talks/{talk.id}",
        json={"starts_at": new_start.isoformat(), "version": marco.talk(talk.id)["version"]},
    )
    assert response.status_code == 200, response.json
    assert datetime.fromisoformat(response.json["starts_at"]) == new_start
    assert datetime.fromisoformat(response.json["ends_at"]) == new_start + timedelta(minutes=45)
    for who in (marco, sem):
        [event] = events_of(who, days=14)
        assert datetime.fromisoformat(event["start"]) == new_start
        assert event["cancelled"] is False


def test_patch_talk_retitles_and_changes_goals(marco, sem, talk):
    response = marco.patch(
        f"/api/talks/{talk.id}",
        json={
            "title": "Nieuwe titel",
            "goals": ["goals.feedback"],
            "own_goal": "Veiligheid",
            "version": marco.talk(talk.id)["version"],
        },
    )
    assert response.status_code == 200, response.json
    assert response.json["title"] == "Nieuwe titel"
    assert response.json["goals"] == ["goals.feedback"]
    assert response.json["own_goal"] == "Veiligheid"
    [event] = events_of(sem, days=7)
    assert event["subject"] == "Nieuwe titel"
    # The learner may not change the talk.
    refused = sem.patch(
        f"/api/talks/{talk.id}",
        json={"title": "Mijn titel", "version": sem.talk(talk.id)["version"]},
    )
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "lead_only"
    assert marco.get(f"/api/talks/{talk.id}").json["title"] == "Nieuwe titel"


def test_cancel_talk_cancels_the_event(marco, sem, talk):
    refused = sem.post(
        f"/api/talks/{talk.id}/cancel", json={"version": sem.talk(talk.id)["version"]}
    )
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "lead_only"
    assert sem.get(f"/api/talks/{talk.id}").json["status"] == "planned"

    response = marco.post(
        f"/api/talks/{talk.id}/cancel", json={"version": marco.talk(talk.id)["version"]}
    )
    assert response.status_code == 200, response.json
    assert response.json["status"] == "cancelled"
    for who in (marco, sem):
        [event] = events_of(who, days=7)
        assert event["cancelled"] is True
    assert marco.get("/api/overview").json["upcoming"] == []


def test_mark_held_only_after_the_start(marco, sem, talk, clock):
    early = sem.post(f"/api/talks/{talk.id}/held", json={"version": sem.talk(talk.id)["version"]})
    assert early.status_code == 409
    assert early.json["error"]["code"] == "not_started"
    assert early.json["error"]["field"] == "starts_at"
    assert sem.get(f"/api/talks/{talk.id}").json["status"] == "planned"
    start_talk(clock, talk)
    held = sem.post(f"/api/talks/{talk.id}/held", json={"version": sem.talk(talk.id)["version"]})
    assert held.status_code == 200, held.json
    assert held.json["status"] == "held"
    assert marco.get(f"/api/talks/{talk.id}").json["status"] == "held"


def test_event_ics_downloads_the_talk(marco, talk):
    detail = marco.get(f"/api/talks/{talk.id}").json
    response = marco.get(f"/api/talks/{talk.id}/event.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment; filename=")
    assert disposition.endswith(f'-{talk.starts_at.date().isoformat()}.ics"')
    [event] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(event["UID"]) == detail["calendar"]["ical_uid"]
    assert str(event["SUMMARY"]) == detail["title"]
    assert event["DTSTART"].dt == talk.starts_at


# -- preparation ------------------------------------------------------------------------------


def test_preparation_is_versioned_and_shares_only_shared_points(marco, sem, talk, lead):
    empty = sem.get(f"/api/talks/{talk.id}/preparation").json
    assert empty["mine"] == {"ticked": [], "points": [], "version": 0}
    assert empty["other"]["id"] == lead.id
    assert empty["goals"] == ["goals.learn"]
    assert empty["checklist"]["lang"] == "nl"

    first = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={
            "ticked": ["goals.wishes"],
            "points": [
                {"text": "Meer storingen", "shared": True},
                {"text": "Privé", "shared": False},
            ],
            "version": 0,
        },
    )
    assert first.status_code == 200, first.json
    assert first.json["mine"]["version"] == 1
    assert first.json["mine"]["ticked"] == ["goals.wishes"]
    second = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={"ticked": ["goals.wishes", "tips.listen"], "points": [], "version": 1},
    )
    assert second.json["mine"]["version"] == 2

    stale = sem.put(
        f"/api/talks/{talk.id}/preparation", json={"ticked": [], "points": [], "version": 1}
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale"
    # The answer carries what is saved now (another tab's save), so nothing is lost.
    assert stale.json["error"]["current"]["mine"]["version"] == 2
    assert stale.json["error"]["current"]["mine"]["ticked"] == ["goals.wishes", "tips.listen"]
    unknown = sem.put(
        f"/api/talks/{talk.id}/preparation", json={"ticked": ["nope.nothing"], "version": 2}
    )
    assert unknown.status_code == 422
    assert unknown.json["error"]["field"] == "ticked"
    kept = sem.get(f"/api/talks/{talk.id}/preparation").json["mine"]
    assert kept["ticked"] == ["goals.wishes", "tips.listen"]
    assert kept["version"] == 2

    sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={"points": [{"text": "Gedeeld"}, {"text": "Niet", "shared": False}], "version": 2},
    )
    seen = marco.get(f"/api/talks/{talk.id}/preparation").json
    assert [p["text"] for p in seen["other"]["points"]] == ["Gedeeld"]
    assert seen["other"]["name"] == "Sem Learner"


def test_close_and_reopen_an_earlier_agreement(marco, sem, talk, clock, make_talk, lead, learner):
    start_talk(clock, talk)
    item = add(marco, talk.id, "Sem maakt een planning", owner="learner")
    sem.post(f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1})
    signed = sign_both(marco, sem, talk.id)
    later_id = signed["follow_up"]["talk_id"]
    assert later_id

    [earlier] = marco.get(f"/api/talks/{later_id}/preparation").json["earlier_agreements"]
    assert earlier["id"] == item["id"]
    assert earlier["talk"]["id"] == talk.id
    done = sem.post(
        f"/api/talks/{later_id}/earlier-agreements/{item['id']}/status",
        json={"status": "done", "version": earlier["version"]},
    )
    assert done.status_code == 200, done.json
    assert done.json["status"] == "done"
    assert done.json["closed_in_talk_id"] == later_id
    assert marco.get("/api/overview").json["open_agreements"]["my_learners"] == []
    stale = sem.post(
        f"/api/talks/{later_id}/earlier-agreements/{item['id']}/status",
        json={"status": "open", "version": earlier["version"]},
    )
    assert stale.status_code == 409
    assert stale.json["error"]["current"]["status"] == "done"
    assert marco.get(f"/api/talks/{talk.id}/form").json["intact"] is True


# -- agreements -------------------------------------------------------------------------------


def test_add_agreement_records_author_and_fields(marco, talk, clock, lead):
    start_talk(clock, talk)
    due = (talk.starts_at + timedelta(days=14)).date().isoformat()
    item = add(marco, talk.id, "  Sem plant een cursus  ", owner="learner", due=due)
    assert item["what"] == "Sem plant een cursus"
    assert item["owner"] == "learner"
    assert item["due"] == due
    assert item["author_id"] == lead.id
    assert item["confirmed"] is False
    assert item["status"] == "open"
    assert item["version"] == 1
    assert item["position"] == 1
    assert [a["id"] for a in marco.get(f"/api/talks/{talk.id}").json["agreements"]] == [item["id"]]


def test_edit_agreement_resets_confirmation_and_refuses_stale_versions(
    marco, sem, talk, clock, learner
):
    start_talk(clock, talk)
    item = add(marco, talk.id, "Eerste versie")
    confirmed = sem.post(
        f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1}
    ).json
    assert confirmed["confirmed"] is True
    assert confirmed["version"] == 2

    edited = sem.patch(
        f"/api/talks/{talk.id}/agreements/{item['id']}",
        json={"version": 2, "what": "Tweede versie", "owner": "lead"},
    )
    assert edited.status_code == 200, edited.json
    assert edited.json["what"] == "Tweede versie"
    assert edited.json["owner"] == "lead"
    assert edited.json["confirmed"] is False
    assert edited.json["confirmed_by"] is None
    assert edited.json["author_id"] == learner.id
    assert edited.json["version"] == 3

    stale = marco.patch(
        f"/api/talks/{talk.id}/agreements/{item['id']}", json={"version": 2, "what": "Oud"}
    )
    assert stale.status_code == 409
    assert stale.json["error"]["code"] == "stale"
    assert stale.json["error"]["current"]["what"] == "Tweede versie"
    assert stale.json["error"]["current"]["version"] == 3


def test_confirm_is_for_the_other_participant(marco, sem, talk, clock, learner):
    start_talk(clock, talk)
    item = add(marco, talk.id)
    own = marco.post(f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1})
    assert own.status_code == 403
    assert own.json["error"]["code"] == "confirm_own_wording"
    assert marco.get(f"/api/talks/{talk.id}").json["agreements"][0]["confirmed"] is False
    ok = sem.post(f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1})
    assert ok.status_code == 200
    assert ok.json["confirmed_by"] == learner.id
    assert ok.json["confirmed_at"] is not None


def test_only_the_learner_reacts(marco, sem, talk, clock):
    start_talk(clock, talk)
    item = add(marco, talk.id)
    refused = marco.post(
        f"/api/talks/{talk.id}/agreements/{item['id']}/reaction",
        json={"version": 1, "reaction": "Van de lead"},
    )
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "learner_only"
    reacted = sem.post(
        f"/api/talks/{talk.id}/agreements/{item['id']}/reaction",
        json={"version": 1, "reaction": "Prima, doe ik."},
    )
    assert reacted.status_code == 200, reacted.json
    assert reacted.json["reaction"] == "Prima, doe ik."
    assert reacted.json["version"] == 2
    assert marco.get(f"/api/talks/{talk.id}").json["agreements"][0]["reaction"] == "Prima, doe ik."


def test_delete_agreement_needs_the_version(marco, talk, clock):
    start_talk(clock, talk)
    item = add(marco, talk.id)
    url = f"/api/talks/{talk.id}/agreements/{item['id']}"
    missing = marco.delete(url)
    assert missing.status_code == 422
    assert missing.json["error"]["field"] == "version"
    stale = marco.delete(url, query_string={"version": 7})
    assert stale.status_code == 409
    assert stale.json["error"]["current"]["id"] == item["id"]
    assert len(marco.get(f"/api/talks/{talk.id}").json["agreements"]) == 1
    removed = marco.delete(url, query_string={"version": 1})
    assert removed.status_code == 200
    assert removed.json == {"removed": item["id"]}
    assert marco.get(f"/api/talks/{talk.id}").json["agreements"] == []


# -- sign-off, form, follow-up ----------------------------------------------------------------


def test_sign_locks_the_form_and_books_the_follow_up(marco, sem, talk, clock, lead, learner):
    start_talk(clock, talk)
    item = add(marco, talk.id)
    sem.post(f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": 1})
    first = marco.sign(talk.id)
    assert first.status_code == 200
    assert first.json["status"] == "held"
    assert [s["role"] for s in first.json["signatures"]] == ["lead"]
    unsigned_form = marco.get(f"/api/talks/{talk.id}/form").json
    assert unsigned_form == {
        "talk_id": talk.id,
        "signed": False,
        "form": None,
        "content_hash": None,
        "intact": None,
    }

    signed = sem.sign(talk.id).json
    assert signed["status"] == "signed"
    assert {s["person_id"] for s in signed["signatures"]} == {lead.id, learner.id}
    assert signed["follow_up"]["status"] == "booked"

    form = sem.get(f"/api/talks/{talk.id}/form").json
    assert form["signed"] is True
    assert form["intact"] is True
    assert form["content_hash"] == signed["content_hash"]
    assert [a["what"] for a in form["form"]["agreements"]] == [item["what"]]
    assert form["form"]["lead"]["name"] == "Marco Lead"

    follow = marco.get(f"/api/talks/{talk.id}/follow-up").json
    assert follow["status"] == "booked"
    assert follow["talk_id"] == signed["follow_up"]["talk_id"]
    assert follow["options"] == []
    again = marco.post(
        f"/api/talks/{talk.id}/follow-up", json={"version": marco.talk(talk.id)["version"]}
    )
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_booked"


# -- sharing ----------------------------------------------------------------------------------


def test_share_with_a_supervisor_gives_read_only_access(
    marco, sem, talk, client_for, make_person, clock
):
    supervisor = make_person(display_name="Bea School", external=True)
    colleague = make_person(display_name="Anna Collega")
    bea = client_for(supervisor)
    assert bea.get(f"/api/talks/{talk.id}").status_code == 404

    def version() -> int:
        return int(marco.talk(talk.id)["version"])

    learner_try = sem.post(
        f"/api/talks/{talk.id}/shares", json={"person_id": supervisor.id, "version": version()}
    )
    assert learner_try.status_code == 403
    not_external = marco.post(
        f"/api/talks/{talk.id}/shares", json={"person_id": colleague.id, "version": version()}
    )
    assert not_external.status_code == 422
    assert not_external.json["error"]["code"] == "not_external"
    assert not_external.json["error"]["field"] == "person_id"
    assert marco.get(f"/api/talks/{talk.id}").json["shared_with"] == []

    before = version()
    shared = marco.post(
        f"/api/talks/{talk.id}/shares", json={"person_id": supervisor.id, "version": before}
    )
    assert shared.status_code == 200, shared.json
    # Sharing is a change of the talk: it gets a new version, which the next change names.
    assert shared.json == {"shared_with": [supervisor.id], "version": before + 1}
    assert marco.get(f"/api/talks/{talk.id}").json["shared_with"] == [supervisor.id]

    seen = bea.get(f"/api/talks/{talk.id}")
    assert seen.status_code == 200
    assert seen.json["read_only"] is True
    assert seen.json["my_role"] is None
    assert "shared_with" not in seen.json
    # A supervisor reads what the share page shows: nothing that reaches the meeting or the
    # participants' other talks.
    for hidden in ("calendar", "meeting_chat_id", "chat_summary", "urls", "previous_talk_id"):
        assert hidden not in seen.json
    assert "talk_id" not in seen.json["follow_up"]
    assert "calendar" in marco.talk(talk.id)  # the participants do see it
    form = bea.get(f"/api/talks/{talk.id}/form")
    assert form.status_code == 200
    assert form.json["talk_id"] == talk.id
    assert [t["id"] for t in bea.get("/api/overview").json["shared_with_me"]] == [talk.id]
    # The event holds the meeting's join link: participants only.
    assert bea.get(f"/api/talks/{talk.id}/event.ics").status_code == 404

    start_talk(clock, talk)
    prep = bea.put(f"/api/talks/{talk.id}/preparation", json={"ticked": [], "version": 0})
    assert prep.status_code in (403, 404)
    agreement = bea.post(f"/api/talks/{talk.id}/agreements", json={"what": "Van school"})
    assert agreement.status_code in (403, 404)
    assert marco.get(f"/api/talks/{talk.id}").json["agreements"] == []

    stale = marco.delete(
        f"/api/talks/{talk.id}/shares/{supervisor.id}", query_string={"version": before}
    )
    assert stale.status_code == 409
    assert stale.json["error"]["current"]["shared_with"] == [supervisor.id]
    removed = marco.delete(
        f"/api/talks/{talk.id}/shares/{supervisor.id}", query_string={"version": version()}
    )
    assert removed.status_code == 200
    assert removed.json == {"shared_with": [], "version": before + 2}
    assert bea.get(f"/api/talks/{talk.id}").status_code == 404
    assert bea.get(f"/api/talks/{talk.id}/form").status_code == 404


# -- calendar ---------------------------------------------------------------------------------


def test_calendar_events_lists_my_events_in_a_window(marco, sem, talk, lead, learner):
    [event] = events_of(marco, days=7)
    assert event["subject"] == talk.title
    assert event["organizer_id"] == lead.id
    assert learner.id in event["attendee_ids"]
    assert event["cancelled"] is False
    assert datetime.fromisoformat(event["start"]) == talk.starts_at
    assert datetime.fromisoformat(event["end"]) == talk.ends_at
    later = START + timedelta(days=10)
    assert events_of(marco, start=later, days=7) == []


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ({}, "start", "required"),
        ({"start": "gisteren", "end": WEEK["end"]}, "start", "invalid_date"),
        ({"start": "2027-03-01T08:00:00", "end": WEEK["end"]}, "start", "timezone_required"),
        ({"start": WEEK["start"]}, "end", "required"),
        ({"start": WEEK["end"], "end": WEEK["start"]}, "end", "invalid_date"),
        (
            {"start": WEEK["start"], "end": (START + timedelta(days=93)).isoformat()},
            "end",
            "invalid_date",
        ),
        ({"start": "9999-12-31T23:30:00+00:00", "end": WEEK["end"]}, "start", "invalid_date"),
        ({"start": "0001-01-01T00:00:00+14:00", "end": WEEK["end"]}, "start", "invalid_date"),
        ({"start": WEEK["start"], "end": WEEK["end"], "extra": "1"}, "extra", "unknown_field"),
    ],
    ids=[
        "missing",
        "not-a-date",
        "naive",
        "no-end",
        "end-before-start",
        "window-too-long",
        "year-9999",
        "year-1",
        "unknown",
    ],
)
def test_calendar_events_refuses_a_bad_window(marco, query, field, code):
    response = marco.get("/api/calendar/events", query_string=query)
    assert response.status_code == 422
    assert response.json["error"]["code"] == code
    assert response.json["error"]["field"] == field
    assert response.json["error"]["message"]


def test_calendar_window_of_92_days_is_allowed(marco):
    query = {"start": WEEK["start"], "end": (START + timedelta(days=92)).isoformat()}
    assert marco.get("/api/calendar/events", query_string=query).status_code == 200


# -- the description --------------------------------------------------------------------------


def test_openapi_document_is_valid_and_complete(client_for, make_person, app):
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json
    validate(document)
    assert document["info"]["title"] == "Ontwikkelgesprek API"
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.endpoint == "api.openapi":
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        assert path in document["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    assert document["paths"]["/api/talks"]["post"]["requestBody"]["required"] is True
    assert "PlanTalk" in document["components"]["schemas"]
