"""Reminder e-mails over SMTP, against a real server on loopback (aiosmtpd), read back."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest

from plugin.domain.clock import FixedClock
from plugin.notify.message import compose
from plugin.notify.port import (
    AUTHENTICATION,
    SMTP,
    DeliveryRejected,
    Recipient,
    RetryableDeliveryError,
)
from plugin.notify.smtp import TLS, SmtpChannel
from plugin.notify.smtp_url import SmtpTarget, parse_smtp_url
from plugin.settings import Settings
from tests.notify.factories import ANNE, SEM, reminder
from tests.support.smtp import HOST, SmtpServer, free_port

ZONE = "Europe/Amsterdam"
SENDER = "Ontwikkelgesprek <gesprekken@example.nl>"
PASSWORD = "p@ss:w0rd/geheim"
CLOCK = FixedClock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC))
Start = Callable[..., SmtpServer]

# aiosmtpd warns when smtps takes AUTH: it counts only STARTTLS as TLS (see tests/support/smtp.py).
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def channel(server: SmtpServer, target: SmtpTarget | None = None, **kwargs: object) -> SmtpChannel:
    options: dict[str, object] = {"sender": SENDER, "ca_bundle": server.ca_path, "clock": CLOCK}
    return SmtpChannel(
        target or parse_smtp_url(server.url()),
        **(options | kwargs),  # type: ignore[arg-type]
    )


def parts(message: EmailMessage) -> tuple[str, str]:
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None
    assert html is not None
    # SMTP carries CRLF line ends; compare with the composed text's.
    return plain.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def send(server: SmtpServer, recipient: Recipient, kind: str = "overdue") -> str:
    delivery = channel(server).send(recipient, compose(recipient, reminder(kind), timezone=ZONE))
    return delivery.channel


def test_dutch_and_english_reminders_arrive_with_both_parts_the_link_and_the_sender(
    smtp_server: Start,
) -> None:
    server = smtp_server(mode="starttls", users={"mailer": PASSWORD})
    url = server.url(user="mailer", password="p%40ss%3Aw0rd%2Fgeheim")  # percent-encoded
    smtp = channel(server, parse_smtp_url(url))

    for person in (SEM, ANNE):
        delivery = smtp.send(person, compose(person, reminder("prepare"), timezone=ZONE))
        assert delivery.channel == SMTP
        assert delivery.fallbacks == ()

    dutch, english = server.messages
    assert dutch.tls
    assert dutch.login == "mailer"
    assert dutch.mail_from == "gesprekken@example.nl"
    assert dutch.rcpt_tos == ("sem@example.nl",)
    assert english.rcpt_tos == ("anne@example.nl",)
    mail = dutch.message
    assert mail["From"] == SENDER
    assert mail["To"] == "Sem Bakker <sem@example.nl>"
    assert mail["Subject"] == "Bereid je gesprek met Marco voor"
    assert mail["Message-ID"] == "<reminder-prepare-1@example.nl>"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["Content-Language"] == "nl"
    assert mail["Date"] == "Sun, 10 Jan 2027 09:00:00 +0000"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = parts(mail)
    assert "Je gesprek met Marco is op dinsdag 12 januari 2027 om 09:30." in text
    assert "Gesprek voorbereiden: https://talks.example.nl/talks/t-1/prepare" in text
    assert '<a href="https://talks.example.nl/talks/t-1/prepare"' in html
    assert ">Gesprek voorbereiden</a>" in html

    mail = english.message
    assert mail["Subject"] == "Prepare for your talk with Marco"
    assert mail["Content-Language"] == "en"
    text, html = parts(mail)
    assert "Your talk with Marco is on Tuesday 12 January 2027 at 09:30." in text
    assert "Prepare the talk: https://talks.example.nl/talks/t-1/prepare" in text
    assert ">Prepare the talk</a>" in html


def test_a_mail_carries_no_other_persons_data(smtp_server: Start) -> None:
    server = smtp_server(mode="starttls")
    send(server, SEM, "check_in")

    (received,) = server.messages
    raw = received.raw.decode("utf-8", "replace")
    text, html = parts(received.message)
    for content in (raw, text, html):
        assert "de Vries" not in content
        assert "anne" not in content.lower()
    assert "Marco" in text
    assert "VCA-diploma halen" in text
    assert "VCA-diploma halen" in html


def test_an_agreements_text_arrives_escaped_in_html_and_as_is_in_text(smtp_server: Start) -> None:
    server = smtp_server(mode="starttls")
    nasty = reminder("due_soon", agreement="Lassen <b>TIG</b> & MIG")
    channel(server).send(SEM, compose(SEM, nasty, timezone=ZONE))

    text, html = parts(server.messages[0].message)
    assert "    Lassen <b>TIG</b> & MIG\n" in text
    assert "Lassen &lt;b&gt;TIG&lt;/b&gt; &amp; MIG" in html


def test_implicit_tls_on_smtps(smtp_server: Start) -> None:
    server = smtp_server(mode="tls", users={"mailer": PASSWORD})
    target = SmtpTarget(HOST, server.port, implicit_tls=True, user="mailer", password=PASSWORD)
    channel(server, target).send(ANNE, compose(ANNE, reminder("sign"), timezone=ZONE))

    (received,) = server.messages
    assert received.tls
    assert received.message["Subject"] == "Sign off your talk with Marco"


def test_credentials_from_their_own_settings(smtp_server: Start) -> None:
    server = smtp_server(mode="starttls", users={"mailer": PASSWORD})
    settings = Settings(
        smtp_url=server.url(),
        smtp_user="mailer",
        smtp_password=PASSWORD,
        mail_from=SENDER,
    )
    target = settings.smtp_target()
    assert target is not None
    assert "geheim" not in repr(target)
    channel(server, target).send(SEM, compose(SEM, reminder(), timezone=ZONE))

    assert server.messages[0].login == "mailer"


def test_a_certificate_the_client_does_not_trust_is_refused(smtp_server: Start) -> None:
    server = smtp_server(mode="starttls")
    untrusting = channel(server, ca_bundle=None)

    with pytest.raises(DeliveryRejected) as refused:
        untrusting.send(SEM, compose(SEM, reminder(), timezone=ZONE))
    assert refused.value.reason == TLS
    assert server.messages == []


def test_a_server_without_starttls_is_refused_unless_plaintext_is_allowed(
    smtp_server: Start,
) -> None:
    server = smtp_server(mode="plain")
    message = compose(SEM, reminder(), timezone=ZONE)

    with pytest.raises(DeliveryRejected) as refused:
        channel(server).send(SEM, message)
    assert refused.value.reason == TLS
    assert server.messages == []

    assert channel(server, starttls=False).send(SEM, message).channel == SMTP
    assert not server.messages[0].tls


def test_a_wrong_password_is_a_rejection_and_nothing_is_sent_or_logged(
    smtp_server: Start, caplog: pytest.LogCaptureFixture
) -> None:
    server = smtp_server(mode="starttls", users={"mailer": PASSWORD})
    wrong = SmtpTarget(HOST, server.port, implicit_tls=False, user="mailer", password="fout-42")
    message = compose(SEM, reminder(), timezone=ZONE)

    with caplog.at_level(logging.DEBUG):
        with pytest.raises(DeliveryRejected) as refused:
            channel(server, wrong).send(SEM, message)
        assert refused.value.reason == AUTHENTICATION
        assert not isinstance(refused.value, RetryableDeliveryError)
        good = SmtpTarget(HOST, server.port, implicit_tls=False, user="mailer", password=PASSWORD)
        channel(server, good).send(SEM, message)

    assert len(server.messages) == 1
    # Our logs only: aiosmtpd's own debug log of the server side shows the whole dialogue.
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("plugin."))
    for secret in ("fout-42", PASSWORD, "VCA-diploma halen", "Hoi Sem", "sem@example.nl"):
        assert secret not in ours
    assert "sent a reminder e-mail to person p-sem over SMTP" in ours


def test_a_refused_connection_is_passing(smtp_server: Start) -> None:
    target = SmtpTarget(HOST, free_port(), implicit_tls=False)
    smtp = SmtpChannel(target, sender=SENDER, clock=CLOCK, timeout=5)

    with pytest.raises(RetryableDeliveryError, match="ConnectionRefusedError"):
        smtp.send(SEM, compose(SEM, reminder(), timezone=ZONE))
