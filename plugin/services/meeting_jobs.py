"""Outbox jobs for a talk's Teams meeting (Microsoft mode): mark the organiser's own Outlook
event with the talk's id, and put our tab in the meeting's chat.

Both are safe to repeat. The mark writes the same value again. Pinning counts a tab of ours
that is already in the chat as done, so a worker that dies between Graph's answer and its own
commit does not leave two tabs.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from plugin.calendar.port import attendee_of
from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.jobs.outbox import Job, JobKind
from plugin.services.context import Services
from plugin.services.talks import MARK_EVENT, PIN_TAB
from plugin.store import repo

log = logging.getLogger(__name__)


def mark_event(svc: Services, session: Session, job: Job) -> None:
    talk = session.get(Talk, job.payload["talk_id"])
    if talk is None or not talk.event_from_outlook or talk.event_id is None:
        return
    if talk.status is TalkStatus.CANCELLED:
        return  # unlinked before the mark was written: leave the appointment alone
    lead = repo.people_by_id(session, (talk.lead_id,))[talk.lead_id]
    svc.appointments.mark(attendee_of(lead), talk.event_id, talk.id)


def mark_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    # The talk works without the mark; only the calendar sync would not recognise its event.
    log.warning("the event of talk %s was not marked: %s", job.payload["talk_id"], reason)


def pin_tab(svc: Services, session: Session, job: Job) -> None:
    talk = session.get(Talk, job.payload["talk_id"])
    if svc.tabs is None or talk is None or talk.status is TalkStatus.CANCELLED:
        return
    chat_id = talk.meeting_chat_id or chat_id_from_join_url(talk.join_url)
    if chat_id is None or talk.tab_chat_id == chat_id:
        return
    # A series has one chat for all its times: its tab opens the one on now or next.
    url = svc.links.meeting(chat_id) if talk.series_id else svc.links.talk(talk.id)
    svc.tabs.pin(chat_id, talk.id, url)
    talk.tab_pinned(chat_id)


def pin_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    # The talk works without the tab: people open it from the invite's link, or add the tab.
    log.warning("no tab was pinned in the meeting of talk %s: %s", job.payload["talk_id"], reason)


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        MARK_EVENT: JobKind(
            run=lambda s, j: mark_event(svc, s, j), failed=lambda s, j, r: mark_failed(svc, s, j, r)
        ),
        PIN_TAB: JobKind(
            run=lambda s, j: pin_tab(svc, s, j), failed=lambda s, j, r: pin_failed(svc, s, j, r)
        ),
    }
