"""The summary card: after sign-off, the signed talk's agreements posted in its meeting chat.

Runs as an outbox job after the follow-up's booking (the same job key), so the card can name
the next talk. Graph takes chat messages from users only: it is posted in the lead's name.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.jobs.outbox import Job, JobKind
from plugin.services.context import Services, user_key
from plugin.services.talk_types import talk_template
from plugin.services.talks import POST_SUMMARY
from plugin.store import repo
from plugin.teams.card import AgreementLine, TalkSummary

log = logging.getLogger(__name__)


def post_summary(svc: Services, session: Session, job: Job) -> None:
    """Post the signed talk's agreements to its meeting chat, in the lead's name."""
    talk = session.get(Talk, job.payload["talk_id"])
    if svc.chat is None or talk is None or talk.meeting_chat_id is None:
        return
    if not talk.chat_summary:
        return
    if talk.status is not TalkStatus.SIGNED:
        return
    people = repo.people_by_id(session, (talk.lead_id, talk.learner_id))
    lead, learner = people[talk.lead_id], people[talk.learner_id]
    follow_up = session.get(Talk, talk.follow_up_talk_id) if talk.follow_up_talk_id else None
    signed_at = max(s.signed_at for s in talk.signatures)
    summary = TalkSummary(
        talk_id=talk.id,
        title=talk.title,
        lead_name=lead.display_name,
        learner_name=learner.display_name,
        kind=talk_template(svc, session, talk).name.in_(svc.language),
        signed_on=signed_at.astimezone(svc.policy.hours.zone).date(),
        agreements=tuple(AgreementLine(a.what, a.owner, a.status, a.due) for a in talk.agreements),
        form_url=svc.links.form_tab(talk.id, talk.meeting_chat_id, talk.title),
        follow_up=follow_up.starts_at if follow_up is not None else None,
        pdf_url=f"{svc.links.talk(talk.id)}/form.pdf",
    )
    message_id = svc.chat.post(
        user_key(lead.tenant_id, lead.object_id),
        talk.meeting_chat_id,
        summary,
        svc.language,
        svc.policy.hours.timezone,
    )
    log.info("posted the summary of talk %s to its meeting chat (message %s)", talk.id, message_id)


def post_summary_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    # The form is signed and complete without the card; the lead can share it by hand.
    log.warning("the summary of talk %s was not posted: %s", job.payload["talk_id"], reason)


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        POST_SUMMARY: JobKind(
            run=lambda s, j: post_summary(svc, s, j),
            failed=lambda s, j, r: post_summary_failed(svc, s, j, r),
        ),
    }
