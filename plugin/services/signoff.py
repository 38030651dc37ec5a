"""Use cases of sign-off: sign the form, and book the follow-up again when it needs attention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.form import signing_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk, check_start
from plugin.jobs.outbox import enqueue
from plugin.services.context import Services
from plugin.services.talks import (
    BOOK_FOLLOW_UP,
    POST_SUMMARY,
    job_key,
    load_talk,
    load_talk_for_change,
)
from plugin.store import repo


def sign(svc: Services, session: Session, viewer: Person, talk_id: str, *, form_hash: str) -> Talk:
    """Sign the form as the viewer saw it (`form_hash`); refused if it changed since."""
    talk = load_talk(session, viewer, talk_id)
    now = svc.clock.now()
    names = repo.names(session, (talk.lead_id, talk.learner_id))
    if talk.sign(viewer.id, shown_hash=form_hash, new_id=svc.new_id(), now=now, names=names):
        enqueue(session, BOOK_FOLLOW_UP, {"talk_id": talk.id}, now, key=job_key(talk.id))
        if svc.chat is not None and talk.meeting_chat_id is not None and talk.chat_summary:
            # After the booking (same key: in order), so the card can name the next talk.
            enqueue(session, POST_SUMMARY, {"talk_id": talk.id}, now, key=job_key(talk.id))
    return talk


def sign_as_shown(svc: Services, session: Session, viewer: Person, talk_id: str) -> Talk:
    """Sign the form as it stands: for the demo seed, where the signer "sees" it right here."""
    current = signing_hash(load_talk(session, viewer, talk_id))
    return sign(svc, session, viewer, talk_id, form_hash=current)


def choose_follow_up(
    svc: Services,
    session: Session,
    viewer: Person,
    talk_id: str,
    starts_at: datetime | None,
    *,
    expected_version: int,
) -> Talk:
    """Book the follow-up again: at a chosen time (one of the options), or by searching anew."""
    talk = load_talk_for_change(session, viewer, talk_id, expected_version)
    talk.retry_follow_up(viewer.id)
    now = svc.clock.now()
    payload: dict[str, Any] = {"talk_id": talk.id}
    if starts_at is not None:
        check_start(starts_at, now)
        payload["starts_at"] = starts_at.isoformat()
    enqueue(session, BOOK_FOLLOW_UP, payload, now, key=job_key(talk.id))
    return talk
