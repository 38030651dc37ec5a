"""Bad input gets a clear 4xx naming the field, and nothing is half-saved."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import START

TOMORROW = START + timedelta(days=1, hours=2)
WINDOW = {"start": START.isoformat(), "end": (START + timedelta(days=30)).isoformat()}


def assert_error(response, status, code, field):
    assert response.status_code == status, response.json
    error = response.json["error"]
    assert error["code"] == code
    assert error["field"] == field
    assert isinstance(error["message"], str) and error["message"].strip()


@pytest.fixture
def talk(make_talk, lead, learner, clock):
    """A talk under way (the clock is ten minutes past its start), with one agreement."""
    planned = make_talk(lead, learner)
    clock.set(planned.starts_at + timedelta(minutes=10))
    return planned


@pytest.fixture
def agreement(marco, talk):
    response = marco.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": "Sem regelt een installatie in", "owner": "learner"},
    )
    assert response.status_code == 201, response.json
    return response.json


def snapshot(client, talk_id):
    """What a participant sees of a talk and its calendar: must not change on refusal."""
    detail = client.get(f"/api/talks/{talk_id}").json
    events = client.get("/api/calendar/events", query_string=WINDOW).json["events"]
    return detail, events


# -- planning a talk --------------------------------------------------------------------------


def plan_body(**changes):
    body = {"learner_id": "<learner>", "starts_at": TOMORROW.isoformat(), "duration_minutes": 45}
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param(plan_body(learner_id=...), "required", "learner_id", id="missing-learner"),
        pytest.param(
            plan_body(learner_id="no-such-person"),
            "unknown_person",
            "learner_id",
            id="unknown-learner",
        ),
        pytest.param(plan_body(learner_id="<lead>"), "self_talk", "learner_id", id="with-yourself"),
        pytest.param(
            plan_body(learner_id="<external>"),
            "external_learner",
            "learner_id",
            id="external-learner",
        ),
        pytest.param(
            plan_body(starts_at=(START - timedelta(hours=1)).isoformat()),
            "in_past",
            "starts_at",
            id="past-start",
        ),
        pytest.param(
            plan_body(starts_at="2027-03-02T10:00:00"),
            "timezone_required",
            "starts_at",
            id="naive-datetime",
        ),
        pytest.param(
            plan_body(starts_at="volgende dinsdag"), "invalid_date", "starts_at", id="not-a-date"
        ),
        pytest.param(
            plan_body(starts_at="2027-02-30T10:00:00+01:00"),
            "invalid_date",
            "starts_at",
            id="impossible-date",
        ),
        pytest.param(
            plan_body(duration_minutes=5), "duration_range", "duration_minutes", id="too-short"
        ),
        pytest.param(
            plan_body(duration_minutes=9 * 60),
            "duration_range",
            "duration_minutes",
            id="too-long",
        ),
        pytest.param(
            plan_body(duration_minutes=0), "too_small", "duration_minutes", id="zero-minutes"
        ),
        pytest.param(
            plan_body(duration_minutes="lang"), "type", "duration_minutes", id="minutes-not-int"
        ),
        pytest.param(plan_body(goals="x"), "type", "goals", id="goals-not-a-list"),
        pytest.param(plan_body(goals=["goals.nope"]), "unknown_item", "goals", id="unknown-goal"),
        pytest.param(plan_body(colour="blue"), "unknown_field", "colour", id="unknown-field"),
        pytest.param(
            plan_body(title="Gesprek\x00"), "control_characters", "title", id="control-in-title"
        ),
        pytest.param(plan_body(own_goal="x" * 501), "too_long", "own_goal", id="own-goal-501"),
    ],
)
def test_plan_talk_refuses_bad_input_and_creates_nothing(
    marco, sem, lead, learner, make_person, body, code, field
):
    external = make_person(external=True)
    stand_ins = {"<learner>": learner.id, "<lead>": lead.id, "<external>": external.id}
    if body.get("learner_id") in stand_ins:
        body = {**body, "learner_id": stand_ins[body["learner_id"]]}
    response = marco.post("/api/talks", json=body)
    assert_error(response, 422, code, field)
    assert marco.get("/api/talks").json["talks"] == []
    assert sem.get("/api/talks").json["talks"] == []
    for who in (marco, sem):
        assert who.get("/api/calendar/events", query_string=WINDOW).json["events"] == []


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param(
            {"starts_at": (START - timedelta(days=1)).isoformat()},
            "in_past",
            "starts_at",
            id="move-to-past",
        ),
        pytest.param(
            {"starts_at": "2027-03-05T10:00"}, "timezone_required", "starts_at", id="naive"
        ),
        pytest.param({"duration_minutes": 9}, "duration_range", "duration_minutes", id="9-min"),
        pytest.param({"title": "   "}, "required", "title", id="blank-title"),
        pytest.param({"title": "x" * 201}, "too_long", "title", id="title-201"),
        pytest.param({"goals": "x"}, "type", "goals", id="goals-not-a-list"),
        pytest.param(
            {"starts_at": "9999-12-31T23:30:00+00:00"}, "invalid_date", "starts_at", id="year-9999"
        ),
        pytest.param(
            {"starts_at": "0001-01-01T00:00:00+14:00"}, "invalid_date", "starts_at", id="year-1"
        ),
        pytest.param(
            {"starts_at": (START + timedelta(days=365 * 6)).isoformat()},
            "too_far",
            "starts_at",
            id="six-years-ahead",
        ),
        pytest.param({"starts_at": 1803542400}, "invalid_date", "starts_at", id="epoch-number"),
        pytest.param({"version": "1"}, "type", "version", id="version-as-text"),
    ],
)
def test_update_talk_refuses_bad_input_and_keeps_talk_and_event(
    marco, sem, make_talk, lead, learner, body, code, field
):
    planned = make_talk(lead, learner)
    before = snapshot(sem, planned.id)
    response = marco.patch(
        f"/api/talks/{planned.id}", json={"version": marco.talk(planned.id)["version"], **body}
    )
    assert_error(response, 422, code, field)
    assert snapshot(sem, planned.id) == before


def test_unknown_talk_is_not_found(marco):
    assert_error(marco.get("/api/talks/no-such-talk"), 404, "not_found", "talk")
    assert_error(
        marco.post("/api/talks/no-such-talk/agreements", json={"what": "Iets"}),
        404,
        "not_found",
        "talk",
    )


# -- agreements -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        pytest.param({"what": ""}, "required", "what", id="empty-what"),
        pytest.param({"what": " \t\n "}, "required", "what", id="whitespace-what"),
        pytest.param({}, "required", "what", id="missing-what"),
        pytest.param({"what": "x" * 501}, "too_long", "what", id="what-501"),
        pytest.param({"what": "Bel\x07 de klant"}, "control_characters", "what", id="control"),
        pytest.param({"what": 42}, "type", "what", id="what-not-text"),
        pytest.param({"what": "Iets", "owner": "boss"}, "choice", "owner", id="owner-boss"),
        pytest.param({"what": "Iets", "due": "2027-02-27"}, "in_past", "due", id="past-due"),
        pytest.param({"what": "Iets", "due": "eind maart"}, "invalid_date", "due", id="bad-due"),
        pytest.param({"what": "Iets", "extra": 1}, "unknown_field", "extra", id="unknown-field"),
    ],
)
def test_add_agreement_refuses_bad_input_and_saves_nothing(
    marco, talk, agreement, body, code, field
):
    before = snapshot(marco, talk.id)
    response = marco.post(f"/api/talks/{talk.id}/agreements", json=body)
    assert_error(response, 422, code, field)
    assert snapshot(marco, talk.id) == before


def test_owner_choice_detail_lists_the_choices(marco, talk):
    response = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "x", "owner": "boss"})
    [detail] = response.json["error"]["details"]
    assert detail["field"] == "owner"
    assert all(choice in detail["message"] for choice in ("lead", "learner", "both"))


def test_top_level_message_of_a_choice_error_lists_the_choices(marco, talk):
    response = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "x", "owner": "boss"})
    assert_error(response, 422, "choice", "owner")
    assert "learner" in response.json["error"]["message"]


def test_top_level_message_of_a_length_error_names_the_maximum(marco):
    response = marco.post(
        "/api/talks", json={"learner_id": "x" * 65, "starts_at": TOMORROW.isoformat()}
    )
    assert_error(response, 422, "too_long", "learner_id")
    assert "64" in response.json["error"]["message"]


def test_what_of_exactly_500_characters_is_fine(marco, talk):
    response = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "x" * 500})
    assert response.status_code == 201, response.json
    assert len(response.json["what"]) == 500


def test_due_today_is_fine(marco, talk):
    response = marco.post(
        f"/api/talks/{talk.id}/agreements", json={"what": "Vandaag", "due": "2027-03-02"}
    )
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        pytest.param({"what": ""}, "required", "what", id="empty-what"),
        pytest.param({"what": None}, "required", "what", id="null-what"),
        pytest.param({"owner": None}, "required", "owner", id="null-owner"),
        pytest.param({"what": "x" * 501}, "too_long", "what", id="what-501"),
        pytest.param({"due": "2020-01-01"}, "in_past", "due", id="past-due"),
        pytest.param({"owner": "boss"}, "choice", "owner", id="owner-boss"),
        pytest.param({"version": "twee"}, "type", "version", id="version-not-int"),
    ],
)
def test_edit_agreement_refuses_bad_input_and_keeps_it(sem, talk, agreement, changes, code, field):
    before = snapshot(sem, talk.id)
    body = {"version": agreement["version"], **changes}
    response = sem.patch(f"/api/talks/{talk.id}/agreements/{agreement['id']}", json=body)
    assert_error(response, 422, code, field)
    assert snapshot(sem, talk.id) == before


def test_reaction_with_control_characters_is_refused(sem, talk, agreement):
    before = snapshot(sem, talk.id)
    response = sem.post(
        f"/api/talks/{talk.id}/agreements/{agreement['id']}/reaction",
        json={"version": agreement["version"], "reaction": "Goed\x1b[31m"},
    )
    assert_error(response, 422, "control_characters", "reaction")
    assert snapshot(sem, talk.id) == before


def test_preparation_with_unknown_item_saves_nothing(sem, talk):
    response = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={"ticked": ["goals.wishes", "goals.nope"], "points": [{"text": "Punt"}], "version": 0},
    )
    assert_error(response, 422, "unknown_item", "ticked")
    assert sem.get(f"/api/talks/{talk.id}/preparation").json["mine"] == {
        "ticked": [],
        "points": [],
        "version": 0,
    }


# -- signing ----------------------------------------------------------------------------------


def test_signing_with_an_unconfirmed_agreement_records_no_signature(marco, talk, agreement):
    before = snapshot(marco, talk.id)
    response = marco.sign(talk.id)
    assert_error(response, 409, "unconfirmed", "agreements")
    assert response.json["error"]["agreements"] == [agreement["id"]]
    after = snapshot(marco, talk.id)
    assert after == before
    assert after[0]["signatures"] == []
    assert after[0]["status"] == "planned"


def test_signing_before_the_talk_started_is_refused(marco, make_talk, lead, learner):
    planned = make_talk(lead, learner, starts_at=START + timedelta(days=3))
    response = marco.sign(planned.id)
    assert_error(response, 409, "not_started", "starts_at")
    detail = marco.get(f"/api/talks/{planned.id}").json
    assert detail["signatures"] == []
    assert detail["status"] == "planned"


# -- the request itself -----------------------------------------------------------------------


def test_malformed_json_is_a_bad_request(marco, talk, agreement):
    before = snapshot(marco, talk.id)
    response = marco.post(
        f"/api/talks/{talk.id}/agreements",
        data='{"what": "half',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "malformed_json", None)
    assert snapshot(marco, talk.id) == before


def test_non_json_body_is_a_bad_request(marco, talk, agreement):
    before = snapshot(marco, talk.id)
    response = marco.post(f"/api/talks/{talk.id}/agreements", data={"what": "Als formulier"})
    assert_error(response, 400, "json_required", None)
    assert snapshot(marco, talk.id) == before


def test_missing_csrf_header_is_refused_and_saves_nothing(marco, talk, agreement):
    before = snapshot(marco, talk.id)
    response = marco.client.post(f"/api/talks/{talk.id}/agreements", json={"what": "Zonder"})
    assert_error(response, 403, "csrf", None)
    wrong = marco.client.post(f"/api/talks/{talk.id}/cancel", headers={"X-CSRF-Token": "guessed"})
    assert_error(wrong, 403, "csrf", None)
    assert snapshot(marco, talk.id) == before


@pytest.mark.parametrize(
    "url", ["/api/me", "/api/talks", "/api/overview", "/api/people", "/api/talks/{id}"]
)
def test_no_session_is_unauthenticated(app, talk, url):
    response = app.test_client().get(url.format(id=talk.id))
    assert_error(response, 401, "unauthenticated", None)


# -- two people at once -----------------------------------------------------------------------


def test_concurrent_edits_of_one_agreement_keep_the_first(marco, sem, talk, agreement):
    url = f"/api/talks/{talk.id}/agreements/{agreement['id']}"
    base = agreement["version"]
    first = sem.patch(url, json={"version": base, "what": "Versie van Sem"})
    assert first.status_code == 200, first.json
    assert first.json["version"] == base + 1
    second = marco.patch(url, json={"version": base, "what": "Versie van Marco"})
    assert_error(second, 409, "stale", "version")
    current = second.json["error"]["current"]
    assert current["what"] == "Versie van Sem"
    assert current["version"] == base + 1
    [kept] = marco.get(f"/api/talks/{talk.id}").json["agreements"]
    assert kept["what"] == "Versie van Sem"
    assert kept["version"] == base + 1


@pytest.mark.parametrize(
    ("lang", "years", "text"),
    [
        ("en", 1, "This lies more than 1 year ahead. Check the year."),
        ("en", 5, "This lies more than 5 years ahead. Check the year."),
        ("nl", 1, "Dit ligt meer dan 1 jaar vooruit. Klopt het jaartal?"),
    ],
)
def test_too_far_says_year_or_years(app, lang, years, text):
    """A check-in at most a year ahead says "1 year", a talk's five years "5 years"."""
    from plugin.web.errors import message

    with app.test_request_context(headers={"Accept-Language": lang}):
        assert message("too_far", "starts_at", {"years": years}) == text
