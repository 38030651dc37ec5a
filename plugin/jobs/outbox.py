"""The outbox: remote work recorded with the change that needs it, and drained after commit.

A change writes its job row in the same transaction, so the work is never lost and never
done for a change that rolled back. `drain` runs due jobs one by one, each in its own
transaction; on PostgreSQL several drainers never take the same row (`SKIP LOCKED`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.domain.clock import Clock
from plugin.store.db import Database
from plugin.store.schema import outbox_jobs

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
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


def enqueue(session: Session, kind: str, payload: Mapping[str, Any], now: datetime) -> None:
    session.info[ENQUEUED] = True
    session.execute(
        insert(outbox_jobs).values(
            kind=kind,
            payload=dict(payload),
            status=PENDING,
            attempts=0,
            run_after=now,
            created_at=now,
            updated_at=now,
        )
    )


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


class Outbox:
    def __init__(self, db: Database, clock: Clock, kinds: Mapping[str, JobKind]) -> None:
        self._db = db
        self._clock = clock
        self._kinds = kinds

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

    def _run_one(self) -> bool:
        now = self._clock.now()
        failure: tuple[Job, str] | None = None
        with self._db.writing() as session:
            row = session.execute(
                select(outbox_jobs)
                .where(outbox_jobs.c.status == PENDING, outbox_jobs.c.run_after <= now)
                .order_by(outbox_jobs.c.run_after, outbox_jobs.c.id)
                .limit(1)
                .with_for_update(skip_locked=True)
            ).first()
            if row is None:
                return False
            job = Job(row.id, row.kind, row.payload, row.attempts + 1)
            kind = self._kinds.get(job.kind)
            try:
                if kind is None:
                    raise CalendarRejected(f"unknown job kind {job.kind!r}")
                with session.begin_nested():
                    kind.run(session, job)
            except RetryableCalendarError as error:
                if job.attempts >= MAX_ATTEMPTS:
                    self._finish(session, job, FAILED, now, str(error))
                    failure = (job, "retries_exhausted")
                else:
                    delay = max(error.retry_after or timedelta(0), backoff(job.attempts))
                    log.info("job %s (%s) will retry in %s", job.id, job.kind, delay)
                    self._retry(session, job, now + delay, str(error), now)
            except CalendarRejected as error:
                log.warning("job %s (%s) was rejected: %s", job.id, job.kind, error)
                self._finish(session, job, FAILED, now, str(error))
                failure = (job, "rejected")
            else:
                self._finish(session, job, DONE, now, None)
        if failure is not None and kind is not None:
            with self._db.writing() as session:
                kind.failed(session, *failure)
        return True

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
