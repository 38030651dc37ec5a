"""Microsoft mode: the Entra app role `Ontwikkelgesprek.Admin` in the Teams SSO token makes an
admin; without it, the configured addresses still do (the fallback)."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import Flask

from plugin.domain.admin import ADMIN_ROLE
from plugin.domain.clock import FixedClock
from plugin.web.admin_access import install
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client

HANNA, MARCO, OWNER = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())


def test_the_app_role_in_the_token_makes_an_admin(
    ms_app: Flask, entra: EntraFake, clock: FixedClock
) -> None:
    # The fake signs whatever user's token: its preferred_username is "<oid[:8]>@example.test".
    install(ms_app, SimpleNamespace(admins=f"{OWNER[:8]}@example.test"))
    client = https_client(ms_app)
    admin = bearer(entra, clock, HANNA, extra={"roles": [ADMIN_ROLE]})
    colleague = bearer(entra, clock, MARCO, extra={"roles": ["Something.Else"]})
    owner = bearer(entra, clock, OWNER)

    assert client.get("/api/admin/me", headers=admin).json == {"admin": True}
    assert client.get("/api/admin/settings", headers=admin).status_code == 200
    body = {"retention_months": 12, "audit_retention_months": 12, "follow_up_interval_weeks": 4}
    saved = client.put("/api/admin/settings", json={**body, "version": 0}, headers=admin)
    assert saved.json == {**body, "version": 1}
    week = {"days": [0, 1, 2, 3], "start": "09:00", "end": "16:00", "holidays": [], "version": 0}
    hours = client.put("/api/admin/working-hours", json=week, headers=admin)
    assert hours.status_code == 200, hours.json
    assert client.put("/api/admin/working-hours", json=week, headers=colleague).status_code == 403

    assert client.get("/api/admin/me", headers=colleague).json == {"admin": False}
    assert client.get("/api/admin/settings", headers=colleague).status_code == 403
    assert client.put("/api/admin/settings", json=body, headers=colleague).status_code == 403

    # No role, but the configured address: an admin all the same.
    assert client.get("/api/admin/late", headers=owner).status_code == 200
    assert client.get("/api/admin/late").status_code == 401
