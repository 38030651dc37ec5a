"""Use cases of sign-off: sign the form, and book the follow-up again when it needs attention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.errors import InvalidInput
from plugin.domain.people import Person
from plugin.domain.talk import (
    Talk,
)
from plugin.jobs.outbox import enqueue
from plugin.services.context import Services
from plugin.services.talks import (
    BOOK_FOLLOW_UP,
    POST_SUMMARY,
    job_key,
    load_talk,
)
from plugin.store import repo


def sign(svc: Services, session: Session, viewer: Person, talk_id: str) -> Talk:
    talk = load_talk(session, viewer, talk_id)
    now = svc.clock.now()
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    if talk.sign(viewer.id, new_id=svc.new_id(), now=now, names=names):
        enqueue(session, BOOK_FOLLOW_UP, {"talk_id": talk.id}, now, key=job_key(talk.id))
        if svc.chat is not None and talk.meeting_chat_id is not None and talk.chat_summary:
            # After the booking (same key: in order), so the card can name the next talk.
            enqueue(session, POST_SUMMARY, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def choose_follow_up(
    svc: Services, session: Session, viewer: Person, talk_id: str, starts_at: datetime | None
) -> Talk:
    """Book the follow-up again: at a chosen time (one of the options), or by searching anew."""
    talk = load_talk(session, viewer, talk_id)
    talk.retry_follow_up(viewer.id)
    now = svc.clock.now()
    payload: dict[str, Any] = {"talk_id": talk.id}
    if starts_at is not None:
        if starts_at.tzinfo is None:
            raise InvalidInput("timezone_required", "starts_at")
        if starts_at <= now:
            raise InvalidInput("in_past", "starts_at")
        payload["starts_at"] = starts_at.isoformat()
    enqueue(session, BOOK_FOLLOW_UP, payload, now, key=job_key(talk.id))
    return talk
