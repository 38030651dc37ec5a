"""The reminder scan: what is due now becomes one reminder per person, enqueued once.

It runs in the worker's upkeep (and local `serve`'s), every minute or so. Each occasion it
finds (`domain/reminders.py`) is recorded with its reminders in one transaction, through the
outbox: a scan that runs twice, or on two workers, finds it recorded; a crash before commit
records nothing and the next scan finds it again. The sending is the outbox job's
(`SEND_JOB`), at the moment the occasion allows (never at night or at the weekend). After
each scan the upkeep forgets a small batch of occasions no scan can find again
(`domain/reminders.forget_after`), so the scan's anti-joins do not grow with the years.
Each occasion is timed by its tenant's working hours (`working_time.TenantHours`, read once
per scan); a query's date range is the widest any tenant needs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from plugin.domain import reminders
from plugin.domain.agreement import Agreement, AgreementStatus
from plugin.domain.people import Person
from plugin.domain.reminders import OVERDUE_LOOKBACK, SIGN_LOOKBACK, Occasion, ReminderKind
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk import Talk
from plugin.domain.talk_state import TalkStatus
from plugin.domain.todo import DUE_SOON_WORKING_DAYS, PREPARE_WORKING_DAYS, is_mine
from plugin.jobs.outbox import Job, JobKind, enqueue
from plugin.notify.message import Reminder, compose
from plugin.notify.port import Recipient, RetryableDeliveryError
from plugin.services import checkins
from plugin.services.context import Services
from plugin.services.working_time import TenantHours, hours_of
from plugin.store import reminders as store

log = logging.getLogger(__name__)

#: The outbox job that sends one reminder to one person.
SEND_JOB = "send_reminder"
#: Occasions forgotten per upkeep (every minute or so): small, so the delete never holds the
#: scan up; hundreds of thousands a day, far more than a day's occasions.
FORGET_BATCH = 500


@dataclass(frozen=True)
class Found:
    occasion: Occasion
    talk: Talk
    recipients: tuple[str, ...]
    agreement: Agreement | None = None


def scan(svc: Services, session: Session) -> int:
    """Record what is due now and enqueue its reminders; how many were enqueued."""
    now = svc.clock.now()
    book = TenantHours(session, svc.policy.hours)
    found = [
        *_agreements(book, session, now),
        *_prepare(book, session, now),
        *_sign(book, session, now),
        *_check_ins(svc, book, session, now),
    ]
    # All occasions first, a few hundred per INSERT; then their jobs. One transaction: a
    # crash records neither, and the next scan finds them again (never sent twice).
    store.record_occasions(
        session,
        [
            store.OccasionRow(
                f.occasion.kind.value,
                f.occasion.subject_id,
                f.occasion.key,
                f.talk.tenant_id,
                reminders.forget_after(f.occasion.kind, f.occasion.key),
            )
            for f in found
        ],
        now,
    )
    off = store.turned_off(session, {p for f in found for p in f.recipients})
    enqueued = 0
    for item in found:
        occasion = item.occasion
        at = reminders.send_at(occasion, now, book.of(item.talk.tenant_id)) or now
        for person_id in item.recipients:
            if (person_id, occasion.kind.value) in off:
                continue
            enqueue(
                session,
                SEND_JOB,
                {
                    "person_id": person_id,
                    "kind": occasion.kind.value,
                    "subject_id": occasion.subject_id,
                    "key": occasion.key,
                    "talk_id": item.talk.id,
                },
                now,
                key=f"reminder:{person_id}",
                run_after=at,
            )
            enqueued += 1
    return enqueued


def _agreements(book: TenantHours, session: Session, now: datetime) -> list[Found]:
    today = book.base.local_date(now)
    out = []
    last = max(h.add_working_days(today, DUE_SOON_WORKING_DAYS) for h in book.every())
    for agreement, talk in store.open_agreements_due(
        session, ReminderKind.DUE_SOON.value, today, last
    ):
        assert agreement.due is not None
        occasion = reminders.due_soon(agreement.id, agreement.due, book.of(talk.tenant_id))
        if occasion.at <= now:
            out.append(Found(occasion, talk, _owners(agreement, talk), agreement))
    yesterday = today - timedelta(days=1)
    for agreement, talk in store.open_agreements_due(
        session, ReminderKind.OVERDUE.value, today - OVERDUE_LOOKBACK, yesterday
    ):
        assert agreement.due is not None
        occasion = reminders.overdue(agreement.id, agreement.due, book.of(talk.tenant_id))
        if occasion.at <= now:
            out.append(Found(occasion, talk, _owners(agreement, talk), agreement))
    return out


def _check_ins(svc: Services, book: TenantHours, session: Session, now: datetime) -> list[Found]:
    """Propose a check-in for each agreement that slipped (`services/checkins.py`); each new
    proposal is an occasion to remind its lead of."""
    return [
        # The occasion is the proposal (an agreement may get another one later).
        Found(
            reminders.check_in(check_in.id, now, book.of(talk.tenant_id)),
            talk,
            (talk.lead_id,),
            agreement,
        )
        for check_in, agreement, talk in checkins.propose(svc, session, now, book)
    ]


def _prepare(book: TenantHours, session: Session, now: datetime) -> list[Found]:
    today = book.base.local_date(now)
    last_day = max(h.add_working_days(today, PREPARE_WORKING_DAYS) for h in book.every())
    before = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=book.base.zone)
    # A check-in is about one agreement: nothing to prepare (the query leaves them out).
    return _new(
        session,
        ReminderKind.PREPARE,
        store.talks_starting(session, now, before),
        reminders.prepare,
        book,
        lambda t: {p.person_id for p in t.preparations},
        now,
    )


def _sign(book: TenantHours, session: Session, now: datetime) -> list[Found]:
    # A check-in needs no sign-off (the query leaves them out).
    return _new(
        session,
        ReminderKind.SIGN,
        store.talks_ended(session, now - SIGN_LOOKBACK, now),
        reminders.sign,
        book,
        lambda t: {s.person_id for s in t.signatures},
        now,
    )


def _new(
    session: Session,
    kind: ReminderKind,
    candidates: Iterable[tuple[str, datetime]],
    occasion_of: Callable[[str, datetime, WorkingHours], Occasion],
    book: TenantHours,
    done_by: Callable[[Talk], set[str]],
    now: datetime,
) -> list[Found]:
    """The due occasions of these talks (id, time) not recorded yet; only their talks are
    loaded, and reminded: the participants not done."""
    candidates = list(candidates)
    recorded = store.reminded_keys(session, kind.value, (talk_id for talk_id, _ in candidates))
    # The candidates carry no tenant: one due by any tenant's hours is loaded, then judged by
    # its own tenant's (an occasion's key does not depend on the hours).
    every = book.every()
    due = {}
    for talk_id, moment in candidates:
        occasion = occasion_of(talk_id, moment, every[0])
        earliest = min(occasion_of(talk_id, moment, h).at for h in every)
        if earliest <= now and (talk_id, occasion.key) not in recorded:
            due[talk_id] = moment
    out = []
    for talk in store.talks_by_id(session, due):
        occasion = occasion_of(talk.id, due[talk.id], book.of(talk.tenant_id))
        if occasion.at > now:
            continue
        done = done_by(talk)
        recipients = tuple(p for p in (talk.lead_id, talk.learner_id) if p not in done)
        if recipients:
            out.append(Found(occasion, talk, recipients))
    return out


def _owners(agreement: Agreement, talk: Talk) -> tuple[str, ...]:
    return tuple(
        person
        for person in (talk.lead_id, talk.learner_id)
        if (role := talk.role_of(person)) is not None and is_mine(agreement, role)
    )


def scan_now(svc: Services) -> int:
    """One scan in its own transaction, then a batch of occasions forgotten in another: the
    worker's and local `serve`'s upkeep. How many reminders were enqueued (logged: counts
    only, never what they are about)."""
    enqueued = svc.write(lambda session: scan(svc, session))
    forgotten = svc.write(
        lambda session: store.forget_occasions(session, svc.clock.now(), FORGET_BATCH)
    )
    log.debug("reminder scan: %d enqueued, %d occasions forgotten", enqueued, forgotten)
    return enqueued


def send(svc: Services, session: Session, job: Job) -> None:
    """Send one reminder, if it still holds: the agreement still open with that due date, the
    talk still at that time and not prepared or signed by this person, the kind still on."""
    payload = job.payload
    kind = ReminderKind(payload["kind"])
    person = session.get(Person, payload["person_id"])
    talk = session.get(Talk, payload["talk_id"])
    if (
        person is None
        or talk is None
        or (person.id, kind.value) in store.turned_off(session, [person.id])
    ):
        return
    about, starts_at, no_time = payload["subject_id"], talk.starts_at, False
    if kind is ReminderKind.CHECK_IN:
        # About a proposal: it holds while the proposal waits for the lead, and names the
        # time found for it (the worker's search may not have answered yet: wait for it).
        # No time free for both is news for the lead too: they pick a time themselves.
        check_in = checkins.waiting(session, payload["subject_id"])
        if check_in is None or check_in.problem not in (None, "no_free_slot"):
            log.info("check-in reminder %s: no longer waiting", payload["subject_id"])
            return
        if check_in.slot_start is None and check_in.problem is None:
            raise RetryableDeliveryError("no time found yet", retry_after=timedelta(minutes=1))
        no_time = check_in.slot_start is None
        about, starts_at = check_in.agreement_id, check_in.slot_start or talk.starts_at
    agreement = next((a for a in talk.agreements if a.id == about), None)
    if not _still_holds(kind, payload["key"], person.id, talk, agreement):
        log.info("reminder %s for %s no longer holds", kind.value, payload["subject_id"])
        return
    now = svc.clock.now()
    hours = hours_of(session, svc.policy.hours, talk.tenant_id)
    if (moment := reminders.working_moment(now, hours)) > now:
        # A retry that fell outside working hours waits for the morning.
        raise RetryableDeliveryError("outside working hours", retry_after=moment - now)
    channel = svc.reminder_channel()
    if channel is None:
        log.info("no channel for reminders: %s stays on the overview only", kind.value)
        return
    other = session.get(Person, talk.learner_id if person.id == talk.lead_id else talk.lead_id)
    recipient = Recipient(
        person_id=person.id,
        name=person.display_name,
        email=person.email,
        language=person.locale,
        object_id=person.object_id,
    )
    reminder = Reminder(
        kind=kind.value,
        talk_title=talk.title,
        starts_at=starts_at,
        url=where_to_act(svc, kind, talk.id),
        other_name=other.display_name if other is not None else "",
        agreement=agreement.what if agreement is not None else "",
        due=agreement.due if agreement is not None else None,
        no_time=no_time,
        key=f"{kind.value}-{payload['subject_id']}-{payload['key']}-{person.id}",
    )
    delivery = channel.send(recipient, compose(recipient, reminder, timezone=hours.timezone))
    log.info("reminder %s sent to %s by %s", kind.value, person.id, delivery.channel)


def where_to_act(svc: Services, kind: ReminderKind, talk_id: str) -> str:
    """The page a reminder links to (in its e-mail, and as the Teams feed's deep link into the
    personal tab): where that reminder's step is taken."""
    if kind is ReminderKind.PREPARE:
        return svc.links.prepare(talk_id)
    if kind is ReminderKind.SIGN:
        # Both sign on the talk's page (the form page of an unsigned talk only points there).
        return f"{svc.links.talk(talk_id)}/panel"
    if kind in (ReminderKind.DUE_SOON, ReminderKind.OVERDUE):
        # The signed form's progress: mark the agreement done or note how it goes.
        return f"{svc.links.form(talk_id)}#progress"
    # A check-in: the lead accepts or dismisses it on the overview.
    return f"{svc.links.base_url.rstrip('/')}/"


