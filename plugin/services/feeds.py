"""iCalendar output: a person's feed (talks as events, own open agreements as to-dos) and the
download of one talk's event."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from plugin.calendar.ics import IcsAlarm, IcsEvent, IcsTodo, render_calendar
from plugin.calendar.ics import Person as IcsPerson
from plugin.calendar.local import ical_uid
from plugin.calendar.port import TALK_CATEGORY
from plugin.domain.agreement import Agreement
from plugin.domain.dates import within_span
from plugin.domain.errors import Conflict
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.i18n import translations
from plugin.services.context import Services
from plugin.services.followup import event_draft
from plugin.services.overview import open_agreements_for_feed
from plugin.store import repo

log = logging.getLogger(__name__)


def talk_uid(talk: Talk) -> str:
    return talk.event_ical_uid or ical_uid(f"talk-{talk.id}")


#: A subscribed calendar reminds the day before a talk, to prepare it.
ALARM_BEFORE = timedelta(days=1)


def _event(
    svc: Services,
    talk: Talk,
    people: dict[str, Person],
    description: str,
    alarms: tuple[IcsAlarm, ...] = (),
) -> IcsEvent:
    lead, learner = people[talk.lead_id], people[talk.learner_id]
    return IcsEvent(
        uid=talk_uid(talk),
        sequence=talk.event_sequence,
        summary=talk.title,
        description=description,
        start=talk.starts_at,
        end=talk.ends_at,
        organizer=IcsPerson(lead.display_name, lead.email),
        attendees=(IcsPerson(learner.display_name, learner.email),),
        url=svc.links.talk(talk.id),
        status="CANCELLED" if talk.status is TalkStatus.CANCELLED else "CONFIRMED",
        created=talk.created_at,
        last_modified=talk.updated_at,
        categories=(TALK_CATEGORY,),
        location=talk.join_url,
        alarms=alarms if talk.status is TalkStatus.PLANNED else (),
    )


def _todo(svc: Services, agreement: Agreement, talk: Talk, language: str) -> IcsTodo:
    assert agreement.due is not None
    gettext = translations(language).gettext
    return IcsTodo(
        uid=f"agreement-{agreement.id}@ontwikkelgesprek.local",
        sequence=agreement.version,
        summary=agreement.what,
        description=gettext("Agreement from: %(talk)s") % {"talk": talk.title},
        due=agreement.due,
        status="NEEDS-ACTION",
        url=svc.links.talk(talk.id),
        created=agreement.created_at,
        last_modified=agreement.updated_at,
        categories=(TALK_CATEGORY,),
    )


def _renderable(talks: list[Talk]) -> list[Talk]:
    """The talks a calendar can show. A row from before dates were bounded can lie near the
    calendar's end; one such row must not break the whole feed, so it is left out (and
    logged by id, never by content)."""
    fine = []
    for talk in talks:
        if within_span(talk.starts_at) and within_span(talk.ends_at):
            fine.append(talk)
        else:
            log.warning("talk %s left out of a feed: its date is outside the calendar", talk.id)
    return fine


def person_feed(svc: Services, session: Session, person: Person, language: str) -> bytes:
    talks = _renderable(list(repo.talks_of(session, person)))
    people = repo.people_by_id(session, {p for t in talks for p in (t.lead_id, t.learner_id)})
    gettext = translations(language).gettext
    events = [
        _event(
            svc,
            t,
            people,
            gettext("Open the talk: %(url)s") % {"url": svc.links.talk(t.id)},
            alarms=(
                IcsAlarm(
                    ALARM_BEFORE,
                    gettext("Tomorrow: %(title)s. Prepare it here: %(url)s")
                    % {"title": t.title, "url": svc.links.prepare(t.id)},
                ),
            ),
        )
        for t in talks
    ]
    tracks = repo.tracks_of(session, person)
    open_items = repo.open_agreements_of_tracks(session, person.tenant_id, [t.id for t in tracks])
    todos = [
        _todo(svc, a, t, language)
        for a, t in open_agreements_for_feed(person, open_items)
        if a.due is not None and within_span(a.due)
    ]
    return render_calendar(
        name=gettext("Development talks: %(name)s") % {"name": person.display_name},
        events=events,
        todos=todos,
        method="PUBLISH",
        timezone=svc.policy.hours.timezone,
    )


def talk_ics(svc: Services, session: Session, talk: Talk) -> bytes:
    if not _renderable([talk]):
        raise Conflict("outside_calendar", "starts_at")
    people = repo.people_by_id(session, (talk.lead_id, talk.learner_id))
    draft = event_draft(svc, session, talk)
    return render_calendar(
        name=talk.title,
        events=[_event(svc, talk, people, draft.body_text)],
        method="CANCEL" if talk.status is TalkStatus.CANCELLED else "REQUEST",
        timezone=svc.policy.hours.timezone,
        refresh=None,
    )
