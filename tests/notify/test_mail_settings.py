"""The mail settings: a malformed one stops start-up naming it, and never prints a secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from plugin.cli import main
from plugin.notify.smtp_url import SmtpTarget
from plugin.settings import Settings

SECRET = "Zx9~very.secret-value_42"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key in list(os.environ):
        if key.startswith("ONTWIKKELGESPREK_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)  # no stray .env file
    return {
        "ONTWIKKELGESPREK_DATA_DIR": str(tmp_path / "data"),
        "ONTWIKKELGESPREK_MAIL_FROM": "Ontwikkelgesprek <gesprekken@example.nl>",
    }


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ONTWIKKELGESPREK_SMTP_URL": f"https://u:{SECRET}@mail"}, "ONTWIKKELGESPREK_SMTP_URL"),
        ({"ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@"}, "ONTWIKKELGESPREK_SMTP_URL"),
        ({"ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@h:x"}, "ONTWIKKELGESPREK_SMTP_URL"),
        ({"ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@h/x"}, "ONTWIKKELGESPREK_SMTP_URL"),
        (
            {"ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@h", "ONTWIKKELGESPREK_MAIL_FROM": ""},
            "ONTWIKKELGESPREK_MAIL_FROM: Value error, is missing",
        ),
        (
            {"ONTWIKKELGESPREK_SMTP_URL": "smtp://h", "ONTWIKKELGESPREK_MAIL_FROM": "nobody"},
            "ONTWIKKELGESPREK_MAIL_FROM",
        ),
        (
            {
                "ONTWIKKELGESPREK_SMTP_URL": "smtp://mail.example.nl",
                "ONTWIKKELGESPREK_SMTP_STARTTLS": "false",
            },
            "ONTWIKKELGESPREK_SMTP_STARTTLS",
        ),
        (
            {
                "ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@h",
                "ONTWIKKELGESPREK_SMTP_USER": "v",
            },
            "ONTWIKKELGESPREK_SMTP_USER",
        ),
        (
            {
                "ONTWIKKELGESPREK_SMTP_URL": f"smtp://u:{SECRET}@h",
                "ONTWIKKELGESPREK_SMTP_PASSWORD": "x",
            },
            "ONTWIKKELGESPREK_SMTP_PASSWORD",
        ),
        (
            {"ONTWIKKELGESPREK_SMTP_URL": "smtp://h", "ONTWIKKELGESPREK_SMTP_PASSWORD": SECRET},
            "ONTWIKKELGESPREK_SMTP_PASSWORD: Value error, needs a user",
        ),
        ({"ONTWIKKELGESPREK_MAIL_MAILBOX": "not an address"}, "ONTWIKKELGESPREK_MAIL_MAILBOX"),
    ],
)
def test_a_malformed_mail_setting_stops_start_up_naming_it(
    env: dict[str, str], change: dict[str, str], named: str
) -> None:
    result = CliRunner().invoke(main, ["worker", "--once"], env=env | change)

    assert result.exit_code == 1, result.output
    assert named in result.output
    assert SECRET not in result.output


def test_plaintext_is_allowed_to_a_relay_on_loopback_only() -> None:
    settings = Settings(smtp_url="smtp://127.0.0.1:25", smtp_starttls=False, mail_from="a@b.nl")
    assert settings.smtp_target() == SmtpTarget("127.0.0.1", 25, implicit_tls=False)


def test_the_url_gives_default_ports_and_decoded_credentials() -> None:
    starttls = Settings(smtp_url="smtp://mail.example.nl", mail_from="a@b.nl").smtp_target()
    tls = Settings(smtp_url="smtps://u%40x:p%3Aq@mail.example.nl", mail_from="a@b.nl")

    assert starttls == SmtpTarget("mail.example.nl", 587, implicit_tls=False)
    assert tls.smtp_target() == SmtpTarget(
        "mail.example.nl", 465, implicit_tls=True, user="u@x", password="p:q"
    )
    assert "p:q" not in repr(tls)
    assert "p%3Aq" not in repr(tls)


def test_the_password_may_be_a_setting_of_its_own_beside_the_user_in_the_url() -> None:
    settings = Settings(smtp_url="smtp://mailer@h", smtp_password=SECRET, mail_from="a@b.nl")

    assert settings.smtp_target() == SmtpTarget(
        "h", 587, implicit_tls=False, user="mailer", password=SECRET
    )
    assert SECRET not in repr(settings)


def test_no_smtp_url_means_no_smtp() -> None:
    assert Settings(smtp_url="", mail_from="").smtp_target() is None
