"""A live panel's poll is answered before Flask when memory holds the answer
(`web/live_shortcut.py`): the same 304 or 200 with the same headers as the view gives, and only
after the same checks; everything else still reaches Flask."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from plugin.web import session_cookies
from plugin.web.app import SESSION_COOKIE
from plugin.web.context import STAMPS
from tests.support.flask_calls import talks_requests_reaching


@pytest.fixture
def flask_calls(app: Flask) -> Iterator[list[str]]:
    with talks_requests_reaching(app) as calls:
        yield calls


def _live(client, talk_id: str, etag: str, query: str = ""):
    return client.get(f"/api/talks/{talk_id}/live{query}", headers={"If-None-Match": etag})


def test_an_unchanged_poll_is_answered_without_flask_as_flask_would(
    client_for, lead, learner, make_talk, flask_calls
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    flask_calls.clear()

    short = _live(marco, talk.id, etag)
    assert short.status_code == 304
    assert flask_calls == []
    # A query string (which the view ignores) takes the request through Flask: the answers
    # are the same, header for header.
    through_flask = _live(marco, talk.id, etag, "?poll=1")
    assert through_flask.status_code == 304
    assert flask_calls == [f"/api/talks/{talk.id}/live?poll=1"]
    assert sorted(short.headers.items()) == sorted(through_flask.headers.items())
    assert short.headers["ETag"] == etag and short.data == b""


def test_a_changed_talk_is_served_from_memory_as_flask_would(
    client_for, lead, learner, make_talk, flask_calls
):
    talk = make_talk(lead, learner)
    marco, sem = client_for(lead), client_for(learner)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    # The writer's process keeps the new answer (`live_publish`): memory holds it.
    assert sem.post(f"/api/talks/{talk.id}/agreements", json={"what": "Iets"}).status_code == 201
    flask_calls.clear()

    short = _live(marco, talk.id, etag)
    assert short.status_code == 200
    assert flask_calls == []
    through_flask = _live(marco, talk.id, etag, "?poll=1")
    assert len(flask_calls) == 1
    assert sorted(short.headers.items()) == sorted(through_flask.headers.items())
    assert short.data == through_flask.data
    assert short.json["my_role"] == "lead" and short.json["agreements"][0]["what"] == "Iets"
    assert short.headers["ETag"] != etag
    # The learner's answer names her role; her poll is served from memory too.
    own = _live(sem, talk.id, etag)
    assert own.json["my_role"] == "learner" and len(flask_calls) == 1


def test_a_caller_ahead_of_this_process_is_answered_from_the_database(
    client_for, lead, learner, make_talk, flask_calls
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    first = marco.get(f"/api/talks/{talk.id}/live")
    version = first.json["version"]
    ahead = f'"{version + 1}-{lead.id[:8]}"'  # as if another process had answered a newer one
    flask_calls.clear()
    answer = _live(marco, talk.id, ahead)
    assert answer.status_code == 200 and answer.json["version"] == version
    assert len(flask_calls) == 1


def test_a_stranger_or_no_cookie_goes_to_flask(
    app, client_for, lead, learner, make_talk, make_person, flask_calls
):
    talk = make_talk(lead, learner)
    marco, sem = client_for(lead), client_for(learner)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    assert sem.post(f"/api/talks/{talk.id}/agreements", json={"what": "Iets"}).status_code == 201
    flask_calls.clear()

    changed = _live(marco, talk.id, etag)  # from memory (the test above)
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    # A participant's tag opens nothing to someone who is not one.
    outsider = client_for(make_person())
    assert _live(outsider, talk.id, changed.headers["ETag"]).status_code == 404
    # The learner's own tag differs from the lead's: the lead's tag is no 304 for her.
    assert _live(sem, talk.id, changed.headers["ETag"]).status_code == 200
    anonymous = app.test_client()
    assert _live(anonymous, talk.id, changed.headers["ETag"]).status_code == 401
    assert len(flask_calls) == 2


def test_a_cookie_never_verified_here_is_verified_by_flask(
    app, client_for, lead, learner, make_talk, flask_calls
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    value = marco.client.get_cookie(SESSION_COOKIE).value
    body, signature = value.rsplit(".", 1)
    forged = app.test_client()
    forged.set_cookie(
        SESSION_COOKIE, f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    )
    flask_calls.clear()
    assert _live(forged, talk.id, etag).status_code == 401
    assert len(flask_calls) == 1


def test_a_signed_out_or_expired_session_gets_no_304(
    app, client_for, lead, learner, make_talk, monkeypatch
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    copy = app.test_client()
    copy.set_cookie(SESSION_COOKIE, marco.client.get_cookie(SESSION_COOKIE).value)
    assert _live(copy, talk.id, etag).status_code == 304

    lifetime = app.permanent_session_lifetime + timedelta(minutes=1)
    now = session_cookies.time.time()
    monkeypatch.setattr(session_cookies.time, "time", lambda: now + lifetime.total_seconds())
    assert _live(copy, talk.id, etag).status_code == 401
    monkeypatch.undo()

    assert _live(copy, talk.id, etag).status_code == 304
    assert marco.post("/api/signout").status_code == 200
    assert _live(copy, talk.id, etag).status_code == 401


def test_other_methods_and_paths_are_not_taken(client_for, lead, learner, make_talk, flask_calls):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    flask_calls.clear()
    assert marco.client.head(f"/api/talks/{talk.id}/live", headers={"If-None-Match": etag})
    assert marco.get(f"/api/talks/{talk.id}/live/", headers={"If-None-Match": etag})
    assert marco.get(f"/api/talks/{talk.id}", headers={"If-None-Match": etag}).status_code == 200
    assert len(flask_calls) == 3


def test_a_database_failure_in_the_shortcut_leaves_the_answer_to_flask(
    app, client_for, lead, learner, make_talk, flask_calls, monkeypatch
):
    talk = make_talk(lead, learner)
    marco = client_for(lead)
    etag = marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]
    stamps = app.extensions[STAMPS]
    stamp = stamps.stamp
    failures = iter([OperationalError("SELECT", {}, Exception("gone"))])

    def failing_once(*args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return stamp(*args, **kwargs)

    monkeypatch.setattr(stamps, "stamp", failing_once)
    flask_calls.clear()
    assert _live(marco, talk.id, etag).status_code == 304
    assert len(flask_calls) == 1
