"""Check-ins when an agreement slips, in local mode on both databases: overdue → proposed to
the lead → accepted → booked in both calendars → held → a new due date both confirm; a
dismissed proposal does not come back for the same date; "stuck" proposes too; the rights,
bad input and stale versions of every write.

(The Graph calendar's side: tests/microsoft/test_checkins_graph.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from plugin.domain.agreement import Agreement, Owner
from plugin.domain.agreement_progress import ProgressKind
from plugin.notify.smtp import SmtpChannel
from plugin.notify.smtp_url import parse_smtp_url
from plugin.services import agreements, progress, signoff
from plugin.services import reminders as scanner
from plugin.store.between_talks_tables import check_ins
from plugin.store.working_tables import outbox_jobs
from tests.api.test_follow_up_booking import busy
from tests.support.smtp import SmtpServer
from tests.support.tables import snapshot

AMS = ZoneInfo("Europe/Amsterdam")
QUARTER = timedelta(minutes=15)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """2027 in Amsterdam."""
    return datetime(2027, month, day, hour, minute, tzinfo=AMS)


def signed_agreement(services, clock, make_talk, lead, learner, due: date) -> Agreement:
    """A talk on Tuesday 2 March 2027 at 09:00, signed, with Sem's agreement due `due`."""
    talk = make_talk(lead, learner, starts_at=at(3, 2, 9))
    clock.set(at(3, 2, 9, 30))

    def agree(s):
        item = agreements.add_agreement(
            services, s, lead, talk.id, what="Sem loopt een dag mee", owner=Owner.LEARNER, due=due
        )
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)
        return item

    return services.write(agree)


def scan(services) -> int:
    return services.write(lambda s: scanner.scan(services, s))


def proposals(services) -> list[dict[str, Any]]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(select(check_ins).order_by(check_ins.c.created_at)).all()
    return [dict(row._mapping) for row in rows]


def reminded(services, kind: str) -> list[tuple[str, str]]:
    """(person id, subject id) of the reminder jobs of `kind`."""
    with services.db.engine.connect() as connection:
        rows = connection.execute(
            select(outbox_jobs.c.payload).where(outbox_jobs.c.kind == scanner.SEND_JOB)
        ).all()
    return [
        (row.payload["person_id"], row.payload["subject_id"])
        for row in rows
        if row.payload["kind"] == kind
    ]


def todo_check_ins(client) -> list[dict[str, Any]]:
    answer = client.get("/api/overview")
    assert answer.status_code == 200, answer.json
    return [t for t in answer.json["todo"] if t["kind"] == "check_in"]


def events_of(client, start: datetime, end: datetime) -> list[dict[str, Any]]:
    window = {"start": start.isoformat(), "end": end.isoformat()}
    answer = client.get("/api/calendar/events", query_string=window)
    assert answer.status_code == 200, answer.json
    return [e for e in answer.json["events"] if not e["cancelled"]]


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


@pytest.fixture
def overdue(services, clock, outbox, make_talk, lead, learner) -> Agreement:
    """Due Wednesday 10 March; on Thursday 11 March at 09:00 the scan runs, the worker drains."""
    item = signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()  # the follow-up's booking (in April)
    clock.set(at(3, 11, 9))
    scan(services)
    outbox.drain()
    return item


