"""A school supervisor's read-only link: signed, expiring, revocable by the lead, showing only
what the talk shares, and working the same in local and Microsoft mode."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plugin.domain.people import Person
from plugin.domain.talk import Talk
from tests.conftest import BASE_URL


@pytest.fixture
def talk(make_talk, lead, learner, sem):
    talk = make_talk(lead, learner)
    prepared = sem.put(
        f"/api/talks/{talk.id}/preparation",
        json={
            "ticked": [],
            "points": [{"text": "Privé: ik twijfel over de opleiding", "shared": True}],
            "version": 0,
        },
    )
    assert prepared.status_code == 200, prepared.json
    return talk


def make_link(client, talk_id, **body):
    body = {
        "name": "Petra Jansen",
        "email": "p.jansen@roc.example",
        "version": client.talk(talk_id)["version"],
        **body,
    }
    answer = client.post(f"/api/talks/{talk_id}/share-links", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def path_of(url: str) -> str:
    assert url.startswith(f"{BASE_URL}/shared/")
    return url[len(BASE_URL) :]


def test_the_link_shows_the_form_read_only_and_nothing_private(app, marco, talk, services):
    join_url = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0"

    def meeting(s):
        s.get(Talk, talk.id).join_url = join_url

    services.write(meeting)
    made = make_link(marco, talk.id)
    assert made["supervisor"]["external"] is True
    assert [s["email"] for s in made["shares"]] == ["p.jansen@roc.example"]
    page = app.test_client().get(path_of(made["url"]))  # no session: the link is the key
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert talk.title in html
    assert "Privé: ik twijfel" not in html  # preparations are not shared
    assert 'id="share-form"' not in html
    assert "meetup-join" not in html and "event.ics" not in html  # no way into the meeting
    assert page.headers["Cache-Control"] == "private, no-store"
    assert page.headers["X-Robots-Tag"] == "noindex"


def test_only_the_lead_makes_links(sem, talk, client_for, make_person):
    body = {"name": "P", "email": "p@roc.example", "version": sem.talk(talk.id)["version"]}
    answer = sem.post(f"/api/talks/{talk.id}/share-links", json=body)
    assert answer.status_code == 403
    stranger = client_for(make_person())
    answer = stranger.post(f"/api/talks/{talk.id}/share-links", json=body)
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"name": "Petra", "email": "geen-adres"}, "invalid_email", "email"),
        ({"name": "Petra", "email": "<script>x</script>@evil.example"}, "invalid_email", "email"),
        ({"name": "Petra", "email": "Petra <p@roc.example>"}, "invalid_email", "email"),
        ({"name": "", "email": "p@roc.example"}, "required", "name"),
        ({"name": "Petra", "email": "p@roc.example", "days": 0}, "too_small", "days"),
        ({"name": "Petra", "email": "p@roc.example", "days": 400}, "too_big", "days"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(marco, talk, services, body, code, field):
    version = marco.talk(talk.id)["version"]
    answer = marco.post(f"/api/talks/{talk.id}/share-links", json={**body, "version": version})
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert (error["code"], error["field"]) == (code, field), error
    assert [(d["code"], d["field"]) for d in error.get("details", [error])] == [(code, field)]
    assert services.read(lambda s: s.query(Person).filter_by(external=True).count()) == 0
    assert marco.get(f"/api/talks/{talk.id}/shares").json == {"shares": []}


def test_the_link_expires(app, marco, talk, clock):
    url = path_of(make_link(marco, talk.id, days=30)["url"])
    clock.set(clock.now() + timedelta(days=29, hours=23))
    assert app.test_client().get(url).status_code == 200
    clock.set(clock.now() + timedelta(hours=1))
    gone = app.test_client().get(url)
    assert gone.status_code == 404
    assert "werkt niet meer" in gone.get_data(as_text=True)


def test_stopping_the_share_or_a_newer_link_retires_the_old_link(app, marco, talk):
    first = make_link(marco, talk.id)
    second = make_link(marco, talk.id)  # the same supervisor (by e-mail): one person, one link
    assert second["supervisor"]["id"] == first["supervisor"]["id"]
    client = app.test_client()
    assert client.get(path_of(first["url"])).status_code == 404
    assert client.get(path_of(second["url"])).status_code == 200
    stopped = marco.delete(
        f"/api/talks/{talk.id}/shares/{second['supervisor']['id']}",
        query_string={"version": marco.talk(talk.id)["version"]},
    )
    assert stopped.status_code == 200
    assert client.get(path_of(second["url"])).status_code == 404


def test_forged_links_show_nothing(app, marco, talk, make_talk, lead, learner):
    url = path_of(make_link(marco, talk.id)["url"])
    payload, _, mac = url.removeprefix("/shared/").rpartition(".")
    client = app.test_client()

    # Change a character that fully counts (a signature's last base64 character carries spare
    # bits, so changing it may change nothing), always to another one.
    def other(text: str) -> str:
        return ("B" if text[0] == "A" else "A") + text[1:]

    for forged in (f"{payload}.{other(mac)}", f"{other(payload)}.{mac}", "x", "a" * 600):
        assert client.get(f"/shared/{forged}").status_code == 404


def test_the_link_signs_nobody_in(app, marco, talk):
    client = app.test_client()
    client.get(path_of(make_link(marco, talk.id)["url"]))
    assert client.get("/api/me").status_code == 401
    assert client.get(f"/api/talks/{talk.id}").status_code == 401
