"""Reading a person's private feedback drafts for a talk."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin.domain.feedback import FeedbackDraft
from plugin.store.schema import feedback_drafts


def drafts_of(session: Session, talk_id: str, person_id: str) -> Sequence[FeedbackDraft]:
    return (
        session.execute(
            select(FeedbackDraft)
            .where(feedback_drafts.c.talk_id == talk_id, feedback_drafts.c.person_id == person_id)
            .order_by(feedback_drafts.c.created_at, feedback_drafts.c.id)
        )
        .scalars()
        .all()
    )
