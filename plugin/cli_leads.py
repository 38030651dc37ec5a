"""`ontwikkelgesprek leads …`: the lead-learner pairs of the `pairs` rule (who may lead whom).

People are named by e-mail address. As the other commands: 0 when done, 1 with a message for
what cannot be done (no such colleague, a wrong line in a file), 2 for a wrong use. An import
is all or nothing: one wrong line, and no pair of the file is saved.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from plugin.cli_common import DEFAULT_HOST, DEFAULT_PORT, data_dir_option, load_settings


def _services(data_dir: Path | None) -> Any:
    from plugin.bootstrap import ConfigurationError, build_services

    settings = load_settings(data_dir)
    try:
        services, _outbox = build_services(
            settings, base_url=settings.public_url or f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
        )
    except ConfigurationError as error:
        raise click.ClickException(str(error)) from None
    if settings.lead_rule != "pairs":
        click.echo(
            f"Note: ONTWIKKELGESPREK_LEAD_RULE is {settings.lead_rule}; these pairs count only "
            "when it is pairs.",
            err=True,
        )
    return services


lead_option = click.option("--lead", required=True, help="The lead's e-mail address.")
learner_option = click.option("--learner", required=True, help="The learner's e-mail address.")
tenant_option = click.option(
    "--tenant", default=None, help="Their tenant, when an address is in several."
)


def _pair_text(pair: Any) -> str:
    return f"{pair.lead.email} -> {pair.learner.email}"


@click.group()
def leads() -> None:
    """Who may lead whom (ONTWIKKELGESPREK_LEAD_RULE=pairs): list, add, remove, import."""


@leads.command("list")
@tenant_option
@data_dir_option
def list_pairs(tenant: str | None, data_dir: Path | None) -> None:
    """List the pairs, as lead -> learner."""
    from plugin.services import lead_pairs

    services = _services(data_dir)
    pairs = services.read(lambda s: lead_pairs.list_pairs(s, tenant))
    for pair in pairs:
        click.echo(_pair_text(pair))
    click.echo(f"{len(pairs)} pair(s).")


def _change(data_dir: Path | None, work: Any) -> Any:
    from plugin.domain.errors import InvalidInput
    from plugin.services import lead_pairs

    services = _services(data_dir)
    try:
        return services.write(lambda s: work(services, s))
    except InvalidInput as error:
        raise click.ClickException(lead_pairs.describe(error)) from None


@leads.command()
@lead_option
@learner_option
@tenant_option
@data_dir_option
def add(lead: str, learner: str, tenant: str | None, data_dir: Path | None) -> None:
    """Let LEAD plan talks with LEARNER."""
    from plugin.services import lead_pairs

    pair, added = _change(data_dir, lambda svc, s: lead_pairs.add(svc, s, lead, learner, tenant))
    click.echo(f"{'Added' if added else 'Already there'}: {_pair_text(pair)}")


@leads.command()
@lead_option
@learner_option
@tenant_option
@data_dir_option
def remove(lead: str, learner: str, tenant: str | None, data_dir: Path | None) -> None:
    """Remove a pair. Talks planned before stay as they are."""
    from plugin.services import lead_pairs

    pair, removed = _change(data_dir, lambda svc, s: lead_pairs.remove(s, lead, learner, tenant))
    if not removed:
        raise click.ClickException(f"not a pair: {_pair_text(pair)}")
    click.echo(f"Removed: {_pair_text(pair)}")


@leads.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@tenant_option
@data_dir_option
def import_pairs(file: Path, tenant: str | None, data_dir: Path | None) -> None:
    """Add the pairs of a CSV file with the header lead,learner (e-mail addresses)."""
    from plugin.services import lead_pairs

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text") from None
    services = _services(data_dir)
    try:
        added = services.write(lambda s: lead_pairs.import_csv(services, s, text, tenant))
    except lead_pairs.ImportRefused as refused:
        raise click.ClickException(
            "nothing was imported:\n" + "\n".join(refused.problems)
        ) from None
    click.echo(f"Imported {added} new pair(s).")
