"""Builds the running application from settings: database, migrations, services, outbox."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from plugin.calendar.local import LocalCalendar
from plugin.calendar.port import Calendar
from plugin.domain.checklist import ChecklistTemplate, default_template, load_template
from plugin.domain.clock import Clock, SystemClock
from plugin.domain.followup import FollowUpPolicy
from plugin.domain.schedule import WorkingHours
from plugin.jobs.outbox import Outbox
from plugin.services.context import Links, Services
from plugin.services.followup import job_kinds
from plugin.settings import MICROSOFT, Settings
from plugin.store import migrate
from plugin.store.db import Database, make_engine


class ConfigurationError(Exception):
    """A setting is missing or wrong; the message names it."""


def _template(settings: Settings) -> ChecklistTemplate:
    if settings.checklist_path is None:
        return default_template()
    try:
        return load_template(settings.checklist_path)
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"ONTWIKKELGESPREK_CHECKLIST_PATH: {error}") from None


def build_services(
    settings: Settings,
    *,
    base_url: str,
    clock: Clock | None = None,
    policy: FollowUpPolicy | None = None,
    migrate_schema: bool = True,
) -> tuple[Services, Outbox]:
    if settings.mode == MICROSOFT:
        raise ConfigurationError(
            "ONTWIKKELGESPREK_TENANT_ID and ONTWIKKELGESPREK_CLIENT_ID are set, but this version "
            "has no Microsoft Graph calendar yet; unset them to run in local mode"
        )
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    if migrate_schema:
        migrate.ensure_schema(engine)
    clock = clock or SystemClock()
    db = Database(engine)

    def local_calendar(session: Session) -> Calendar:
        return LocalCalendar(session, clock.now)

    calendar: Callable[[Session], Calendar] = local_calendar
    services = Services(
        db=db,
        clock=clock,
        calendar=calendar,
        policy=policy or FollowUpPolicy(hours=WorkingHours(timezone=settings.timezone)),
        template=_template(settings),
        links=Links(settings.public_url or base_url),
        secret_key=settings.resolved_secret_key(),
        language=settings.language,
    )
    outbox = Outbox(db, clock, job_kinds(services))
    if services.drain_inline:
        services.after_enqueue.append(outbox.drain)
    return services, outbox
