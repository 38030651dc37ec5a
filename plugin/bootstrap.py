"""Builds the running application from settings: database, migrations, services, outbox.

In Microsoft mode the calendar is Microsoft Graph, built on first use only. The worker books
and syncs; a web request calls Graph only where the person must see the answer at once (the
Outlook add-in reading the organiser's appointment), so msgraph-sdk is imported there on the
first such call, never at start-up.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from plugin.calendar.appointments import Appointment, Appointments
from plugin.calendar.local import LocalCalendar
from plugin.calendar.port import Attendee, Calendar
from plugin.domain.checklist import content_hash, load_template
from plugin.domain.clock import Clock, SystemClock
from plugin.domain.followup import FollowUpPolicy
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk_types import TalkType, TalkTypes, built_in_types, folder_types
from plugin.jobs.outbox import Outbox
from plugin.notify.port import Channel
from plugin.services import lead_rule
from plugin.services.context import CalendarWatch, Links, MeetingTabs, Services
from plugin.services.followup import job_kinds
from plugin.settings import MICROSOFT, Settings
from plugin.store import migrate
from plugin.store.db import Database, make_engine
from plugin.teams_package import app_id_for

if TYPE_CHECKING:
    from plugin.calendar.graph import GraphCalendar
    from plugin.calendar.graph_client import GraphClient, GraphOptions
    from plugin.calendar.graph_watch import Granted, WatchedEvent
    from plugin.calendar.outlook import GraphAppointments
    from plugin.domain.series import Occurrence
    from plugin.domain.talk_calendar import EventState
    from plugin.identity.teams_sso import SsoValidator
    from plugin.identity.tokens import TokenService
    from plugin.teams.meeting_chat import GraphMeetingChat
    from plugin.teams.meeting_tab import GraphMeetingTabs


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names it."""


def _checklist_type(settings: Settings) -> TalkType | None:
    """The older setting: one checklist file, which becomes the default type."""
    if settings.checklist_path is None:
        return None
    try:
        template = load_template(settings.checklist_path)
        content = json.loads(settings.checklist_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"ONTWIKKELGESPREK_CHECKLIST_PATH: {error}") from None
    return TalkType(template=template, content=content, content_hash=content_hash(content))


def talk_types(settings: Settings) -> TalkTypes:
    """The built-in types, with the organisation's own added or in their place."""
    own: list[TalkType] = []
    if settings.talk_types_dir is not None:
        try:
            own = folder_types(settings.talk_types_dir)
        except (OSError, ValueError) as error:
            raise ConfigurationError(f"ONTWIKKELGESPREK_TALK_TYPES_DIR: {error}") from None
    checklist = _checklist_type(settings)
    if checklist is not None:
        own.append(checklist)
    default_id = checklist.id if checklist is not None else None
    types = TalkTypes.combine(built_in_types(), own)
    return TalkTypes(types.types, default_id) if default_id else types


class GraphWiring:
    """Microsoft Graph's calendar for this process, made on first use (see module docstring)."""

    def __init__(self, settings: Settings, options: GraphOptions | None = None) -> None:
        self._settings = settings
        self._options = options
        self._lock = threading.RLock()
        self._tokens: TokenService | None = None
        self._calendar: GraphCalendar | None = None
        self._client: GraphClient | None = None

    def tokens(self) -> TokenService:
        """The app's msal token service, shared by everything this wiring makes."""
        with self._lock:
            if self._tokens is None:
                from plugin.identity.tokens import TokenService

                self._tokens = TokenService.from_settings(self._settings)
            return self._tokens

    def calendar(self, _session: Session | None = None) -> GraphCalendar:
        with self._lock:
            if self._calendar is None:
                from plugin.calendar.graph import GraphCalendar
                from plugin.calendar.graph_client import GraphClient

                settings = self._settings
                self._client = GraphClient(
                    self.tokens(),
                    graph_url=settings.graph_url,
                    ca_bundle=settings.ca_bundle,
                    options=self._options,
                )
                self._calendar = GraphCalendar(self._client, timezone=settings.timezone)
            return self._calendar

    def client(self) -> GraphClient:
        """The Graph client the calendar uses (one loop thread, one connection pool)."""
        self.calendar()
        assert self._client is not None
        return self._client

    def meeting_chat(self) -> GraphMeetingChat:
        from plugin.teams.meeting_chat import GraphMeetingChat

        return GraphMeetingChat(self.tokens, self.client, self._settings.graph_url)

    def appointments(self) -> Appointments:
        """The organiser's Outlook appointments; msgraph-sdk is loaded on the first call."""
        wiring = self

        class OnFirstUse:
            def read(
                self, user_key: str, tenant_id: str, assertion: str, item_id: str
            ) -> Appointment | None:
                return wiring._appointments().read(user_key, tenant_id, assertion, item_id)

            def mark(self, organizer: Attendee, event_id: str, talk_id: str) -> None:
                wiring._appointments().mark(organizer, event_id, talk_id)

        return OnFirstUse()

    def _appointments(self) -> GraphAppointments:
        from plugin.calendar.outlook import GraphAppointments

        return GraphAppointments(self.tokens, self.client, self._settings.graph_url)

    def meeting_tabs(self, teams_app_id: str) -> MeetingTabs:
        """Our tab in meeting chats (the worker's); msgraph-sdk is loaded on the first pin."""
        wiring = self
        made: list[GraphMeetingTabs] = []

        class OnFirstUse:
            def pin(self, chat_id: str, talk_id: str, url: str) -> None:
                with wiring._lock:
                    if not made:
                        from plugin.teams.meeting_tab import GraphMeetingTabs

                        made.append(
                            GraphMeetingTabs(
                                wiring.client, wiring._settings.graph_url, teams_app_id
                            )
                        )
                made[0].pin(chat_id, talk_id, url)

        return OnFirstUse()

    def watch(self) -> CalendarWatch:
        """Change notifications and event reads for the sync (the worker's, on first use)."""
        wiring = self
        made: list[CalendarWatch] = []

        def get() -> CalendarWatch:
            with wiring._lock:
                if not made:
                    from plugin.calendar.graph_watch import GraphWatch

                    made.append(GraphWatch(wiring.client))
            return made[0]

        class OnFirstUse:
            def subscribe(
                self,
                mailbox: str,
                notification_url: str,
                lifecycle_url: str,
                client_state: str,
                expires_at: datetime,
            ) -> Granted:
                return get().subscribe(
                    mailbox, notification_url, lifecycle_url, client_state, expires_at
                )

            def renew(self, subscription_id: str, expires_at: datetime) -> Granted:
                return get().renew(subscription_id, expires_at)

            def unsubscribe(self, subscription_id: str) -> None:
                get().unsubscribe(subscription_id)

            def read(self, mailbox: str, event_id: str) -> EventState | None:
                return get().read(mailbox, event_id)

            def window(self, mailbox: str, start: datetime, end: datetime) -> list[WatchedEvent]:
                return get().window(mailbox, start, end)

            def instances(
                self, mailbox: str, master_id: str, start: datetime, end: datetime
            ) -> list[Occurrence]:
                return get().instances(mailbox, master_id, start, end)

        return OnFirstUse()

    def warm(self) -> None:
        """Pay the SDK's first-use cost now (worker start), not on the first booking."""
        self.calendar()
        assert self._client is not None
        self._client.warm()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()


