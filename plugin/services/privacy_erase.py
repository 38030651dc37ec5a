"""Erasing a person (AVG art. 17): what is only theirs goes, the other's record stays.

Every talk has two people, so a talk stays for the other participant; from it go the erased
person's private points: their preparation, their own goal, their feedback drafts; their
reminders, reminder switches, sign-in links, subscription, sessions (the generation moves on),
feed URL and token caches go too. Their name and e-mail address are taken out of every text
that stays (titles, the signed form, notes, invites) and the person row becomes a tombstone:
named "verwijderde gebruiker" (in the organisation's language), no e-mail address, an
identity nobody can sign in with. A signed form changes with it, so its content hash is
computed again over what it now says. A track whose other person was erased before goes
whole, and a tombstone left in nothing is deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from plugin.domain.agreement_progress import AgreementProgress
from plugin.domain.erasure import Scrubber
from plugin.domain.form import form_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.i18n import translations
from plugin.services import audit
from plugin.services.context import Services, user_key
from plugin.services.privacy import ForgetTokens
from plugin.store import privacy_purge as store
from plugin.store.between_talks_tables import agreement_progress, check_ins
from plugin.store.schema import (
    feedback_drafts,
    people,
    preparations,
    talk_series,
    talk_shares,
    talks,
    tracks,
)
from plugin.store.working_tables import calendar_attendees, calendar_events, live_answers

#: A tombstone's object id starts so: no Entra object id or local id looks like it.
TOMBSTONE = "erased-"


@dataclass(frozen=True)
class Erased:
    person_id: str
    #: Talks that stay for the other participant, with the person shown as deleted.
    talks_kept: int
    #: Tracks deleted whole (the other participant had been erased before).
    tracks_deleted: int
    #: The person row went too (nothing named it any more); else it is a tombstone.
    row_deleted: bool
    #: Talks of theirs still to come: the other participant cancels them (or holds them).
    still_planned: int = 0


def people_by_email(svc: Services, email: str) -> list[Person]:
    wanted = email.strip().lower()
    if not wanted:
        return []  # tombstones have no address: never found by an empty one
    return svc.read(
        lambda s: list(
            s.execute(select(Person).where(func.lower(people.c.email) == wanted)).scalars()
        )
    )


def deleted_label(svc: Services) -> str:
    return translations(svc.language).gettext("deleted user")


def erase(svc: Services, person_id: str, *, forget_tokens: ForgetTokens | None = None) -> Erased:
    label = deleted_label(svc)
    erased, key = svc.write(lambda s: _erase(s, person_id, label, svc.clock.now()))
    if forget_tokens is not None:
        forget_tokens(key)
    audit.record(
        svc, "erase", tenant_id=key.split(":", 1)[0], actor_id=None, subject_id=person_id, via="cli"
    )
    store.compact(svc.db.engine)
    return erased


def _erase(session: Session, person_id: str, label: str, now: datetime) -> tuple[Erased, str]:
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(person_id)
    key = user_key(person.tenant_id, person.object_id)
    scrub = Scrubber([person.display_name, person.email], label)
    mine = or_(talks.c.lead_id == person_id, talks.c.learner_id == person_id)
    their_talks = list(session.execute(select(Talk).where(mine)).scalars())
    talk_ids = [t.id for t in their_talks]
    # Their own private points.
    session.execute(
        delete(feedback_drafts).where(
            feedback_drafts.c.person_id == person_id, feedback_drafts.c.talk_id.in_(talk_ids)
        )
    )
    session.execute(delete(preparations).where(preparations.c.person_id == person_id))
    session.execute(delete(talk_shares).where(talk_shares.c.person_id == person_id))
    session.execute(delete(live_answers).where(live_answers.c.talk_id.in_(talk_ids)))
    store.delete_own_rows(session, [person_id])
    for talk in their_talks:
        _scrub_talk(session, talk, person_id, scrub)
    _scrub_around(session, person_id, talk_ids, scrub)
    person.display_name, person.email, person.job_title = label, "", ""
    person.object_id = f"{TOMBSTONE}{uuid.uuid4()}"
    person.folded_hints = []
    person.end_sessions()
    person.renew_feed()
    session.flush()
    # Tracks whose two people are both erased now: nobody's record any more.
    both_gone = list(
        session.execute(
            select(tracks.c.id)
            .join(people, or_(people.c.id == tracks.c.lead_id, people.c.id == tracks.c.learner_id))
            .where(or_(tracks.c.lead_id == person_id, tracks.c.learner_id == person_id))
            .where(people.c.id != person_id, people.c.object_id.startswith(TOMBSTONE))
        ).scalars()
    )
    _talks, involved = store.delete_tracks(session, both_gone)
    gone = store.delete_people_left_bare(session, {person_id, *involved})
    row_deleted = any(p.id == person_id for p in gone)
    kept = len(talk_ids) - sum(1 for t in their_talks if t.track_id in set(both_gone))
    planned = sum(
        1
        for t in their_talks
        if t.status is TalkStatus.PLANNED and t.ends_at > now and t.track_id not in both_gone
    )
    return Erased(person_id, kept, len(both_gone), row_deleted, planned), key


def _scrub_talk(session: Session, talk: Talk, person_id: str, scrub: Scrubber) -> None:
    talk.title = scrub.text(talk.title)
    if talk.lead_id == person_id:
        talk.own_goal = ""
    else:
        talk.learner_goal = ""
    talk.own_goal, talk.learner_goal = scrub.text(talk.own_goal), scrub.text(talk.learner_goal)
    for agreement in talk.agreements:
        agreement.what = scrub.text(agreement.what)
        agreement.reaction = scrub.text(agreement.reaction)
        agreement.close_note = scrub.text(agreement.close_note)
        for entry in session.execute(
            select(AgreementProgress).where(agreement_progress.c.agreement_id == agreement.id)
        ).scalars():
            entry.note = scrub.text(entry.note)
    for note in talk.agenda_notes:
        note.label, note.note = scrub.text(note.label), scrub.text(note.note)
    if talk.signed_form is not None:
        form: dict[str, Any] = scrub.json(talk.signed_form)
        role = "lead" if talk.lead_id == person_id else "learner"
        form[role] = {**form[role], "name": scrub.label}
        if role == "lead":
            form["own_goal"] = talk.own_goal
        else:
            form.pop("learner_goal", None)
        talk.signed_form = form
        talk.content_hash = form_hash(form)
    talk.revision += 1


def _scrub_around(session: Session, person_id: str, talk_ids: list[str], scrub: Scrubber) -> None:
    """The texts beside the talks: the other's preparation, check-ins, series, invites."""
    for row in session.execute(
        select(preparations.c.id, preparations.c.points).where(preparations.c.talk_id.in_(talk_ids))
    ):
        session.execute(
            update(preparations)
            .where(preparations.c.id == row.id)
            .values(points=scrub.json(row.points))
        )
    for row in session.execute(
        select(check_ins.c.id, check_ins.c.new_what).where(
            check_ins.c.talk_id.in_(talk_ids), check_ins.c.new_what.is_not(None)
        )
    ):
        session.execute(
            update(check_ins)
            .where(check_ins.c.id == row.id)
            .values(new_what=scrub.text(row.new_what))
        )
    for series in session.execute(
        select(talk_series.c.id, talk_series.c.title, talk_series.c.lead_id).where(
            or_(talk_series.c.lead_id == person_id, talk_series.c.learner_id == person_id)
        )
    ):
        # No new talks come from it: one of its two people is gone.
        values: dict[str, Any] = {"title": scrub.text(series.title), "active": False}
        if series.lead_id == person_id:
            values["own_goal"] = ""
        session.execute(update(talk_series).where(talk_series.c.id == series.id).values(**values))
    event_ids = list(
        session.execute(
            select(talks.c.event_id).where(talks.c.id.in_(talk_ids), talks.c.event_id.is_not(None))
        ).scalars()
    )
    attending = select(calendar_attendees.c.event_id).where(
        calendar_attendees.c.person_id == person_id
    )
    for event in session.execute(
        select(
            calendar_events.c.id,
            calendar_events.c.subject,
            calendar_events.c.body_text,
            calendar_events.c.body_html,
        ).where(
            or_(
                calendar_events.c.id.in_(event_ids),
                calendar_events.c.organizer_id == person_id,
                calendar_events.c.id.in_(attending),
            )
        )
    ):
        session.execute(
            update(calendar_events)
            .where(calendar_events.c.id == event.id)
            .values(
                subject=scrub.text(event.subject),
                body_text=scrub.text(event.body_text),
                body_html=scrub.text(event.body_html),
            )
        )
