"""TokenService against the loopback Entra fake: real msal, real HTTPS, real requests."""

from __future__ import annotations

import datetime as dt
import logging
import stat
import uuid
from pathlib import Path
from typing import Any

import certifi
import jwt
import pytest
import trustme

from plugin.identity.token_problems import TokenProblem
from plugin.identity.tokens import TokenService
from tests.microsoft.entra_fake import GRAPH, OBO_GRANT, EntraFake

KEY = b"test-encryption-key-0123456789"


def service(entra: EntraFake, cache_dir: Path, **overrides: object) -> TokenService:
    options: dict[str, object] = {
        "tenant_id": entra.tenant_id,
        "client_id": entra.client_id,
        "client_secret": entra.client_secret,
        "authority_host": entra.authority_host,
        "ca_bundle": entra.ca_path,
        "cache_dir": cache_dir,
        "encryption_key": KEY,
    }
    options.update(overrides)
    return TokenService(**options)  # type: ignore[arg-type]


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "token-cache"


def user(entra: EntraFake) -> tuple[str, str, str]:
    oid = str(uuid.uuid4())
    return f"{entra.tenant_id}:{oid}", oid, entra.user_assertion(oid)


def graph_claims(entra: EntraFake, token: str) -> dict[str, Any]:
    """The claims of an access token for Microsoft Graph that this Entra fake issued: its
    signature checked with the fake's key, its audience Graph, its tenant the fake's, and
    issued to our app."""
    assert token in entra.issued_access_tokens, "not a token the Entra fake issued"
    found: dict[str, Any] = jwt.decode(
        token, entra.public_key_pem, algorithms=["RS256"], audience=GRAPH
    )
    assert found["aud"] == GRAPH
    assert found["tid"] == entra.tenant_id
    assert found["appid"] == entra.client_id
    return found


def assert_user_token(entra: EntraFake, token: str, oid: str) -> dict[str, Any]:
    """A delegated Graph token of the user `oid`, with the user's delegated scopes."""
    found = graph_claims(entra, token)
    assert found["oid"] == oid
    assert found["scp"].split() == entra.user_scopes
    assert "roles" not in found  # not the app's own token
    return found


