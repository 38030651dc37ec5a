"""The outbox: jobs committed with their change, retried with back-off, failed for good, and
the calendar and follow-up work they do is safe to repeat."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from plugin.calendar.local import LocalCalendar, ical_uid
from plugin.calendar.port import (
    Attendee,
    CalendarRejected,
    EventDraft,
    EventRef,
    RetryableCalendarError,
)
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import CalendarState, FollowUpStatus, TalkStatus
from plugin.jobs.outbox import MAX_ATTEMPTS, Job, JobKind, Outbox, enqueue
from plugin.services import signoff, talks
from plugin.services.context import Services
from plugin.services.followup import book_follow_up, follow_up_id
from plugin.services.talks import BOOK_FOLLOW_UP, SYNC_EVENT
from plugin.store.schema import talks as talks_table
from plugin.store.working_tables import calendar_events, outbox_jobs


def jobs(services: Services, kind: str | None = None) -> list[Any]:
    query = select(outbox_jobs).order_by(outbox_jobs.c.id)
    if kind is not None:
        query = query.where(outbox_jobs.c.kind == kind)
    return list(services.read(lambda s: s.execute(query).all()))


def load(services: Services, talk_id: str) -> Talk:
    return services.read(lambda s: s.get(Talk, talk_id))  # type: ignore[arg-type,return-value]


def events_with(services: Services, transaction_id: str) -> list[Any]:
    return list(
        services.read(
            lambda s: s.execute(
                select(calendar_events).where(calendar_events.c.transaction_id == transaction_id)
            ).all()
        )
    )


def put_job(services: Services, kind: str = "k", payload: dict[str, Any] | None = None) -> None:
    # Not services.write: its inline drain would run the job with the app's kinds.
    with services.db.writing() as session:
        enqueue(session, kind, payload or {}, services.clock.now())


class Recorder:
    """Handlers for a test job kind: raise what `errors` says, then succeed."""

    def __init__(self, errors: list[Exception] | None = None) -> None:
        self.errors = list(errors or [])
        self.runs: list[Job] = []
        self.failures: list[tuple[Job, str]] = []

    def run(self, session: Session, job: Job) -> None:
        self.runs.append(job)
        if self.errors:
            raise self.errors.pop(0)

    def failed(self, session: Session, job: Job, reason: str) -> None:
        self.failures.append((job, reason))

    def outbox(self, services: Services, clock: FixedClock) -> Outbox:
        return Outbox(services.db, clock, {"k": JobKind(run=self.run, failed=self.failed)})


# -- the app's jobs ----------------------------------------------------------------------------


def test_planned_talk_syncs_its_event_inline(
    services: Services,
    outbox: Outbox,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = make_talk(lead, learner)
    (job,) = jobs(services, SYNC_EVENT)
    assert job.status == "done"
    assert job.attempts == 1
    assert job.payload == {"talk_id": talk.id}
    assert job.last_error is None
    assert outbox.pending() == 0
    loaded = load(services, talk.id)
    assert loaded.calendar_state is CalendarState.SYNCED
    assert loaded.calendar_error is None
    (event,) = events_with(services, f"talk-{talk.id}")
    assert loaded.event_id == event.id
    assert loaded.event_ical_uid == ical_uid(f"talk-{talk.id}")
    assert event.organizer_id == lead.id
    assert event.starts_at == talk.starts_at and event.cancelled is False


def test_cancelled_talk_cancels_its_event(
    services: Services, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    services.write(
        lambda s: talks.cancel_talk(
            services, s, lead, talk.id, expected_version=talks.load_talk(s, lead, talk.id).version
        )
    )
    assert [j.status for j in jobs(services, SYNC_EVENT)] == ["done", "done"]
    (event,) = events_with(services, f"talk-{talk.id}")
    assert event.cancelled is True
    assert event.sequence == 1
    assert load(services, talk.id).status is TalkStatus.CANCELLED


# -- retries and failures ----------------------------------------------------------------------


def test_retryable_error_waits_for_run_after(services: Services, clock: FixedClock) -> None:
    recorder = Recorder([RetryableCalendarError("throttled", retry_after=timedelta(seconds=120))])
    box = recorder.outbox(services, clock)
    put_job(services)
    start = clock.now()
    assert box.drain() == 1
    (job,) = jobs(services)
    assert (job.status, job.attempts, job.last_error) == ("pending", 1, "throttled")
    assert job.run_after == start + timedelta(seconds=120)
    assert box.pending() == 1
    assert box.drain() == 0
    clock.advance(timedelta(seconds=119))
    assert box.drain() == 0
    assert len(recorder.runs) == 1
    clock.advance(timedelta(seconds=1))
    assert box.drain() == 1
    (job,) = jobs(services)
    assert (job.status, job.attempts, job.last_error) == ("done", 2, None)
    assert [r.attempts for r in recorder.runs] == [1, 2]
    assert recorder.failures == []


def test_retry_waits_at_least_the_back_off(services: Services, clock: FixedClock) -> None:
    recorder = Recorder([RetryableCalendarError("timeout", retry_after=timedelta(seconds=1))])
    box = recorder.outbox(services, clock)
    put_job(services)
    box.drain()
    (job,) = jobs(services)
    assert job.run_after == clock.now() + timedelta(seconds=30)


def test_rejected_fails_at_once_and_runs_failure_handler(
    services: Services, clock: FixedClock
) -> None:
    recorder = Recorder([CalendarRejected("no such mailbox")])
    box = recorder.outbox(services, clock)
    put_job(services, payload={"x": 1})
    assert box.drain() == 1
    (job,) = jobs(services)
    assert (job.status, job.attempts, job.last_error) == ("failed", 1, "no such mailbox")
    ((failed_job, reason),) = recorder.failures
    assert reason == "rejected"
    assert failed_job.payload == {"x": 1}
    clock.advance(timedelta(days=1))
    assert box.drain() == 0
    assert len(recorder.runs) == 1


def test_unknown_kind_fails(services: Services, clock: FixedClock) -> None:
    box = Recorder().outbox(services, clock)
    put_job(services, kind="nobody-knows")
    assert box.drain() == 1
    (job,) = jobs(services)
    assert job.status == "failed"
    assert "unknown job kind" in job.last_error


def test_gives_up_after_max_attempts(services: Services, clock: FixedClock) -> None:
    recorder = Recorder([RetryableCalendarError(f"try {i}") for i in range(MAX_ATTEMPTS + 5)])
    box = recorder.outbox(services, clock)
    put_job(services)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert box.drain() == 1
        (job,) = jobs(services)
        assert job.attempts == attempt
        expected = "failed" if attempt == MAX_ATTEMPTS else "pending"
        assert job.status == expected
        clock.advance(timedelta(hours=1))  # the longest back-off
    assert box.drain() == 0
    assert len(recorder.runs) == MAX_ATTEMPTS
    ((_, reason),) = recorder.failures
    assert reason == "retries_exhausted"
    assert jobs(services)[0].last_error == f"try {MAX_ATTEMPTS - 1}"


@pytest.mark.parametrize(
    "error", [RetryableCalendarError("later"), CalendarRejected("never")], ids=["retry", "reject"]
)
@pytest.mark.parametrize("flush", [True, False], ids=["flushed", "unflushed"])
def test_handler_writes_roll_back_when_it_raises(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    error: Exception,
    flush: bool,
) -> None:
    talk = make_talk(lead, learner)
    before = load(services, talk.id)

    def run(session: Session, job: Job) -> None:
        loaded = session.get(Talk, talk.id)
        assert loaded is not None
        loaded.title = "Changed by a failing job"
        session.execute(
            update(talks_table).where(talks_table.c.id == talk.id).values(own_goal="core write")
        )
        if flush:
            session.flush()
        raise error

    failures: list[str] = []
    box = Outbox(
        services.db,
        clock,
        {"k": JobKind(run=run, failed=lambda s, j, reason: failures.append(reason))},
    )
    put_job(services)
    assert box.drain() == 1
    after = load(services, talk.id)
    assert after.title == before.title
    assert after.own_goal == before.own_goal == ""
    assert after.version == before.version
    (job,) = jobs(services, "k")
    assert job.attempts == 1
    assert job.status == ("pending" if isinstance(error, RetryableCalendarError) else "failed")


def test_failure_handler_writes_are_kept(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = make_talk(lead, learner)

    def failed(session: Session, job: Job, reason: str) -> None:
        loaded = session.get(Talk, job.payload["talk_id"])
        assert loaded is not None
        loaded.calendar_state = CalendarState.FAILED
        loaded.calendar_error = reason

    def run(session: Session, job: Job) -> None:
        raise CalendarRejected("nope")

    box = Outbox(services.db, clock, {"k": JobKind(run=run, failed=failed)})
    put_job(services, payload={"talk_id": talk.id})
    box.drain()
    loaded = load(services, talk.id)
    assert (loaded.calendar_state, loaded.calendar_error) == (CalendarState.FAILED, "rejected")


# -- follow-up booking is idempotent -----------------------------------------------------------


def _signed_talk(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> Talk:
    talk = make_talk(lead, learner)
    clock.advance(timedelta(days=1, minutes=5))
    for who in (lead, learner):
        services.write(lambda s, who=who: signoff.sign_as_shown(services, s, who, talk.id))
    return talk


def _assert_one_follow_up(services: Services, talk: Talk) -> None:
    loaded = load(services, talk.id)
    assert loaded.status is TalkStatus.SIGNED
    assert loaded.follow_up_status is FollowUpStatus.BOOKED
    fid = follow_up_id(talk.id)
    assert loaded.follow_up_talk_id == fid
    count = services.read(
        lambda s: s.execute(
            select(func.count())
            .select_from(talks_table)
            .where(talks_table.c.previous_talk_id == talk.id)
        ).scalar_one()
    )
    assert count == 1
    (event,) = events_with(services, f"talk-{fid}")
    follow_up = load(services, fid)
    assert follow_up.event_id == event.id
    assert follow_up.calendar_state is CalendarState.SYNCED


def test_second_follow_up_job_books_nothing_more(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = _signed_talk(services, clock, make_talk, lead, learner)
    _assert_one_follow_up(services, talk)
    put_job(services, BOOK_FOLLOW_UP, {"talk_id": talk.id})
    assert outbox.drain() == 1
    assert [j.status for j in jobs(services, BOOK_FOLLOW_UP)] == ["done", "done"]
    _assert_one_follow_up(services, talk)


def test_book_follow_up_run_again_after_a_lost_result(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = _signed_talk(services, clock, make_talk, lead, learner)
    job = Job(id=0, kind=BOOK_FOLLOW_UP, payload={"talk_id": talk.id}, attempts=1)
    with services.db.writing() as session:
        book_follow_up(services, session, job)  # booked already: does nothing
    _assert_one_follow_up(services, talk)
    # As if the talk's "booked" mark were lost after the follow-up and its event were made.
    with services.db.writing() as session:
        loaded = session.get(Talk, talk.id)
        assert loaded is not None
        loaded.follow_up_status = FollowUpStatus.BOOKING
        loaded.follow_up_talk_id = None
    with services.db.writing() as session:
        book_follow_up(services, session, job)
    _assert_one_follow_up(services, talk)


# -- the local calendar ------------------------------------------------------------------------


def _draft(lead: Person, learner: Person, clock: FixedClock, transaction_id: str) -> EventDraft:
    start = clock.now() + timedelta(days=2)
    return EventDraft(
        transaction_id=transaction_id,
        organizer=Attendee(lead.id, lead.display_name, lead.email),
        attendees=(Attendee(learner.id, learner.display_name, learner.email),),
        subject="Talk",
        start=start,
        end=start + timedelta(hours=1),
        body_text="Body",
        body_html="<p>Body</p>",
        url="http://og.test/talks/x",
    )


def test_local_create_event_is_idempotent(
    services: Services, clock: FixedClock, lead: Person, learner: Person
) -> None:
    draft = _draft(lead, learner, clock, "tx-1")
    with services.db.writing() as session:
        first = LocalCalendar(session, clock.now).create_event(draft)
    with services.db.writing() as session:
        second = LocalCalendar(session, clock.now).create_event(draft)
        again = LocalCalendar(session, clock.now).create_event(draft)
    assert first == second == again
    assert first.ical_uid == ical_uid("tx-1")
    (row,) = events_with(services, "tx-1")
    assert row.id == first.event_id


def test_local_cancel_is_idempotent(
    services: Services, clock: FixedClock, lead: Person, learner: Person
) -> None:
    draft = _draft(lead, learner, clock, "tx-2")
    with services.db.writing() as session:
        calendar = LocalCalendar(session, clock.now)
        ref = calendar.create_event(draft)
        calendar.cancel_event(ref, draft.organizer)
    with services.db.writing() as session:
        calendar = LocalCalendar(session, clock.now)
        calendar.cancel_event(ref, draft.organizer)
        # An event that is already gone counts as done too.
        calendar.cancel_event(EventRef("no-such-event", "x@y"), draft.organizer)
    (row,) = events_with(services, "tx-2")
    assert row.cancelled is True
    assert row.sequence == 1


def test_local_update_of_missing_event_is_rejected(
    services: Services, clock: FixedClock, lead: Person, learner: Person
) -> None:
    draft = _draft(lead, learner, clock, "tx-3")
    with pytest.raises(CalendarRejected), services.db.writing() as session:
        LocalCalendar(session, clock.now).update_event(EventRef("missing", "x@y"), draft)


# -- several drainers ----------------------------------------------------------------------------


def test_concurrent_drainers_run_each_job_exactly_once(
    services: Services, clock: FixedClock
) -> None:
    import threading

    recorder = Recorder()
    lock = threading.Lock()
    original = recorder.run

    def run(session: Session, job: Job) -> None:
        with lock:
            original(session, job)

    box = Outbox(services.db, clock, {"k": JobKind(run=run, failed=recorder.failed)})
    for i in range(40):
        put_job(services, payload={"n": i})
    drainers = [threading.Thread(target=box.drain, args=(1000,)) for _ in range(4)]
    for d in drainers:
        d.start()
    for d in drainers:
        d.join()
    assert sorted(j.payload["n"] for j in recorder.runs) == list(range(40))
    assert {j.status for j in jobs(services)} == {"done"}


def test_a_job_waits_for_an_earlier_job_with_its_key(services: Services, clock: FixedClock) -> None:
    recorder = Recorder()
    box = recorder.outbox(services, clock)
    with services.db.writing() as session:
        enqueue(session, "k", {"n": 1}, clock.now(), key="talk:a")
        enqueue(session, "k", {"n": 2}, clock.now(), key="talk:a")
        enqueue(session, "k", {"n": 3}, clock.now(), key="talk:b")
    first = box._claim(clock.now())
    assert first is not None and first.payload == {"n": 1}
    # While the first is claimed (another worker has it), its key's next job is not taken.
    second = box._claim(clock.now())
    assert second is not None and second.payload == {"n": 3}
    assert box._claim(clock.now()) is None
    # The claim's lease ends: the first is taken again, still before its key's next job.
    clock.advance(timedelta(minutes=11))
    again = box._claim(clock.now())
    assert again is not None and again.payload == {"n": 1} and again.attempts == 2
