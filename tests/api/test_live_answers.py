"""The live panels' answer is built once per talk version, by the writer, and served from there
by every process: from memory in the writer's, from one database row in the others."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from plugin.domain.talk import Talk
from plugin.identity.local import issue_signin_token
from plugin.services import views
from plugin.store import live_answers
from plugin.store.working_tables import live_answers as live_answers_table
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from plugin.web.panel_answers import PanelAnswers
from plugin.web.session import SESSION_CHECK
from tests.conftest import ApiClient


@pytest.fixture
def other_process(services) -> Iterator[Flask]:
    """A second app over the same database: another gunicorn worker, as far as caches go."""
    second = create_app(services)
    second.testing = True
    yield second
    second.extensions[STAMPS].stop()
    second.extensions[SESSION_CHECK].stop()


def signed_in_on(app: Flask, services, person) -> ApiClient:
    token = services.write(lambda s: issue_signin_token(s, person, services.clock.now()))
    client = app.test_client()
    assert client.get(f"/signin/{token}").status_code == 302
    return ApiClient(client, client.get("/api/me").json["csrf_token"])


def stored_rows(services) -> list[tuple[str, int]]:
    with services.db.engine.connect() as connection:
        return [
            (row.talk_id, row.version) for row in connection.execute(select(live_answers_table))
        ]


def test_a_change_is_built_once_and_served_by_the_other_process(
    services, client_for, other_process, lead, learner, make_talk, clock, monkeypatch
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    sem = signed_in_on(other_process, services, learner)
    first = sem.get(f"/api/talks/{talk.id}/live")
    assert first.status_code == 200

    added = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "Elke vrijdag de bus"})
    assert added.status_code == 201
    version = marco.get(f"/api/talks/{talk.id}").json["version"]
    assert (talk.id, version) in stored_rows(services)

    # From here on nothing may build the panel's answer: both processes serve what was kept.
    def no_build(*args, **kwargs):
        raise AssertionError("the answer was built again")

    monkeypatch.setattr(views, "panel_detail", no_build)
    other_process.extensions[STAMPS].refresh()  # its next refresh, without waiting
    seen = sem.get(f"/api/talks/{talk.id}/live", headers={"If-None-Match": first.headers["ETag"]})
    assert seen.status_code == 200
    assert [a["what"] for a in seen.json["agreements"]] == ["Elke vrijdag de bus"]
    assert seen.json["my_role"] == "learner"
    assert seen.json["version"] == version
    own = marco.get(f"/api/talks/{talk.id}/live")
    assert own.status_code == 200
    assert own.json["my_role"] == "lead"
    assert {k: v for k, v in own.json.items() if k != "my_role"} == {
        k: v for k, v in seen.json.items() if k != "my_role"
    }


def kept_body(services, talk_id: str) -> dict:
    with services.db.engine.connect() as connection:
        return json.loads(
            connection.execute(
                select(live_answers_table.c.body).where(live_answers_table.c.talk_id == talk_id)
            ).scalar_one()
        )


@pytest.mark.parametrize("who", ["lead", "learner"])
@pytest.mark.parametrize("change", ["agreement", "own goal"])
def test_the_kept_answer_is_the_panels_answer(
    services, client_for, lead, learner, make_talk, who, change
):
    """What a process serves from the row is what it would have built itself, whichever way
    the writer's request built it (the own goal's answer is the whole talk, with the lead's
    shares, which the panel does not show)."""
    talk = make_talk(lead, learner)
    writer = client_for(lead if who == "lead" else learner)
    if change == "agreement":
        done = writer.post(f"/api/talks/{talk.id}/agreements", json={"what": "Storingen zoeken"})
    else:
        done = writer.put(f"/api/talks/{talk.id}/own-goal", json={"text": "Zelf aansluiten"})
    assert done.status_code in (200, 201), done.json
    built = services.read(
        lambda s: views.panel_detail(services, s, lead.tenant_id, learner.id, talk.id)
    )
    assert kept_body(services, talk.id) == {k: v for k, v in built.items() if k != "my_role"}


def test_a_refused_write_keeps_nothing(services, client_for, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    before = stored_rows(services)
    refused = client_for(lead).post(f"/api/talks/{talk.id}/agreements", json={"what": ""})
    assert refused.status_code == 422
    assert stored_rows(services) == before


def test_a_newer_version_is_never_replaced_by_an_older_one(services, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    with services.db.connection() as connection:
        live_answers.keep(connection, talk.tenant_id, talk.id, 7, '{"version":7}')
        live_answers.keep(connection, talk.tenant_id, talk.id, 5, '{"version":5}')
        assert live_answers.stored(connection, talk.tenant_id, talk.id, 5) is None
        assert live_answers.stored(connection, talk.tenant_id, talk.id, 7) == '{"version":7}'
        live_answers.keep(connection, talk.tenant_id, talk.id, 8, '{"version":8}')
        assert live_answers.stored(connection, talk.tenant_id, talk.id, 8) == '{"version":8}'
        # Another tenant never reads it, whatever id it names.
        assert live_answers.stored(connection, "other-tenant", talk.id, 8) is None


def test_the_row_goes_with_its_talk(services, lead, learner, make_talk):
    talk = make_talk(lead, learner)
    with services.db.connection() as connection:
        live_answers.keep(connection, talk.tenant_id, talk.id, 3, '{"version":3}')
    with services.db.writing() as session:
        session.delete(session.get(Talk, talk.id))
    assert stored_rows(services) == []
    # A late writer of a talk that is gone keeps nothing and raises nothing.
    with services.db.connection() as connection:
        live_answers.keep(connection, talk.tenant_id, talk.id, 4, '{"version":4}')
    assert stored_rows(services) == []


def test_memory_serves_each_role_and_stays_bounded(services, lead, learner, make_talk):
    answers = PanelAnswers(services.db, size=2)
    talks = [make_talk(lead, learner) for _ in range(3)]
    for n, talk in enumerate(talks):
        answers.put({"id": talk.id, "version": 1, "my_role": "lead", "n": n}, "lead")
    first, *rest = talks
    # The oldest entry was dropped from memory, and nothing was kept in the database for it.
    assert answers.get(first.tenant_id, first.id, 1, "lead") is None
    body = answers.get(rest[-1].tenant_id, rest[-1].id, 1, "learner")
    assert body is not None
    assert json.loads(body) == {"id": rest[-1].id, "version": 1, "n": 2, "my_role": "learner"}
    assert answers.get(rest[-1].tenant_id, rest[-1].id, 2, "lead") is None
    # A published answer is served by another process's memory from the database.
    answers.publish(first.tenant_id, {"id": first.id, "version": 4, "my_role": "lead", "n": 0})
    elsewhere = PanelAnswers(services.db)
    served = elsewhere.get(first.tenant_id, first.id, 4, "learner")
    assert served is not None
    assert json.loads(served)["my_role"] == "learner"


def test_a_failure_to_share_never_costs_the_writer_their_change(
    services, client_for, lead, learner, make_talk, monkeypatch, caplog
):
    talk = make_talk(lead, learner)

    def refused(*args, **kwargs):
        raise OperationalError("UPDATE live_answers", {}, Exception("disk full"))

    monkeypatch.setattr(live_answers, "keep", refused)
    marco = client_for(lead)
    added = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "Geheim plan"})
    assert added.status_code == 201
    live = marco.get(f"/api/talks/{talk.id}/live")
    assert [a["what"] for a in live.json["agreements"]] == ["Geheim plan"]
    assert "live answer not shared: OperationalError" in caplog.text
    assert "Geheim plan" not in caplog.text


def test_every_kept_answer_matches_a_fresh_build_through_a_whole_talk(
    services, client_for, lead, learner, make_talk, clock
):
    """From plan to sign-off and the follow-up it books (a talk the sign-off creates), each
    talk's kept answer is what a panel would build from the database at that moment."""
    talk = make_talk(lead, learner, starts_at=clock.now() + timedelta(minutes=5))
    marco, sem = client_for(lead), client_for(learner)

    def all_kept_answers_are_fresh() -> None:
        with services.db.engine.connect() as connection:
            rows = connection.execute(select(live_answers_table)).all()
        assert rows
        for row in rows:
            fresh = services.read(
                lambda s, row=row: views.panel_detail(
                    services, s, row.tenant_id, lead.id, row.talk_id
                )
            )
            if fresh["version"] == row.version:
                assert json.loads(row.body) == {k: v for k, v in fresh.items() if k != "my_role"}

    clock.set(clock.now() + timedelta(minutes=10))
    first = marco.post(
        f"/api/talks/{talk.id}/agreements",
        json={"what": "Sem sluit een groep aan", "owner": "learner"},
    ).json
    all_kept_answers_are_fresh()
    confirmed = sem.post(
        f"/api/talks/{talk.id}/agreements/{first['id']}/confirm", json={"version": first["version"]}
    )
    assert confirmed.status_code == 200
    all_kept_answers_are_fresh()
    assert marco.sign(talk.id).status_code == 200
    all_kept_answers_are_fresh()
    signed = sem.sign(talk.id).json
    assert signed["status"] == "signed"
    all_kept_answers_are_fresh()
    follow_up = marco.get(f"/api/talks/{talk.id}").json["follow_up"]["talk_id"]
    assert follow_up is not None
    with services.db.engine.connect() as connection:
        kept = {row.talk_id: row.version for row in connection.execute(select(live_answers_table))}
    assert kept[talk.id] == marco.get(f"/api/talks/{talk.id}").json["version"]
    assert follow_up in kept


