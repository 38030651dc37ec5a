"""The manifest's activity feed types: one per reminder kind, with the template's parameters."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from plugin.manifest_checks import manifest_problems
from plugin.notify.message import ACTIVITY_TYPES, KINDS, TEMPLATE_PARAMETERS
from plugin.teams_package import build_manifest

BASE_URL = "https://talks.example.nl"


@pytest.fixture
def manifest() -> dict[str, Any]:
    return build_manifest(
        app_id="5b0c7a4e-0d6f-4a53-9a57-1f2a3b4c5d6e",
        public_url=BASE_URL,
        client_id="0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        version="1.0.0",
    )


def test_every_kind_has_its_activity_type_with_the_parameters_it_is_sent(
    manifest: dict[str, Any],
) -> None:
    declared = {t["type"]: t for t in manifest["activities"]["activityTypes"]}

    assert set(declared) == set(ACTIVITY_TYPES.values())
    for kind in KINDS:
        template = declared[ACTIVITY_TYPES[kind]]["templateText"]
        assert set(re.findall(r"\{([^{}]+)\}", template)) == set(TEMPLATE_PARAMETERS[kind])
    assert manifest["webApplicationInfo"]["id"] == "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


def test_a_type_declared_twice_is_a_problem(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    types = broken["activities"]["activityTypes"]
    types.append(dict(types[0]))

    assert manifest_problems(manifest, base_url=BASE_URL) == []
    assert manifest_problems(broken, base_url=BASE_URL) == [
        "activities.activityTypes[5]: type 'prepareTalk' is declared twice"
    ]


def test_activities_without_web_application_info_are_a_problem(manifest: dict[str, Any]) -> None:
    broken = copy.deepcopy(manifest)
    del broken["webApplicationInfo"]

    (problem,) = manifest_problems(broken, base_url=BASE_URL)
    assert "webApplicationInfo.id is missing" in problem
