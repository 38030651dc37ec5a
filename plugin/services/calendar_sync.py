"""Two-way calendar sync (Microsoft mode): what changes in Outlook changes the talk.

Three parts, so that no change is missed and none is applied twice:

1. **Subscriptions** (`maintain`, run by the worker every minute or so): every lead with a talk
   that is not signed or cancelled has one Graph subscription on their mailbox's events. It is
   renewed at half the lifetime Graph granted, made again when Graph lost it, and removed when
   the lead has no such talk left. Making one holds the lead's row lock, so two workers on
   PostgreSQL never make two (a unique constraint backs that up).
2. **Notifications** (`accept`, in the web request that Graph makes): each one's `clientState`
   is compared, in constant time, with its own subscription's secret; a good one becomes an
   outbox job (keyed by mailbox, so one mailbox's changes apply in order) and the request
   answers at once. Nothing is applied inside it.
3. **Applying** (`apply_change`, the job): the event is read back (only what a talk compares)
   and the talk's own rules decide (`domain/talk_calendar.py`). The app's own writes echo back
   as notifications; their changeKey is the one the talk stored, so they change nothing. While
   the app's own write of the talk is still waiting, its older event is not applied over it.
4. **Reconciliation** (`reconcile`, from `maintain` every `reconcile_every`, and after Graph
   says notifications were missed): the mailbox's events over the span of its talks are read
   (one `calendarView`) and applied the same way, which heals any notification that never came.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from plugin.calendar.port import CalendarError, CalendarRejected
from plugin.domain.series import TalkSeries
from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import EventState
from plugin.jobs.outbox import (
    FailureHandler,
    Job,
    JobKind,
    drop_pending,
    enqueue,
    has_pending,
    waiting_payloads,
)
from plugin.services import series
from plugin.services.context import CalendarWatch, Services
from plugin.services.talks import MARK_EVENT, PIN_TAB, REBOOK_FOLLOW_UP, SYNC_EVENT, job_key
from plugin.store import repo
from plugin.store import subscriptions as subs
from plugin.store.subscriptions import SubscriptionRow

log = logging.getLogger(__name__)

NOTIFICATION_PATH = "/graph/notifications"
LIFECYCLE_PATH = "/graph/lifecycle"
APPLY_CHANGE = "apply_event_change"
LIFECYCLE = "subscription_lifecycle"
#: What the app asks for: just under the shortest maximum Graph documents for events (4,230
#: minutes; newer tables say 10,080), since asking more is refused. Graph may grant less, and
#: its answer is what counts: renewal comes at half of what was granted.
ASKED_LIFETIME = timedelta(minutes=4200)
LIFECYCLE_EVENTS = frozenset({"reauthorizationRequired", "subscriptionRemoved", "missed"})
#: A talk's own calendar jobs: dropped when the meeting is cancelled in Outlook.
TALK_CALENDAR_JOBS = (SYNC_EVENT, MARK_EVENT, PIN_TAB)


@dataclass(frozen=True)
class Notification:
    subscription_id: str
    client_state: str
    #: The event's id (resource data) for a change; the event's name for a lifecycle one.
    event_id: str = ""
    change_type: str = ""
    lifecycle_event: str = ""


def mailbox_key(person_id: str) -> str:
    return f"mailbox:{person_id}"


# -- 2. notifications, in Graph's request -------------------------------------------------------


def accept(svc: Services, session: Session, notifications: list[Notification]) -> int:
    """Record the genuine ones as jobs; returns how many. Others are logged, without content."""
    now = svc.clock.now()
    accepted = 0
    known: dict[str, SubscriptionRow | None] = {}  # a batch is mostly one subscription's
    for item in notifications:
        if item.subscription_id not in known:
            known[item.subscription_id] = subs.by_subscription_id(session, item.subscription_id)
        row = known[item.subscription_id]
        if row is None:
            log.warning("notification for an unknown subscription dropped")
            continue
        if not hmac.compare_digest(row.client_state.encode(), item.client_state.encode()):
            log.warning("notification with a wrong clientState dropped (subscription %s)", row.id)
            continue
        if item.lifecycle_event:
            payload = {"subscription": row.id, "event": item.lifecycle_event}
            enqueue(session, LIFECYCLE, payload, now, key=mailbox_key(row.person_id))
        elif item.event_id:
            payload = {"subscription": row.id, "event_id": item.event_id}
            key = mailbox_key(row.person_id)
            # A job for this event that has not started reads the event as it is when it
            # runs: a second one would only read it again (a burst of edits is one job).
            if payload not in waiting_payloads(session, key, APPLY_CHANGE):
                enqueue(session, APPLY_CHANGE, payload, now, key=key)
        else:
            continue
        accepted += 1
    return accepted


# -- 3. applying one change --------------------------------------------------------------------


def apply_change(svc: Services, session: Session, job: Job) -> None:
    row = _subscription(session, job)
    if row is None or svc.watch is None:
        return
    event_id = job.payload["event_id"]
    whole = series.series_by_master(session, row.tenant_id, event_id)
    if whole is not None:
        series.resync(svc, session, whole)  # the series itself changed
        return
    talk = repo.open_talk_for_event(session, row.tenant_id, event_id)
    if talk is None:
        return  # not a talk's event
    state = svc.watch.read(row.mailbox, talk.event_id or "")
    if state is None and talk.series_id is not None:
        # An occurrence gone: cancelled on its own, or the whole series moved. The series
        # tells which.
        of_talk = session.get(TalkSeries, talk.series_id)
        if of_talk is not None:
            series.resync(svc, session, of_talk)
            return
    _apply(svc, session, svc.watch, row, talk, state)


def _apply(
    svc: Services,
    session: Session,
    watch: CalendarWatch,
    row: SubscriptionRow,
    talk: Talk,
    state: EventState | None,
) -> None:
    if has_pending(session, job_key(talk.id), (SYNC_EVENT,)):
        return  # the app's own write of this talk waits: its echo comes after it
    people = repo.people_by_id(session, (talk.lead_id, talk.learner_id))
    now = svc.clock.now()
    change = talk.apply_event(state, people[talk.lead_id].email, people[talk.learner_id].email, now)
    if change.cancelled:
        drop_pending(session, job_key(talk.id), TALK_CALENDAR_JOBS, now, "cancelled in Outlook")
    if change.moved and talk.previous_talk_id is not None:
        previous = session.get(Talk, talk.previous_talk_id)
        if previous is not None and talk.starts_at < previous.ends_at:
            # A follow-up before the talk it follows: the policy books it again.
            enqueue(session, REBOOK_FOLLOW_UP, {"talk_id": talk.id}, now, key=job_key(talk.id))
    if change.anything:
        log.info(
            "talk %s follows its Outlook event: moved=%s cancelled=%s attention=%s",
            talk.id,
            change.moved,
            change.cancelled,
            change.attention,
        )


# -- 4. reconciliation --------------------------------------------------------------------------


def reconcile(svc: Services, session: Session, row: SubscriptionRow) -> int:
    """Compare every watched talk of the mailbox with its event; returns the talks compared."""
    watch = svc.watch
    if watch is None:
        return 0
    for whole in series.active_series_of(session, row.tenant_id, row.person_id):
        series.resync(svc, session, whole)  # its talks, by its occurrences
    found = [
        t for t in subs.watched_talks(session, row.tenant_id, row.person_id) if t.series_id is None
    ]
    if not found:
        subs.reconciled(session, row.id, svc.clock.now())
        return 0
    now = svc.clock.now()
    start = min(now, *(t.starts_at for t in found)) - timedelta(days=1)
    end = max(now, *(t.ends_at for t in found)) + timedelta(days=1)
    events = {e.event_id: e.state for e in watch.window(row.mailbox, start, end)}
    for talk in found:
        state = events.get(talk.event_id or "")
        if state is None:
            # Not in the span: moved far away, or gone. One read tells which.
            state = watch.read(row.mailbox, talk.event_id or "")
        _apply(svc, session, watch, row, talk, state)
    subs.reconciled(session, row.id, now)
    return len(found)


# -- lifecycle events ---------------------------------------------------------------------------


def lifecycle(svc: Services, session: Session, job: Job) -> None:
    row = _subscription(session, job)
    if row is None or svc.watch is None:
        return
    event = job.payload["event"]
    if event == "reauthorizationRequired":
        _renew(svc, session, svc.watch, row)
    elif event == "subscriptionRemoved":
        subs.remove(session, row.id)
        made = _subscribe(svc, session, svc.watch, row.tenant_id, row.person_id, row.mailbox)
        if made is not None:
            reconcile(svc, session, made)
    elif event == "missed":
        reconcile(svc, session, row)


# -- 1. keeping the subscriptions ---------------------------------------------------------------


def maintain(svc: Services) -> None:
    """One round of the worker's upkeep: subscribe, renew, unsubscribe, reconcile when due."""
    watch = svc.watch
    if watch is None:
        return
    wanted = set(svc.read(subs.leads_to_watch))
    held = {(r.tenant_id, r.person_id): r for r in svc.read(subs.all_subscriptions)}
    for tenant_id, person_id in sorted(wanted - held.keys()):
        _guarded("subscribe", partial(_first, svc, tenant_id, person_id))
    for key, row in held.items():
        if key not in wanted:
            _guarded("unsubscribe", partial(_drop, svc, watch, row))
            continue
        now = svc.clock.now()
        if now >= row.expires_at - timedelta(seconds=row.lifetime_seconds / 2):
            _guarded("renew", partial(svc.write, partial(_renew_in, svc, watch, row)))
        if row.reconciled_at is None or now - row.reconciled_at >= svc.reconcile_every:
            _guarded("reconcile", partial(svc.write, partial(_reconcile_in, svc, row)))