def assert_app_token(entra: EntraFake, token: str) -> None:
    """The app's own Graph token (client credentials): the app's roles, no user's scopes."""
    found = graph_claims(entra, token)
    # The fake's service principal of our app, not any user.
    assert found["oid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, entra.client_id))
    assert found["roles"] == entra.app_roles
    assert "scp" not in found


def test_client_credentials_then_served_from_msal_cache(entra: EntraFake, cache_dir: Path) -> None:
    tokens = service(entra, cache_dir)
    first = tokens.app_token()
    assert first == entra.issued_access_tokens[0]
    assert tokens.app_token() == first
    [request] = entra.token_requests()
    assert request.method == "POST"
    assert request.form["grant_type"] == "client_credentials"
    assert request.form["scope"] == "https://graph.microsoft.com/.default"
    assert request.form["client_id"] == entra.client_id
    assert request.form["client_secret"] == entra.client_secret
    # Only the fake was asked: no instance discovery at login.microsoftonline.com.
    assert [(r.method, r.path) for r in entra.requests] == [
        ("GET", f"/{entra.tenant_id}/v2.0/.well-known/openid-configuration"),
        ("POST", f"/{entra.tenant_id}/oauth2/v2.0/token"),
    ]
    assert {r.host for r in entra.requests} == {f"127.0.0.1:{entra.port}"}


def test_obo_cached_in_memory_and_across_restart(entra: EntraFake, cache_dir: Path) -> None:
    key, _, assertion = user(entra)
    tokens = service(entra, cache_dir)
    token = tokens.user_token(key, assertion, ["https://graph.microsoft.com/Calendars.ReadWrite"])
    [request] = entra.token_requests()
    assert request.form["grant_type"] == OBO_GRANT
    assert request.form["requested_token_use"] == "on_behalf_of"
    assert request.form["assertion"] == assertion
    assert "https://graph.microsoft.com/Calendars.ReadWrite" in request.form["scope"].split()

    again = tokens.user_token(key, assertion, ["https://graph.microsoft.com/Calendars.ReadWrite"])
    assert again == token
    assert len(entra.token_requests()) == 1

    restarted = service(entra, cache_dir)
    after = restarted.user_token(
        key, assertion, ["https://graph.microsoft.com/Calendars.ReadWrite"]
    )
    assert after == token
    assert len(entra.token_requests()) == 1  # only the restart's OIDC discovery was new
    assert all(r.path.startswith(f"/{entra.tenant_id}/") for r in entra.requests), entra.requests

    # Another user gets their own token and their own file.
    other_key, _, other_assertion = user(entra)
    other = restarted.user_token(other_key, other_assertion)
    assert other != token
    assert len(entra.token_requests()) == 2
    assert len(list(cache_dir.glob("*.tokens"))) == 2


def test_expired_access_token_is_refreshed_with_refresh_token(
    entra: EntraFake, cache_dir: Path
) -> None:
    entra.access_token_lifetime = 1  # msal treats it as expired at once (5-minute margin)
    key, _, assertion = user(entra)
    tokens = service(entra, cache_dir)
    first = tokens.user_token(key, assertion)
    second = service(entra, cache_dir).user_token(key, assertion)
    assert second != first
    grants = [r.form["grant_type"] for r in entra.token_requests()]
    assert grants == [OBO_GRANT, "refresh_token"]


def test_cache_files_encrypted_and_private(entra: EntraFake, cache_dir: Path) -> None:
    key, oid, assertion = user(entra)
    token = service(entra, cache_dir).user_token(key, assertion)
    [path] = list(cache_dir.glob("*"))
    blob = path.read_bytes()
    for needle in (b"access_token", b"AccessToken", b"refresh_token", token.encode(), oid.encode()):
        assert needle not in blob
    assert key not in path.name and oid not in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # Another key cannot use it (its file name differs too), so OBO runs again.
    service(entra, cache_dir, encryption_key=b"another-key").user_token(key, assertion)
    assert len(entra.token_requests()) == 2


def test_corrupt_cache_file_is_treated_as_empty(
    entra: EntraFake, cache_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    key, _, assertion = user(entra)
    service(entra, cache_dir).user_token(key, assertion)
    [path] = list(cache_dir.glob("*.tokens"))
    path.write_bytes(b"gAAAAAB-not-really-fernet")
    with caplog.at_level(logging.WARNING, logger="plugin.identity.token_caches"):
        token = service(entra, cache_dir).user_token(key, assertion)
    assert len(entra.token_requests()) == 2
    assert "corrupt" in caplog.text
    assert "not-really" not in caplog.text
    assert token not in caplog.text and assertion not in caplog.text
    # The file is rewritten and usable again.
    assert service(entra, cache_dir).user_token(key, assertion) == token
    assert len(entra.token_requests()) == 2


def test_wrong_secret_is_invalid_client(entra: EntraFake, cache_dir: Path) -> None:
    wrong = "wrong~" + "x" * 30
    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir, client_secret=wrong).app_token()
    problem = caught.value
    assert problem.kind == "invalid_client"
    assert problem.code == "AADSTS7000215"
    assert "ONTWIKKELGESPREK_CLIENT_SECRET" in problem.admin_hint
    assert wrong not in str(problem) and entra.client_secret not in str(problem)
    assert problem.trace_id and problem.trace_id in str(problem)


def test_unknown_tenant(entra: EntraFake, cache_dir: Path) -> None:
    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir, tenant_id="no-such-tenant").app_token()
    assert caught.value.kind == "unknown_tenant"
    assert "ONTWIKKELGESPREK_TENANT_ID" in caught.value.admin_hint
    assert entra.client_secret not in str(caught.value)


def test_consent_required(entra: EntraFake, cache_dir: Path) -> None:
    key, oid, assertion = user(entra)
    entra.require_consent(oid)
    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir).user_token(key, assertion)
    problem = caught.value
    assert problem.kind == "consent_required"
    assert problem.code == "AADSTS65001"
    assert "admin consent" in problem.admin_hint
    assert entra.client_id in problem.admin_hint
    assert assertion not in str(problem)
    entra.require_consent(oid, required=False)
    assert_user_token(entra, service(entra, cache_dir).user_token(key, assertion), oid)


