"""Microsoft mode's settings: every missing or malformed one stops start-up, named, and no
secret is ever printed."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.settings import Settings

TENANT = "8c1a5b4e-2f3d-4e5a-9b6c-7d8e9f0a1b2c"
CLIENT = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
SECRET = "Zx9~very.secret-value_42"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(__import__("os").environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return {
        "ONTWIKKELGESPREK_DATA_DIR": str(tmp_path / "data"),
        "ONTWIKKELGESPREK_TENANT_ID": TENANT,
        "ONTWIKKELGESPREK_CLIENT_ID": CLIENT,
        "ONTWIKKELGESPREK_CLIENT_SECRET": SECRET,
        "ONTWIKKELGESPREK_PUBLIC_URL": "https://talks.example.nl",
    }


def run_worker(env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["worker", "--once"], env=env)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ONTWIKKELGESPREK_TENANT_ID": "not a tenant"}, "ONTWIKKELGESPREK_TENANT_ID"),
        ({"ONTWIKKELGESPREK_CLIENT_ID": "my-app"}, "ONTWIKKELGESPREK_CLIENT_ID"),
        ({"ONTWIKKELGESPREK_CLIENT_ID": ""}, "ONTWIKKELGESPREK_CLIENT_ID is missing"),
        ({"ONTWIKKELGESPREK_TENANT_ID": ""}, "ONTWIKKELGESPREK_TENANT_ID is missing"),
        ({"ONTWIKKELGESPREK_CLIENT_SECRET": ""}, "ONTWIKKELGESPREK_CLIENT_SECRET or"),
        ({"ONTWIKKELGESPREK_PUBLIC_URL": ""}, "ONTWIKKELGESPREK_PUBLIC_URL is missing"),
        ({"ONTWIKKELGESPREK_PUBLIC_URL": "http://talks"}, "ONTWIKKELGESPREK_PUBLIC_URL must"),
        ({"ONTWIKKELGESPREK_GRAPH_URL": "http://graph.example"}, "ONTWIKKELGESPREK_GRAPH_URL"),
        ({"ONTWIKKELGESPREK_AUTHORITY_HOST": "login"}, "ONTWIKKELGESPREK_AUTHORITY_HOST"),
        ({"ONTWIKKELGESPREK_CA_BUNDLE": "/no/such/ca.pem"}, "ONTWIKKELGESPREK_CA_BUNDLE"),
        ({"ONTWIKKELGESPREK_CLIENT_CERT_PATH": "/no/cert.pem"}, "ONTWIKKELGESPREK_CLIENT_CERT"),
        ({"ONTWIKKELGESPREK_TENANT_ID": "organizations"}, "ONTWIKKELGESPREK_TENANT_ID"),
    ],
)
def test_a_missing_or_malformed_setting_stops_start_up_naming_it(
    env: dict[str, str], change: dict[str, str], named: str
) -> None:
    code, output = run_worker(env | change)
    assert code == 1, output
    assert named in output
    assert SECRET not in output
    assert not (Path(env["ONTWIKKELGESPREK_DATA_DIR"]) / "ontwikkelgesprek.db").exists()


def test_settings_come_from_a_dotenv_file(env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"ONTWIKKELGESPREK_TENANT_ID={TENANT}\nONTWIKKELGESPREK_CLIENT_ID={CLIENT}\n"
    )
    settings = Settings()
    assert settings.mode == "microsoft"
    assert settings.tenant_id == TENANT


def test_a_secret_is_not_in_the_settings_repr(env: dict[str, str], monkeypatch) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings()
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())
    assert settings.microsoft_problems() == []


@pytest.mark.parametrize(
    ("graph_url", "scope"),
    [
        ("https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default"),
        ("https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default"),
        (
            "https://microsoftgraph.chinacloudapi.cn/v1.0",
            "https://microsoftgraph.chinacloudapi.cn/.default",
        ),
        ("https://127.0.0.1:8443/v1.0", "https://graph.microsoft.com/.default"),
    ],
)
def test_the_graph_scope_follows_the_national_cloud(graph_url: str, scope: str) -> None:
    settings = Settings(graph_url=graph_url, _env_file=None)  # type: ignore[call-arg]
    assert settings.graph_scope() == scope
