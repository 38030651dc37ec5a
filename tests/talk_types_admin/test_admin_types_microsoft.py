"""Microsoft mode: an admin by the Entra app role uploads and hides kinds of talk with a Teams
SSO token; a colleague of the same organisation plans with them and may not change them."""

from __future__ import annotations

import uuid

from flask import Flask

from plugin.domain.admin import ADMIN_ROLE
from plugin.domain.clock import FixedClock
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client
from tests.talk_types_admin.conftest import type_file

HANNA, MARCO = str(uuid.uuid4()), str(uuid.uuid4())


def test_an_app_role_admin_changes_the_kinds_a_colleague_plans_with(
    ms_app: Flask, entra: EntraFake, clock: FixedClock
) -> None:
    client = https_client(ms_app)
    admin = bearer(entra, clock, HANNA, extra={"roles": [ADMIN_ROLE]})
    colleague = bearer(entra, clock, MARCO)
    body = {"version": 0, "file": type_file("exitgesprek")}

    refused = client.put("/api/admin/talk-types/exitgesprek", json=body, headers=colleague)
    assert refused.status_code == 403 and refused.json["error"]["code"] == "not_admin"
    assert client.get("/api/admin/talk-types", headers=colleague).status_code == 403

    saved = client.put("/api/admin/talk-types/exitgesprek", json=body, headers=admin)
    assert saved.status_code == 200, saved.json
    hidden = client.put(
        "/api/admin/talk-types/pop-gesprek/hidden",
        json={"version": 0, "hidden": True},
        headers=admin,
    )
    assert hidden.status_code == 200, hidden.json

    offered = client.get("/api/talk-types", headers=colleague).json
    assert [t["id"] for t in offered["types"]] == [
        "ontwikkelgesprek",
        "voortgangsgesprek-bpv",
        "inwerkgesprek",
        "exitgesprek",
    ]
    download = client.get("/api/admin/talk-types/exitgesprek", headers=admin)
    assert download.status_code == 200 and download.json["id"] == "exitgesprek"
