"""Use cases of agreements during the talk: record, edit, remove, confirm the wording, react."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.agreement import Agreement, Owner
from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.services.talks import (
    load_talk,
    today,
)


def add_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    *,
    what: str,
    owner: Owner,
    due: date | None,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.add_agreement(
        viewer.id,
        what=what,
        owner=owner,
        due=due,
        today=today(svc),
        new_id=svc.new_id(),
        now=svc.clock.now(),
    )


def edit_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
    changes: Mapping[str, Any],
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.edit_agreement(
        viewer.id,
        agreement_id,
        expected_version=expected_version,
        today=today(svc),
        now=svc.clock.now(),
        what=changes.get("what"),
        owner=changes.get("owner"),
        due=changes.get("due"),
        clear_due="due" in changes and changes["due"] is None,
    )


def remove_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
) -> Agreement | None:
    """Strike it at once (your own unconfirmed wording: None), or ask the other to confirm."""
    talk = load_talk(session, viewer, talk_id)
    return talk.remove_agreement(
        viewer.id, agreement_id, expected_version=expected_version, now=svc.clock.now()
    )


def decide_removal(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    keep: bool,
    expected_version: int,
) -> Agreement | None:
    """Confirm a request to strike an agreement (None: it is gone), or keep the agreement."""
    talk = load_talk(session, viewer, talk_id)
    return talk.decide_removal(
        viewer.id, agreement_id, keep=keep, expected_version=expected_version, now=svc.clock.now()
    )


def confirm_agreement(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    expected_version: int,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.confirm_agreement(
        viewer.id, agreement_id, expected_version=expected_version, now=svc.clock.now()
    )


def react(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    agreement_id: str,
    *,
    reaction: str,
    expected_version: int,
) -> Agreement:
    talk = load_talk(session, viewer, talk_id)
    return talk.react(
        viewer.id,
        agreement_id,
        reaction=reaction,
        expected_version=expected_version,
        now=svc.clock.now(),
    )
