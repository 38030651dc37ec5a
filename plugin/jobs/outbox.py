"""The outbox: remote work recorded with the change that needs it, and drained after commit.

A change writes its job row in the same transaction, so the work is never lost and never
done for a change that rolled back. `drain` runs due jobs one by one:

1. **Claim** (a short transaction): the job's attempt is counted and its `run_after` moved a
   lease ahead, so no other drainer takes it meanwhile. On PostgreSQL several drainers never
   claim the same row (`SKIP LOCKED`). A job whose key has an earlier pending job waits for
   it, so one talk's jobs run one at a time and in order.
2. **Work** (its own transaction): the handler's reads, its calendar calls and its writes,
   committed together with the job's "done". A drainer that dies in between leaves the job
   claimed; when the lease runs out it is run again, which is why every handler is safe to
   repeat (events are created with a transaction id).
3. On a passing failure the job is put back with a back-off that honours the calendar's
   `Retry-After`; on a rejection it fails at once and its kind's failure handler shows why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.domain.clock import Clock
from plugin.store.db import Database
from plugin.store.working_tables import outbox_jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
#: How long a claimed job is left alone before another drainer may take it again. Longer than
#: any one job's remote calls, retries included.
LEASE = timedelta(minutes=10)
PENDING, DONE, FAILED = "pending", "done", "failed"


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    payload: Mapping[str, Any]
    attempts: int


#: A handler does the job's work inside the job's transaction.
Handler = Callable[[Session, Job], None]
#: Called, in a fresh transaction, when a job gives up: it shows the failure where it belongs.
FailureHandler = Callable[[Session, Job, str], None]


@dataclass(frozen=True)
class JobKind:
    run: Handler
    failed: FailureHandler


#: Set in a session's info when the transaction recorded a job, so callers know to drain.
ENQUEUED = "outbox_enqueued"


def enqueue(
    session: Session,
    kind: str,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    key: str | None = None,
    run_after: datetime | None = None,
) -> None:
    """Record a job, due now or at `run_after`; jobs sharing a `key` run one at a time,
    oldest first."""
    session.info[ENQUEUED] = True
    session.execute(
        insert(outbox_jobs).values(
            kind=kind,
            key=key,
            payload=dict(payload),
            status=PENDING,
            attempts=0,
            run_after=run_after or now,
            created_at=now,
            updated_at=now,
        )
    )


def has_pending(session: Session, key: str, kinds: tuple[str, ...]) -> bool:
    """A job of one of these kinds waits under this key (not yet done or failed)."""
    found = session.execute(
        select(outbox_jobs.c.id)
        .where(
            outbox_jobs.c.key == key,
            outbox_jobs.c.status == PENDING,
            outbox_jobs.c.kind.in_(kinds),
        )
        .limit(1)
    ).first()
    return found is not None


def waiting_payloads(session: Session, key: str, kind: str) -> list[Mapping[str, Any]]:
    """Payloads of jobs of this kind and key that no drainer has started yet."""
    rows = session.execute(
        select(outbox_jobs.c.payload).where(
            outbox_jobs.c.key == key,
            outbox_jobs.c.kind == kind,
            outbox_jobs.c.status == PENDING,
            outbox_jobs.c.attempts == 0,
        )
    ).all()
    return [row.payload for row in rows]


def drop_pending(
    session: Session, key: str, kinds: tuple[str, ...], now: datetime, why: str
) -> int:
    """Mark waiting jobs of these kinds under this key as done without running them."""
    result = session.execute(
        update(outbox_jobs)
        .where(
            outbox_jobs.c.key == key,
            outbox_jobs.c.status == PENDING,
            outbox_jobs.c.kind.in_(kinds),
        )
        .values(status=DONE, last_error=_cut(f"dropped: {why}"), updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        kinds: Mapping[str, JobKind],
        *,
        remote: bool = False,
        lease: timedelta = LEASE,
    ) -> None:
        """`remote`: handlers wait on a remote calendar, so SQLite's write lock is taken late."""
        self._db = db
        self._clock = clock
        self._kinds = kinds
        self._remote = remote
        self._lease = lease

    def drain(self, limit: int = 100) -> int:
        """Run due jobs until none is left or `limit` ran; returns how many ran."""
        ran = 0
        while ran < limit and self._run_one():
            ran += 1
        return ran

    def pending(self) -> int:
        with self._db.reading() as session:
            return session.execute(
                select(func.count()).select_from(outbox_jobs).where(outbox_jobs.c.status == PENDING)
            ).scalar_one()

    def _claim(self, now: datetime) -> Job | None:
        earlier = outbox_jobs.alias("earlier")
        with self._db.writing() as session:
            row = session.execute(
                select(outbox_jobs)
                .where(
                    outbox_jobs.c.status == PENDING,
                    outbox_jobs.c.run_after <= now,
                    ~exists().where(
                        earlier.c.key == outbox_jobs.c.key,
                        earlier.c.status == PENDING,
                        earlier.c.id < outbox_jobs.c.id,
                    ),
                )
                .order_by(outbox_jobs.c.run_after, outbox_jobs.c.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=outbox_jobs)
            ).first()
            if row is None:
                return None
            job = Job(row.id, row.kind, row.payload, row.attempts + 1)
            session.execute(
                update(outbox_jobs)
                .where(outbox_jobs.c.id == job.id)
                .values(attempts=job.attempts, run_after=now + self._lease, updated_at=now)
            )
        return job

    def _run_one(self) -> bool:
        now = self._clock.now()
        job = self._claim(now)
        if job is None:
            return False
        kind = self._kinds.get(job.kind)
        try:
            if kind is None:
                raise CalendarRejected(f"unknown job kind {job.kind!r}")
            with self._db.writing(lock_early=not self._remote) as session:
                kind.run(session, job)
                self._finish(session, job, DONE, self._clock.now(), None)
        except RetryableCalendarError as error:
            self._again(job, kind, error.retry_after, str(error))
        except CalendarRejected as error:
            log.warning("job %s (%s) was rejected: %s", job.id, job.kind, error)
            self._give_up(job, kind, str(error), error.reason)
        except (StaleDataError, OperationalError) as error:
            # Another writer changed the same rows meanwhile (or held SQLite's lock): the
            # work is safe to repeat, so run it again soon with fresh reads.
            log.info("job %s (%s) met a concurrent change, running it again", job.id, job.kind)
            self._again(job, kind, timedelta(0), type(error).__name__, at_once=True)
        except Exception as error:
            log.exception("job %s (%s) failed unexpectedly", job.id, job.kind)
            self._again(job, kind, None, f"{type(error).__name__}: {error}")
        return True

    def _again(
        self,
        job: Job,
        kind: JobKind | None,
        retry_after: timedelta | None,
        error: str,
        *,
        at_once: bool = False,
    ) -> None:
        if job.attempts >= MAX_ATTEMPTS:
            self._give_up(job, kind, error, "retries_exhausted")
            return
        now = self._clock.now()
        delay = timedelta(0) if at_once else max(retry_after or timedelta(0), backoff(job.attempts))
        log.info("job %s (%s) will retry in %s", job.id, job.kind, delay)
        with self._db.writing() as session:
            self._retry(session, job, now + delay, error, now)

    def _give_up(self, job: Job, kind: JobKind | None, error: str, reason: str) -> None:
        with self._db.writing() as session:
            self._finish(session, job, FAILED, self._clock.now(), error)
            if kind is not None:
                kind.failed(session, job, reason)

    @staticmethod
    def _finish(session: Session, job: Job, status: str, now: datetime, error: str | None) -> None:
        session.execute(
            update(outbox_jobs)
            .where(outbox_jobs.c.id == job.id)
            .values(status=status, attempts=job.attempts, updated_at=now, last_error=_cut(error))
        )

    @staticmethod
    def _retry(session: Session, job: Job, run_after: datetime, error: str, now: datetime) -> None:
        session.execute(
            update(outbox_jobs)
            .where(outbox_jobs.c.id == job.id)
            .values(
                attempts=job.attempts, run_after=run_after, updated_at=now, last_error=_cut(error)
            )
        )


def _cut(error: str | None) -> str | None:
    return None if error is None else error[:1000]
