"""An admin's changes to the organisation's terms and working week are in the access log:
who and when, never the values; a refused save leaves no entry."""

from __future__ import annotations

from plugin.services import audit

TERMS = {"retention_months": 24, "audit_retention_months": 60, "follow_up_interval_weeks": 6}
WEEK = {"days": [0, 1, 2, 3], "start": "07:30", "end": "16:00", "holidays": []}


def _changes(services):
    return [e for e in audit.entries(services) if e.action == "settings_change"]


def test_saved_terms_and_week_are_logged_and_a_refused_save_is_not(hanna, hr, services):
    assert hanna.put("/api/admin/settings", json={**TERMS, "version": 0}).status_code == 200
    assert hanna.put("/api/admin/working-hours", json={**WEEK, "version": 0}).status_code == 200
    stale = hanna.put("/api/admin/settings", json={**TERMS, "version": 0})
    assert stale.status_code == 409
    wrong = hanna.put("/api/admin/working-hours", json={**WEEK, "days": [], "version": 1})
    assert wrong.status_code == 422

    changes = _changes(services)
    assert [(e.actor_id, e.via, e.tenant_id) for e in changes] == [
        (hr.id, "admin", hr.tenant_id),
        (hr.id, "admin", hr.tenant_id),
    ]
    page = hanna.get("/api/admin/audit")
    assert page.status_code == 200
    assert [e["action"] for e in page.json["entries"]][:2] == ["settings_change"] * 2
