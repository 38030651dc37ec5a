"""The admin's working week: shown as configured until set, stored for the admin's own tenant,
refused naming the field with nothing saved, versioned against a second admin, and the Dutch
national holidays offered as a suggestion."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from flask import Flask

from plugin.services.context import Services
from plugin.services.working_time import hours_of
from tests.admin.test_admin_api import stored
from tests.conftest import ApiClient

URL = "/api/admin/working-hours"
WEEK = {
    "days": [0, 1, 2, 3],
    "start": "09:00",
    "end": "16:30",
    "holidays": [
        {"date": "2027-12-27", "name": "Tussen kerst en nieuwjaar"},
        {"date": "2027-04-27", "name": "Koningsdag"},
    ],
}


def test_the_week_starts_as_configured_then_is_stored_and_in_force(
    hanna: ApiClient, services: Services
) -> None:
    assert hanna.get(URL).json == {
        "days": [0, 1, 2, 3, 4],
        "start": "08:30",
        "end": "17:00",
        "holidays": [],
        "timezone": "Europe/Amsterdam",
        "configured": True,
        "version": 0,
    }
    saved = hanna.put(URL, json={**WEEK, "version": 0})
    assert saved.status_code == 200, saved.json
    # Holidays come back sorted by date.
    assert saved.json == {
        **WEEK,
        "holidays": [WEEK["holidays"][1], WEEK["holidays"][0]],
        "timezone": "Europe/Amsterdam",
        "configured": False,
        "version": 1,
    }
    assert hanna.get(URL).json == saved.json
    hours = services.read(lambda s: hours_of(s, services.policy.hours, "local"))
    assert hours.days == frozenset({0, 1, 2, 3})
    assert (hours.start, hours.end) == (time(9, 0), time(16, 30))
    assert hours.holidays == frozenset({date(2027, 4, 27), date(2027, 12, 27)})
    assert hours.timezone == services.policy.hours.timezone
    assert not hours.is_working_day(date(2027, 4, 27))
    # A later save with no holidays empties the list.
    again = hanna.put(URL, json={**WEEK, "holidays": [], "version": 1})
    assert again.json["holidays"] == [] and again.json["version"] == 2


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"end": "08:00"}, "end", "end_before_start"),
        ({"end": "09:00"}, "end", "end_before_start"),
        ({"days": []}, "days", "required"),
        ({"days": [7]}, "days[0]", "too_big"),
        ({"days": [-1]}, "days[0]", "too_small"),
        ({"days": ["1"]}, "days[0]", "type"),
        ({"days": [0, 1, 2, 3, 4, 5, 6, 0]}, "days", "too_many"),
        ({"start": "25:00"}, "start", "invalid_date"),
        ({"start": "9 uur"}, "start", "invalid_date"),
        ({"start": "09:00:30"}, "start", "invalid_date"),
        ({"start": None}, "start", "invalid_date"),
        ({"holidays": [{"date": "2027-02-30"}]}, "holidays[0].date", "invalid_date"),
        ({"holidays": [{"date": "1999-12-31"}]}, "holidays[0].date", "invalid_date"),
        (
            {"holidays": [{"date": "2027-01-01"}, {"date": "2027-01-01"}]},
            "holidays[1].date",
            "duplicate",
        ),
        ({"holidays": [{"date": "2027-01-01", "name": "x" * 81}]}, "holidays[0].name", "too_long"),
        ({"holidays": [{"name": "Geen datum"}]}, "holidays[0].date", "required"),
        (
            {"holidays": [{"date": "2027-01-01", "colour": "red"}]},
            "holidays[0].colour",
            "unknown_field",
        ),
        (
            {"holidays": [{"date": str(date(2030, 1, 1) + timedelta(i))} for i in range(201)]},
            "holidays",
            "too_many",
        ),
        ({"version": None}, "version", "type"),
    ],
)
def test_a_bad_week_is_refused_naming_its_field_and_nothing_is_saved(
    hanna: ApiClient, services: Services, change: dict[str, Any], field: str, code: str
) -> None:
    before = stored(services)
    answer = hanna.put(URL, json={**WEEK, "version": 0, **change})
    assert answer.status_code == 422, answer.json
    assert (answer.json["error"]["field"], answer.json["error"]["code"]) == (field, code)
    assert answer.json["error"]["message"]
    assert stored(services) == before


def test_a_save_on_a_stale_version_is_refused_with_the_week_as_it_is(
    hanna: ApiClient, services: Services
) -> None:
    first = hanna.put(URL, json={**WEEK, "version": 0})
    assert first.status_code == 200
    before = stored(services)
    late = hanna.put(URL, json={**WEEK, "days": [0], "version": 0})
    assert late.status_code == 409
    assert late.json["error"]["code"] == "stale"
    assert late.json["error"]["current"] == first.json
    assert stored(services) == before
    missing = hanna.put(URL, json=WEEK)
    assert (missing.status_code, missing.json["error"]["field"]) == (422, "version")


def test_the_national_holidays_are_offered_in_the_readers_language(hanna: ApiClient) -> None:
    dutch = hanna.get("/api/admin/national-holidays?year=2027", headers={"Accept-Language": "nl"})
    assert dutch.status_code == 200
    found = {h["date"]: h["name"] for h in dutch.json["holidays"]}
    assert dutch.json["year"] == 2027
    assert found["2027-04-27"] == "Koningsdag"
    assert found["2027-12-25"] == "Eerste kerstdag"
    assert "2027-03-28" in found  # Easter Sunday, computed for the year
    english = hanna.get("/api/admin/national-holidays?year=2027", headers={"Accept-Language": "en"})
    assert {h["date"]: h["name"] for h in english.json["holidays"]}["2027-04-27"] == "King's Day"
    # Nothing is stored by asking.
    assert hanna.get(URL).json["holidays"] == []
    for bad in ("1999", "2101", "twee"):
        refused = hanna.get(f"/api/admin/national-holidays?year={bad}")
        assert (refused.status_code, refused.json["error"]["field"]) == (422, "year")


def test_a_colleague_who_is_no_admin_can_neither_read_nor_set_the_week(
    marco: ApiClient, services: Services
) -> None:
    before = stored(services)
    assert marco.get(URL).status_code == 403
    assert marco.get("/api/admin/national-holidays?year=2027").status_code == 403
    answer = marco.put(URL, json={**WEEK, "version": 0})
    assert (answer.status_code, answer.json["error"]["code"]) == (403, "not_admin")
    assert stored(services) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", URL), ("PUT", URL), ("GET", "/api/admin/national-holidays?year=2027")],
)
def test_nobody_signed_in_gets_401(admin_app: Flask, method: str, path: str) -> None:
    answer = admin_app.test_client().open(path, method=method, json={**WEEK, "version": 0})
    assert answer.status_code == 401
