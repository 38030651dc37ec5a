"""Health, sign-in links and the plain pages."""

from __future__ import annotations

from datetime import timedelta


def test_healthz_names_mode_and_database(app, db_url):
    body = app.test_client().get("/healthz").json
    assert body == {
        "status": "ok",
        "mode": "local",
        "database": "sqlite" if db_url.startswith("sqlite") else "postgresql",
    }


def test_signin_link_works_once_and_expires(app, services, lead, clock):
    from plugin.identity.local import issue_signin_token

    token = services.write(lambda s: issue_signin_token(s, lead, clock.now()))
    first = app.test_client()
    response = first.get(f"/signin/{token}")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.test_client().get(f"/signin/{token}").status_code == 410

    stale = services.write(lambda s: issue_signin_token(s, lead, clock.now()))
    clock.advance(timedelta(days=8))
    assert app.test_client().get(f"/signin/{stale}").status_code == 410
    assert app.test_client().get("/signin/not-a-token").status_code == 410


def test_pages_escape_user_text(client_for, lead, learner, make_talk):
    talk = make_talk(lead, learner, title="<script>alert(1)</script> plan")
    client = client_for(lead)
    for view in ("prepare", "panel", "form"):
        page = client.get(f"/talks/{talk.id}/{view}").data.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt; plan" in page
        assert "<script>alert" not in page
        # Data handed to the page's script is JSON with "<" escaped, so it cannot end the tag.
        assert "\\u003cscript\\u003e" in page
    assert "werkpleklerenindetechniek.nl" in client.get("/").data.decode()


def test_pages_are_dutch_by_default_and_english_on_request(client_for, lead):
    client = client_for(lead)
    assert 'lang="nl"' in client.get("/").data.decode()
    assert 'lang="en"' in client.get("/?lang=en").data.decode()
    assert client.get("/api/me").json["language"] == "en"


def test_security_headers(app):
    response = app.test_client().get("/healthz")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_talk_pages_link_the_teams_meeting_or_say_why_it_is_not_in_outlook(
    services, client_for, lead, learner, make_talk
):
    from plugin.domain.talk import Talk
    from plugin.domain.talk_state import CalendarState

    talk = make_talk(lead, learner)

    def set_calendar(state, error=None, join_url=None):
        def work(s):
            stored = s.get(Talk, talk.id)
            stored.calendar_state, stored.calendar_error, stored.join_url = state, error, join_url

        services.write(work)

    join = 'https://teams.microsoft.com/l/meetup-join/19%3ameeting"&x=<b>'
    set_calendar(CalendarState.SYNCED, join_url=join)
    html = client_for(learner).get(f"/talks/{talk.id}/prepare").get_data(as_text=True)
    assert (
        'href="https://teams.microsoft.com/l/meetup-join/19%3ameeting&#34;&amp;x=&lt;b&gt;"' in html
    )
    assert "Deelnemen aan de Teams-vergadering" in html

    set_calendar(CalendarState.FAILED, error="calendar_permission")
    for page in ("prepare", "panel"):
        html = client_for(lead).get(f"/talks/{talk.id}/{page}").get_data(as_text=True)
        assert "de app mag deze agenda niet gebruiken" in html
        assert "Deelnemen aan de Teams-vergadering" not in html
    set_calendar(CalendarState.FAILED, error="rejected")
    html = client_for(lead).get(f"/talks/{talk.id}/prepare").get_data(as_text=True)
    assert "kon niet in de agenda worden gezet" in html