def _renew_in(svc: Services, watch: CalendarWatch, row: SubscriptionRow, session: Session) -> None:
    _renew(svc, session, watch, _fresh(session, row))


def _reconcile_in(svc: Services, row: SubscriptionRow, session: Session) -> None:
    reconcile(svc, session, _fresh(session, row))


def _first(svc: Services, tenant_id: str, person_id: str) -> None:
    def work(session: Session) -> None:
        repo.lock_people(session, (person_id,))  # another worker waits here, then finds it
        if subs.of_person(session, tenant_id, person_id) is not None:
            return
        person = repo.person(session, tenant_id, person_id)
        if person is None or svc.watch is None:
            return
        made = _subscribe(svc, session, svc.watch, tenant_id, person_id, person.email)
        if made is not None:
            reconcile(svc, session, made)

    try:
        svc.write(work)
    except IntegrityError:
        log.info("another worker subscribed to that mailbox first")


def _subscribe(
    svc: Services,
    session: Session,
    watch: CalendarWatch,
    tenant_id: str,
    person_id: str,
    mailbox: str,
) -> SubscriptionRow | None:
    now = svc.clock.now()
    base = svc.links.base_url.rstrip("/")
    secret = secrets.token_urlsafe(48)[:64]
    granted = watch.subscribe(
        mailbox, base + NOTIFICATION_PATH, base + LIFECYCLE_PATH, secret, now + ASKED_LIFETIME
    )
    lifetime = max(60, int((granted.expires_at - now).total_seconds()))
    row = SubscriptionRow(
        id=str(uuid.uuid4()),
        tenant_id=tenant_id,
        person_id=person_id,
        mailbox=mailbox,
        subscription_id=granted.subscription_id,
        client_state=secret,
        expires_at=granted.expires_at,
        lifetime_seconds=lifetime,
        reconciled_at=None,
    )
    subs.add(session, row, now)
    log.info("subscribed to a lead's calendar (subscription %s, %s s)", row.id, lifetime)
    return row