def _still_holds(
    kind: ReminderKind, key: str, person_id: str, talk: Talk, agreement: Agreement | None
) -> bool:
    if kind in (ReminderKind.DUE_SOON, ReminderKind.OVERDUE):
        return (
            agreement is not None
            and agreement.status is AgreementStatus.OPEN
            and agreement.due is not None
            and agreement.due.isoformat() == key
            and talk.status is TalkStatus.SIGNED
        )
    if kind is ReminderKind.CHECK_IN:
        return agreement is not None and agreement.status is AgreementStatus.OPEN
    if kind is ReminderKind.PREPARE:
        return (
            talk.status is TalkStatus.PLANNED
            and reminders.moment_key(talk.starts_at) == key
            and all(p.person_id != person_id for p in talk.preparations)
        )
    if kind is ReminderKind.SIGN:
        return (
            talk.status in (TalkStatus.PLANNED, TalkStatus.HELD)
            and reminders.moment_key(talk.ends_at) == key
            and talk.signature_of(person_id) is None
        )
    return True


def send_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    # The reminder's content is never logged: who and which kind is enough to look into it.
    log.warning(
        "reminder %s to %s not delivered: %s",
        job.payload.get("kind"),
        job.payload.get("person_id"),
        reason,
    )


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        SEND_JOB: JobKind(
            run=lambda s, j: send(svc, s, j), failed=lambda s, j, r: send_failed(svc, s, j, r)
        )
    }
