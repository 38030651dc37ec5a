"""`ontwikkelgesprek leads add|remove|list|import`, and the setting's start-up check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from plugin.bootstrap import ConfigurationError, build_services
from plugin.cli import main
from plugin.services import lead_pairs, privacy_erase
from plugin.services.context import Services
from plugin.settings import Settings
from tests.support.tables import snapshot


@pytest.fixture
def run(settings: Settings) -> Callable[..., Result]:
    env = {
        "ONTWIKKELGESPREK_DATA_DIR": str(settings.data_dir),
        "ONTWIKKELGESPREK_DATABASE_URL": settings.resolved_database_url(),
        "ONTWIKKELGESPREK_SECRET_KEY": "test-secret-key-that-is-long-enough",
        "ONTWIKKELGESPREK_LEAD_RULE": "pairs",
    }

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(main, ["leads", *args], env=env)

    return invoke


def pairs_of(services: Services) -> list[tuple[str, str]]:
    found = services.read(lambda s: lead_pairs.list_pairs(s))
    return [(p.lead.email, p.learner.email) for p in found]


def test_add_list_remove(run, services, marco, sem, lisa):
    added = run("add", "--lead", "MARCO@example.test", "--learner", "sem@example.test")
    assert (added.exit_code, added.output) == (0, "Added: marco@example.test -> sem@example.test\n")
    again = run("add", "--lead", "marco@example.test", "--learner", "sem@example.test")
    assert (again.exit_code, again.output.startswith("Already there")) == (0, True)
    assert (
        run("add", "--lead", "marco@example.test", "--learner", "lisa@example.test").exit_code == 0
    )
    listed = run("list")
    assert listed.output.splitlines() == [
        "marco@example.test -> lisa@example.test",
        "marco@example.test -> sem@example.test",
        "2 pair(s).",
    ]
    removed = run("remove", "--lead", "marco@example.test", "--learner", "lisa@example.test")
    assert removed.exit_code == 0, removed.output
    assert pairs_of(services) == [("marco@example.test", "sem@example.test")]
    gone = run("remove", "--lead", "marco@example.test", "--learner", "lisa@example.test")
    assert (gone.exit_code, "not a pair" in gone.output) == (1, True)


def test_an_unknown_address_or_oneself_is_refused(run, services, marco):
    unknown = run("add", "--lead", "marco@example.test", "--learner", "nobody@example.test")
    assert unknown.exit_code == 1
    assert "no colleague with the address nobody@example.test (learner)" in unknown.output
    self = run("add", "--lead", "marco@example.test", "--learner", "marco@example.test")
    assert (self.exit_code, "same person" in self.output) == (1, True)
    assert pairs_of(services) == []


def test_import_is_all_or_nothing_with_line_numbers(
    run, services, tmp_path: Path, marco, sem, lisa
):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "lead,learner\n"
        "marco@example.test,sem@example.test\n"
        "marco@example.test,nobody@example.test\n"
        "\n"
        "lisa@example.test\n"
        "lisa@example.test,lisa@example.test\n",
        encoding="utf-8",
    )
    before = snapshot(services)
    refused = run("import", str(bad))
    assert refused.exit_code == 1
    assert "nothing was imported" in refused.output
    assert "line 3: no colleague with the address nobody@example.test" in refused.output
    assert "line 5: expected 2 columns" in refused.output
    assert "line 6: lead and learner are the same person" in refused.output
    assert "line 2" not in refused.output
    assert snapshot(services) == before

    good = tmp_path / "good.csv"
    good.write_text(
        "\ufefflead,learner\r\nmarco@example.test,sem@example.test\r\n"
        "lisa@example.test,sem@example.test\r\nmarco@example.test,sem@example.test\r\n",
        encoding="utf-8",
    )
    imported = run("import", str(good))
    assert (imported.exit_code, imported.output) == (0, "Imported 2 new pair(s).\n")
    assert sorted(pairs_of(services)) == [
        ("lisa@example.test", "sem@example.test"),
        ("marco@example.test", "sem@example.test"),
    ]


def test_an_import_without_the_header_is_refused(run, tmp_path: Path, marco, sem):
    file = tmp_path / "pairs.csv"
    file.write_text("marco@example.test,sem@example.test\n", encoding="utf-8")
    refused = run("import", str(file))
    assert (refused.exit_code, "line 1: the first line must be the header" in refused.output) == (
        1,
        True,
    )


def test_the_manager_rule_is_refused_in_local_mode_at_start_up(settings: Settings):
    with pytest.raises(ConfigurationError, match="ONTWIKKELGESPREK_LEAD_RULE=manager"):
        build_services(
            settings.model_copy(update={"lead_rule": "manager"}),
            base_url="http://127.0.0.1",
            migrate_schema=False,
        )


def test_an_unknown_rule_names_the_setting(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("ONTWIKKELGESPREK_LEAD_RULE", "boss")
    result = CliRunner().invoke(main, ["leads", "list", "--data-dir", str(tmp_path)])
    assert (result.exit_code, "ONTWIKKELGESPREK_LEAD_RULE" in result.output) == (1, True)


def test_erasing_a_person_takes_their_pairs_along(services, marco, sem):
    services.write(lambda s: lead_pairs.add(services, s, marco.email, sem.email, None))
    privacy_erase.erase(services, sem.id)
    assert pairs_of(services) == []
