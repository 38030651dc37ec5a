"""Progress on agreements between talks: record a step (done, stuck, dropped, picked up again,
or a note) on an agreement of a signed talk, and read the histories to show beside the form."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import (
    AgreementProgress,
    ProgressKind,
    record_progress,
    with_progress,
)
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.services.talks import load_talk
from plugin.store import progress as store

Histories = Mapping[str, Sequence[AgreementProgress]]


def record(
    svc: Services,
    session: Session,
    viewer: Person,
    agreement_id: str,
    *,
    kind: ProgressKind,
    note: str | None,
    expected_version: int,
) -> dict[str, Any]:
    """Record one step on the agreement: the agreement with its history, as both now see it.

    Whoever takes no part in the agreement's talk gets the same 404 as for no agreement."""
    talk_id = store.talk_of_agreement(session, viewer.tenant_id, agreement_id)
    if talk_id is None:
        raise NotFound("not_found", "talk")
    talk = load_talk(session, viewer, talk_id)
    history = store.histories(session, [agreement_id]).get(agreement_id, [])
    entry = record_progress(
        talk,
        agreement_id,
        history,
        by=viewer.id,
        kind=kind,
        note=note,
        expected_version=expected_version,
        new_id=svc.new_id(),
        now=svc.clock.now(),
        shown_in=store.later_open_talks(session, talk),
    )
    session.add(entry)
    return with_progress(talk.agreement(agreement_id), [*history, entry])


def histories(session: Session, agreements: Iterable[Agreement]) -> Histories:
    """The progress of these agreements, in one read."""
    return store.histories(session, (a.id for a in agreements))


def agreement_views(agreements: Iterable[Agreement], found: Histories) -> list[dict[str, Any]]:
    """Agreements of a signed talk as its participants see them: each with its history."""
    return [with_progress(a, found.get(a.id, ())) for a in agreements]
