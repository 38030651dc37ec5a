"""What every use case needs, wired once: database, clock, calendar, policy, checklist, links."""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plugin.calendar.appointments import Appointments, NoAppointments
from plugin.calendar.port import Calendar
from plugin.domain.checklist import ChecklistTemplate
from plugin.domain.clock import Clock
from plugin.domain.followup import FollowUpPolicy
from plugin.domain.talk_types import TalkTypes
from plugin.jobs.outbox import ENQUEUED
from plugin.notify.port import Channel
from plugin.store.db import Database

if TYPE_CHECKING:
    from plugin.calendar.graph_watch import Granted, WatchedEvent
    from plugin.domain.series import Occurrence
    from plugin.domain.talk_calendar import EventState
    from plugin.teams.card import TalkSummary

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often a write that lost a race it can safely retry is tried again from scratch.
WRITE_ATTEMPTS = 5
#: SQLSTATEs of PostgreSQL's "try the transaction again": serialization failure, deadlock.
_RETRY_SQLSTATES = frozenset({"40001", "40P01"})
#: A unique violation: another transaction made the same row first (two presses of the Outlook
#: add-in's button, two first sign-ins). Run again, the work finds that row and uses it.
_UNIQUE_VIOLATION = "23505"


class Busy(Exception):
    """The database stayed busy through every attempt: the caller may try again shortly."""

    retry_after_seconds = 1


def _lost_a_race(error: Exception) -> bool:
    """A write that failed only because another writer got in the way, and may run again."""
    if isinstance(error, StaleDataError):
        return True
    if isinstance(error, IntegrityError):
        return getattr(error.orig, "sqlstate", None) == _UNIQUE_VIOLATION
    if not isinstance(error, OperationalError):
        return False
    if getattr(error.orig, "sqlstate", None) in _RETRY_SQLSTATES:
        return True
    # SQLite gave up waiting for the write lock (its busy timeout ran out).
    return "database is locked" in str(error.orig)


@dataclass(frozen=True)
class Links:
    """Absolute URLs for what we put in invites, feeds, chat cards and the CLI's output."""

    base_url: str
    #: The Teams app's id (Microsoft mode): deep links into the app's meeting tabs use it.
    teams_app_id: str | None = None

    def form(self, talk_id: str) -> str:
        return f"{self.talk(talk_id)}/form"

    def prepare(self, talk_id: str) -> str:
        return f"{self.talk(talk_id)}/prepare"

    def personal_app(self) -> str | None:
        """A deep link that opens the app's personal tab (my overview) in Teams."""
        if self.teams_app_id is None:
            return None
        return f"https://teams.microsoft.com/l/entity/{self.teams_app_id}/overview"

    def form_tab(self, talk_id: str, chat_id: str, label: str) -> str:
        """A deep link to the talk's tab in its meeting chat, falling back to the web page."""
        if self.teams_app_id is None:
            return self.form(talk_id)
        context = json.dumps({"chatId": chat_id, "contextType": "chat"}, separators=(",", ":"))
        query = urlencode({"webUrl": self.form(talk_id), "label": label, "context": context})
        return f"https://teams.microsoft.com/l/entity/{self.teams_app_id}/{talk_id}?{query}"

    def talk(self, talk_id: str) -> str:
        return f"{self.base_url.rstrip('/')}/talks/{talk_id}"

    def meeting(self, chat_id: str) -> str:
        """A recurring meeting's tab: the viewer's talk on now or next."""
        return f"{self.base_url.rstrip('/')}/meetings/{quote(chat_id, safe='')}"

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


class MeetingChat(Protocol):
    """Teams meeting chats, posted to in a person's name (Microsoft mode)."""

    def consent_missing(self, user_key: str, assertion: str) -> bool: ...

    def begin_consent(
        self, user_key: str, redirect_uri: str, login_hint: str
    ) -> dict[str, Any]: ...

    def finish_consent(
        self,
        user_key: str,
        flow: Mapping[str, Any],
        answer: Mapping[str, str],
        tenant_id: str,
        object_id: str,
    ) -> None: ...

    def post(
        self, user_key: str, chat_id: str, summary: TalkSummary, language: str, timezone: str
    ) -> str: ...


