"""The admin keeps who may lead whom on the admin page: pairs added one by one or from a CSV
file (all or nothing, each wrong line named), removed, within the admin's own organisation,
each change in the audit log; under the `pairs` rule they decide who may plan with whom."""

from __future__ import annotations

from datetime import timedelta

from plugin.services import audit, lead_pairs, lead_rule
from tests.support.tables import snapshot

URL = "/api/admin/lead-pairs"


def _names(answer):
    return [(p["lead"]["name"], p["learner"]["name"]) for p in answer["pairs"]]


def test_a_pair_is_added_listed_and_removed_and_each_change_is_audited(
    hanna, lead, learner, services
):
    empty = hanna.get(URL)
    assert empty.status_code == 200, empty.json
    assert empty.json == {"rule": "anyone", "pairs": []}

    added = hanna.post(URL, json={"lead_id": lead.id, "learner_id": learner.id})
    assert added.status_code == 200, added.json
    assert added.json["changed"] is True
    assert _names(added.json) == [(lead.display_name, learner.display_name)]
    assert added.json["pairs"][0]["lead"]["email"] == lead.email

    again = hanna.post(URL, json={"lead_id": lead.id, "learner_id": learner.id})
    assert again.json["changed"] is False
    assert len(again.json["pairs"]) == 1

    removed = hanna.delete(f"{URL}/{lead.id}/{learner.id}")
    assert removed.status_code == 200, removed.json
    assert removed.json == {"rule": "anyone", "pairs": [], "changed": True}
    assert hanna.delete(f"{URL}/{lead.id}/{learner.id}").json["changed"] is False

    # One entry per real change: the add and the remove, not the repeats.
    changes = [e for e in audit.entries(services) if e.action == "lead_pairs_change"]
    assert len(changes) == 2
    assert all(e.via == "admin" and e.tenant_id == lead.tenant_id for e in changes)


def test_a_pair_of_someone_elsewhere_or_of_one_person_is_refused_on_its_field(
    hanna, lead, learner, make_person, services
):
    stranger = make_person(tenant_id="other-tenant", display_name="Elders")
    supervisor = make_person(display_name="Stagebegeleider", external=True)
    before = snapshot(services)
    for body, field, code in (
        ({"lead_id": stranger.id, "learner_id": learner.id}, "lead_id", "unknown_person"),
        ({"lead_id": lead.id, "learner_id": stranger.id}, "learner_id", "unknown_person"),
        ({"lead_id": lead.id, "learner_id": supervisor.id}, "learner_id", "unknown_person"),
        ({"lead_id": lead.id, "learner_id": lead.id}, "learner_id", "same_person"),
        ({"lead_id": lead.id}, "learner_id", "required"),
    ):
        refused = hanna.post(URL, json=body)
        assert refused.status_code == 422, (body, refused.json)
        assert (refused.json["error"]["field"], refused.json["error"]["code"]) == (field, code)
        assert refused.json["error"]["message"]
    assert snapshot(services) == before


def test_an_import_adds_every_pair_or_none_and_names_each_wrong_line(
    hanna, lead, learner, make_person, services
):
    other = make_person(display_name="Lisa Jansen", email="lisa@example.test")
    good = f"lead,learner\n{lead.email},{learner.email}\n\n{lead.email.upper()},{other.email}\n"
    imported = hanna.post(f"{URL}/import", json={"csv": good})
    assert imported.status_code == 200, imported.json
    assert imported.json["added"] == 2
    assert sorted(_names(imported.json)) == sorted(
        [(lead.display_name, learner.display_name), (lead.display_name, other.display_name)]
    )

    before = snapshot(services)
    bad = (
        "lead,learner\n"
        f"{other.email},{learner.email}\n"  # fine, but the file has wrong lines
        f"nobody@example.test,{learner.email}\n"
        f"{lead.email},{lead.email}\n"
        f"{lead.email}\n"
    )
    refused = hanna.post(f"{URL}/import", json={"csv": bad}, headers={"Accept-Language": "nl"})
    assert refused.status_code == 422, refused.json
    error = refused.json["error"]
    assert (error["code"], error["field"]) == ("import_refused", "csv")
    assert "3 regels" in error["message"]
    assert [d["line"] for d in error["details"]] == [3, 4, 5]
    assert "nobody@example.test" in error["details"][0]["message"]
    assert snapshot(services) == before

    header = hanna.post(f"{URL}/import", json={"csv": "wie,wat\na,b\n"})
    assert header.status_code == 422
    assert [d["line"] for d in header.json["error"]["details"]] == [1]


def test_pairs_stay_within_the_admins_organisation(hanna, lead, learner, make_person, services):
    elsewhere_lead = make_person(tenant_id="other-tenant", display_name="Andere leidinggevende")
    elsewhere_learner = make_person(tenant_id="other-tenant", display_name="Andere stagiair")
    services.write(
        lambda s: lead_pairs.add_by_id(
            services, s, "other-tenant", elsewhere_lead.id, elsewhere_learner.id
        )
    )
    assert hanna.get(URL).json["pairs"] == []
    # Their pair cannot be removed from here either.
    gone = hanna.delete(f"{URL}/{elsewhere_lead.id}/{elsewhere_learner.id}")
    assert gone.json["changed"] is False
    assert services.read(lambda s: lead_pairs.list_pairs(s, "other-tenant"))


def test_under_the_pairs_rule_a_pair_made_on_the_admin_page_decides_who_plans(
    hanna, client_for, lead, learner, make_person, services, settings
):
    lead_rule.install(services, settings.model_copy(update={"lead_rule": "pairs"}))
    assert hanna.get(URL).json["rule"] == "pairs"
    marco = client_for(lead)
    when = (services.clock.now() + timedelta(days=3)).replace(hour=10, minute=0).isoformat()
    body = {"learner_id": learner.id, "starts_at": when, "duration_minutes": 45}

    refused = marco.post("/api/talks", json=body)
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["code"] == "not_your_learner"

    hanna.post(URL, json={"lead_id": lead.id, "learner_id": learner.id})
    planned = marco.post("/api/talks", json=body)
    assert planned.status_code == 201, planned.json
