"""The consent step: OBO answers consent_required, the pop-up runs the authorization-code flow
against the Entra fake (followed with a real HTTPS client, as a browser would), and
`TokenService.finish_consent` keeps the user's tokens only when the pop-up's answer is theirs.

Real msal throughout; the "browser" is httpx with the fakes' CA.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import jwt
import pytest

from plugin.identity.token_problems import TokenProblem
from plugin.identity.tokens import TokenService
from plugin.tls import tls_context
from tests.microsoft.entra_fake import AUTH_CODE_GRANT, OBO_GRANT, EntraFake
from tests.microsoft.test_tokens import assert_user_token

KEY = b"test-encryption-key-0123456789"
REDIRECT = "https://og.example.test/auth/consent/done"
CHAT_SEND = "https://graph.microsoft.com/ChatMessage.Send"


def service(entra: EntraFake, cache_dir: Path) -> TokenService:
    return TokenService(
        tenant_id=entra.tenant_id,
        client_id=entra.client_id,
        client_secret=entra.client_secret,
        authority_host=entra.authority_host,
        ca_bundle=entra.ca_path,
        cache_dir=cache_dir,
        encryption_key=KEY,
    )


class Person:
    """A Teams user of the fake's tenant: their key, object id and SSO token for our API."""

    def __init__(self, entra: EntraFake, name: str) -> None:
        self.oid = str(uuid.uuid4())
        self.name = name
        self.username = f"{name.lower()}@contoso.example"
        self.key = f"{entra.tenant_id}:{self.oid}"
        self.assertion = entra.user_assertion(self.oid, name=name)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "token-cache"


@pytest.fixture
def tokens(entra: EntraFake, cache_dir: Path) -> TokenService:
    entra.redirect_uris.add(REDIRECT)
    return service(entra, cache_dir)


@pytest.fixture
def browser(entra: EntraFake) -> Iterator[httpx.Client]:
    """What opens the pop-up: a plain HTTPS client that trusts the fakes and nothing else."""
    with httpx.Client(verify=tls_context(entra.ca_path), trust_env=False) as client:
        yield client


class _FormInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action = ""
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = values.get("action", "")
        if tag == "input" and values.get("type") == "hidden":
            self.fields[values["name"]] = values.get("value", "")


def follow(browser: httpx.Client, auth_uri: str) -> dict[str, str]:
    """Open the authorization URL; return the parameters the browser brings to REDIRECT."""
    response = browser.get(auth_uri)
    if response.status_code == 302:
        location = response.headers["location"]
        assert location.startswith(REDIRECT + "?"), location
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    assert response.status_code == 200, (response.status_code, response.text)
    form = _FormInputs()
    form.feed(response.text)
    assert form.action == REDIRECT
    return form.fields


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**query_of(url), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


def grants(entra: EntraFake) -> list[str]:
    return [r.form["grant_type"] for r in entra.token_requests()]


# -- the whole step ------------------------------------------------------------------------------


def test_consent_lets_obo_work_and_is_kept_for_the_worker(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, tmp_path: Path, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    entra.require_consent(lead.oid)
    with pytest.raises(TokenProblem) as caught:
        tokens.user_token(lead.key, lead.assertion, [CHAT_SEND])
    assert caught.value.kind == "consent_required"
    assert caught.value.code == "AADSTS65001"

    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT, login_hint=lead.username)
    sent = query_of(flow["auth_uri"])
    assert flow["auth_uri"].startswith(f"{entra.authority_host}/{entra.tenant_id}/oauth2/v2.0/")
    assert sent["client_id"] == entra.client_id
    assert sent["response_type"] == "code"
    assert sent["response_mode"] == "form_post"
    assert sent["redirect_uri"] == REDIRECT
    assert sent["state"] == flow["state"]
    assert sent["nonce"] and sent["code_challenge"]
    assert sent["code_challenge_method"] == "S256"
    assert sent["login_hint"] == lead.username
    assert set(sent["scope"].split()) == {CHAT_SEND, "openid", "profile", "offline_access"}
    assert flow["code_verifier"] not in flow["auth_uri"]

    entra.browser_user(lead.oid, name=lead.name, username=lead.username)
    answer = follow(browser, flow["auth_uri"])
    assert answer["state"] == flow["state"] and answer["code"]
    tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)

    assert not entra.consent_required(lead.oid)
    assert [c[:2] for c in entra.consents] == [(lead.oid, entra.tenant_id)]
    assert CHAT_SEND in entra.consents[0][2]
    [redeem] = [r for r in entra.token_requests() if r.form["grant_type"] == AUTH_CODE_GRANT]
    assert redeem.form["code"] == answer["code"]
    assert redeem.form["redirect_uri"] == REDIRECT
    assert redeem.form["code_verifier"] == flow["code_verifier"]
    assert redeem.form["client_secret"] == entra.client_secret
    assert len(list(cache_dir.glob("*.tokens"))) == 1

    # The same service answers from what the consent stored; a fresh one with no cache by OBO.
    assert claims(tokens.user_token(lead.key, lead.assertion, [CHAT_SEND]))["oid"] == lead.oid
    assert OBO_GRANT not in grants(entra)[1:]
    fresh = service(entra, tmp_path / "other-cache").user_token(lead.key, lead.assertion)
    assert grants(entra)[-1] == OBO_GRANT
    assert_user_token(entra, fresh, lead.oid)  # Marco's Graph token, with his delegated scopes

    # The worker, restarted, has no assertion: the persisted consent is enough.
    worker = service(entra, cache_dir)
    token = worker.user_token_silent(lead.key, [CHAT_SEND])
    assert claims(token)["oid"] == lead.oid and claims(token)["tid"] == entra.tenant_id


