"""Talk types: planning as a type, the type's version kept with the talk, and a switched or
removed type leaving an existing talk, its .ics, its jobs and its pages as they were."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import select

from plugin.bootstrap import build_services
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services import signoff
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store import repo
from plugin.store.talk_type_tables import talk_type_versions
from plugin.store.working_tables import outbox_jobs
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from plugin.web.session import SESSION_CHECK
from tests.conftest import BASE_URL, ApiClient
from tests.support.tables import snapshot

BUILT_IN = json.loads((files("plugin") / "checklists" / "default.json").read_text("utf-8"))
LEARN_NL = "Kennis, vaardigheden of gedrag ontwikkelen"


def _description(ics: bytes) -> str:
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    return str(event["DESCRIPTION"])


def _replacement() -> dict[str, Any]:
    """The development talk, rewritten by an organisation: other goals, other ids."""
    content = json.loads(json.dumps(BUILT_IN))
    goals = content["sections"][0]
    assert goals["kind"] == "goals"
    goals["items"] = [
        {
            "id": "goals.safety",
            "text": {"nl": "Veilig werken op de bouwplaats", "en": "Working safely on site"},
            "help": {"nl": "Denk aan de werkplek.", "en": "Think of the workplace."},
        },
        {
            "id": "goals.own",
            "free_text": True,
            "text": {"nl": "Eigen doel", "en": "Your own goal"},
            "help": {"nl": "Schrijf het op.", "en": "Write it down."},
        },
    ]
    content["version"] = 2
    return content


class Switched:
    """The app started again on the same database with other talk types."""

    def __init__(self, settings: Settings, clock: FixedClock, folder: Path) -> None:
        self.services, self.outbox = build_services(
            settings.model_copy(update={"talk_types_dir": folder}),
            base_url=BASE_URL,
            clock=clock,
            migrate_schema=False,
        )
        self.app = create_app(self.services)
        self.app.testing = True

    def client(self, person: Person) -> ApiClient:
        from plugin.identity.local import issue_signin_token

        svc = self.services
        token = svc.write(lambda s: issue_signin_token(s, person, svc.clock.now()))
        client = self.app.test_client()
        assert client.get(f"/signin/{token}").status_code == 302
        return ApiClient(client, client.get("/api/me").json["csrf_token"])

    def close(self) -> None:
        self.app.extensions[STAMPS].stop()
        self.app.extensions[SESSION_CHECK].stop()
        self.services.db.dispose()


@pytest.fixture
def restart(
    settings: Settings, clock: FixedClock, tmp_path: Path
) -> Iterator[Callable[[dict[str, dict[str, Any]]], Switched]]:
    started: list[Switched] = []

    def start(types: dict[str, dict[str, Any]]) -> Switched:
        folder = tmp_path / f"types-{len(started)}"
        folder.mkdir()
        for name, content in types.items():
            (folder / name).write_text(json.dumps(content), encoding="utf-8")
        started.append(Switched(settings, clock, folder))
        return started[-1]

    yield start
    for app in started:
        app.close()


def _versions(services: Services) -> dict[str, dict[str, Any]]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(select(talk_type_versions)).all()
    return {row.content_hash: row.content for row in rows}


def _stuck_jobs(services: Services) -> list[Any]:
    with services.db.engine.connect() as connection:
        return list(
            connection.execute(
                select(outbox_jobs.c.kind, outbox_jobs.c.last_error).where(
                    outbox_jobs.c.status != "done"
                )
            )
        )


# -- planning -----------------------------------------------------------------------------


def test_the_four_types_are_offered_in_my_language(client_for, lead):
    marco = client_for(lead)
    answer = marco.get("/api/talk-types", headers={"Accept-Language": "en"})
    assert answer.status_code == 200, answer.json
    assert answer.json["default"] == "ontwikkelgesprek"
    types = {t["id"]: t for t in answer.json["types"]}
    assert list(types) == [
        "ontwikkelgesprek",
        "voortgangsgesprek-bpv",
        "pop-gesprek",
        "inwerkgesprek",
    ]
    assert types["voortgangsgesprek-bpv"]["checklist"]["offer_share"] is True
    assert types["ontwikkelgesprek"]["checklist"]["offer_share"] is False
    for talk_type in types.values():
        kinds = [s["kind"] for s in talk_type["checklist"]["sections"]]
        assert sorted(kinds) == ["expectations", "goals", "tips"]
        assert talk_type["name"] and talk_type["checklist"]["after_talk"]
    assert client_for(lead).get("/api/talk-types").json["types"][2]["name"] == "POP-gesprek"


def test_talk_types_need_sign_in(app):
    assert app.test_client().get("/api/talk-types").status_code == 401


def test_a_talk_is_planned_as_a_type_and_keeps_that_version(client_for, services, lead, learner):
    marco = client_for(lead)
    answer = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=2)).isoformat(),
            "goals": ["goals.wellbeing", "goals.progress"],
            "type": "voortgangsgesprek-bpv",
        },
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["title"] == "Voortgangsgesprek BPV: Sem Learner"
    assert answer.json["goals"] == ["goals.wellbeing", "goals.progress"]
    talk = services.read(lambda s: repo.talk(s, lead.tenant_id, answer.json["id"]))
    assert talk is not None
    stored = _versions(services)
    assert stored[talk.template_id]["id"] == "voortgangsgesprek-bpv"
    # The invite carries the BPV checklist.
    ics = marco.get(f"/api/talks/{talk.id}/event.ics")
    assert ics.status_code == 200
    assert "Hoe het gaat: welbevinden en inzet" in _description(ics.data)


def test_a_talks_checklist_is_its_own_types_for_whoever_may_read_it(
    client_for, services, lead, learner, make_person
):
    marco = client_for(lead)
    planned = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=2)).isoformat(),
            "goals": ["goals.wellbeing"],
            "type": "voortgangsgesprek-bpv",
        },
    )
    assert planned.status_code == 201, planned.json
    talk_id = planned.json["id"]

    def goal_texts(client, url):
        answer = client.get(url)
        assert answer.status_code == 200, answer.json
        return {i["id"]: i["text"] for s in answer.json["sections"] for i in s["items"]}

    # The form page labels the talk's goals with these: the BPV talk's, not the default's.
    own = goal_texts(client_for(learner), f"/api/checklist?talk_id={talk_id}")
    assert own["goals.wellbeing"] == "Hoe het gaat: welbevinden en inzet"
    assert "goals.learn" not in own
    assert goal_texts(marco, "/api/checklist")["goals.learn"].startswith(LEARN_NL)

    outsider = client_for(make_person(display_name="Lisa Jansen"))
    assert outsider.get(f"/api/checklist?talk_id={talk_id}").status_code == 404


def test_without_a_type_a_talk_is_a_development_talk(services, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    assert _versions(services)[talk.template_id]["id"] == "ontwikkelgesprek"
    assert talk.title == "Ontwikkelgesprek: Sem Learner"


def test_the_goals_are_the_chosen_types(client_for, services, lead, learner):
    before = snapshot(services)
    answer = client_for(lead).post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=2)).isoformat(),
            "goals": ["goals.learn"],  # the development talk's, not the POP talk's
            "type": "pop-gesprek",
        },
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "goals"
    assert snapshot(services) == before


def test_an_unknown_type_is_refused_by_name_and_saves_nothing(client_for, services, lead, learner):
    before = snapshot(services)
    answer = client_for(lead).post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (services.clock.now() + timedelta(days=2)).isoformat(),
            "type": "functioneringsgesprek",
        },
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422, answer.json
    assert answer.json["error"]["field"] == "type"
    assert "pop-gesprek" in answer.json["error"]["message"]
    assert snapshot(services) == before
    assert _versions(services) == {}


def test_a_follow_up_inherits_its_talks_type_version(
    services, clock, lead, learner, make_talk, outbox
):
    talk = make_talk(lead, learner, goals=["goals.behaviour"], talk_type="pop-gesprek")
    clock.set(talk.ends_at + timedelta(minutes=5))
    services.write(lambda s: signoff.sign_as_shown(services, s, lead, talk.id))
    services.write(lambda s: signoff.sign_as_shown(services, s, learner, talk.id))
    outbox.drain()
    signed = services.read(lambda s: repo.talk(s, lead.tenant_id, talk.id))
    assert signed is not None and signed.follow_up_talk_id is not None
    follow_up = services.read(lambda s: repo.talk(s, lead.tenant_id, signed.follow_up_talk_id))
    assert follow_up is not None
    assert follow_up.template_id == talk.template_id
    assert _versions(services)[follow_up.template_id]["id"] == "pop-gesprek"


# -- a type that changes or goes away --------------------------------------------------------


def _old_talk(services: Services, make_talk, lead: Person, learner: Person) -> Talk:
    talk: Talk = make_talk(lead, learner, goals=["goals.learn", "goals.feedback"])
    assert not _stuck_jobs(services)
    return talk


def test_switching_the_checklist_leaves_an_old_talk_whole(
    services, lead, learner, make_talk, restart
):
    """Before types kept their versions, this answered 500 (KeyError: 'goals.learn') and the
    talk's calendar job retried for ever."""
    talk = _old_talk(services, make_talk, lead, learner)
    switched = restart({"ontwikkelgesprek.json": _replacement()})
    marco = switched.client(lead)

    ics = marco.get(f"/api/talks/{talk.id}/event.ics")
    assert ics.status_code == 200
    assert LEARN_NL in _description(ics.data)  # the talk's own goals, as planned

    # A change makes the calendar job run again: with the talk's own checklist, once.
    moved = marco.patch(
        f"/api/talks/{talk.id}", json={"version": marco.talk(talk.id)["version"], "title": "Nieuw"}
    )
    assert moved.status_code == 200, moved.json
    switched.outbox.drain()
    assert _stuck_jobs(switched.services) == []

    for url in (
        f"/api/talks/{talk.id}",
        f"/api/talks/{talk.id}/live",
        f"/api/talks/{talk.id}/preparation",
        f"/api/talks/{talk.id}/form",
        f"/talks/{talk.id}/prepare",
        f"/talks/{talk.id}/panel",
        f"/talks/{talk.id}/form",
    ):
        assert marco.get(url).status_code == 200, url
    # Its goals can still be changed within its own type.
    kept = marco.patch(
        f"/api/talks/{talk.id}",
        json={"version": marco.talk(talk.id)["version"], "goals": ["goals.wishes"]},
    )
    assert kept.status_code == 200, kept.json

    # New talks are planned with the organisation's version.
    new = switched.client(lead).post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (switched.services.clock.now() + timedelta(days=3)).isoformat(),
            "goals": ["goals.safety"],
        },
    )
    assert new.status_code == 201, new.json
    assert len(_versions(switched.services)) == 2


