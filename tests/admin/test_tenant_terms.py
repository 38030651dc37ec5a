"""What one tenant's admin sets changes nothing for another tenant: the terms and the week
on the admin page, the follow-up policy, the working hours, and the daily purge (talks and
audit log, each by its own tenant's period)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import insert, select

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import privacy
from plugin.services.admin_settings import effective_policy
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from plugin.services.working_time import hours_of
from plugin.store.audit_tables import audit_log
from tests.conftest import ApiClient

OTHER = "other-tenant"
TERMS = Terms(retention_months=24, audit_retention_months=60)


@pytest.fixture
def bea(
    admin_app: Flask, client_for: Callable[[Person], ApiClient], make_person: Callable[..., Person]
) -> ApiClient:
    """The admin of another tenant (an address the configuration names)."""
    return client_for(
        make_person(display_name="Bea Elders", email="other@example.test", tenant_id=OTHER)
    )


def test_another_tenants_admin_changes_nothing_here(
    hanna: ApiClient, bea: ApiClient, services: Services
) -> None:
    mine = hanna.get("/api/admin/settings").json
    my_week = hanna.get("/api/admin/working-hours").json
    # Bea's first saves: version 0 of her own tenant (Hanna's versions are not hers).
    terms = {"retention_months": 1, "audit_retention_months": 1, "follow_up_interval_weeks": 1}
    assert bea.put("/api/admin/settings", json={**terms, "version": 0}).status_code == 200
    week = {"days": [2], "start": "10:00", "end": "12:00", "holidays": [{"date": "2027-03-03"}]}
    assert bea.put("/api/admin/working-hours", json={**week, "version": 0}).status_code == 200

    assert hanna.get("/api/admin/settings").json == mine
    assert hanna.get("/api/admin/working-hours").json == my_week
    assert bea.get("/api/admin/settings").json == {**terms, "version": 1}
    policy = services.read(lambda s: effective_policy(s, services.policy, "local"))
    assert policy == services.policy
    theirs = services.read(lambda s: effective_policy(s, services.policy, OTHER))
    assert theirs.interval == timedelta(weeks=1) and theirs.hours.days == frozenset({2})
    hours = services.read(lambda s: hours_of(s, services.policy.hours, "local"))
    assert hours.is_working_day(date(2027, 3, 3))
    # And Hanna's first save is still version 0 of hers.
    assert hanna.put("/api/admin/settings", json={**terms, "version": 0}).status_code == 200


def _audit_entry(services: Services, tenant: str, at: object) -> None:
    services.write(
        lambda s: s.execute(
            insert(audit_log).values(
                at=at, tenant_id=tenant, actor_id=None, action="export", via="cli"
            )
        )
    )


def test_the_purge_keeps_each_tenants_own_period(
    hanna: ApiClient,
    bea: ApiClient,
    services: Services,
    clock: FixedClock,
    make_person: Callable[..., Person],
    make_talk: Callable[..., Talk],
) -> None:
    here = make_talk(make_person(), make_person())
    there = make_talk(make_person(tenant_id=OTHER), make_person(tenant_id=OTHER))
    _audit_entry(services, "local", clock.now())
    _audit_entry(services, OTHER, clock.now())
    terms = {"retention_months": 2, "audit_retention_months": 2, "follow_up_interval_weeks": 6}
    assert bea.put("/api/admin/settings", json={**terms, "version": 0}).status_code == 200
    clock.set(clock.now() + timedelta(days=150))  # five months on: past Bea's two

    listed, found = privacy.expired(services, TERMS)
    assert [(e.track_id, e.tenant_id, e.retention_months) for e in found] == [
        (there.track_id, OTHER, 2)
    ]
    assert listed.of("local") == TERMS
    result = privacy.purge(services, TERMS)
    # Of Bea's tenant's log: the export entry and her own change of the terms.
    assert (result.tracks, result.talks, result.audit_entries) == (1, 1, 2)
    assert services.read(lambda s: s.get(Talk, here.id)) is not None
    assert services.read(lambda s: s.get(Talk, there.id)) is None
    left = services.read(lambda s: list(s.execute(select(audit_log.c.tenant_id)).scalars()))
    assert left == ["local"]
