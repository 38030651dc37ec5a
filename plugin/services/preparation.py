"""Use cases of the preparation: my ticks and points, and closing an earlier talk's agreement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.domain.preparation import Preparation
from plugin.domain.talk_agreements import close_earlier_agreement
from plugin.services.context import Services
from plugin.services.talks import (
    load_talk,
)
from plugin.store import repo


def prepare(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    ticked: Iterable[str],
    points: Iterable[Mapping[str, Any]],
    expected_version: int,
) -> Preparation:
    talk = load_talk(session, viewer, talk_id)
    return talk.prepare(
        viewer.id,
        ticked=ticked,
        points=points,
        expected_version=expected_version,
        known_items=svc.template.ordered_item_ids(),
        new_id=svc.new_id,
        now=svc.clock.now(),
    )


def close_agreement_from(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    status: AgreementStatus,
    expected_version: int,
) -> Agreement:
    """Close or reopen an earlier talk's agreement from this talk's preparation."""
    current = load_talk(session, viewer, talk_id)
    earlier_talk = next(
        (t for a, t in repo.earlier_open_agreements(session, current) if a.id == agreement_id),
        None,
    )
    if earlier_talk is None:
        raise NotFound("not_found", "agreement")
    return close_earlier_agreement(
        current,
        earlier_talk,
        agreement_id,
        by=viewer.id,
        status=status,
        expected_version=expected_version,
        now=svc.clock.now(),
    )