def test_answers_of_talks_changed_elsewhere_are_read_ahead_in_one_query(
    services, lead, learner, make_talk, make_person, monkeypatch
):
    talk, other = make_talk(lead, learner), make_talk(lead, make_person())
    with services.db.connection() as connection:
        live_answers.keep(connection, talk.tenant_id, talk.id, 4, '{"version":4}')
        live_answers.keep(connection, other.tenant_id, other.id, 2, '{"version":2}')
    answers = PanelAnswers(services.db)
    answers.prefetch(
        [
            (talk.tenant_id, talk.id, 4),
            (other.tenant_id, other.id, 3),  # not kept at this version yet
            ("other-tenant", "no-such-talk", 1),
        ]
    )

    def no_read(*args, **kwargs):
        raise AssertionError("read again")

    monkeypatch.setattr(live_answers, "stored", no_read)
    assert json.loads(answers.get(talk.tenant_id, talk.id, 4, "lead")) == {
        "version": 4,
        "my_role": "lead",
    }
    with pytest.raises(AssertionError, match="read again"):
        answers.get(other.tenant_id, other.id, 3, "lead")
    # Another tenant's id list never reaches a talk of this one.
    answers.prefetch([("other-tenant", talk.id, 5)])
    with services.db.connection() as connection:
        live_answers.keep(connection, talk.tenant_id, talk.id, 5, '{"version":5}')
    answers.prefetch([("other-tenant", talk.id, 5)])
    with pytest.raises(AssertionError, match="read again"):
        answers.get(talk.tenant_id, talk.id, 5, "lead")
