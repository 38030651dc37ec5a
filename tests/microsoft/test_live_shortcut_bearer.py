"""Microsoft mode: a live panel's poll with a Teams token is answered before Flask when the
token was accepted before and memory holds the answer (`web/live_shortcut.py`): the same
answer and headers as Flask gives; a new, expired or refused token, or plain http, still goes
to Flask."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from plugin.domain.clock import FixedClock
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client, plan_over_api
from tests.support.flask_calls import talks_requests_reaching

MARCO, SEM = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture
def flask_calls(ms_app: Flask) -> Iterator[list[str]]:
    with talks_requests_reaching(ms_app) as calls:
        yield calls


@pytest.fixture
def talk(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, graph: object, flask_calls: list[str]
) -> dict:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    planned = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))
    return {"id": planned["id"], "lead": lead, "learner": learner}


def _live(client, talk: dict, who: str, etag: str | None = None, query: str = ""):
    headers = {**talk[who], **({"If-None-Match": etag} if etag else {})}
    return client.get(f"/api/talks/{talk['id']}/live{query}", headers=headers)


def test_a_poll_with_a_known_token_is_answered_as_flask_would(
    ms_app: Flask, talk: dict, flask_calls: list[str]
) -> None:
    client = https_client(ms_app)
    etag = _live(client, talk, "lead").headers["ETag"]
    flask_calls.clear()

    short = _live(client, talk, "lead", etag)
    assert short.status_code == 304 and flask_calls == []
    through_flask = _live(client, talk, "lead", etag, "?poll=1")
    assert through_flask.status_code == 304 and len(flask_calls) == 1
    assert sorted(short.headers.items()) == sorted(through_flask.headers.items())
    assert short.headers["Strict-Transport-Security"] == "max-age=31536000"

    # A change: the new answer from memory, again as Flask gives it.
    changed = client.post(
        f"/api/talks/{talk['id']}/agreements", headers=talk["learner"], json={"what": "Iets"}
    )
    assert changed.status_code == 201
    flask_calls.clear()
    short = _live(client, talk, "lead", etag)
    assert short.status_code == 200 and flask_calls == []
    through_flask = _live(client, talk, "lead", etag, "?poll=1")
    assert sorted(short.headers.items()) == sorted(through_flask.headers.items())
    assert short.data == through_flask.data and short.json["my_role"] == "lead"


def test_new_expired_or_foreign_tokens_and_plain_http_go_to_flask(
    ms_app: Flask, talk: dict, entra: EntraFake, clock: FixedClock, flask_calls: list[str]
) -> None:
    client = https_client(ms_app)
    etag = _live(client, talk, "lead").headers["ETag"]
    flask_calls.clear()
    # A token never seen: Flask checks it (and then knows it).
    fresh = {**talk, "lead": bearer(entra, clock, MARCO, name="Marco")}
    assert _live(client, fresh, "lead", etag).status_code == 304
    assert len(flask_calls) == 1
    # Someone of the tenant who is not in the talk: Flask answers, and shows nothing.
    outsider = {**talk, "lead": bearer(entra, clock, str(uuid.uuid4()))}
    assert _live(client, outsider, "lead", etag).status_code == 404
    # Not a token at all.
    assert (
        _live(client, {**talk, "lead": {"Authorization": "Bearer x"}}, "lead", etag).status_code
        == 401
    )
    # Plain http: refused by Flask, never answered from memory.
    assert _live(ms_app.test_client(), talk, "lead", etag).status_code == 400
    assert len(flask_calls) == 4
    # Past its expiry, a token accepted before counts no more.
    clock.advance(timedelta(hours=3))
    assert _live(client, talk, "lead", etag).status_code == 401
    assert len(flask_calls) == 5
