"""The audit log: opening a signed form or a share link is recorded (ids and time only);
an unsigned form, a refused request or a dead link is not. The privacy page states the
retention period in force."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import insert, select

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services import audit
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from plugin.store.audit_tables import audit_log, stored_settings
from plugin.web import privacy_page
from tests.conftest import ApiClient
from tests.privacy.loop import Loop, whole_loop


@pytest.fixture
def loop(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
) -> Loop:
    return whole_loop(services, outbox, clock, client_for(lead), client_for(learner), learner.id)


def _log(services: Services) -> list[tuple[Any, ...]]:
    return services.read(
        lambda s: [
            tuple(r)
            for r in s.execute(
                select(audit_log.c.action, audit_log.c.actor_id, audit_log.c.talk_id).order_by(
                    audit_log.c.id
                )
            )
        ]
    )


def test_opening_a_signed_form_is_recorded(
    services: Services,
    client_for: Callable[[Person], ApiClient],
    loop: Loop,
    lead: Person,
    make_person: Callable[..., Person],
) -> None:
    before = _log(services)
    assert client_for(lead).get(f"/talks/{loop.talk_id}/form").status_code == 200
    assert _log(services)[len(before) :] == [("form", lead.id, loop.talk_id)]
    # Somebody else is refused, and nothing is recorded.
    stranger = client_for(make_person())
    assert stranger.get(f"/talks/{loop.talk_id}/form").status_code == 404
    assert len(_log(services)) == len(before) + 1


def test_an_unsigned_form_is_not_recorded(
    services: Services,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    talk = make_talk(lead, learner)
    assert client_for(lead).get(f"/talks/{talk.id}/form").status_code == 200
    assert _log(services) == []


def test_opening_a_share_link_is_recorded(
    services: Services, app: Flask, loop: Loop, clock: FixedClock
) -> None:
    path = urlsplit(loop.share_url).path
    assert app.test_client().get(path).status_code == 200
    action, actor, talk_id = _log(services)[-1]
    assert (action, talk_id) == ("share_link", loop.talk_id)
    supervisor = services.read(lambda s: s.get(Person, actor))
    assert supervisor is not None and supervisor.external
    # A dead link records nothing.
    count = len(_log(services))
    clock.advance(timedelta(days=400))
    assert app.test_client().get(path).status_code == 404
    assert len(_log(services)) == count


def test_record_refuses_an_unknown_action(services: Services) -> None:
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(services, "read_minds", tenant_id="local", actor_id=None)


def test_entries_since(services: Services, clock: FixedClock) -> None:
    audit.record(services, "export", tenant_id="local", actor_id="a")
    clock.advance(timedelta(days=2))
    audit.record(services, "export", tenant_id="local", actor_id="b")
    since = clock.now() - timedelta(days=1)
    assert [e.actor_id for e in audit.entries(services, since)] == ["b"]
    assert [e.actor_id for e in audit.entries(services)] == ["a", "b"]


def test_the_privacy_page_states_the_period_in_force(
    app: Flask,
    services: Services,
    clock: FixedClock,
    make_person: Callable[..., Person],
    client_for: Callable[[Person], ApiClient],
) -> None:
    page = app.test_client().get("/privacy", headers={"Accept-Language": "nl"})
    assert "nog 2 jaar bewaard" in page.text and "5 jaar bewaard" in page.text
    privacy_page.install(app, Terms(retention_months=36, audit_retention_months=18))
    page = app.test_client().get("/privacy", headers={"Accept-Language": "en"})
    assert "kept 3 years more" in page.text and "kept 18 months" in page.text
    # The admin of the tenant "local" stored 6 months: its people read that; the page
    # without a sign-in, and the people of another tenant, read the settings' period.
    services.write(
        lambda s: s.execute(
            insert(stored_settings).values(
                tenant_id="local", name="retention_months", value=6, updated_at=clock.now()
            )
        )
    )
    mine = client_for(make_person()).get("/privacy", headers={"Accept-Language": "nl"})
    assert "nog 6 maanden bewaard" in mine.text
    elsewhere = client_for(make_person(tenant_id="other-tenant"))
    theirs = elsewhere.get("/privacy", headers={"Accept-Language": "nl"})
    assert "nog 3 jaar bewaard" in theirs.text
    page = app.test_client().get("/privacy", headers={"Accept-Language": "nl"})
    assert "nog 3 jaar bewaard" in page.text


def test_a_share_link_opening_is_recorded_from_its_token(services: Services, loop: Loop) -> None:
    token = urlsplit(loop.share_url).path.rsplit("/", 1)[-1]
    audit.record_share_link(services, "share_link_pdf", token)
    action, _actor, talk_id = _log(services)[-1]
    assert (action, talk_id) == ("share_link_pdf", loop.talk_id)
    count = len(_log(services))
    audit.record_share_link(services, "share_link_pdf", "not-a-token")
    assert len(_log(services)) == count