def test_overdue_is_proposed_accepted_booked_held_and_a_new_due_date_confirmed(
    services, clock, outbox, overdue, marco, sem, lead, learner
) -> None:
    [proposal] = proposals(services)
    assert (proposal["agreement_id"], proposal["reason"], proposal["reason_key"]) == (
        overdue.id,
        "overdue",
        "2027-03-10",
    )
    # The lead is reminded (once, the lead only) and sees it at the top of the overview.
    assert reminded(services, "check_in") == [(lead.id, proposal["id"])]
    assert todo_check_ins(sem) == []
    [todo] = todo_check_ins(marco)
    offer = todo["check_in"]
    assert (todo["agreement_id"], offer["state"]) == (overdue.id, "proposed")
    # 15 minutes at the first time free for both: now.
    assert datetime.fromisoformat(offer["starts_at"]) == at(3, 11, 9)
    assert datetime.fromisoformat(offer["ends_at"]) == at(3, 11, 9) + QUARTER

    accepted = marco.post(
        f"/api/check-ins/{offer['id']}/accept", json={"version": offer["version"]}
    )
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["state"] == "accepted"
    assert todo_check_ins(marco) == []
    outbox.drain()

    check_in = marco.get(f"/api/check-ins/{offer['id']}").json
    talk_id = check_in["check_in_talk_id"]
    assert talk_id is not None
    talk = sem.talk(talk_id)
    assert (
        datetime.fromisoformat(talk["starts_at"]),
        datetime.fromisoformat(talk["ends_at"]),
    ) == (at(3, 11, 9), at(3, 11, 9) + QUARTER)
    for who in (marco, sem):
        mine = [
            e
            for e in events_of(who, at(3, 11, 0), at(3, 12, 0))
            if e["ical_uid"].startswith(f"talk-{talk_id}@")
        ]
        assert len(mine) == 1
    # Running: the next scan proposes nothing more for this agreement; nor does it ask
    # anyone to prepare the check-in.
    scan(services)
    assert len(proposals(services)) == 1
    assert [s for _, s in reminded(services, "prepare") if s == talk_id] == []

    clock.set(at(3, 11, 9, 5))
    held = marco.post(f"/api/talks/{talk_id}/held", json={"version": talk["version"]})
    assert held.status_code == 200, held.json
    # No sign-off for a check-in.
    assert marco.sign(talk_id).status_code == 409

    written = sem.put(
        f"/api/check-ins/{offer['id']}/outcome",
        json={"version": check_in["version"], "due": "2027-03-24"},
    )
    assert written.status_code == 200, written.json
    assert written.json["outcome"]["due"] == "2027-03-24"
    assert written.json["agreement"]["due"] == "2027-03-10"  # not before the other confirms
    own = sem.post(
        f"/api/check-ins/{offer['id']}/outcome/confirm", json={"version": written.json["version"]}
    )
    assert own.status_code == 403
    confirmed = marco.post(
        f"/api/check-ins/{offer['id']}/outcome/confirm", json={"version": written.json["version"]}
    )
    assert confirmed.status_code == 200, confirmed.json
    assert confirmed.json["agreement"]["due"] == "2027-03-24"
    assert confirmed.json["outcome"]["confirmed_at"] is not None
    # Past its end, nobody is reminded to sign it off.
    clock.set(at(3, 16, 10))
    scan(services)
    assert [s for _, s in reminded(services, "sign") if s == talk_id] == []
    # The signed form stays as signed.
    form = marco.get(f"/api/talks/{proposal['talk_id']}/form").json
    assert "2027-03-10" in str(form)
    assert "2027-03-24" not in str(form)


def test_a_dismissed_proposal_does_not_come_back_for_the_same_date(
    services, clock, outbox, overdue, marco
) -> None:
    [todo] = todo_check_ins(marco)
    offer = todo["check_in"]
    answer = marco.post(f"/api/check-ins/{offer['id']}/dismiss", json={"version": offer["version"]})
    assert answer.status_code == 200, answer.json
    assert answer.json["state"] == "dismissed"
    assert todo_check_ins(marco) == []
    for day in (11, 12, 15):
        clock.set(at(3, day, 10))
        scan(services)
        outbox.drain()
    assert [p["state"] for p in proposals(services)] == ["dismissed"]
    # A decided proposal cannot be accepted afterwards.
    late = marco.post(
        f"/api/check-ins/{offer['id']}/accept", json={"version": answer.json["version"]}
    )
    assert late.status_code == 409


def test_stuck_is_proposed_once(services, clock, outbox, make_talk, lead, learner, marco) -> None:
    item = signed_agreement(services, clock, make_talk, lead, learner, date(2027, 5, 1))
    outbox.drain()
    clock.set(at(3, 3, 10))
    scan(services)
    assert proposals(services) == []
    services.write(
        lambda s: progress.record(
            services, s, learner, item.id, kind=ProgressKind.STUCK, note=None, expected_version=2
        )
    )
    scan(services)
    scan(services)
    outbox.drain()
    [proposal] = proposals(services)
    assert (proposal["agreement_id"], proposal["reason"]) == (item.id, "stuck")
    [todo] = todo_check_ins(marco)
    assert datetime.fromisoformat(todo["check_in"]["starts_at"]) == at(3, 3, 10)


