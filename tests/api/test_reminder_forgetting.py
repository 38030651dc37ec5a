"""The scan's upkeep forgets occasions no scan can find again, in small batches, and a
forgotten occasion never brings its reminder back; a scan records its occasions a batch per
INSERT, all or nothing with their jobs; the scan logs its counts and nothing else."""

from __future__ import annotations

import logging
import os
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import column, event, insert, inspect, select, table

from plugin.domain import reminders as moments
from plugin.domain.agreement import Owner
from plugin.domain.reminders import ReminderKind
from plugin.services import agreements, signoff
from plugin.services import reminders as scanner
from plugin.store import migrate
from plugin.store import reminders as store
from plugin.store.db import make_engine
from plugin.store.working_tables import outbox_jobs, reminder_occasions
from tests.support.postgres import create_database, drop_database

AMS = ZoneInfo("Europe/Amsterdam")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=AMS)


def jobs(services) -> list[tuple[str, str, str, str]]:
    """(kind, subject id, occasion key, person id) of every reminder job enqueued."""
    with services.db.engine.connect() as connection:
        rows = connection.execute(
            select(outbox_jobs.c.payload).where(outbox_jobs.c.kind == scanner.SEND_JOB)
        ).all()
    return [
        (r.payload["kind"], r.payload["subject_id"], r.payload["key"], r.payload["person_id"])
        for r in rows
    ]


def occasions(services) -> list[tuple[str, str, str]]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(select(reminder_occasions)).all()
    return sorted((r.kind, r.subject_id, r.occasion_key) for r in rows)


def signed_with_agreement(services, clock, lead, learner, make_talk, due: date, what: str = ""):
    """A talk held on Monday 30 November 2026 and signed, with one agreement due `due`."""
    clock.set(at(2026, 11, 30, 9))
    talk = make_talk(lead, learner, starts_at=at(2026, 11, 30, 10))
    clock.set(at(2026, 11, 30, 10, 30))

    def agree(s):
        item = agreements.add_agreement(
            services,
            s,
            lead,
            talk.id,
            what=what or "Sem sluit een groep aan",
            owner=Owner.LEARNER,
            due=due,
        )
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)
        return item

    return talk, services.write(agree)


def test_every_occasion_is_forgotten_and_none_is_reminded_of_twice(
    services, clock, lead, learner, make_talk
):
    # An agreement due on Monday 14 December that stays open (due soon, overdue, a check-in),
    # and a talk on Wednesday 9 December nobody prepares nor signs (prepare, sign).
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14)
    )
    later = make_talk(lead, learner, starts_at=at(2026, 12, 9, 10))
    most_recorded, day = 0, date(2026, 11, 30)
    # Every day for four months, in the morning and at night: scan and forget, as the upkeep.
    while day <= date(2027, 3, 31):
        for hour in (9, 23):
            clock.set(at(day.year, day.month, day.day, hour))
            scanner.scan_now(services)
            most_recorded = max(most_recorded, len(occasions(services)))
        day += timedelta(days=1)

    sent = Counter(jobs(services))
    assert [job for job, times in sent.items() if times > 1] == []
    assert {(kind, subject, person) for kind, subject, _key, person in sent} >= {
        ("due_soon", item.id, learner.id),
        ("overdue", item.id, learner.id),
        ("prepare", later.id, lead.id),
        ("prepare", later.id, learner.id),
        ("sign", later.id, lead.id),
        ("sign", later.id, learner.id),
    }
    assert most_recorded >= 4  # they were recorded …
    assert occasions(services) == []  # … and all forgotten by the end of March


def overdue(services) -> list[tuple[str, str, str]]:
    return [o for o in occasions(services) if o[0] == "overdue"]


def test_an_occasion_stays_until_its_moment_to_forget_then_goes(
    services, clock, lead, learner, make_talk
):
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14)
    )
    clock.set(at(2026, 12, 15, 9))  # overdue (due soon was never found: the worker was off)
    scanner.scan_now(services)
    assert overdue(services) == [("overdue", item.id, "2026-12-14")]
    forget = moments.forget_after(ReminderKind.OVERDUE, "2026-12-14")
    # The overdue scan looks back 14 days: on 28 December it may still ask for it.
    assert forget > at(2026, 12, 29) + moments.FORGET_MARGIN

    clock.set(forget)
    scanner.scan_now(services)
    assert overdue(services) == [("overdue", item.id, "2026-12-14")]  # not before
    clock.set(forget + timedelta(seconds=1))
    scanner.scan_now(services)
    assert overdue(services) == []
    for hours in range(0, 24 * 60, 7):  # every few hours of the next two months
        clock.set(forget + timedelta(hours=hours))
        scanner.scan_now(services)
    assert [j for j in jobs(services) if j[0] == "overdue"] == [
        ("overdue", item.id, "2026-12-14", learner.id)
    ]


