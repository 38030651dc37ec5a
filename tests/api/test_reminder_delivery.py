"""Reminders end to end in local mode: the scan on an injected clock, the outbox, and a real
SMTP server on loopback that the messages are read back from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from plugin.domain.agreement import Owner
from plugin.notify.smtp import SmtpChannel
from plugin.notify.smtp_url import parse_smtp_url
from plugin.services import agreements, signoff
from plugin.services import reminders as scanner
from plugin.store.working_tables import outbox_jobs
from tests.support.smtp import SmtpServer

AMS = ZoneInfo("Europe/Amsterdam")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=AMS)


@pytest.fixture
def mailbox(tmp_path: Path, services, clock) -> Iterator[SmtpServer]:
    server = SmtpServer(tmp_path, mode="starttls")
    channel = SmtpChannel(
        parse_smtp_url(server.url()),
        sender="ontwikkelgesprek@bedrijf.test",
        ca_bundle=server.ca_path,
        clock=clock,
    )
    services.reminder_channel = lambda: channel
    yield server
    server.stop()


WHAT = "Sem sluit zelf een groep aan"


def about_the_agreement(mailbox: SmtpServer, person) -> list:
    """The mails to `person` about the agreement (the follow-up talk has its own reminders)."""
    return [
        m
        for m in mailbox.messages
        if person.email in m.rcpt_tos and WHAT in m.message.get_body(("plain",)).get_content()
    ]


def signed_with_agreement(services, clock, lead, learner, make_talk):
    clock.set(at(2026, 11, 30, 9))
    talk = make_talk(lead, learner, starts_at=at(2026, 11, 30, 10), title="Voortgang stage")
    clock.set(at(2026, 11, 30, 10, 30))

    def agree(s):
        item = agreements.add_agreement(
            services,
            s,
            lead,
            talk.id,
            what=WHAT,
            owner=Owner.LEARNER,
            due=date(2026, 12, 14),
        )
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)
        return item

    return talk, services.write(agree)


def test_a_due_agreement_reaches_its_owner_once_by_mail(
    services, outbox, clock, lead, learner, make_talk, mailbox
):
    talk, _item = signed_with_agreement(services, clock, lead, learner, make_talk)
    clock.set(at(2026, 12, 7, 9))
    scanner.scan_now(services)
    outbox.drain()
    scanner.scan_now(services)
    outbox.drain()
    mine = about_the_agreement(mailbox, learner)
    assert len(mine) == 1
    message = mine[0].message
    text = message.get_body(("plain",)).get_content()
    assert WHAT in text
    assert f"/talks/{talk.id}" in text
    assert lead.email not in mine[0].raw.decode(errors="replace")  # nobody else's address


def test_a_reminder_that_no_longer_holds_is_not_sent(
    services, outbox, clock, lead, learner, make_talk, mailbox
):
    _talk, item = signed_with_agreement(services, clock, lead, learner, make_talk)
    # Found on Saturday: due on Monday morning. Done on Sunday: nothing goes out.
    clock.set(at(2026, 12, 12, 11))
    scanner.scan_now(services)
    with services.db.writing() as session:
        from plugin.domain.agreement import AgreementStatus

        session.get(type(item), item.id).status = AgreementStatus.DONE
    clock.set(at(2026, 12, 14, 8, 30))
    outbox.drain()
    assert about_the_agreement(mailbox, learner) == []
    with services.db.engine.connect() as connection:
        statuses = {
            row.status
            for row in connection.execute(
                select(outbox_jobs.c.status, outbox_jobs.c.payload).where(
                    outbox_jobs.c.kind == scanner.SEND_JOB
                )
            )
            if row.payload["subject_id"] == item.id
        }
    assert statuses == {"done"}


def test_not_before_the_working_morning(services, outbox, clock, lead, learner, make_talk, mailbox):
    signed_with_agreement(services, clock, lead, learner, make_talk)
    clock.set(at(2026, 12, 12, 23))  # Saturday night
    scanner.scan_now(services)
    outbox.drain()
    clock.set(at(2026, 12, 14, 8, 29))
    outbox.drain()
    assert about_the_agreement(mailbox, learner) == []
    clock.set(at(2026, 12, 14, 8, 30))
    outbox.drain()
    assert len(about_the_agreement(mailbox, learner)) == 1
