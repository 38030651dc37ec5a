"""Use cases of the preparation: my ticks and points (closing an earlier talk's agreement is in
`agenda`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.domain.preparation import Preparation
from plugin.services import talk_types
from plugin.services.context import Services
from plugin.services.talks import (
    load_talk,
)


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
        known_items=talk_types.talk_template(svc, session, talk).ordered_item_ids(),
        new_id=svc.new_id,
        now=svc.clock.now(),
    )