def sso_validator(settings: Settings, clock: Clock | None = None) -> SsoValidator | None:
    """Microsoft mode's Teams token check, from the settings (None in local mode)."""
    if settings.mode != MICROSOFT or settings.client_id is None:
        return None
    from plugin.identity.teams_sso import SsoValidator

    return SsoValidator(
        client_id=settings.client_id,
        app_id_uri=settings.app_id_uri(),
        allowed_tenants=settings.allowed_tenant_ids(),
        authority_host=settings.authority_host,
        ca_bundle=settings.ca_bundle,
        now=(clock or SystemClock()).now,
    )


def _reminder_channel(
    settings: Settings, graph: GraphWiring | None, teams_app_id: str | None, clock: Clock
) -> Callable[[], Channel | None]:
    """Reminders' channel, made on first use (so Graph's client starts only when needed)."""

    @functools.cache
    def make() -> Channel | None:
        from plugin.notify.channels import reminder_channel

        return reminder_channel(
            settings,
            graph=graph.client() if graph is not None else None,
            teams_app_id=teams_app_id,
            clock=clock,
        )

    return make


def check_settings(settings: Settings) -> None:
    problems = settings.microsoft_problems()
    if problems:
        raise ConfigurationError("\n".join(problems))


def build_services(
    settings: Settings,
    *,
    base_url: str,
    clock: Clock | None = None,
    policy: FollowUpPolicy | None = None,
    migrate_schema: bool = True,
    graph_options: GraphOptions | None = None,
) -> tuple[Services, Outbox]:
    check_settings(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    if migrate_schema:
        migrate.ensure_schema(engine)
    clock = clock or SystemClock()
    db = Database(engine)

    def local_calendar(session: Session) -> Calendar:
        return LocalCalendar(session, clock.now)

    graph: GraphWiring | None = None
    calendar: Callable[[Session], Calendar] = local_calendar
    if settings.mode == MICROSOFT:
        graph = GraphWiring(settings, graph_options)
        calendar = graph.calendar
    teams_app_id = (
        app_id_for(settings.data_dir, settings.teams_app_id) if settings.mode == MICROSOFT else None
    )
    types = talk_types(settings)
    services = Services(
        db=db,
        clock=clock,
        calendar=calendar,
        policy=policy or FollowUpPolicy(hours=WorkingHours(timezone=settings.timezone)),
        template=types.default.template,
        types=types,
        links=Links(settings.public_url or base_url, teams_app_id=teams_app_id),
        secret_key=settings.resolved_secret_key(),
        language=settings.language,
        graph=graph,
        chat=graph.meeting_chat() if graph is not None else None,
        tabs=graph.meeting_tabs(teams_app_id) if graph and teams_app_id else None,
        watch=graph.watch() if graph is not None else None,
        reconcile_every=timedelta(minutes=settings.sync_minutes),
    )
    if graph is not None:
        services.appointments = graph.appointments()
    services.reminder_channel = _reminder_channel(settings, graph, teams_app_id, clock)
    lead_rule.install(services, settings, graph)
    outbox = Outbox(
        db,
        clock,
        job_kinds(services),
        remote=graph is not None,
        lease=timedelta(seconds=settings.job_lease_seconds),
    )
    if services.drain_inline:
        services.after_enqueue.append(outbox.drain)
    return services, outbox
