"""The admin's API: only admins get in (401, then 403), the terms are validated and stored
(nothing saved on a refusal) and applied, late talks come without contents, and a person's
export is logged and shown in the access log."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services.admin_settings import effective_policy
from plugin.services.context import Services
from plugin.store.audit_tables import stored_settings
from tests.conftest import ApiClient
from tests.support.tables import snapshot

READS = [
    "/api/admin/settings",
    "/api/admin/late",
    "/api/admin/people",
    "/api/admin/audit",
    "/api/admin/people/{person}/export",
]
GOOD = {"retention_months": 30, "audit_retention_months": 18, "follow_up_interval_weeks": 2}
#: A first save: based on version 0, the terms before any save.
FIRST = {**GOOD, "version": 0}


def stored(services: Services) -> tuple[Any, ...]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(select(stored_settings.c.name, stored_settings.c.value))
        return tuple(sorted(tuple(r) for r in rows)), tuple(snapshot(services).items())


@pytest.mark.parametrize("url", [*READS, "PUT /api/admin/settings"])
def test_nobody_signed_in_gets_401(admin_app: Flask, hr: Person, url: str) -> None:
    method, _, path = url.rpartition(" ")
    answer = admin_app.test_client().open(
        path.format(person=hr.id), method=method or "GET", json=GOOD if method else None
    )
    assert answer.status_code == 401
    assert admin_app.test_client().get("/api/admin/me").status_code == 401


@pytest.mark.parametrize("url", [*READS, "PUT /api/admin/settings"])
def test_a_colleague_who_is_no_admin_gets_403_and_changes_nothing(
    marco: ApiClient, services: Services, hr: Person, url: str
) -> None:
    method, _, path = url.rpartition(" ")
    before = stored(services)
    if method:
        # Even a bad body: whether one may ask comes first.
        answer = marco.put(path, json={"retention_months": 0})
    else:
        answer = marco.get(path.format(person=hr.id))
    assert answer.status_code == 403
    assert answer.json["error"]["code"] == "not_admin"
    assert stored(services) == before


def test_who_is_admin_is_told_to_everyone_signed_in(hanna: ApiClient, marco: ApiClient) -> None:
    assert hanna.get("/api/admin/me").json == {"admin": True}
    assert marco.get("/api/admin/me").json == {"admin": False}


def test_the_admin_page_opens_for_admins_only(hanna: ApiClient, marco: ApiClient) -> None:
    assert hanna.get("/admin").status_code == 200
    assert marco.get("/admin").status_code == 403


def test_terms_start_as_configured_then_are_stored_and_shown_on_the_privacy_page(
    hanna: ApiClient, services: Services
) -> None:
    answer = hanna.get("/api/admin/settings")
    assert answer.json == {
        "retention_months": 24,
        "audit_retention_months": 60,
        "follow_up_interval_weeks": 6,
        "version": 0,
    }
    saved = hanna.put("/api/admin/settings", json=FIRST)
    assert saved.status_code == 200, saved.json
    assert saved.json == {**GOOD, "version": 1}
    assert hanna.get("/api/admin/settings").json == {**GOOD, "version": 1}
    page = hanna.get("/privacy", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "30 maanden" in page and "18 maanden" in page
    again = {**GOOD, "retention_months": 36}
    assert hanna.put("/api/admin/settings", json={**again, "version": 1}).json == {
        **again,
        "version": 2,
    }
    policy = services.read(lambda s: effective_policy(s, services.policy, "local"))
    assert policy.interval == timedelta(weeks=2)
    assert policy.hours == services.policy.hours


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"retention_months": 0}, "retention_months"),
        ({"retention_months": 1201}, "retention_months"),
        ({"retention_months": "12"}, "retention_months"),
        ({"retention_months": 1.5}, "retention_months"),
        ({"retention_months": True}, "retention_months"),
        ({"audit_retention_months": -1}, "audit_retention_months"),
        ({"follow_up_interval_weeks": 0}, "follow_up_interval_weeks"),
        ({"follow_up_interval_weeks": 53}, "follow_up_interval_weeks"),
        ({"follow_up_interval_weeks": None}, "follow_up_interval_weeks"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_term_is_refused_naming_its_field_and_nothing_is_saved(
    hanna: ApiClient, services: Services, change: dict[str, Any], field: str
) -> None:
    before = stored(services)
    answer = hanna.put("/api/admin/settings", json={**FIRST, **change})
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == field
    assert stored(services) == before


def test_a_missing_term_is_refused(hanna: ApiClient, services: Services) -> None:
    before = stored(services)
    answer = hanna.put("/api/admin/settings", json={"retention_months": 12, "version": 0})
    assert answer.status_code == 422
    assert stored(services) == before


def test_a_save_without_its_version_is_refused(hanna: ApiClient, services: Services) -> None:
    before = stored(services)
    answer = hanna.put("/api/admin/settings", json=GOOD)
    assert answer.status_code == 422
    assert answer.json["error"]["field"] == "version"
    assert stored(services) == before


def test_a_save_on_a_stale_version_is_refused_with_the_terms_as_they_are(
    hanna: ApiClient, services: Services
) -> None:
    # Two admins read version 0; the first saves, the second's save must not overwrite it.
    assert hanna.put("/api/admin/settings", json=FIRST).status_code == 200
    before = stored(services)
    late = hanna.put("/api/admin/settings", json={**FIRST, "retention_months": 99})
    assert late.status_code == 409
    assert late.json["error"]["code"] == "stale"
    assert late.json["error"]["message"]
    assert late.json["error"]["current"] == {**GOOD, "version": 1}
    assert stored(services) == before


def test_the_booked_follow_up_follows_the_stored_interval(
    hanna: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    client_for: Callable[[Person], ApiClient],
    clock: FixedClock,
) -> None:
    assert hanna.put("/api/admin/settings", json=FIRST).status_code == 200
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    for who in (client_for(lead), client_for(learner)):
        answer = who.sign(talk.id)
        assert answer.status_code == 200, answer.json
    follow_up = answer.json["follow_up"]
    assert follow_up["status"] == "booked", follow_up
    starts = client_for(lead).talk(follow_up["talk_id"])["starts_at"]
    # Two weeks on (a window of working days from there), not the configured six.
    gap = (talk.starts_at + timedelta(weeks=2)).date()
    assert gap.isoformat() <= starts[:10] < (gap + timedelta(days=8)).isoformat()


def test_late_talks_are_listed_with_their_state_and_never_their_contents(
    hanna: ApiClient,
    make_talk: Callable[..., Talk],
    make_person: Callable[..., Person],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    other = make_person(display_name="Anna Collega")
    not_held = make_talk(lead, learner, own_goal="Geheim doel van Marco")
    coming = make_talk(lead, other, starts_at=clock.now() + timedelta(days=10))
    stranger = make_person(display_name="Elders", tenant_id="other-tenant")
    make_talk(stranger, make_person(tenant_id="other-tenant"))
    clock.set(clock.now() + timedelta(days=3))
    answer = hanna.get("/api/admin/late")
    assert answer.status_code == 200
    talks = answer.json["talks"]
    assert [t["talk_id"] for t in talks] == [not_held.id]
    assert coming.id not in str(talks)
    (late,) = talks
    assert set(late) == {"talk_id", "lead", "learner", "starts_at", "ends_at", "status", "late"}
    assert (late["lead"], late["learner"], late["status"], late["late"]) == (
        "Marco Lead",
        "Sem Learner",
        "planned",
        "not_held",
    )
    assert "Geheim" not in answer.get_data(as_text=True)


def test_an_export_is_a_zip_logged_in_the_access_log_newest_first(
    hanna: ApiClient, hr: Person, lead: Person, make_person: Callable[..., Person]
) -> None:
    people = hanna.get("/api/admin/people").json["people"]
    assert {p["id"] for p in people} >= {hr.id, lead.id}
    for subject in (lead, hr):
        answer = hanna.get(f"/api/admin/people/{subject.id}/export")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "private, no-store"
        assert zipfile.ZipFile(io.BytesIO(answer.data)).namelist()
    log = hanna.get("/api/admin/audit").json
    assert log["page"] == 0 and log["more"] is False
    assert [(e["action"], e["actor"], e["subject"], e["via"]) for e in log["entries"]] == [
        ("export", "Hanna de Boer", "Hanna de Boer", "admin"),
        ("export", "Hanna de Boer", "Marco Lead", "admin"),
    ]
    assert hanna.get("/api/admin/audit?page=1").json["entries"] == []
    assert hanna.get("/api/admin/audit?page=-1").status_code == 422
    elsewhere = make_person(tenant_id="other-tenant")
    assert hanna.get(f"/api/admin/people/{elsewhere.id}/export").status_code == 404
    assert elsewhere.id not in str(people)
