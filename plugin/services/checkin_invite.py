"""A check-in's calendar invite: its one agreement and that agreement's progress since it was
signed, in the organisation's language (the language of every invite), for both calendars.

The check-in booking (`services/checkins.py`) sends it; a later change of the check-in talk
(moved, cancelled) goes through the follow-up's `sync_event`, which asks `event_draft` here for
a talk that is a check-in (`talk.check_in_of`).
"""

from __future__ import annotations

from gettext import NullTranslations

from sqlalchemy.orm import Session

from plugin.calendar.port import EventDraft
from plugin.domain.agreement import Agreement, Owner
from plugin.domain.talk import Talk
from plugin.i18n import translations
from plugin.services.context import Services
from plugin.services.invite import event_of, render_check_in_invite
from plugin.store import progress as progress_store
from plugin.store import repo


def _owner_name(agreement: Agreement, lead: str, learner: str, words: NullTranslations) -> str:
    if agreement.owner is Owner.LEAD:
        return lead
    if agreement.owner is Owner.LEARNER:
        return learner
    return words.gettext("%(lead)s and %(learner)s") % {"lead": lead, "learner": learner}


def event_draft(svc: Services, session: Session, talk: Talk) -> EventDraft:
    """The event of a check-in talk: as a talk's (`services/followup.py`), with the check-in's
    own body."""
    assert talk.check_in_of is not None
    agreement = session.get(Agreement, talk.check_in_of)
    assert agreement is not None
    signed = session.get(Talk, agreement.talk_id)
    assert signed is not None
    history = progress_store.histories(session, (agreement.id,)).get(agreement.id, [])
    people = repo.people_by_id(
        session, {talk.lead_id, talk.learner_id, *(e.author_id for e in history)}
    )
    lead, learner = people[talk.lead_id], people[talk.learner_id]
    content = render_check_in_invite(
        language=svc.language,
        subject=talk.title,
        lead_name=lead.display_name,
        learner_name=learner.display_name,
        starts_at=talk.starts_at,
        timezone=svc.policy.hours.timezone,
        talk_url=svc.links.talk(talk.id),
        agreement=agreement,
        owner_name=_owner_name(
            agreement, lead.display_name, learner.display_name, translations(svc.language)
        ),
        agreed_on=signed.starts_at,
        history=history,
        names={person_id: p.display_name for person_id, p in people.items()},
    )
    return event_of(talk, lead, learner, content, svc.links.talk(talk.id))
