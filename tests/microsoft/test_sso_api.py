"""The API in Microsoft mode: who is asking comes only from a validated Teams SSO token."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from flask import Flask

from plugin.bootstrap import sso_validator
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client, plan_over_api
from tests.support.ticks import Ticks

MARCO, SEM = str(uuid.uuid4()), str(uuid.uuid4())


def test_a_valid_token_signs_in_and_adds_the_person_once(
    ms_app: Flask, ms_services: Services, entra: EntraFake, clock: FixedClock
) -> None:
    client = https_client(ms_app)
    first = client.get("/api/me", headers=bearer(entra, clock, MARCO, name="Marco de Vries"))
    assert first.status_code == 200, first.json
    again = client.get("/api/me", headers=bearer(entra, clock, MARCO, name="Marco de Vries"))
    assert again.json["id"] == first.json["id"]
    people = ms_services.read(lambda s: s.query(Person).all())
    assert [(p.object_id, p.display_name) for p in people] == [(MARCO, "Marco de Vries")]
    assert "Set-Cookie" not in first.headers


REFUSED_TOKEN = 'Bearer error="invalid_token"'


@pytest.mark.parametrize(
    ("header", "challenge"),
    [
        # Nothing sent: the answer names the scheme that gets in (RFC 6750), nothing more.
        (None, "Bearer"),
        # Something sent in the Authorization header, and refused: named as such.
        ("Bearer", REFUSED_TOKEN),
        ("Basic abc", REFUSED_TOKEN),
        ("Bearer not-a-token", REFUSED_TOKEN),
    ],
)
def test_without_a_valid_token_nobody_is_signed_in(
    ms_app: Flask, header: str | None, challenge: str, entra: EntraFake, clock: FixedClock
) -> None:
    headers = {} if header is None else {"Authorization": header}
    answer = https_client(ms_app).get("/api/me", headers=headers)
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthenticated"
    assert answer.headers["WWW-Authenticate"] == challenge


def test_refusals_leak_no_detail(ms_app: Flask, entra: EntraFake, clock: FixedClock) -> None:
    expired = entra.user_assertion(
        MARCO, issued_at=int((clock.now() - timedelta(hours=3)).timestamp())
    )
    answer = https_client(ms_app).get("/api/me", headers={"Authorization": f"Bearer {expired}"})
    assert answer.status_code == 401
    assert "expired" not in answer.get_data(as_text=True).lower()
    # Refused, and said so in the challenge, without saying why (no error_description).
    assert answer.headers["WWW-Authenticate"] == REFUSED_TOKEN


def test_bearer_calls_need_no_csrf_token_and_talks_stay_within_their_tenant(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, ms_services: Services, graph: object
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    planned = plan_over_api(
        client, lead, learner, clock.now() + timedelta(days=2), duration_minutes=45
    )
    talk_id = planned["id"]
    assert client.get(f"/api/talks/{talk_id}", headers=learner).status_code == 200
    # Someone else of the same tenant: not theirs.
    other = bearer(entra, clock, str(uuid.uuid4()))
    assert client.get(f"/api/talks/{talk_id}", headers=other).status_code == 404


def test_the_same_object_id_in_another_allowed_tenant_is_someone_else(
    ms_services: Services, ms_settings: Settings, entra: EntraFake, clock: FixedClock
) -> None:
    other_tenant = str(uuid.uuid4())
    entra.tenants.add(other_tenant)
    both = ms_settings.model_copy(update={"allowed_tenants": f"{entra.tenant_id},{other_tenant}"})
    app = create_app(ms_services, mode="microsoft", sso=sso_validator(both, clock))
    try:
        client = https_client(app)
        lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
        talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
        twin = bearer(entra, clock, MARCO, tid=other_tenant)
        assert (
            client.get("/api/me", headers=twin).json["id"]
            != client.get("/api/me", headers=lead).json["id"]
        )
        assert client.get(f"/api/talks/{talk_id}", headers=twin).status_code == 404
        assert client.get(f"/api/talks/{talk_id}/live", headers=twin).status_code == 404
    finally:
        app.extensions[STAMPS].stop()


def test_a_local_session_cookie_counts_for_nothing_in_microsoft_mode(
    ms_app: Flask, ms_services: Services
) -> None:
    client = https_client(ms_app)
    with client.session_transaction() as cookie:
        cookie["pid"], cookie["tid"], cookie["csrf"] = "someone", "local", "x"
    answer = client.get("/api/me")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"  # no token was sent


def test_tabs_may_be_framed_by_teams_outlook_and_microsoft_365_only_in_microsoft_mode(
    ms_app: Flask, app: Flask
) -> None:
    def ancestors(flask_app: Flask) -> list[str]:
        response = flask_app.test_client().get("/healthz")
        assert "X-Frame-Options" not in response.headers
        csp = response.headers["Content-Security-Policy"]
        directive = next(d.strip() for d in csp.split(";") if "frame-ancestors" in d)
        return directive.split()[1:]

    assert ancestors(app) == ["'self'"]
    assert ancestors(ms_app) == [
        "'self'",
        "https://*.cloud.microsoft",
        "https://teams.microsoft.com",
        "https://*.teams.microsoft.com",
        "https://*.microsoft365.com",
        "https://*.office.com",
        "https://outlook.office.com",
        "https://outlook.office365.com",
        "https://outlook-sdf.office.com",
        "https://outlook-sdf.office365.com",
    ]


def test_microsoft_mode_answers_over_https_only(
    ms_services: Services, ms_settings: Settings, entra: EntraFake, clock: FixedClock
) -> None:
    validator = sso_validator(ms_settings, clock)
    direct = create_app(ms_services, mode="microsoft", sso=validator)
    behind_proxy = create_app(ms_services, mode="microsoft", sso=validator, proxy_hops=1)
    try:
        token = bearer(entra, clock, MARCO)
        plain = direct.test_client().get("/api/me", headers=token)
        assert plain.status_code == 400
        assert plain.json["error"]["code"] == "https_required"
        assert direct.test_client().get("/healthz").status_code == 200  # load balancers
        # A forged X-Forwarded-Proto counts only when a proxy is configured in front.
        forged = {**token, "X-Forwarded-Proto": "https"}
        assert direct.test_client().get("/api/me", headers=forged).status_code == 400
        proxied = behind_proxy.test_client().get("/api/me", headers=forged)
        assert proxied.status_code == 200
        assert proxied.headers["Strict-Transport-Security"] == "max-age=31536000"
        secure = https_client(direct).get("/api/me", headers=token)
        assert secure.status_code == 200
    finally:
        direct.extensions[STAMPS].stop()
        behind_proxy.extensions[STAMPS].stop()


def test_who_a_token_is_is_read_once_a_second_and_a_new_name_at_once(
    ms_app: Flask, ms_services: Services, entra: EntraFake, clock: FixedClock, monkeypatch
) -> None:
    """A live panel sends the same token twice a second: the person behind it is remembered
    for a second, not read on every request; a changed name is stored on its first use."""
    from plugin.web import sso

    ticks = Ticks()
    ms_app.extensions[sso.SIGNED_IN_PEOPLE] = sso.SignedInPeople(ttl=1.0, monotonic=ticks)
    reads: list[str] = []
    read = sso.known_person

    def counted(session, tenant_id, object_id, name, email):  # type: ignore[no-untyped-def]
        reads.append(name)
        return read(session, tenant_id, object_id, name, email)

    monkeypatch.setattr(sso, "known_person", counted)
    client = https_client(ms_app)
    token = bearer(entra, clock, MARCO, name="Marco de Vries")
    first = client.get("/api/me", headers=token).json["id"]
    assert [client.get("/api/me", headers=token).json["id"] for _ in range(3)] == [first] * 3
    assert reads == ["Marco de Vries"]
    ticks.now += 1.5
    assert client.get("/api/me", headers=token).json["id"] == first
    assert reads == ["Marco de Vries"] * 2

    renamed = client.get("/api/me", headers=bearer(entra, clock, MARCO, name="Marco Janssen"))
    assert renamed.json["id"] == first
    assert ms_services.read(lambda s: s.get(Person, first).display_name) == "Marco Janssen"
    assert reads[-1] == "Marco Janssen"


def test_an_erased_persons_token_stops_counting_within_the_second(
    ms_app: Flask, ms_services: Services, entra: EntraFake, clock: FixedClock
) -> None:
    from plugin.services.privacy_erase import erase
    from plugin.web import sso

    ticks = Ticks()
    ms_app.extensions[sso.SIGNED_IN_PEOPLE] = sso.SignedInPeople(ttl=1.0, monotonic=ticks)
    client = https_client(ms_app)
    token = bearer(entra, clock, MARCO, name="Marco de Vries")
    erased = client.get("/api/me", headers=token).json["id"]
    erase(ms_services, erased)
    ticks.now += 1.5
    # The same token now signs in someone new: nothing of the erased person comes back.
    again = client.get("/api/me", headers=token)
    assert again.status_code == 200 and again.json["id"] != erased
