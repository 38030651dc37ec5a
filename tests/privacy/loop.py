"""The whole loop over the API, with texts a test can look for afterwards: plan, prepare (a
shared and a private point), the talk's notes, a feedback draft, agreements confirmed and
reacted to, sign-off by both, a share link for a supervisor, progress after sign-off, the
reminder scan and the outbox drained (the follow-up booked in the local calendar)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from plugin.domain.clock import FixedClock
from plugin.jobs.outbox import Outbox
from plugin.services import reminders
from plugin.services.context import Services
from tests.conftest import ApiClient

#: Texts written in the loop; none may turn up in a log.
TEXTS = {
    "lead_goal": "Zelfstandig de cv-ketel onderhouden",
    "learner_goal": "Leren solderen zonder lekkage",
    "shared_point": "Gesprek over de reistijd naar Zwolle",
    "private_point": "Ik voel me soms buitengesloten",
    "agenda_note": "Gaat goed met de collega's op locatie",
    "feedback": "Je hielp de klant heel rustig",
    "agreed": "Voor vrijdag het veiligheidsplan lezen",
    "reaction": "Prima, ik plan er een middag voor",
    "progress": "Half gelezen, de rest volgende week",
    "supervisor": "Karin Begeleider",
    "supervisor_email": "karin.begeleider@school.example",
}


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.json
    return answer.json


@dataclass(frozen=True)
class Loop:
    talk_id: str
    agreement_id: str
    share_url: str


def whole_loop(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    lead_client: ApiClient,
    learner_client: ApiClient,
    learner_id: str,
) -> Loop:
    starts = clock.now() + timedelta(days=2)
    planned = ok(
        lead_client.post(
            "/api/talks",
            json={
                "learner_id": learner_id,
                "starts_at": starts.isoformat(),
                "duration_minutes": 45,
                "goals": ["goals.learn"],
                "own_goal": TEXTS["lead_goal"],
            },
        ),
        201,
    )
    talk_id = planned["id"]
    outbox.drain()
    ok(
        learner_client.put(
            f"/api/talks/{talk_id}/preparation",
            json={
                "version": 0,
                "ticked": [],
                "points": [
                    {"text": TEXTS["shared_point"], "shared": True},
                    {"text": TEXTS["private_point"], "shared": False},
                ],
            },
        )
    )
    ok(learner_client.put(f"/api/talks/{talk_id}/own-goal", json={"text": TEXTS["learner_goal"]}))
    reminders.scan_now(services)
    clock.set(starts + timedelta(minutes=5))
    ok(
        lead_client.put(
            f"/api/talks/{talk_id}/agenda/goal:goals.learn",
            json={"version": 0, "discussed": True, "note": TEXTS["agenda_note"]},
        )
    )
    ok(
        lead_client.post(
            f"/api/talks/{talk_id}/feedback", json={"steps": {"positive": TEXTS["feedback"]}}
        ),
        201,
    )
    due = (starts + timedelta(days=30)).date().isoformat()
    first = ok(
        lead_client.post(
            f"/api/talks/{talk_id}/agreements",
            json={"what": TEXTS["agreed"], "owner": "learner", "due": due},
        ),
        201,
    )
    confirmed = ok(
        learner_client.post(
            f"/api/talks/{talk_id}/agreements/{first['id']}/confirm",
            json={"version": first["version"]},
        )
    )
    ok(
        learner_client.post(
            f"/api/talks/{talk_id}/agreements/{first['id']}/reaction",
            json={"version": confirmed["version"], "reaction": TEXTS["reaction"]},
        )
    )
    clock.advance(timedelta(minutes=40))
    ok(lead_client.sign(talk_id))
    ok(learner_client.sign(talk_id))
    outbox.drain()
    version = lead_client.talk(talk_id)["version"]
    link = ok(
        lead_client.post(
            f"/api/talks/{talk_id}/share-links",
            json={
                "version": version,
                "name": TEXTS["supervisor"],
                "email": TEXTS["supervisor_email"],
            },
        ),
        201,
    )
    agreement = next(a for a in lead_client.talk(talk_id)["agreements"] if a["id"] == first["id"])
    ok(
        learner_client.post(
            f"/api/agreements/{first['id']}/progress",
            json={"version": agreement["version"], "kind": "note", "note": TEXTS["progress"]},
        )
    )
    clock.advance(timedelta(days=3))
    reminders.scan_now(services)
    outbox.drain()
    return Loop(talk_id, first["id"], link["url"])
