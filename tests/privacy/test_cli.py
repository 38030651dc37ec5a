"""`ontwikkelgesprek privacy …`: purge (dry run first), export, erase (asks first), audit;
exit codes as the other commands (0 done, 1 cannot, 2 wrong use), no names in the output."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import insert

from plugin.cli import main
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.services import audit
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store.audit_tables import stored_settings


@pytest.fixture
def run(settings: Settings) -> Callable[..., Result]:
    env = {
        "ONTWIKKELGESPREK_DATA_DIR": str(settings.data_dir),
        "ONTWIKKELGESPREK_DATABASE_URL": settings.resolved_database_url(),
        "ONTWIKKELGESPREK_SECRET_KEY": "test-secret-key-that-is-long-enough",
    }

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, ["privacy", *args], env=env, input=input)

    return invoke


@pytest.fixture
def old_talk(
    clock: FixedClock, lead: Person, learner: Person, make_talk: Callable[..., Talk]
) -> Talk:
    """A talk of 2020: its retention ended long before the real today the CLI runs on."""
    clock.set(datetime(2020, 1, 6, 8, 0, tzinfo=UTC))
    return make_talk(lead, learner)


def test_purge_dry_run_lists_ids_and_dates_then_purge_deletes(
    run: Callable[..., Result], services: Services, old_talk: Talk, lead: Person, learner: Person
) -> None:
    listed = run("purge", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert f"talk {old_talk.id} 2020-01-07 planned" in listed.output
    assert f"track {old_talk.track_id}: last activity 2020-01-07" in listed.output
    assert "Would delete 1 track(s), 1 talk(s). Nothing was deleted." in listed.output
    for personal in (lead.display_name, lead.email, learner.display_name, learner.email):
        assert personal not in listed.output
    assert services.read(lambda s: s.get(Talk, old_talk.id)) is not None
    done = run("purge")
    assert done.exit_code == 0, done.output
    assert "Deleted 1 track(s), 1 talk(s), 2 person(s)" in done.output
    assert services.read(lambda s: s.get(Talk, old_talk.id)) is None


def test_the_dry_run_names_each_tenants_own_period(
    run: Callable[..., Result],
    services: Services,
    old_talk: Talk,
    make_person: Callable[..., Person],
    make_talk: Callable[..., Talk],
) -> None:
    # Another tenant's admin keeps talks 1200 months: its talk of 2020 stays; ours goes.
    theirs = make_talk(make_person(tenant_id="other-tenant"), make_person(tenant_id="other-tenant"))
    for name, months in (("retention_months", 1200), ("audit_retention_months", 6)):
        services.write(
            lambda s, n=name, m=months: s.execute(
                insert(stored_settings).values(
                    tenant_id="other-tenant", name=n, value=m, updated_at=old_talk.starts_at
                )
            )
        )
    listed = run("purge", "--dry-run")
    assert listed.exit_code == 0, listed.output
    assert "Retention: 24 months after a track's last activity (audit log: 60 months)." in (
        listed.output
    )
    assert "Tenant other-tenant: 1200 months (audit log: 6 months), set by its admin." in (
        listed.output
    )
    assert f"track {old_talk.track_id}: " in listed.output
    assert "1 talk(s) (tenant local, 24 months)" in listed.output
    assert theirs.track_id not in listed.output
    assert "Would delete 1 track(s), 1 talk(s)." in listed.output


def test_erase_asks_first(
    run: Callable[..., Result], services: Services, old_talk: Talk, learner: Person
) -> None:
    declined = run("erase", "--person", learner.email, input="n\n")
    assert declined.exit_code == 1
    assert "Aborted" in declined.output
    assert services.read(lambda s: s.get(Person, learner.id)).email == learner.email  # type: ignore[union-attr]
    agreed = run("erase", "--person", learner.email.upper(), input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert f"Erased person {learner.id} (kept as a deleted user)" in agreed.output
    assert services.read(lambda s: s.get(Person, learner.id)).email == ""  # type: ignore[union-attr]


def test_erase_with_yes_and_unknown_people(
    run: Callable[..., Result], make_person: Callable[..., Person]
) -> None:
    unknown = run("erase", "--person", "nobody@example.test", "--yes")
    assert unknown.exit_code == 1
    assert "no person with that e-mail address" in unknown.output
    make_person(email="twice@example.test", tenant_id="tenant-a")
    make_person(email="twice@example.test", tenant_id="tenant-b")
    several = run("erase", "--person", "twice@example.test", "--yes")
    assert several.exit_code == 2
    assert "add --tenant" in several.output
    one = run("erase", "--person", "twice@example.test", "--tenant", "tenant-b", "--yes")
    assert one.exit_code == 0, one.output
    assert "(deleted)" in one.output


def test_export_writes_the_zip_and_is_audited(
    run: Callable[..., Result], services: Services, old_talk: Talk, learner: Person, tmp_path: Path
) -> None:
    out = tmp_path / "sem.zip"
    done = run("export", "--person", learner.email, "--out", str(out))
    assert done.exit_code == 0, done.output
    assert "1 talk(s), 0 signed form(s)" in done.output
    assert set(zipfile.ZipFile(out).namelist()) == {"export.json", "privacy-export.schema.json"}
    [entry] = audit.entries(services)
    assert (entry.action, entry.subject_id, entry.via) == ("export", learner.id, "cli")
    shown = run("audit", "--since", "2000-01-01")
    assert shown.exit_code == 0
    assert f"export         by - talk - person {learner.id} via cli" in shown.output
    assert run("audit", "--since", "2999-01-01").output == ""
    assert run("audit", "--since", "yesterday").exit_code == 2
