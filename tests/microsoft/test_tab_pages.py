"""The pages as Teams tabs (Microsoft mode): a data-free shell until the host's token comes,
then the same pages as in local mode; the meeting ↔ talk link; the pages the manifest names."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from flask import Flask

from plugin.domain.clock import FixedClock
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.store import repo
from plugin.web.host import TEAMSJS
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client, plan_over_api, talk_version
from tests.microsoft.graph_fake import GraphFake
from tests.microsoft.test_sso_api import MARCO, SEM

CHAT = "19:meeting_NjA0ZTBiMjktYzg3Ni00YjFkLWE0ZjQtOTcxYzBkYWQwYmM3@thread.v2"
PAGES = ("/", "/talks/new", "/teams/personal", "/teams/configure", "/talks/nope/panel")


def _boot(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="og-boot">(.*?)</script>', html, re.S)
    assert found, html
    loaded: dict[str, object] = json.loads(found.group(1))
    return loaded


def _with_mailboxes(
    entra: EntraFake, clock: FixedClock, graph: GraphFake
) -> tuple[dict[str, str], dict[str, str]]:
    """Marco's and Sem's bearer headers, with their mailboxes at the Graph fake."""
    headers = []
    for oid, name in ((MARCO, "marco"), (SEM, "sem")):
        graph.add_mailbox(f"{name}@contoso.test")
        headers.append(
            bearer(entra, clock, oid, extra={"preferred_username": f"{name}@contoso.test"})
        )
    return headers[0], headers[1]


def test_without_a_token_every_page_is_the_shell_that_loads_pinned_teamsjs(ms_app: Flask) -> None:
    client = https_client(ms_app)
    for path in PAGES:
        answer = client.get(path)
        assert answer.status_code == 200, path
        html = answer.get_data(as_text=True)
        boot = _boot(html)
        assert boot["host_shell"] is True
        assert boot["teamsjs"] == {"src": TEAMSJS.src, "integrity": TEAMSJS.integrity}
        assert "/static/js/teams.js" in html
        assert "og-strings" not in html and "csrf" not in html  # nothing of anyone's
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "X-Frame-Options" not in answer.headers  # Teams frames it; CSP says who may
        csp = answer.headers["Content-Security-Policy"]
        assert f"script-src 'self' {TEAMSJS.src};" in csp
    assert TEAMSJS.src.startswith("https://res.cdn.office.net/teams-js/2.")
    assert TEAMSJS.integrity.startswith("sha384-")


def test_local_mode_loads_nothing_from_microsoft(app: Flask) -> None:
    answer = app.test_client().get("/about")
    assert "res.cdn.office.net" not in answer.get_data(as_text=True)
    assert "res.cdn.office.net" not in answer.headers["Content-Security-Policy"]


def test_with_the_token_the_page_itself_comes_without_the_site_header(
    ms_app: Flask, ms_services: Services, entra: EntraFake, clock: FixedClock
) -> None:
    client = https_client(ms_app)
    answer = client.get("/", headers=bearer(entra, clock, MARCO, name="Marco"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    # The token's person (its tenant and object id), as the sign-in stored them.
    marco = ms_services.read(lambda s: repo.person_by_identity(s, entra.tenant_id, MARCO))
    assert marco is not None and marco.display_name == "Marco"
    assert _boot(html)["me"] == {"id": marco.id, "name": "Marco"}
    assert 'class="site-header"' not in html  # Teams has the header, theme and language
    assert '<main id="main" tabindex="-1">' in html  # full width in a content tab


def test_the_side_panel_opens_the_talk_as_the_live_panel_narrow(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, graph: GraphFake
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
    content = client.get(f"/talks/{talk_id}", headers=lead)
    assert content.headers["Location"] == f"/talks/{talk_id}/prepare"  # before the talk
    side = client.get(f"/talks/{talk_id}?frame=sidePanel", headers=lead)
    assert side.headers["Location"] == f"/talks/{talk_id}/panel?frame=sidePanel"
    panel = client.get(side.headers["Location"], headers=lead).get_data(as_text=True)
    assert '<main id="main" tabindex="-1" class="narrow">' in panel


def test_a_meeting_is_linked_to_a_talk_by_its_lead_and_found_by_both(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, graph: GraphFake
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
    assert client.get(f"/api/meetings/{CHAT}/talks", headers=lead).json == {"talks": []}
    version = talk_version(client, lead, talk_id)

    refused = client.put(
        f"/api/talks/{talk_id}/meeting",
        headers=learner,
        json={"chat_id": CHAT, "version": version},
    )
    assert refused.status_code == 403
    assert refused.json["error"]["code"] == "lead_only"
    bad = client.put(
        f"/api/talks/{talk_id}/meeting", headers=lead, json={"chat_id": "19:x", "version": version}
    )
    assert bad.status_code == 422
    assert bad.json["error"]["code"] == "invalid_chat_id"
    # A link that names no version of the talk is refused for that, before anything else.
    unversioned = client.put(f"/api/talks/{talk_id}/meeting", headers=lead, json={"chat_id": CHAT})
    assert unversioned.status_code == 422
    assert (unversioned.json["error"]["code"], unversioned.json["error"]["field"]) == (
        "required",
        "version",
    )
    unchanged = client.get(f"/api/talks/{talk_id}", headers=lead).json
    assert unchanged["meeting_chat_id"] is None and unchanged["chat_summary"] is False
    assert unchanged["version"] == version

    linked = client.put(
        f"/api/talks/{talk_id}/meeting", headers=lead, json={"chat_id": CHAT, "version": version}
    )
    assert linked.status_code == 200, linked.json
    assert linked.json["meeting_chat_id"] == CHAT
    assert linked.json["version"] > version
    for who in (lead, learner):
        found = client.get(f"/api/meetings/{CHAT}/talks", headers=who).json["talks"]
        assert [t["id"] for t in found] == [talk_id]
    stranger = bearer(entra, clock, str(uuid.uuid4()))
    assert client.get(f"/api/meetings/{CHAT}/talks", headers=stranger).json == {"talks": []}
    assert client.get("/api/meetings/not-a-chat/talks", headers=lead).status_code == 422


def test_a_talk_planned_for_an_existing_meeting_books_nothing(
    ms_app: Flask,
    entra: EntraFake,
    clock: FixedClock,
    graph: GraphFake,
    ms_services: Services,
    ms_outbox: Outbox,
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk = plan_over_api(
        client, lead, learner, clock.now() + timedelta(days=2), meeting_chat_id=CHAT
    )
    assert talk["meeting_chat_id"] == CHAT
    ms_outbox.drain()
    # The organiser's own meeting stays as it is (only our tab is put in its chat).
    assert [r for r in graph.requests if not r.path.startswith(("/chats/", "/appCatalogs"))] == []
    moved = client.patch(
        f"/api/talks/{talk['id']}",
        headers=lead,
        json={
            "starts_at": (clock.now() + timedelta(days=3)).isoformat(),
            "version": talk_version(client, lead, talk["id"]),
        },
    )
    assert moved.status_code == 200, moved.json
    ms_outbox.drain()
    assert [r for r in graph.requests if not r.path.startswith(("/chats/", "/appCatalogs"))] == []


def test_a_booked_meeting_carries_its_chat_id_to_the_talk(
    ms_app: Flask,
    entra: EntraFake,
    clock: FixedClock,
    graph: GraphFake,
    ms_services: Services,
    ms_outbox: Outbox,
) -> None:
    client = https_client(ms_app)
    lead, learner = _with_mailboxes(entra, clock, graph)
    talk_id = str(plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"])
    ms_outbox.drain()
    talk = ms_services.read(lambda s: repo.talk(s, entra.tenant_id, talk_id))
    assert talk is not None and talk.join_url
    assert talk.meeting_chat_id and talk.meeting_chat_id.startswith("19:meeting_")
    assert talk.meeting_chat_id in talk.join_url.replace("%3a", ":").replace("%40", "@")
    assert talk.chat_summary  # our own meeting: only the two are in its chat
    found = client.get(f"/api/meetings/{talk.meeting_chat_id}/talks", headers=learner)
    assert [t["id"] for t in found.json["talks"]] == [talk_id]


def test_about_privacy_and_terms_are_public_in_both_languages(ms_app: Flask, app: Flask) -> None:
    for flask_app, client in ((app, app.test_client()), (ms_app, https_client(ms_app))):
        for path, dutch in (
            ("/about", "Handvatten ontwikkelingsgesprek"),
            ("/privacy", "Privacyverklaring"),
            ("/terms", "Gebruiksvoorwaarden"),
        ):
            answer = client.get(path)
            assert answer.status_code == 200, (flask_app.config["OG_MODE"], path)
            assert dutch in answer.get_data(as_text=True)
        assert "Privacy statement" in client.get("/privacy?lang=en").get_data(as_text=True)


def test_a_supervisors_share_link_works_without_teams(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, graph: GraphFake
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
    version = talk_version(client, lead, talk_id)
    made = client.post(
        f"/api/talks/{talk_id}/share-links",
        headers=lead,
        json={"name": "Petra Jansen", "email": "p.jansen@roc.example", "version": version},
    )
    assert made.status_code == 201, made.json
    # Sharing changes the talk: the answer names its new version, for the next change.
    assert made.json["version"] == talk_version(client, lead, talk_id) > version
    url = made.json["url"]
    assert url.startswith("https://og.example.test/shared/")
    page = https_client(ms_app).get(url.removeprefix("https://og.example.test"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "host_shell" not in html  # the link itself is the key: no Teams sign-in
    assert _boot(html)["shared_link"] is True
    # The supervisor is no Entra identity: no token can sign in as them.
    supervisor = made.json["supervisor"]
    assert supervisor["external"] is True


def test_the_summary_goes_to_a_hand_linked_meetings_chat_only_when_the_lead_says_so(
    ms_app: Flask, entra: EntraFake, clock: FixedClock, graph: GraphFake, ms_services: Services
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
    quiet = client.put(
        f"/api/talks/{talk_id}/meeting",
        headers=lead,
        json={"chat_id": CHAT, "version": talk_version(client, lead, talk_id)},
    )
    assert quiet.status_code == 200, quiet.json
    assert quiet.json["chat_summary"] is False  # a team meeting's chat has more readers
    told = client.put(
        f"/api/talks/{talk_id}/meeting",
        headers=lead,
        json={"chat_id": CHAT, "chat_summary": True, "version": quiet.json["version"]},
    )
    assert told.status_code == 200, told.json
    assert told.json["chat_summary"] is True


def test_a_meeting_linked_by_hand_stays_linked_when_the_talk_moves(
    ms_app: Flask,
    entra: EntraFake,
    clock: FixedClock,
    graph: GraphFake,
    ms_services: Services,
    ms_outbox: Outbox,
) -> None:
    client = https_client(ms_app)
    lead, learner = _with_mailboxes(entra, clock, graph)
    talk_id = str(plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"])
    ms_outbox.drain()  # booked: linked to its own meeting's chat
    linked = client.put(
        f"/api/talks/{talk_id}/meeting",
        headers=lead,
        json={"chat_id": CHAT, "version": talk_version(client, lead, talk_id)},
    )
    assert linked.status_code == 200, linked.json
    moved = client.patch(
        f"/api/talks/{talk_id}",
        headers=lead,
        json={
            "starts_at": (clock.now() + timedelta(days=4)).isoformat(),
            "version": linked.json["version"],
        },
    )
    assert moved.status_code == 200, moved.json
    ms_outbox.drain()  # the booked event moves along...
    talk = ms_services.read(lambda s: repo.talk(s, entra.tenant_id, talk_id))
    assert talk is not None and talk.meeting_chat_id == CHAT  # ...the lead's choice stays
    assert talk.chat_summary is False


def test_a_talk_linked_by_hand_before_its_booking_ran_is_not_left_pending(
    ms_app: Flask,
    entra: EntraFake,
    clock: FixedClock,
    graph: GraphFake,
    ms_outbox: Outbox,
) -> None:
    client = https_client(ms_app)
    lead, learner = bearer(entra, clock, MARCO), bearer(entra, clock, SEM)
    talk_id = plan_over_api(client, lead, learner, clock.now() + timedelta(days=2))["id"]
    pending = client.get(f"/api/talks/{talk_id}", headers=lead).json
    assert pending["calendar"]["state"] == "pending"
    linked = client.put(
        f"/api/talks/{talk_id}/meeting",
        headers=lead,
        json={"chat_id": CHAT, "version": pending["version"]},
    )
    assert linked.status_code == 200, linked.json
    ms_outbox.drain()  # the booking job finds the organiser's own meeting: nothing to book
    assert [r for r in graph.requests if not r.path.startswith(("/chats/", "/appCatalogs"))] == []
    detail = client.get(f"/api/talks/{talk_id}", headers=lead).json
    assert detail["calendar"]["state"] == "synced"