def test_the_preparation_shows_the_talks_own_type_after_a_switch(
    services, lead, learner, make_talk, restart
):
    talk = _old_talk(services, make_talk, lead, learner)
    switched = restart({"ontwikkelgesprek.json": _replacement()})
    answer = switched.client(learner).get(f"/api/talks/{talk.id}/preparation")
    goals = answer.json["checklist"]["sections"][0]["items"]
    assert goals[0]["id"] == "goals.learn"


def test_a_removed_type_leaves_its_talks_whole(
    settings, clock, lead, learner, restart: Callable[..., Switched]
):
    own = json.loads(json.dumps(BUILT_IN))
    own["id"] = "exitgesprek"
    own["name"] = {"nl": "Exitgesprek", "en": "Exit interview"}
    first = restart({"exit.json": own})
    marco = first.client(lead)
    planned = marco.post(
        "/api/talks",
        json={
            "learner_id": learner.id,
            "starts_at": (clock.now() + timedelta(days=2)).isoformat(),
            "goals": ["goals.learn"],
            "type": "exitgesprek",
        },
    )
    assert planned.status_code == 201, planned.json
    assert planned.json["title"] == "Exitgesprek: Sem Learner"

    gone = restart({})
    again = gone.client(lead)
    ics = again.get(f"/api/talks/{planned.json['id']}/event.ics")
    assert ics.status_code == 200
    assert LEARN_NL in _description(ics.data)
    assert again.get(f"/api/talks/{planned.json['id']}").status_code == 200
    types = [t["id"] for t in again.get("/api/talk-types").json["types"]]
    assert "exitgesprek" not in types


def test_jobs_of_an_old_talk_run_after_a_switch(
    services: Services, outbox: Outbox, lead, learner, make_talk, restart
):
    talk = _old_talk(services, make_talk, lead, learner)
    switched = restart({"ontwikkelgesprek.json": _replacement()})
    from plugin.jobs.outbox import enqueue
    from plugin.services.talks import SYNC_EVENT, job_key

    switched.services.write(
        lambda s: enqueue(
            s, SYNC_EVENT, {"talk_id": talk.id}, switched.services.clock.now(), key=job_key(talk.id)
        )
    )
    switched.outbox.drain()
    assert _stuck_jobs(switched.services) == []


def test_the_schema_is_published(app):
    answer = app.test_client().get("/static/schemas/talk-type.json")
    assert answer.status_code == 200
    schema = json.loads(answer.data)
    assert schema["$schema"].startswith("https://json-schema.org/")
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    for name in ("default.json", "voortgangsgesprek-bpv.json", "pop-gesprek.json"):
        content = json.loads((files("plugin") / "checklists" / name).read_text("utf-8"))
        assert not list(Draft202012Validator(schema).iter_errors(content)), name
