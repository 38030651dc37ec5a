"""The session cookie, verified once and then remembered by its value: a remembered cookie
still expires on time, a changed one is checked again (and a forged one refused), and no
request can change what another request with the same cookie gets."""

from __future__ import annotations

from datetime import timedelta

from plugin.web import session_cookies
from plugin.web.app import SESSION_COOKIE


def _cookie(client) -> str:
    cookie = client.client.get_cookie(SESSION_COOKIE)
    assert cookie is not None
    return cookie.value


def test_a_remembered_cookie_still_expires(app, client_for, lead, monkeypatch):
    marco = client_for(lead)
    assert marco.get("/api/me").status_code == 200  # verified, and now remembered
    lifetime = app.permanent_session_lifetime + timedelta(minutes=1)
    later = session_cookies.time.time() + lifetime.total_seconds()
    monkeypatch.setattr(session_cookies.time, "time", lambda: later)
    assert marco.get("/api/me").status_code == 401


def test_a_changed_cookie_is_checked_again(app, client_for, lead):
    marco = client_for(lead)
    assert marco.get("/api/me").status_code == 200
    value = _cookie(marco)
    # The signature's first character, always to another one (its last one's spare bits
    # may not count).
    body, signature = value.rsplit(".", 1)
    forged = f"{body}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    stranger = app.test_client()
    stranger.set_cookie(SESSION_COOKIE, forged)
    assert stranger.get("/api/me").status_code == 401
    # The real one still works, from another client too (the same bytes, remembered).
    twin = app.test_client()
    twin.set_cookie(SESSION_COOKIE, value)
    assert twin.get("/api/me").status_code == 200


def test_each_request_gets_its_own_copy(app, client_for, lead):
    marco = client_for(lead)
    value = _cookie(marco)
    remembered = app.session_interface
    assert isinstance(remembered, session_cookies.RememberingSessionInterface)
    with app.test_request_context(headers={"Cookie": f"{SESSION_COOKIE}={value}"}):
        from flask import request

        first = remembered.open_session(app, request)
        assert first is not None and first.get("pid") == lead.id
        first["pid"] = "someone-else"
        second = remembered.open_session(app, request)
        assert second is not None and second.get("pid") == lead.id