class MeetingTabs(Protocol):
    """Our tab in Teams meeting chats (Microsoft mode)."""

    def pin(self, chat_id: str, talk_id: str, url: str) -> None:
        """Install the app in the chat and pin the talk's tab, unless a tab of ours is there
        already; raises the calendar port's errors (retryable or rejected)."""
        ...


class CalendarWatch(Protocol):
    """Change notifications on the leads' Outlook calendars (Microsoft mode; graph_watch.py)."""

    def subscribe(
        self,
        mailbox: str,
        notification_url: str,
        lifecycle_url: str,
        client_state: str,
        expires_at: datetime,
    ) -> Granted: ...

    def renew(self, subscription_id: str, expires_at: datetime) -> Granted: ...

    def unsubscribe(self, subscription_id: str) -> None: ...

    def read(self, mailbox: str, event_id: str) -> EventState | None: ...

    def window(self, mailbox: str, start: datetime, end: datetime) -> list[WatchedEvent]: ...

    def instances(
        self, mailbox: str, master_id: str, start: datetime, end: datetime
    ) -> list[Occurrence]: ...


def user_key(tenant_id: str, object_id: str) -> str:
    """Whose delegated tokens: the Entra tenant and object id of a person."""
    return f"{tenant_id}:{object_id}"


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
    #: Set in Microsoft mode: the meeting chat, where a signed talk's summary is posted.
    chat: MeetingChat | None = None
    #: The organiser's own Outlook appointments (the add-in's way in); none in local mode.
    appointments: Appointments = field(default_factory=NoAppointments)
    #: Set in Microsoft mode: pins our tab in each talk's Teams meeting.
    tabs: MeetingTabs | None = None
    #: Set in Microsoft mode: hears what changes in the leads' Outlook calendars.
    watch: CalendarWatch | None = None
    #: How often each watched mailbox is compared with its talks, whatever was notified.
    reconcile_every: timedelta = timedelta(hours=1)
    new_id: Callable[[], str] = field(default=lambda: str(uuid.uuid4()))
    #: Where reminders go (`notify/channels.py`): made on first use; None when nothing is set.
    reminder_channel: Callable[[], Channel | None] = field(default=lambda: None)
    #: Run after a transaction that recorded outbox jobs has committed.
    #: The talk types a talk can be planned as (`services/talk_types.py`); None: only
    #: `template`, as bare services in tests have it.
    types: TalkTypes | None = None
    #: Who may lead whom (`services/lead_rule.py`: its `LeadRules`, set at start-up by
    #: `install`); None: anyone may lead anyone.
    lead_rules: object | None = None
    after_enqueue: list[Callable[[], object]] = field(default_factory=list)

    @property
    def drain_inline(self) -> bool:
        """Run the outbox right after each change: local mode; Microsoft mode has a worker."""
        return self.graph is None

    def write(self, work: Callable[[Session], T]) -> T:
        """Run `work` in one transaction, again from scratch if a concurrent writer got in the
        way; `Busy` when it keeps losing (never a half-done change: each attempt is whole)."""
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            try:
                with self.db.writing() as session:
                    result = work(session)
                    enqueued = bool(session.info.get(ENQUEUED))
                break
            except (StaleDataError, OperationalError, IntegrityError) as error:
                if not _lost_a_race(error):
                    raise
                log.info("write lost a race (attempt %s), trying again", attempt)
                if attempt == WRITE_ATTEMPTS:
                    raise Busy() from None
                # Spread the retries, so writers that collided do not collide again.
                time.sleep(random.uniform(0, 0.02 * 2**attempt))  # noqa: S311
        if enqueued:
            for hook in self.after_enqueue:
                hook()
        return result

    def read(self, work: Callable[[Session], T]) -> T:
        with self.db.reading() as session:
            return work(session)
