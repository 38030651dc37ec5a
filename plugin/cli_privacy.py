"""`ontwikkelgesprek privacy …`: the retention purge, a person's export and erasure, the audit
log; and the daily purge as part of the worker's (and local `serve`'s) upkeep.

As the other commands: 0 when done, 1 with a message for what cannot be done (no such
person, a setting), 2 for a wrong use of the command. The output names talks and people by
id and dates only: what an admin needs to check the work, not what it is about.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from plugin.cli_common import DEFAULT_HOST, DEFAULT_PORT, data_dir_option, load_settings
from plugin.settings import Settings

log = logging.getLogger(__name__)


def _services(data_dir: Path | None) -> tuple[Any, Settings]:
    from plugin.bootstrap import ConfigurationError, build_services

    settings = load_settings(data_dir)
    try:
        services, _outbox = build_services(
            settings, base_url=settings.public_url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
        )
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    return services, settings


def forget_tokens(settings: Settings) -> Callable[[str], None]:
    """Deletes a user's persisted token cache (Microsoft mode keeps them as files)."""
    from plugin.identity.token_caches import UserTokenCaches

    caches = UserTokenCaches(settings.data_dir / "token-cache", settings.resolved_secret_key())
    return caches.forget


def daily_upkeep(
    services: Any, settings: Settings, then: Callable[[], object] | None = None
) -> Callable[[], None]:
    """The upkeep with the daily purge in it (at most once a day across workers), then `then`.
    A failing purge is logged and never stops the rest of the upkeep."""
    from plugin.services import privacy, privacy_terms

    terms = privacy_terms.configured(settings)
    forget = forget_tokens(settings)

    def upkeep() -> None:
        try:
            privacy.daily(services, terms, forget_tokens=forget)
        except Exception:
            log.exception("the daily privacy purge failed; it runs again tomorrow")
        if then is not None:
            then()

    return upkeep


@click.group()
def privacy() -> None:
    """Privacy (AVG): retention purge, a person's export and erasure, the audit log."""


@privacy.command()
@click.option(
    "--dry-run", is_flag=True, help="List what would be deleted, and why; delete nothing."
)
@data_dir_option
def purge(dry_run: bool, data_dir: Path | None) -> None:
    """Delete the talks whose retention period ended (the worker does this daily)."""
    from plugin.services import privacy as service
    from plugin.services import privacy_terms

    services, settings = _services(data_dir)
    base = privacy_terms.configured(settings)
    if dry_run:
        terms, found = service.expired(services, base)
        click.echo(
            f"Retention: {terms.base.retention_months} months after a track's last activity "
            f"(audit log: {terms.base.audit_retention_months} months)."
        )
        # Each tenant whose admin set its own periods keeps those.
        for tenant, own in sorted(terms.stored.items()):
            click.echo(
                f"Tenant {tenant}: {own.retention_months} months "
                f"(audit log: {own.audit_retention_months} months), set by its admin."
            )
        for track in found:
            last = track.last_activity.date().isoformat() if track.last_activity else "never"
            due = track.delete_after.date().isoformat() if track.delete_after else "-"
            click.echo(
                f"track {track.track_id}: last activity {last}, retention ended {due}, "
                f"{len(track.talks)} talk(s) (tenant {track.tenant_id}, "
                f"{track.retention_months} months)"
            )
            for line in track.talks:
                click.echo(
                    f"  talk {line.talk_id} {line.starts_at.date().isoformat()} {line.status}"
                )
        click.echo(
            f"Would delete {len(found)} track(s), "
            f"{sum(len(t.talks) for t in found)} talk(s). Nothing was deleted."
        )
        return
    result = service.purge(services, base, forget_tokens=forget_tokens(settings))
    click.echo(
        f"Deleted {result.tracks} track(s), {result.talks} talk(s), {result.people} person(s) "
        f"left in nothing, and {result.audit_entries} audit entries past their period."
    )


def _one_person(services: Any, email: str, tenant: str | None) -> Any:
    from plugin.services.privacy_erase import people_by_email

    found = [p for p in people_by_email(services, email) if tenant in (None, p.tenant_id)]
    if not found:
        raise click.ClickException("no person with that e-mail address")
    if len(found) > 1:
        tenants = ", ".join(sorted(p.tenant_id for p in found))
        raise click.UsageError(
            f"several people have that address (tenants {tenants}): add --tenant"
        )
    return found[0]


person_option = click.option(
    "--person", "email", required=True, help="The person's e-mail address."
)
tenant_option = click.option(
    "--tenant", default=None, help="Their tenant, when the address is in several."
)


@privacy.command()
@person_option
@tenant_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The zip to write.",
)
@data_dir_option
def export(email: str, tenant: str | None, out: Path, data_dir: Path | None) -> None:
    """Write one person's data: JSON (shape in privacy-export.schema.json) and signed PDFs."""
    from plugin.services import audit, privacy_export

    services, _settings = _services(data_dir)
    person = _one_person(services, email, tenant)
    made = privacy_export.export(services, person.id)
    out.write_bytes(made.content)
    audit.record(
        services,
        "export",
        tenant_id=person.tenant_id,
        actor_id=None,
        subject_id=person.id,
        via="cli",
    )
    click.echo(f"Wrote {out}: {made.talks} talk(s), {made.pdfs} signed form(s) as PDF.")


@privacy.command()
@person_option
@tenant_option
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@data_dir_option
def erase(email: str, tenant: str | None, yes: bool, data_dir: Path | None) -> None:
    """Erase a person: what is only theirs goes; shared talks stay, as "deleted user"."""
    from plugin.services import privacy_erase

    services, settings = _services(data_dir)
    person = _one_person(services, email, tenant)
    if not yes:
        click.confirm(
            f"Erase person {person.id} for good? Their talks stay for the other participant, "
            "with them shown as a deleted user.",
            abort=True,
        )
    done = privacy_erase.erase(services, person.id, forget_tokens=forget_tokens(settings))
    what = "deleted" if done.row_deleted else "kept as a deleted user"
    click.echo(
        f"Erased person {done.person_id} ({what}): {done.talks_kept} talk(s) stay for the other "
        f"participant, {done.tracks_deleted} track(s) deleted whole."
    )
    if done.still_planned:
        click.echo(
            f"{done.still_planned} talk(s) of theirs are still planned: the other participant "
            "sees them with a deleted user, and can cancel them."
        )


@privacy.command()
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="First day.")
@data_dir_option
def audit(since: datetime | None, data_dir: Path | None) -> None:
    """Show the audit log: who opened a signed form, a PDF, a share link or an export."""
    from plugin.services import audit as service

    services, _settings = _services(data_dir)
    start = since.replace(tzinfo=UTC) if since is not None else None
    for entry in service.entries(services, start):
        click.echo(
            f"{entry.at.isoformat()} {entry.action:<14} by {entry.actor_id or '-'} "
            f"talk {entry.talk_id or '-'} person {entry.subject_id or '-'} via {entry.via}"
        )
