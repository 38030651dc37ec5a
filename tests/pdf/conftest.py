"""A talk signed over the API with every part the PDF shows: goals, both own goals, agreements
with an owner, a due date, a confirmation and a reaction, both signatures, a follow-up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from tests.conftest import ApiClient
from tests.microsoft.fixtures import (  # noqa: F401  (fixtures, for test_microsoft_mode.py)
    entra,
    graph,
    ms_app,
    ms_outbox,
    ms_services,
    ms_settings,
    ms_wired,
)

LEAD_GOAL = "Sem zelfstandiger laten werken op de bouwplaats"
LEARNER_GOAL = "Ik wil leren lassen volgens de NEN-norm"
AGREED = "Sem regelt zelfstandig een cv-installatie in"
AGREED_BOTH = "Samen het werkplan voor maart maken"
REACTION = "Goed idee, ik vraag Karin om hulp"


@dataclass(frozen=True)
class SignedTalk:
    id: str
    title: str


@pytest.fixture
def marco(client_for: Callable[[Person], ApiClient], lead: Person) -> ApiClient:
    return client_for(lead)


@pytest.fixture
def sem(client_for: Callable[[Person], ApiClient], learner: Person) -> ApiClient:
    return client_for(learner)


def ok(answer: object, status: int = 200) -> dict:
    assert answer.status_code == status, answer.json  # type: ignore[attr-defined]
    return answer.json  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def unsigned_talk(
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> SignedTalk:
    """Held and fully agreed, not yet signed."""
    talk = make_talk(lead, learner, own_goal=LEAD_GOAL)
    clock.set(talk.starts_at + timedelta(minutes=5))
    ok(marco.put(f"/api/talks/{talk.id}/own-goal", json={"text": LEAD_GOAL}))
    ok(sem.put(f"/api/talks/{talk.id}/own-goal", json={"text": LEARNER_GOAL}))
    first = ok(
        marco.post(
            f"/api/talks/{talk.id}/agreements",
            json={"what": AGREED, "owner": "learner", "due": "2027-04-01"},
        ),
        201,
    )
    confirmed = ok(
        sem.post(
            f"/api/talks/{talk.id}/agreements/{first['id']}/confirm",
            json={"version": first["version"]},
        )
    )
    ok(
        sem.post(
            f"/api/talks/{talk.id}/agreements/{first['id']}/reaction",
            json={"version": confirmed["version"], "reaction": REACTION},
        )
    )
    second = ok(
        sem.post(f"/api/talks/{talk.id}/agreements", json={"what": AGREED_BOTH, "owner": "both"}),
        201,
    )
    ok(
        marco.post(
            f"/api/talks/{talk.id}/agreements/{second['id']}/confirm",
            json={"version": second["version"]},
        )
    )
    return SignedTalk(talk.id, talk.title)


@pytest.fixture
def signed_talk(
    unsigned_talk: SignedTalk, marco: ApiClient, sem: ApiClient, clock: FixedClock
) -> SignedTalk:
    clock.advance(timedelta(minutes=40))
    ok(marco.sign(unsigned_talk.id))
    clock.advance(timedelta(minutes=3))
    ok(sem.sign(unsigned_talk.id))
    assert marco.talk(unsigned_talk.id)["status"] == "signed"
    return unsigned_talk
