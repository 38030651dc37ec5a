"""A slipped agreement with some progress, and its check-in proposed, found a time for and
booked, without the reminder scan (tests/api/test_checkins.py covers the scan's part)."""

from __future__ import annotations

from datetime import date
from typing import Any

from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import ProgressKind
from plugin.services import checkins, progress
from tests.api.test_checkins import at, signed_agreement

#: Written by Sem on 5 March: user text, escaped in every HTML body.
NOTE = "Planning <b>vol</b> & de bus rijdt niet"


def slipped(services, clock, outbox, make_talk, lead, learner) -> Agreement:
    """Sem's agreement of Tuesday 2 March, due Wednesday 10 March, with a progress note on
    Friday 5 March and "stuck" on Monday 8 March; on Thursday 11 March at 09:00 it is overdue."""
    item = signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()  # the follow-up's booking (in April)
    for moment, kind, note in (
        (at(3, 5, 11), ProgressKind.NOTE, NOTE),
        (at(3, 8, 14), ProgressKind.STUCK, None),
    ):
        clock.set(moment)

        def step(s: Any, kind: ProgressKind = kind, note: str | None = note) -> None:
            version = s.get(Agreement, item.id).version
            progress.record(
                services, s, learner, item.id, kind=kind, note=note, expected_version=version
            )

        services.write(step)
    clock.set(at(3, 11, 9))
    return item


def proposed(services, clock, outbox) -> dict[str, Any]:
    """The check-in proposed now (as the scan would), with the time the worker found."""
    [(check_in, _, _)] = services.write(lambda s: checkins.propose(services, s, clock.now()))
    outbox.drain()
    return {"id": check_in.id}
