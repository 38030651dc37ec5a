"""Check-ins when an agreement slips: proposing them, the lead's decision, booking, and what a
check-in agreed.

The reminder scan proposes (`propose`): an agreement overdue since this working day's
morning, or whose latest change is "stuck", gets a proposal to the lead, once per occasion.
The first time free for both is found by the worker (`SLOT_JOB`: in Microsoft mode that is a
Graph call, never made in a web request or in the scan's transaction). When the lead accepts,
the worker books the check-in (`BOOK_JOB`) as it books a follow-up: the slot found if still
free, else the first free one within the 5 working days; or the time the lead picked, when
none free for both was found.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from plugin.calendar.port import Attendee, Calendar, SlotRequest, attendee_of
from plugin.domain import reminders
from plugin.domain.agreement import Agreement
from plugin.domain.agreement_progress import ProgressKind, with_progress
from plugin.domain.checkin import (
    CHECK_IN_DURATION,
    CHECK_IN_WORKING_DAYS,
    CheckIn,
    CheckInReason,
    CheckInState,
)
from plugin.domain.errors import NotFound
from plugin.domain.people import Person
from plugin.domain.schedule import Interval, SlotSearch, WorkingHours
from plugin.domain.talk import MAX_TITLE, Talk
from plugin.domain.talk_state import CalendarState, TalkStatus
from plugin.i18n import translations
from plugin.jobs.outbox import Job, JobKind, enqueue
from plugin.services import checkin_invite
from plugin.services.context import Services
from plugin.services.talks import pin_tab_later
from plugin.services.working_time import TenantHours, hours_of
from plugin.store import checkins as store
from plugin.store import progress as progress_store
from plugin.store import repo

log = logging.getLogger(__name__)

#: Find the first time free for both for a new proposal.
SLOT_JOB = "check_in_slot"
#: Book an accepted check-in in both calendars.
BOOK_JOB = "book_check_in"
#: An agreement overdue (or stuck) longer ago than this when first seen (the app was off) gets
#: no proposal: the overview lists it anyway.
LOOKBACK = timedelta(days=14)

CHECK_IN_NAMESPACE = uuid.UUID("0b6f3c2e-8a4d-4e51-b7a2-5c9d1e3f7a60")


def check_in_talk_id(check_in_id: str) -> str:
    """The check-in talk's id, derived from the proposal's: a repeated booking finds it."""
    return str(uuid.uuid5(CHECK_IN_NAMESPACE, f"check-in:{check_in_id}"))


def _job_key(check_in: CheckIn) -> str:
    # The slot search and the booking of one proposal run in the order they were recorded.
    return f"check-in:{check_in.id}"


# -- proposing (from the reminder scan) ---------------------------------------------------------


def propose(
    svc: Services, session: Session, now: datetime, book: TenantHours | None = None
) -> list[tuple[CheckIn, Agreement, Talk]]:
    """Propose a check-in for each agreement that slipped and has none running; the new
    proposals with their agreements and signed talks (the scan reminds their leads). Each
    agreement is judged on its tenant's working days (`book`: the scan's, read once)."""
    book = book or TenantHours(session, svc.policy.hours)
    # The date is the installation's time zone's, the same for every tenant.
    today = book.base.local_date(now)
    slipped: list[tuple[Agreement, Talk, CheckInReason, str]] = []
    for agreement, talk in store.overdue_unproposed(
        session, today - LOOKBACK, today - timedelta(days=1)
    ):
        assert agreement.due is not None
        # The same moment as the "overdue" reminder: the working day after the due date.
        if reminders.overdue(agreement.id, agreement.due, book.of(talk.tenant_id)).at <= now:
            slipped.append((agreement, talk, CheckInReason.OVERDUE, agreement.due.isoformat()))
    stuck = store.stuck_unproposed(session, now - LOOKBACK)
    found = progress_store.histories(session, {a.id for _, a, _ in stuck})
    for entry, agreement, talk in stuck:
        changes = [e for e in found.get(agreement.id, ()) if e.kind is not ProgressKind.NOTE]
        if changes and changes[-1].id == entry.id:  # still stuck, by this entry
            slipped.append((agreement, talk, CheckInReason.STUCK, entry.id))
    busy = store.running(session, {a.id for a, _, _, _ in slipped}, now)
    made = []
    for agreement, talk, reason, key in slipped:
        if agreement.id in busy:
            continue
        busy.add(agreement.id)
        check_in = CheckIn(
            id=svc.new_id(),
            tenant_id=talk.tenant_id,
            agreement_id=agreement.id,
            talk_id=talk.id,
            track_id=talk.track_id,
            lead_id=talk.lead_id,
            learner_id=talk.learner_id,
            reason=reason,
            reason_key=key,
            created_at=now,
            updated_at=now,
        )
        session.add(check_in)
        enqueue(session, SLOT_JOB, {"check_in_id": check_in.id}, now, key=_job_key(check_in))
        made.append((check_in, agreement, talk))
        log.info("check-in %s proposed for agreement %s (%s)", check_in.id, agreement.id, reason)
    return made


# -- the slot search and the booking (outbox jobs) ---------------------------------------------


def _span(hours: WorkingHours, now: datetime) -> Interval:
    """From now to the end of the 5th working day from today."""
    last = hours.add_working_days(hours.local_date(now), CHECK_IN_WORKING_DAYS)
    return Interval(now, datetime.combine(last + timedelta(days=1), time(0), tzinfo=hours.zone))


def _search(
    hours: WorkingHours, calendar: Calendar, attendees: tuple[Attendee, ...], span: Interval
) -> SlotSearch:
    return calendar.find_slot(
        SlotRequest(
            attendees=attendees,
            window=span,
            earliest=span.start,
            horizon=span.end,
            duration=CHECK_IN_DURATION,
            hours=hours,
            options=0,
        )
    )


def _attendees(session: Session, check_in: CheckIn) -> tuple[Attendee, ...]:
    people = repo.people_by_id(session, (check_in.lead_id, check_in.learner_id))
    return (attendee_of(people[check_in.lead_id]), attendee_of(people[check_in.learner_id]))


def find_slot(svc: Services, session: Session, job: Job) -> None:
    """The first time free for both within the 5 working days, shown to the lead."""
    check_in = session.get(CheckIn, job.payload["check_in_id"])
    if check_in is None or check_in.state is not CheckInState.PROPOSED:
        return
    hours = hours_of(session, svc.policy.hours, check_in.tenant_id)
    found = _search(
        hours, svc.calendar(session), _attendees(session, check_in), _span(hours, svc.clock.now())
    )
    if found.slot is None:
        check_in.not_booked("no_free_slot")
    else:
        check_in.slot_found(found.slot.start, found.slot.end)


def book(svc: Services, session: Session, job: Job) -> None:
    """Book the accepted check-in: a 15-minute talk in the track, in both calendars (at the
    time the lead picked, if they did: they know it is not free for both)."""
    # Imported here: followup registers this module's jobs, so it imports this one first.
    from plugin.services.followup import store_ref

    check_in = session.get(CheckIn, job.payload["check_in_id"])
    if check_in is None or check_in.state is not CheckInState.ACCEPTED or check_in.check_in_talk_id:
        return  # booked already, or nothing to book: a repeated job does nothing
    # As a follow-up's booking: both people are held until this commits.
    repo.lock_people(session, (check_in.lead_id, check_in.learner_id))
    calendar = svc.calendar(session)
    attendees = _attendees(session, check_in)
    now = svc.clock.now()
    hours = hours_of(session, svc.policy.hours, check_in.tenant_id)
    slot = None
    if (
        check_in.slot_start is not None
        and check_in.slot_end is not None
        and check_in.slot_start >= now
    ):
        wanted = Interval(check_in.slot_start, check_in.slot_end)
        if job.payload.get("chosen"):
            slot = wanted
        else:
            found = _search(hours, calendar, attendees, wanted)
            if found.slot is not None and found.slot.start == wanted.start:
                slot = found.slot
    if slot is None:
        slot = _search(hours, calendar, attendees, _span(hours, now)).slot
    if slot is None:
        check_in.not_booked("no_free_slot")
        return
    talk = session.get(Talk, check_in_talk_id(check_in.id)) or _check_in_talk(
        svc, session, check_in, slot
    )
    # The event first, the talk's row after: a remote calendar's wait holds no write lock.
    store_ref(talk, calendar.create_event(checkin_invite.event_draft(svc, session, talk)))
    talk.calendar_state = CalendarState.SYNCED
    session.add(talk)
    session.flush()  # the talk's row before the proposal names it (no relationship orders them)
    pin_tab_later(svc, session, talk)
    check_in.booked(talk.id, slot.start, slot.end)
    log.info("booked check-in %s for agreement %s", talk.id, check_in.agreement_id)


def _check_in_talk(svc: Services, session: Session, check_in: CheckIn, slot: Interval) -> Talk:
    signed = session.get(Talk, check_in.talk_id)
    learner = session.get(Person, check_in.learner_id)
    assert signed is not None
    assert learner is not None
    now = svc.clock.now()
    title = f"{translations(svc.language).gettext('Check-in')}: {learner.display_name}"
    return Talk(
        id=check_in_talk_id(check_in.id),
        tenant_id=check_in.tenant_id,
        track_id=check_in.track_id,
        lead_id=check_in.lead_id,
        learner_id=check_in.learner_id,
        title=title[:MAX_TITLE],
        starts_at=slot.start,
        ends_at=slot.end,
        template_id=signed.template_id,
        check_in_of=check_in.agreement_id,
        created_at=now,
        updated_at=now,
    )


def booking_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    check_in = session.get(CheckIn, job.payload["check_in_id"])
    if check_in is not None:
        check_in.not_booked(reason)


# -- the lead's decision, and what the check-in agreed (API) ------------------------------------


def _load(session: Session, viewer: Person, check_in_id: str) -> CheckIn:
    """The check-in if the viewer is one of its two; anything else looks like none."""
    check_in = store.check_in(session, viewer.tenant_id, check_in_id)
    if check_in is None:
        raise NotFound("not_found", "talk")
    check_in.require_participant(viewer.id)
    return check_in


def _answer(session: Session, check_in: CheckIn) -> dict[str, Any]:
    session.flush()  # the version the answer names is the one stored
    agreement = session.get(Agreement, check_in.agreement_id)
    assert agreement is not None
    history = progress_store.histories(session, (agreement.id,)).get(agreement.id, [])
    return {**check_in.to_dict(), "agreement": with_progress(agreement, history)}


def for_talk(session: Session, viewer: Person, talk: Talk) -> dict[str, Any] | None:
    """The check-in a check-in talk was booked for (for its pages), or None for another talk."""
    check_in = store.booked_as(session, talk)
    if check_in is None or viewer.id not in (check_in.lead_id, check_in.learner_id):
        return None
    return _answer(session, check_in)


def view(svc: Services, session: Session, viewer: Person, check_in_id: str) -> dict[str, Any]:
    return _answer(session, _load(session, viewer, check_in_id))


def accept(
    svc: Services,
    session: Session,
    viewer: Person,
    check_in_id: str,
    *,
    expected_version: int,
    starts_at: datetime | None = None,
) -> dict[str, Any]:
    """The lead accepts: booked at the time found, or at `starts_at` if the lead picked one
    (when none free for both was found, or another suits them better)."""
    check_in = _load(session, viewer, check_in_id)
    now = svc.clock.now()
    chosen = check_in.accept(
        viewer.id,
        expected_version,
        now,
        starts_at=starts_at,
        hours=hours_of(session, svc.policy.hours, viewer.tenant_id),
    )
    payload = {"check_in_id": check_in.id, "chosen": chosen}
    enqueue(session, BOOK_JOB, payload, now, key=_job_key(check_in))
    return _answer(session, check_in)


def dismiss(
    svc: Services, session: Session, viewer: Person, check_in_id: str, *, expected_version: int
) -> dict[str, Any]:
    check_in = _load(session, viewer, check_in_id)
    check_in.dismiss(viewer.id, expected_version, svc.clock.now())
    return _answer(session, check_in)


def _touch_check_in_talk(session: Session, check_in: CheckIn, now: datetime) -> None:
    # The check-in's own page follows its talk's version: it must see the outcome change.
    if check_in.check_in_talk_id is not None:
        talk = session.get(Talk, check_in.check_in_talk_id)
        if talk is not None:
            talk._touch(now)


def _held(session: Session, check_in: CheckIn, now: datetime) -> bool:
    talk = session.get(Talk, check_in.check_in_talk_id) if check_in.check_in_talk_id else None
    return talk is not None and talk.status is not TalkStatus.CANCELLED and talk.starts_at <= now


def write_outcome(
    svc: Services,
    session: Session,
    viewer: Person,
    check_in_id: str,
    *,
    what: str | None,
    due: date | None,
    expected_version: int,
) -> dict[str, Any]:
    """What the check-in agreed, written by one of the two: it waits for the other."""
    check_in = _load(session, viewer, check_in_id)
    agreement = session.get(Agreement, check_in.agreement_id)
    assert agreement is not None
    now = svc.clock.now()
    check_in.propose_outcome(
        viewer.id,
        expected_version,
        agreement,
        what=what,
        due=due,
        held=_held(session, check_in, now),
        today=svc.policy.hours.local_date(now),
        now=now,
    )
    _touch_check_in_talk(session, check_in, now)
    return _answer(session, check_in)


def confirm_outcome(
    svc: Services, session: Session, viewer: Person, check_in_id: str, *, expected_version: int
) -> dict[str, Any]:
    """The other confirms: the agreement takes the new wording or due date."""
    check_in = _load(session, viewer, check_in_id)
    agreement = session.get(Agreement, check_in.agreement_id)
    signed = session.get(Talk, check_in.talk_id)
    assert agreement is not None
    assert signed is not None
    now = svc.clock.now()
    check_in.confirm_outcome(viewer.id, expected_version, agreement, now)
    # Live panels and talk pages follow the talk's version: they must see the new agreement.
    signed._touch(now)
    _touch_check_in_talk(session, check_in, now)
    return _answer(session, check_in)


def waiting_for(session: Session, lead: Person) -> list[tuple[CheckIn, Agreement]]:
    """The lead's proposals to decide on (the overview's `check_in` to-dos)."""
    return list(store.waiting_for(session, lead.id))


def waiting(session: Session, check_in_id: str) -> CheckIn | None:
    """The proposal, if it still waits for the lead (its reminder still holds)."""
    check_in = session.get(CheckIn, check_in_id)
    return check_in if check_in is not None and check_in.state is CheckInState.PROPOSED else None


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        SLOT_JOB: JobKind(
            run=lambda s, j: find_slot(svc, s, j),
            failed=lambda s, j, r: booking_failed(svc, s, j, r),
        ),
        BOOK_JOB: JobKind(
            run=lambda s, j: book(svc, s, j), failed=lambda s, j, r: booking_failed(svc, s, j, r)
        ),
    }
