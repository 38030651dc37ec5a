"""The follow-up's time in the talk's answers: the panel, the form and the supervisor's link say
when the follow-up is ("woensdag 16 december om 08:30"), not only that it is booked.

It costs nothing while no follow-up is booked, and one small read once it is.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import views
from plugin.services.context import Services
from tests.conftest import BASE_URL, ApiClient

#: The one small read of a follow-up's time (repo.talk_times), as the database sees it.
TIMES_READ = re.compile(
    r"SELECT talks\.starts_at, talks\.ends_at\s+FROM talks\s+WHERE talks\.id = ", re.S
)


@contextmanager
def statements(services: Services) -> Iterator[list[str]]:
    """The SQL statements run meanwhile, in order."""
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(services.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(services.db.engine, "before_cursor_execute", record)


def times_reads(seen: list[str]) -> int:
    return sum(1 for sql in seen if TIMES_READ.search(sql))


def sign_both(marco: ApiClient, sem: ApiClient, talk_id: str) -> dict[str, Any]:
    for who in (marco, sem):
        answer = who.sign(talk_id)
        assert answer.status_code == 200, answer.json
    signed: dict[str, Any] = answer.json
    assert signed["status"] == "signed"
    return signed


def test_an_unbooked_follow_up_has_no_time_and_costs_no_read(
    services: Services,
    marco: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = make_talk(lead, learner)
    with statements(services) as seen:
        detail = marco.talk(talk.id)
        live = marco.get(f"/api/talks/{talk.id}/live")
    assert live.status_code == 200
    for answer in (detail, live.json):
        assert answer["follow_up"]["status"] == "none"
        assert (answer["follow_up"]["starts_at"], answer["follow_up"]["ends_at"]) == (None, None)
    assert times_reads(seen) == 0


def test_a_booked_follow_up_says_when_it_is_in_one_small_read(
    services: Services,
    app: Flask,
    marco: ApiClient,
    sem: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    clock: FixedClock,
) -> None:
    talk = make_talk(lead, learner)
    clock.set(talk.starts_at + timedelta(minutes=5))
    signed = sign_both(marco, sem, talk.id)
    assert signed["follow_up"]["status"] == "booked", signed["follow_up"]
    follow_up = sem.talk(signed["follow_up"]["talk_id"])
    when = (follow_up["starts_at"], follow_up["ends_at"])
    assert datetime.fromisoformat(when[0]) > talk.ends_at

    with statements(services) as seen:
        live = sem.get(f"/api/talks/{talk.id}/live")
    assert live.status_code == 200
    assert (live.json["follow_up"]["starts_at"], live.json["follow_up"]["ends_at"]) == when
    # The sign-off that changed the talk built the panels' answer already.
    assert times_reads(seen) == 0
    with statements(services) as seen:
        built = services.read(
            lambda s: views.panel_detail(services, s, talk.tenant_id, learner.id, talk.id)
        )
    assert (built["follow_up"]["starts_at"], built["follow_up"]["ends_at"]) == when
    assert times_reads(seen) == 1

    # The form page polls this while the booking runs: its answer has the time too.
    polled = sem.get(f"/api/talks/{talk.id}/follow-up").json
    assert (polled["starts_at"], polled["ends_at"]) == when

    # The school supervisor sees when the follow-up is, but gets no way to it.
    made = marco.post(
        f"/api/talks/{talk.id}/share-links",
        json={
            "name": "Petra Jansen",
            "email": "p.jansen@roc.example",
            "days": 30,
            "version": marco.talk(talk.id)["version"],
        },
    )
    assert made.status_code == 201, made.json
    page = app.test_client().get(made.json["url"][len(BASE_URL) :])
    assert page.status_code == 200
    boot = re.search(
        r'<script type="application/json" id="og-boot">(.*?)</script>',
        page.get_data(as_text=True),
        re.S,
    )
    assert boot is not None
    shown = json.loads(html.unescape(boot.group(1)))["talk"]["follow_up"]
    assert (shown["status"], shown["starts_at"], shown["ends_at"]) == ("booked", *when)
    assert "talk_id" not in shown
    assert follow_up["id"] not in page.get_data(as_text=True)