def test_query_response_mode_redirects_with_code_state_and_client_info(
    entra: EntraFake, tokens: TokenService, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    entra.browser_user(lead.oid)
    with pytest.warns(UserWarning, match="form_post"):  # msal's advice, the reason for our default
        flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT, response_mode="query")
    response = browser.get(flow["auth_uri"])
    assert response.status_code == 302
    answer = query_of(response.headers["location"])
    assert set(answer) == {"code", "state", "session_state", "client_info"}
    tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)
    assert_user_token(entra, tokens.user_token_silent(lead.key, [CHAT_SEND]), lead.oid)


# -- refusals: nothing is stored ------------------------------------------------------------------


def assert_nothing_kept(tokens: TokenService, cache_dir: Path, *people: Person) -> None:
    assert not list(cache_dir.glob("*.tokens"))
    for person in people:
        with pytest.raises(TokenProblem) as caught:
            tokens.user_token_silent(person.key, [CHAT_SEND])
        assert caught.value.kind == "sign_in_required"
    # Not even in the shared in-memory cache (a private look: no public API lists it).
    assert tokens._app(tokens.tenant_id).get_accounts() == []


def test_another_account_in_the_pop_up_is_refused(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, browser: httpx.Client
) -> None:
    lead, colleague = Person(entra, "Marco"), Person(entra, "Eva")
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT, login_hint=lead.username)
    entra.browser_user(colleague.oid, name=colleague.name)  # picked another account
    answer = follow(browser, flow["auth_uri"])
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)
    assert caught.value.kind == "wrong_account"
    assert answer["code"] not in str(caught.value)
    assert AUTH_CODE_GRANT in grants(entra)  # redeemed, then dropped
    assert_nothing_kept(tokens, cache_dir, lead, colleague)


def test_state_mismatch_is_refused_before_redeeming(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    entra.browser_user(lead.oid)
    answer = {**follow(browser, flow["auth_uri"]), "state": "forged-state"}
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)
    assert caught.value.kind == "invalid_response"
    assert "forged-state" not in str(caught.value)
    assert AUTH_CODE_GRANT not in grants(entra)
    assert_nothing_kept(tokens, cache_dir, lead)


def test_a_flow_started_for_another_user_is_refused(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, browser: httpx.Client
) -> None:
    lead, colleague = Person(entra, "Marco"), Person(entra, "Eva")
    flow = tokens.begin_consent(colleague.key, [CHAT_SEND], REDIRECT)
    entra.browser_user(lead.oid)
    answer = follow(browser, flow["auth_uri"])
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)
    assert caught.value.kind == "invalid_response"
    assert AUTH_CODE_GRANT not in grants(entra)
    assert_nothing_kept(tokens, cache_dir, lead)


def test_wrong_pkce_verifier_is_refused_by_entra(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    entra.browser_user(lead.oid)
    answer = follow(browser, flow["auth_uri"])
    tampered = {**flow, "code_verifier": "x" * 43}
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, tampered, answer, entra.tenant_id, lead.oid)
    assert caught.value.kind == "invalid_response"
    assert caught.value.code == "AADSTS501481"
    assert caught.value.error == "invalid_grant"
    assert_nothing_kept(tokens, cache_dir, lead)


def test_a_code_works_once_and_expires(
    entra: EntraFake, tokens: TokenService, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    entra.browser_user(lead.oid)
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    answer = follow(browser, flow["auth_uri"])
    tokens.finish_consent(lead.key, dict(flow), answer, entra.tenant_id, lead.oid)
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, dict(flow), answer, entra.tenant_id, lead.oid)
    assert (caught.value.kind, caught.value.code) == ("invalid_response", "AADSTS54005")

    late = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    late_answer = follow(browser, late["auth_uri"])
    issued_at = entra.clock()
    entra.clock = lambda: issued_at + entra.code_lifetime + 1
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, late, late_answer, entra.tenant_id, lead.oid)
    assert (caught.value.kind, caught.value.code) == ("invalid_response", "AADSTS70008")


