"""Use cases of feedback drafts: a participant writes, changes, says or drops their own.

Drafts are private: every function takes the viewer, and only ever touches the viewer's own.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from plugin.domain.errors import InvalidInput, NotFound
from plugin.domain.feedback import MAX_DRAFTS, FeedbackDraft, clean_steps
from plugin.domain.people import Person
from plugin.services.context import Services
from plugin.services.talks import load_talk
from plugin.store import drafts


def my_drafts(session: Session, viewer: Person, talk_id: str) -> list[FeedbackDraft]:
    talk = load_talk(session, viewer, talk_id)
    return list(drafts.drafts_of(session, talk.id, viewer.id))


def write_draft(
    svc: Services, session: Session, viewer: Person, talk_id: str, steps: Mapping[str, object]
) -> FeedbackDraft:
    talk = load_talk(session, viewer, talk_id)
    talk.require_participant(viewer.id)
    if len(drafts.drafts_of(session, talk.id, viewer.id)) >= MAX_DRAFTS:
        raise InvalidInput("too_many", "drafts", max=MAX_DRAFTS)
    now = svc.clock.now()
    draft = FeedbackDraft(
        id=svc.new_id(),
        talk_id=talk.id,
        person_id=viewer.id,
        created_at=now,
        updated_at=now,
        steps=clean_steps(steps),
    )
    session.add(draft)
    return draft


def _mine(session: Session, viewer: Person, talk_id: str, draft_id: str) -> FeedbackDraft:
    found = next((d for d in my_drafts(session, viewer, talk_id) if d.id == draft_id), None)
    if found is None:
        raise NotFound("not_found", "draft")
    return found


def change_draft(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    draft_id: str,
    *,
    expected_version: int,
    steps: Mapping[str, object] | None = None,
    said: bool | None = None,
    agreement_id: str | None = None,
) -> FeedbackDraft:
    draft = _mine(session, viewer, talk_id, draft_id)
    if agreement_id is not None:
        talk = load_talk(session, viewer, talk_id)
        talk.agreement(agreement_id)  # one of this talk's
    draft.change(
        steps=steps,
        said=said,
        agreement_id=agreement_id,
        expected_version=expected_version,
        now=svc.clock.now(),
    )
    return draft


def drop_draft(session: Session, viewer: Person, talk_id: str, draft_id: str) -> None:
    session.delete(_mine(session, viewer, talk_id, draft_id))
