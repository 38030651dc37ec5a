"""The `ontwikkelgesprek` command: serve the app, run the worker, check Graph, seed a demo."""

from __future__ import annotations

import ipaddress
import logging
import sys
from functools import partial
from pathlib import Path
from typing import Any

import click

from plugin.bootstrap import ConfigurationError, build_services
from plugin.cli_common import DEFAULT_HOST, DEFAULT_PORT, data_dir_option, load_settings
from plugin.cli_leads import leads
from plugin.cli_privacy import privacy
from plugin.domain.clock import FixedClock, SystemClock
from plugin.settings import LOCAL, MICROSOFT


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.group()
def main() -> None:
    """Ontwikkelgesprek: development talks, prepared, recorded, signed and followed up."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


@main.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256))
@data_dir_option
def serve(host: str, port: int, workers: int, threads: int, data_dir: Path | None) -> None:
    """Serve the app (gunicorn). Local mode listens on loopback only."""
    from plugin.cli_privacy import daily_upkeep
    from plugin.jobs.runner import PeriodicDrain
    from plugin.services import privacy_terms, reminders
    from plugin.web import admin_access, privacy_page
    from plugin.web.app import create_app
    from plugin.web.server import GunicornServer

    settings = load_settings(data_dir)
    if settings.mode == LOCAL and not is_loopback(host):
        raise click.UsageError(
            f"local mode serves this computer only, so it will not listen on {host}: its "
            "sign-in links are not meant for a network. Use --host 127.0.0.1, or configure "
            "Microsoft mode (ONTWIKKELGESPREK_TENANT_ID and _CLIENT_ID) behind HTTPS."
        )
    base_url = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    try:
        services, outbox = build_services(settings, base_url=base_url)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    from plugin.bootstrap import sso_validator

    app = create_app(
        services,
        mode=settings.mode,
        sso=sso_validator(settings),
        proxy_hops=settings.proxy_hops,
    )
    privacy_page.install(app, privacy_terms.configured(settings))
    admin_access.install(app, settings)
    # Local mode drains its outbox in-process; in Microsoft mode `worker` does (Graph calls
    # never run in the web process).
    drain = (
        PeriodicDrain(
            outbox, upkeep=daily_upkeep(services, settings, partial(reminders.scan_now, services))
        )
        if settings.mode == LOCAL
        else None
    )

    def post_fork() -> None:
        # Connections must not be shared across fork.
        services.db.engine.dispose(close=False)
        if drain is not None:
            drain.start()

    def when_ready() -> None:
        click.echo(
            f"Ontwikkelgesprek runs at {base_url}/ ({settings.mode} mode, {services.db.kind})"
        )
        if settings.mode == MICROSOFT:
            click.echo("Calendar work runs in the worker: start `ontwikkelgesprek worker` too.")
        sys.stdout.flush()

    GunicornServer(
        app,
        bind=f"{host}:{port}",
        workers=workers,
        threads=threads,
        post_fork=post_fork,
        when_ready=when_ready,
    ).run()


@main.command()
@click.option(
    "--poll",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.05, 60),
    help="Seconds between looks at the outbox when it is empty.",
)
@click.option("--once", is_flag=True, help="Run what is due now, then stop.")
@data_dir_option
def worker(poll: float, once: bool, data_dir: Path | None) -> None:
    """Run calendar work from the outbox (Microsoft Graph in Microsoft mode). Several may run."""
    from plugin.jobs.worker import Worker
    from plugin.services import reminders

    settings = load_settings(data_dir)
    try:
        services, outbox = build_services(
            settings, base_url=settings.public_url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
        )
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    if services.graph is not None:
        services.graph.warm()
    click.echo(f"Worker ready ({settings.mode} mode, {services.db.kind}).")
    sys.stdout.flush()

    def upkeep() -> None:
        if services.watch is not None:
            from plugin.services import calendar_sync

            calendar_sync.maintain(services)
        reminders.scan_now(services)

    from plugin.cli_privacy import daily_upkeep

    ran = Worker(outbox, poll_seconds=poll, upkeep=daily_upkeep(services, settings, upkeep)).run(
        once=once
    )
    if services.graph is not None:
        services.graph.close()
    click.echo(f"Worker stopped after {ran} job(s).")


@main.command("check-graph")
@click.option("--mailbox", required=True, help="A mailbox to test with, e.g. a lead's address.")
@click.option(
    "--from",
    "from_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="First day of the week to look at (default: today).",
)
@data_dir_option
def check_graph(mailbox: str, from_date: Any, data_dir: Path | None) -> None:
    """Check the Microsoft set-up: token, calendar access, free/busy. Exit 0 when all works."""
    from plugin.graph_check import run_check

    settings = load_settings(data_dir)
    ok = run_check(settings, mailbox, from_date.date() if from_date else None, click.echo)
    sys.exit(0 if ok else 1)


@main.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the zip (default: ./ontwikkelgesprek-teams-VERSION.zip).",
)
@click.option(
    "--version",
    "app_version",
    default=None,
    help="The app's version in the manifest, MAJOR.MINOR.PATCH; raise it for every upload.",
)
@data_dir_option
def package(out: Path | None, app_version: str | None, data_dir: Path | None) -> None:
    """Write the app package for Teams and Outlook (manifest, icons, languages) to upload."""
    from importlib.metadata import version as installed_version

    from plugin.teams_package import app_id_for, write_package

    settings = load_settings(data_dir)
    public_url, client_id = settings.public_url, settings.client_id
    if not public_url or not client_id:
        missing = [
            name
            for name, value in (
                ("ONTWIKKELGESPREK_PUBLIC_URL", public_url),
                ("ONTWIKKELGESPREK_CLIENT_ID", client_id),
            )
            if not value
        ]
        raise click.ClickException(f"the package needs {' and '.join(missing)}")
    version = app_version or installed_version("ontwikkelgesprek")
    target = out or Path(f"ontwikkelgesprek-teams-{version}.zip")
    try:
        app_id = app_id_for(settings.data_dir, settings.teams_app_id)
        path = write_package(
            target,
            app_id=app_id,
            public_url=public_url,
            client_id=client_id,
            version=version,
        )
    except (ValueError, RuntimeError) as error:  # a setting, or a broken manifest template
        raise click.ClickException(str(error)) from None
    click.echo(f"Wrote {path} (Teams app id {app_id}, version {version}).")
    click.echo(
        "Upload it in the Microsoft 365 admin center: Settings > Integrated apps > "
        "Upload custom apps (the Teams app and the Outlook add-in in one)."
    )


@main.command()
@click.option(
    "--base-url",
    default=f"http://{DEFAULT_HOST}:{DEFAULT_PORT}",
    show_default=True,
    help="Where `serve` will answer; used in the printed links.",
)
@data_dir_option
def demo(base_url: str, data_dir: Path | None) -> None:
    """Seed a demo organisation and print everyone's sign-in link and feed URL."""
    from plugin.demo import seed

    settings = load_settings(data_dir)
    clock = FixedClock(SystemClock().now())
    try:
        services, _outbox = build_services(settings, base_url=base_url, clock=clock)
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    links = seed(services, clock)
    click.echo(f"Demo organisation ready in {settings.data_dir} ({services.db.kind}).\n")
    click.echo("Sign-in links (each works once, for 7 days):")
    for link in links:
        click.echo(
            f"  {link.person.display_name:<18} {link.person.job_title:<28} {link.signin_url}"
        )
    click.echo("\niCalendar feeds (subscribe from Outlook or any calendar app):")
    for link in links:
        click.echo(f"  {link.person.display_name:<18} {link.feed_url}")
    click.echo(f"\nNow start the server: ontwikkelgesprek serve{_flag(data_dir)}")


def _flag(data_dir: Path | None) -> str:
    return f" --data-dir {data_dir}" if data_dir is not None else ""


main.add_command(privacy)
main.add_command(leads)