def test_declining_consent(
    entra: EntraFake, tokens: TokenService, cache_dir: Path, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    entra.require_consent(lead.oid)
    entra.decline_consent(lead.oid)
    entra.browser_user(lead.oid)
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    answer = follow(browser, flow["auth_uri"])
    assert answer["error"] == "access_denied" and answer["error_subcode"] == "cancel"
    assert answer["state"] == flow["state"]
    assert answer["error_description"].startswith("AADSTS65004:")
    with pytest.raises(TokenProblem) as caught:
        tokens.finish_consent(lead.key, flow, answer, entra.tenant_id, lead.oid)
    assert caught.value.kind == "consent_required"
    assert (caught.value.error, caught.value.code) == ("access_denied", "AADSTS65004")
    assert entra.consent_required(lead.oid)
    assert_nothing_kept(tokens, cache_dir, lead)


# -- the authorization endpoint's own refusals ---------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": str(uuid.uuid4())}, "AADSTS700016"),
        ({"redirect_uri": "https://evil.example/steal"}, "AADSTS50011"),
    ],
)
def test_unknown_client_or_redirect_gets_an_error_page_not_a_redirect(
    entra: EntraFake,
    tokens: TokenService,
    browser: httpx.Client,
    change: dict[str, str],
    code: str,
) -> None:
    lead = Person(entra, "Marco")
    entra.browser_user(lead.oid)
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT)
    response = browser.get(with_query(flow["auth_uri"], **change))
    assert response.status_code == 400
    assert "location" not in response.headers
    assert code in response.text
    assert not entra.token_requests()


def test_prompt_none_answers_instead_of_asking(
    entra: EntraFake, tokens: TokenService, browser: httpx.Client
) -> None:
    lead = Person(entra, "Marco")
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT, prompt="none")
    assert follow(browser, flow["auth_uri"])["error"] == "login_required"
    entra.browser_user(lead.oid)
    entra.require_consent(lead.oid)
    flow = tokens.begin_consent(lead.key, [CHAT_SEND], REDIRECT, prompt="none")
    answer = follow(browser, flow["auth_uri"])
    assert answer["error"] == "consent_required"
    assert answer["error_description"].startswith("AADSTS65001:")


# -- the worker's silent path ---------------------------------------------------------------------


def test_silent_needs_a_sign_in_first(entra: EntraFake, tokens: TokenService) -> None:
    lead = Person(entra, "Marco")
    with pytest.raises(TokenProblem) as caught:
        tokens.user_token_silent(lead.key, [CHAT_SEND])
    assert caught.value.kind == "sign_in_required"
    assert not entra.token_requests()


def test_silent_after_obo_and_when_the_grant_is_revoked_or_consent_withdrawn(
    entra: EntraFake, tokens: TokenService, cache_dir: Path
) -> None:
    lead = Person(entra, "Marco")
    token = tokens.user_token(lead.key, lead.assertion)
    assert service(entra, cache_dir).user_token_silent(lead.key) == token

    entra.access_token_lifetime = 1  # msal treats these as expired at once: it must refresh
    revoked, withdrawn = Person(entra, "Eva"), Person(entra, "Sem")
    tokens.user_token(revoked.key, revoked.assertion)
    tokens.user_token(withdrawn.key, withdrawn.assertion)
    entra.revoke_sessions(revoked.oid)
    entra.require_consent(withdrawn.oid)

    with pytest.raises(TokenProblem) as caught:
        tokens.user_token_silent(revoked.key, [CHAT_SEND])
    assert (caught.value.kind, caught.value.code) == ("sign_in_required", "AADSTS50173")
    with pytest.raises(TokenProblem) as caught:
        tokens.user_token_silent(withdrawn.key, [CHAT_SEND])
    assert (caught.value.kind, caught.value.code) == ("consent_required", "AADSTS65001")


def test_a_running_worker_sees_what_the_web_process_stored_later(
    entra: EntraFake, cache_dir: Path
) -> None:
    lead = Person(entra, "Marco")
    worker, web = service(entra, cache_dir), service(entra, cache_dir)
    with pytest.raises(TokenProblem) as caught:
        worker.user_token_silent(lead.key)  # nothing stored yet: the worker notes that
    assert caught.value.kind == "sign_in_required"
    web.user_token(lead.key, lead.assertion)  # the lead signs in Teams: the web stores it
    assert claims(worker.user_token_silent(lead.key))["oid"] == lead.oid  # no restart needed