def _renew(svc: Services, session: Session, watch: CalendarWatch, row: SubscriptionRow) -> None:
    now = svc.clock.now()
    try:
        granted = watch.renew(row.subscription_id, now + ASKED_LIFETIME)
    except CalendarRejected as error:
        if error.reason != "not_found":
            raise
        # Graph lost it: subscribe again, and compare, since notifications were lost meanwhile.
        subs.remove(session, row.id)
        session.flush()
        made = _subscribe(svc, session, watch, row.tenant_id, row.person_id, row.mailbox)
        if made is not None:
            reconcile(svc, session, made)
        return
    lifetime = max(60, int((granted.expires_at - now).total_seconds()))
    subs.renewed(session, row.id, granted.expires_at, lifetime, now)


def _drop(svc: Services, watch: CalendarWatch, row: SubscriptionRow) -> None:
    watch.unsubscribe(row.subscription_id)
    svc.write(lambda s: subs.remove(s, row.id))


def _fresh(session: Session, row: SubscriptionRow) -> SubscriptionRow:
    return subs.of_person(session, row.tenant_id, row.person_id) or row


def _subscription(session: Session, job: Job) -> SubscriptionRow | None:
    # None: removed meanwhile; what it would have said, reconciliation says.
    return subs.by_row_id(session, job.payload["subscription"])


def _guarded(what: str, work: Callable[[], object]) -> None:
    """Run one part of the upkeep; a failure is logged and tried again next round."""
    try:
        work()
    except CalendarError as error:
        log.warning("calendar sync could not %s: %s", what, error)


def _failed_for_good(what: str) -> FailureHandler:
    def failed(session: Session, job: Job, reason: str) -> None:
        log.warning("%s failed for good: %s", what, reason)

    return failed


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        APPLY_CHANGE: JobKind(
            run=lambda s, j: apply_change(svc, s, j),
            failed=_failed_for_good("applying an Outlook change"),
        ),
        LIFECYCLE: JobKind(
            run=lambda s, j: lifecycle(svc, s, j),
            failed=_failed_for_good("a subscription's lifecycle event"),
        ),
    }