def test_forgetting_goes_in_batches_oldest_first(services, clock, lead, learner, make_talk):
    now = datetime(2027, 6, 1, tzinfo=UTC)
    rows = [
        store.OccasionRow("check_in", f"subject-{n}", "k", "t", now - timedelta(days=10 - n))
        for n in range(7)
    ]
    services.write(lambda s: store.record_occasions(s, rows, now - timedelta(days=30)))

    assert services.write(lambda s: store.forget_occasions(s, now, 3)) == 3
    assert [s for _k, s, _o in occasions(services)] == [f"subject-{n}" for n in range(3, 7)]
    assert services.write(lambda s: store.forget_occasions(s, now, 3)) == 3
    assert services.write(lambda s: store.forget_occasions(s, now, 3)) == 1
    assert services.write(lambda s: store.forget_occasions(s, now, 3)) == 0


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Europe/Amsterdam", "Pacific/Pago_Pago"])
def test_the_moment_to_forget_lies_past_each_kinds_window_in_any_zone(zone: str) -> None:
    """The last moment each kind's candidate query can still name the key (see the scan's
    windows), in the zones farthest from UTC: before the moment to forget, by the margin."""
    local = ZoneInfo(zone)
    due, start = date(2027, 3, 1), datetime(2027, 3, 1, 10, tzinfo=UTC)
    # Due soon: asked while today (local) <= due; overdue: while today - 14 days <= due.
    last_day = {
        ReminderKind.DUE_SOON: due,
        ReminderKind.OVERDUE: due + moments.OVERDUE_LOOKBACK,
    }
    for kind, day in last_day.items():
        day_ends = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=local)
        assert day_ends + moments.FORGET_MARGIN <= moments.forget_after(kind, due.isoformat())
    key = moments.moment_key(start)
    # Prepare: asked while the start is ahead; sign: while the end is at most 30 days ago.
    assert start + moments.FORGET_MARGIN <= moments.forget_after(ReminderKind.PREPARE, key)
    assert start + moments.SIGN_LOOKBACK + moments.FORGET_MARGIN <= moments.forget_after(
        ReminderKind.SIGN, key
    )


def test_a_scan_records_its_occasions_a_batch_per_insert(
    services, clock, lead, learner, make_talk, monkeypatch
):
    monkeypatch.setattr(store, "RECORD_BATCH", 2)
    for n in range(5):
        signed_with_agreement(
            services, clock, lead, learner, make_talk, date(2026, 12, 14), what=f"Afspraak {n}"
        )
    inserts: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO reminder_occasions"):
            inserts.append(statement)

    clock.set(at(2026, 12, 7, 9))
    event.listen(services.db.engine, "before_cursor_execute", listen)
    try:
        assert scanner.scan_now(services) >= 5
    finally:
        event.remove(services.db.engine, "before_cursor_execute", listen)
    recorded = len(occasions(services))  # five due soon, and the follow-up's to prepare
    assert recorded >= 5
    assert len(inserts) == (recorded + 1) // 2  # two a statement


def test_a_scan_that_dies_before_commit_records_and_sends_nothing(
    services, clock, lead, learner, make_talk, monkeypatch
):
    monkeypatch.setattr(store, "RECORD_BATCH", 2)
    for n in range(3):
        signed_with_agreement(
            services, clock, lead, learner, make_talk, date(2026, 12, 14), what=f"Afspraak {n}"
        )
    clock.set(at(2026, 12, 7, 9))
    real_enqueue, calls = scanner.enqueue, []

    def dies_on_the_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("the worker was killed")
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(scanner, "enqueue", dies_on_the_third)
    with pytest.raises(KeyboardInterrupt):
        scanner.scan_now(services)
    assert occasions(services) == [] and jobs(services) == []

    monkeypatch.setattr(scanner, "enqueue", real_enqueue)
    enqueued = scanner.scan_now(services)
    assert enqueued >= 3
    assert scanner.scan_now(services) == 0
    assert len(jobs(services)) == enqueued
    assert len(Counter(jobs(services))) == enqueued


def test_the_scan_logs_its_counts_and_nothing_of_the_content(
    services, clock, lead, learner, make_talk, caplog
):
    signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), what="Geheim plan"
    )
    clock.set(at(2026, 12, 7, 9))
    with caplog.at_level(logging.DEBUG, logger="plugin.services.reminders"):
        scanner.scan_now(services)
    scans = [r for r in caplog.records if r.getMessage().startswith("reminder scan:")]
    assert [(r.levelno, r.getMessage()) for r in scans] == [
        (logging.DEBUG, "reminder scan: 3 enqueued, 0 occasions forgotten")  # and 2 to prepare
    ]
    assert "Geheim" not in caplog.text


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_at_0013(request: pytest.FixtureRequest, tmp_path):
    """A database migrated to 0013 (before occasions had a moment to forget)."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
        migrate.upgrade(engine, "0013")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("pg_server")
    name = f"og_forget_{os.getpid()}"
    engine = make_engine(create_database(server, name))
    try:
        migrate.upgrade(engine, "0013")
        yield engine
    finally:
        engine.dispose()
        drop_database(server, name)


def test_the_migration_gives_recorded_occasions_their_moment_to_forget(engine_at_0013) -> None:
    recorded = {
        ("due_soon", "a1", "2026-12-14"),
        ("overdue", "a1", "2026-12-14"),
        ("prepare", "t1", "2026-12-09T09:00:00+00:00"),
        ("sign", "t1", "2026-12-09T09:45:00+00:00"),
        ("check_in", "c1", "2026-12-15T07:30:00+00:00"),
    }
    old = table(
        "reminder_occasions",
        column("kind"),
        column("subject_id"),
        column("occasion_key"),
        column("tenant_id"),
        column("created_at"),
    )
    with engine_at_0013.begin() as connection:
        connection.execute(
            insert(old),
            [
                {
                    "kind": kind,
                    "subject_id": subject,
                    "occasion_key": key,
                    "tenant_id": "local",
                    "created_at": datetime(2026, 12, 7, 8),
                }
                for kind, subject, key in recorded
            ],
        )
    migrate.upgrade(engine_at_0013)

    with engine_at_0013.connect() as connection:
        rows = connection.execute(select(reminder_occasions)).all()
    assert {(r.kind, r.subject_id, r.occasion_key): r.forget_after for r in rows} == {
        (kind, subject, key): moments.forget_after(ReminderKind(kind), key)
        for kind, subject, key in recorded
    }
    assert "ix_reminder_occasions_forget_after" in {
        ix["name"] for ix in inspect(engine_at_0013).get_indexes("reminder_occasions")
    }
