"""What every use case needs, wired once: database, clock, calendar, policy, checklist, links."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plugin.calendar.port import Calendar
from plugin.domain.checklist import ChecklistTemplate
from plugin.domain.clock import Clock
from plugin.domain.errors import Conflict
from plugin.domain.followup import FollowUpPolicy
from plugin.jobs.outbox import ENQUEUED
from plugin.store.db import Database

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a write that lost an optimistic-lock race is tried again from scratch.
STALE_RETRIES = 3


@dataclass(frozen=True)
class Links:
    """Absolute URLs for what we put in invites, feeds and the CLI's output."""

    base_url: str

    def talk(self, talk_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/talks/{talk_id}"

    def signin(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/signin/{token}"

    def shared(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/shared/{token}"

    def feed(self, person_id: str, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/feeds/{person_id}/{token}.ics"


class RemoteCalendar(Protocol):
    """A calendar elsewhere (Microsoft Graph): used by workers, warmed once, closed at exit."""

    def warm(self) -> None: ...

    def close(self) -> None: ...


@dataclass
class Services:
    db: Database
    clock: Clock
    calendar: Callable[[Session], Calendar]
    policy: FollowUpPolicy
    template: ChecklistTemplate
    links: Links
    secret_key: bytes
    #: The organisation's language for invites and follow-up titles.
    language: str = "nl"
    #: Set in Microsoft mode: the calendar is remote, so only workers may touch it.
    graph: RemoteCalendar | None = None
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    #: Run after a transaction that recorded outbox jobs has committed.
    after_enqueue: list[Callable[[], object]] = field(default_factory=list)

    @property
    def drain_inline(self) -> bool:
        """Run the outbox right after each change: local mode; Microsoft mode has a worker."""
        return self.graph is None

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction, again from scratch if a concurrent writer won."""
        for attempt in range(1, STALE_RETRIES + 1):
            try:
                with self.db.writing() as session:
                    result = work(session)
                    enqueued = bool(session.info.get(ENQUEUED))
                break
            except StaleDataError:
                log.info("write lost a race (attempt %s), trying again", attempt)
                if attempt == STALE_RETRIES:
                    raise Conflict("busy", None) from None
        if enqueued:
            for hook in self.after_enqueue:
                hook()
        return result

    def read(self, work: Callable[[Session], T]) -> T:
        with self.db.reading() as session:
            return work(session)