def test_only_the_lead_decides_outsiders_get_404_and_nothing_is_saved(
    services, overdue, app, client_for, make_person, marco, sem
) -> None:
    [todo] = todo_check_ins(marco)
    offer = todo["check_in"]
    url = f"/api/check-ins/{offer['id']}"
    other = client_for(make_person(display_name="Anna Collega"))
    before = snapshot(services)
    for path in ("accept", "dismiss"):
        body = {"version": offer["version"]}
        assert sem.post(f"{url}/{path}", json=body).status_code == 403
        assert other.post(f"{url}/{path}", json=body).status_code == 404
        assert app.test_client().post(f"{url}/{path}", json=body).status_code == 401
        stale = marco.post(f"{url}/{path}", json={"version": offer["version"] + 1})
        assert stale.status_code == 409
        assert stale.json["error"]["current"]["state"] == "proposed"
        assert marco.post(f"{url}/{path}", json={}).status_code == 422
        assert marco.post(f"{url}/{path}", json={"version": "1"}).status_code == 422
    assert other.get(url).status_code == 404
    assert app.test_client().get(url).status_code == 401
    assert marco.get("/api/check-ins/no-such-id").status_code == 404
    # Before the check-in is booked and held there is no outcome to write.
    early = marco.put(f"{url}/outcome", json={"version": offer["version"], "due": "2027-04-01"})
    assert early.status_code == 409
    assert snapshot(services) == before


def test_bad_outcomes_are_refused_and_save_nothing(
    services, clock, outbox, overdue, marco, sem
) -> None:
    [todo] = todo_check_ins(marco)
    offer = todo["check_in"]
    url = f"/api/check-ins/{offer['id']}"
    marco.post(f"{url}/accept", json={"version": offer["version"]})
    outbox.drain()
    clock.set(at(3, 11, 9, 5))
    version = marco.get(url).json["version"]
    before = snapshot(services)
    for body, status in (
        ({"version": version}, 422),  # neither wording nor date
        ({"version": version, "what": ""}, 422),
        ({"version": version, "what": "x" * 501}, 422),
        ({"version": version, "due": "2027-03-01"}, 422),  # in the past
        ({"version": version, "due": "morgen"}, 422),
        ({"version": version, "what": "Sem loopt een dag mee"}, 422),  # unchanged
        ({"version": version + 1, "due": "2027-03-24"}, 409),
    ):
        answer = sem.put(f"{url}/outcome", json=body)
        assert answer.status_code == status, (body, answer.json)
    # Nothing written yet: nothing to confirm.
    assert marco.post(f"{url}/outcome/confirm", json={"version": version}).status_code == 409
    assert snapshot(services) == before


def test_the_lead_gets_one_mail_naming_the_time_found(
    services, clock, outbox, make_talk, lead, learner, mailbox
) -> None:
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    clock.set(at(3, 11, 10, 20))
    for _ in range(2):
        scan(services)
        outbox.drain()
    to_lead = [
        m.message.get_body(("plain",)).get_content()
        for m in mailbox.messages
        if lead.email in m.rcpt_tos
    ]
    [text] = [t for t in to_lead if "Sem loopt een dag mee" in t]
    assert "10:30" in text  # the first quarter free for both, on the grid
    assert "http://" in text or "https://" in text


def test_with_no_time_free_the_lead_sees_why_and_an_accepted_one_comes_back(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    # Marco's calendar is full from Thursday 11 March to the Friday a week on.
    busy(services, lead, at(3, 11, 7), at(3, 20, 0))
    clock.set(at(3, 11, 9))
    scan(services)
    outbox.drain()
    [todo] = todo_check_ins(marco)
    offer = todo["check_in"]
    assert (offer["starts_at"], offer["problem"]) == (None, "no_free_slot")

    accepted = marco.post(
        f"/api/check-ins/{offer['id']}/accept", json={"version": offer["version"]}
    )
    assert accepted.status_code == 200, accepted.json
    outbox.drain()
    # Nothing could be booked: it is the lead's to decide on again, saying why.
    [again] = todo_check_ins(marco)
    assert again["check_in"]["state"] == "proposed"
    assert again["check_in"]["problem"] == "no_free_slot"
    assert again["check_in"]["check_in_talk_id"] is None
    dismissed = marco.post(
        f"/api/check-ins/{offer['id']}/dismiss", json={"version": again["check_in"]["version"]}
    )
    assert dismissed.status_code == 200, dismissed.json