@pytest.mark.parametrize("how", ["foreign_signature", "wrong_audience"])
def test_invalid_assertion(entra: EntraFake, cache_dir: Path, tmp_path: Path, how: str) -> None:
    oid = str(uuid.uuid4())
    if how == "wrong_audience":
        assertion = entra.user_assertion(oid, audience=str(uuid.uuid4()))
    else:
        stranger = EntraFake(tmp_path, tenant_id=entra.tenant_id, client_id=entra.client_id)
        assertion = stranger.user_assertion(oid)
    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir).user_token(f"{entra.tenant_id}:{oid}", assertion)
    assert caught.value.kind == "invalid_assertion"
    assert caught.value.code == "AADSTS50013"
    assert assertion not in str(caught.value)


def test_ca_bundle_trap(entra: EntraFake, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE pointing elsewhere must not override our CA file."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    monkeypatch.setenv("CURL_CA_BUNDLE", certifi.where())
    assert_app_token(entra, service(entra, cache_dir).app_token())

    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir, ca_bundle=None).app_token()
    assert caught.value.kind == "unavailable"
    assert "ONTWIKKELGESPREK_CA_BUNDLE" in caught.value.admin_hint


def test_unreachable_host_is_unavailable(cache_dir: Path, tmp_path: Path) -> None:
    fake = EntraFake(tmp_path)  # never started: nothing listens on the port below
    with pytest.raises(TokenProblem) as caught:
        TokenService(
            tenant_id=fake.tenant_id,
            client_id=fake.client_id,
            client_secret=fake.client_secret,
            authority_host="https://127.0.0.1:9",
            ca_bundle=fake.ca_path,
            cache_dir=cache_dir,
            encryption_key=KEY,
        ).app_token()
    assert caught.value.kind == "unavailable"


def test_certificate_credential(entra: EntraFake, cache_dir: Path, tmp_path: Path) -> None:
    rsa = trustme.KeyType.RSA  # Entra accepts RSA app certificates only
    leaf = trustme.CA().issue_cert(
        "ontwikkelgesprek.example", not_after=dt.datetime(2030, 1, 1), key_type=rsa
    )
    pem = tmp_path / "app.pem"
    pem.write_bytes(leaf.private_key_pem.bytes() + leaf.cert_chain_pems[0].bytes())
    entra.add_client_certificate(leaf.cert_chain_pems[0].bytes())
    tokens = TokenService(
        tenant_id=entra.tenant_id,
        client_id=entra.client_id,
        certificate=pem,
        authority_host=entra.authority_host,
        ca_bundle=entra.ca_path,
        cache_dir=cache_dir,
        encryption_key=KEY,
    )
    assert_app_token(entra, tokens.app_token())
    [request] = entra.token_requests()
    assert "client_secret" not in request.form
    assert request.form["client_assertion_type"].endswith("client-assertion-type:jwt-bearer")

    other = trustme.CA().issue_cert("intruder.example", key_type=rsa)
    bad = tmp_path / "bad.pem"
    bad.write_bytes(other.private_key_pem.bytes() + other.cert_chain_pems[0].bytes())
    with pytest.raises(TokenProblem) as caught:
        service(entra, cache_dir, client_secret=None, certificate=bad).app_token()
    assert caught.value.kind == "invalid_client"
    assert caught.value.code == "AADSTS700027"


def test_non_rsa_certificate_is_rejected_up_front(entra: EntraFake, tmp_path: Path) -> None:
    leaf = trustme.CA().issue_cert("ontwikkelgesprek.example")  # ECDSA
    pem = tmp_path / "app.pem"
    pem.write_bytes(leaf.private_key_pem.bytes() + leaf.cert_chain_pems[0].bytes())
    with pytest.raises(TokenProblem) as caught:
        service(entra, tmp_path / "c", client_secret=None, certificate=pem)
    assert caught.value.kind == "invalid_client"
    assert "RSA" in caught.value.admin_hint


def test_from_settings(entra: EntraFake, tmp_path: Path) -> None:
    from plugin.settings import Settings

    settings = Settings(
        data_dir=tmp_path,
        tenant_id=entra.tenant_id,
        client_id=entra.client_id,
        client_secret=entra.client_secret,  # type: ignore[arg-type]
        authority_host=entra.authority_host,
        ca_bundle=entra.ca_path,
        secret_key="k" * 32,  # type: ignore[arg-type]
    )
    tokens = TokenService.from_settings(settings)
    key, oid, assertion = user(entra)
    assert_user_token(entra, tokens.user_token(key, assertion), oid)
    assert list((tmp_path / "token-cache").glob("*.tokens"))
