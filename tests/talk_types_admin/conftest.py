"""The admin's talk types: Hanna of HR (an admin by configuration), Marco (no admin), Olga (an
admin in another organisation), and type files to upload."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import pytest
from flask import Flask

from plugin.domain.people import Person
from tests.admin.conftest import (  # noqa: F401  (the admin tests' people, as fixtures)
    admin_app,
    hanna,
    hr,
    marco,
)
from tests.conftest import ApiClient
from tests.microsoft.fixtures import (  # noqa: F401  (fixtures for Microsoft mode)
    entra,
    graph,
    ms_app,
    ms_services,
    ms_settings,
    ms_wired,
)

OTHER_TENANT = "tenant-b"
#: Listed as an admin by `admin_app`, alongside Hanna.
OTHER_ADMIN = "other@example.test"
BUILT_IN = json.loads((files("plugin") / "checklists" / "default.json").read_text("utf-8"))


def type_file(type_id: str, goal: str = "Veilig werken op de bouwplaats", **top: Any) -> str:
    """A type's file: the development talk with another id, name and first goal."""
    content = json.loads(json.dumps(BUILT_IN))
    content["id"] = type_id
    content["name"] = {"nl": f"Gesprek {type_id}", "en": f"Talk {type_id}"}
    goals = content["sections"][0]
    assert goals["kind"] == "goals"
    goals["items"][0]["text"] = {"nl": goal, "en": goal}
    content.update(top)
    return json.dumps(content, indent=2, ensure_ascii=False)


def upload(admin: ApiClient, type_id: str, text: str, version: int = 0, **headers: str) -> Any:
    return admin.put(
        f"/api/admin/talk-types/{type_id}",
        json={"version": version, "file": text},
        headers=headers,
    )


def entry(admin: ApiClient, type_id: str) -> dict[str, Any] | None:
    """The type's entry on the admin page's list, or None."""
    answer = admin.get("/api/admin/talk-types")
    assert answer.status_code == 200, answer.json
    return next((t for t in answer.json["types"] if t["id"] == type_id), None)


def offered(client: ApiClient) -> list[str]:
    """The ids the plan page offers this person."""
    answer = client.get("/api/talk-types")
    assert answer.status_code == 200, answer.json
    return [t["id"] for t in answer.json["types"]]


@pytest.fixture
def olga(
    admin_app: Flask,  # noqa: F811
    client_for: Callable[[Person], ApiClient],
    make_person: Callable[..., Person],
) -> ApiClient:
    return client_for(
        make_person(display_name="Olga Other", email=OTHER_ADMIN, tenant_id=OTHER_TENANT)
    )
