"""Teams SSO token validation against keys served by the loopback Entra fake: only a token
that is right in every respect is accepted."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import jwt
import pytest

from plugin.identity.teams_sso import InvalidSsoToken, SsoValidator
from tests.microsoft.entra_fake import EntraFake

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
T0 = int(NOW.timestamp())
OID = "9a0c7f3e-2b14-4d8f-a6e1-5c3b2d1f0e9a"


def validator(entra: EntraFake, **overrides: object) -> SsoValidator:
    options: dict[str, object] = {
        "client_id": entra.client_id,
        "app_id_uri": f"api://og.example.test/{entra.client_id}",
        "allowed_tenants": [entra.tenant_id],
        "authority_host": entra.authority_host,
        "ca_bundle": entra.ca_path,
        "now": lambda: NOW,
    }
    options.update(overrides)
    return SsoValidator(**options)  # type: ignore[arg-type]


def _b64(value: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def tampered(entra: EntraFake) -> str:
    head, body, signature = entra.user_assertion(OID, issued_at=T0).split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["oid"] = str(uuid.uuid4())
    return f"{head}.{_b64(claims)}.{signature}"


def unsigned(entra: EntraFake) -> str:
    claims = jwt.decode(
        entra.user_assertion(OID, issued_at=T0), options={"verify_signature": False}
    )
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'x'})}.{_b64(claims)}."


def hs256_with_public_key(entra: EntraFake) -> str:
    claims = jwt.decode(
        entra.user_assertion(OID, issued_at=T0), options={"verify_signature": False}
    )
    header = {"alg": "HS256", "typ": "JWT", "kid": "k"}
    signing_input = f"{_b64(header)}.{_b64(claims)}".encode()
    import hashlib
    import hmac

    mac = hmac.new(entra.public_key_pem, signing_input, hashlib.sha256).digest()
    return f"{signing_input.decode()}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def unknown_kid(entra: EntraFake) -> str:
    stranger_key = EntraFake(entra.tmp_dir)  # another key pair, never published
    return stranger_key.sign(
        jwt.decode(entra.user_assertion(OID, issued_at=T0), options={"verify_signature": False})
    )


CASES: dict[str, Callable[[EntraFake], str]] = {
    "valid": lambda e: e.user_assertion(OID, issued_at=T0),
    "expired": lambda e: e.user_assertion(OID, issued_at=T0 - 7200, lifetime=3600),
    "not_yet_valid": lambda e: e.user_assertion(OID, issued_at=T0 + 900),
    "wrong_audience": lambda e: e.user_assertion(OID, issued_at=T0, audience=str(uuid.uuid4())),
    "wrong_issuer": lambda e: e.user_assertion(
        OID, issued_at=T0, issuer=f"https://login.microsoftonline.com/{uuid.uuid4()}/v2.0"
    ),
    "tenant_not_allowed": lambda e: e.user_assertion(OID, tid=str(uuid.uuid4()), issued_at=T0),
    "alg_none": unsigned,
    "hs256_with_public_key": hs256_with_public_key,
    "unknown_kid": unknown_kid,
    "tampered_payload": tampered,
    "missing_scope": lambda e: e.user_assertion(OID, issued_at=T0, scope="User.Read"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_only_a_token_right_in_every_respect_passes(entra: EntraFake, case: str) -> None:
    token = CASES[case](entra)
    check = validator(entra)
    if case == "valid":
        identity = check.validate(token)
        assert (identity.tenant_id, identity.object_id) == (entra.tenant_id, OID)
        assert identity.token == token and token not in repr(identity)
    else:
        with pytest.raises(InvalidSsoToken):
            check.validate(token)


def test_the_application_id_uri_is_an_accepted_audience(entra: EntraFake) -> None:
    token = entra.user_assertion(
        OID, issued_at=T0, audience=f"api://og.example.test/{entra.client_id}"
    )
    assert validator(entra).validate(token).object_id == OID


def test_small_clock_skew_is_tolerated(entra: EntraFake) -> None:
    check = validator(entra)
    for token in (
        entra.user_assertion(OID, issued_at=T0 + 60),  # issued a minute "in the future"
        entra.user_assertion(OID, issued_at=T0 - 3600 - 60, lifetime=3600),  # expired a minute ago
    ):
        identity = check.validate(token)
        assert (identity.tenant_id, identity.object_id) == (entra.tenant_id, OID)
        assert identity.token == token


def test_keys_are_fetched_again_after_a_key_rollover(entra: EntraFake) -> None:
    check = validator(entra, key_refresh_cooldown=0.0)
    check.validate(entra.user_assertion(OID, issued_at=T0))
    fetched = len([r for r in entra.requests if r.path.endswith("/keys")])
    check.validate(entra.user_assertion(OID, issued_at=T0))
    assert len([r for r in entra.requests if r.path.endswith("/keys")]) == fetched  # cached
    entra.rotate_key()
    check.validate(entra.user_assertion(OID, issued_at=T0))
    assert len([r for r in entra.requests if r.path.endswith("/keys")]) == fetched + 1


def test_no_keys_are_fetched_for_a_tenant_that_is_not_allowed(entra: EntraFake) -> None:
    with pytest.raises(InvalidSsoToken):
        validator(entra).validate(entra.user_assertion(OID, tid=str(uuid.uuid4()), issued_at=T0))
    assert entra.requests == []


def test_garbage_is_refused(entra: EntraFake) -> None:
    for token in ("", "abc", "a.b.c", "Bearer x"):
        with pytest.raises(InvalidSsoToken):
            validator(entra).validate(token)


def test_made_up_key_ids_do_not_make_it_fetch_keys_again_and_again(entra: EntraFake) -> None:
    check = validator(entra)
    check.validate(entra.user_assertion(OID, issued_at=T0))
    for _ in range(5):
        with pytest.raises(InvalidSsoToken):
            check.validate(unknown_kid(entra))
    assert len([r for r in entra.requests if r.path.endswith("/keys")]) == 1


def test_an_accepted_token_is_remembered_but_still_expires(entra: EntraFake) -> None:
    now = [NOW]
    check = validator(entra, now=lambda: now[0])
    token = entra.user_assertion(OID, issued_at=T0, lifetime=3600)
    first = check.validate(token)
    fetched = len(entra.requests)
    again = check.validate(token)
    assert again == first
    assert len(entra.requests) == fetched  # nothing asked of Entra ID the second time
    # A token that differs in any byte is checked in full, and fails.
    # (The signature's first character: its last one carries spare bits that may not count.)
    head, _, signature = token.rpartition(".")
    forged = ("B" if signature[0] == "A" else "A") + signature[1:]
    with pytest.raises(InvalidSsoToken):
        check.validate(f"{head}.{forged}")
    now[0] = datetime.fromtimestamp(T0 + 3600 + 121, UTC)  # past exp and the leeway
    with pytest.raises(InvalidSsoToken, match="expired"):
        check.validate(token)
