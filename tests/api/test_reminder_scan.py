"""The reminder scan on an injected clock: each occasion found once, at its moment, for the
right people, never at night or at the weekend, and not for a kind someone turned off."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from plugin.domain.agreement import AgreementStatus, Owner
from plugin.services import agreements, signoff
from plugin.services import reminders as scanner
from plugin.store import reminders as store
from plugin.store.working_tables import outbox_jobs, reminder_occasions

AMS = ZoneInfo("Europe/Amsterdam")


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=AMS)


def scan(services) -> int:
    return services.write(lambda s: scanner.scan(services, s))


def reminders_enqueued(services) -> list[tuple[str, str, str, datetime]]:
    """(kind, person id, subject id, run after) of every reminder job, oldest first."""
    with services.db.engine.connect() as connection:
        rows = connection.execute(
            select(outbox_jobs.c.payload, outbox_jobs.c.run_after)
            .where(outbox_jobs.c.kind == scanner.SEND_JOB)
            .order_by(outbox_jobs.c.id)
        ).all()
    return [
        (
            row.payload["kind"],
            row.payload["person_id"],
            row.payload["subject_id"],
            row.run_after.replace(tzinfo=row.run_after.tzinfo or AMS).astimezone(AMS),
        )
        for row in rows
    ]


def signed_with_agreement(services, clock, lead, learner, make_talk, due: date, owner: Owner):
    """A talk held on Monday 30 November 2026 and signed, with one agreement due `due`."""
    clock.set(at(2026, 11, 30, 9))
    talk = make_talk(lead, learner, starts_at=at(2026, 11, 30, 10))
    clock.set(at(2026, 11, 30, 10, 30))

    def agree(s):
        item = agreements.add_agreement(
            services, s, lead, talk.id, what="Sem sluit een groep aan", owner=owner, due=due
        )
        agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)
        return item

    return talk, services.write(agree)


def about(services, subject_id: str) -> list[tuple[str, str]]:
    """(kind, person id) of the reminders enqueued about one talk or agreement."""
    return [(k, p) for k, p, s, _ in reminders_enqueued(services) if s == subject_id]


def test_due_soon_then_overdue_each_once_over_a_weekend(services, clock, lead, learner, make_talk):
    # Due on Monday 14 December: "due soon" from Monday 7 December, 08:30.
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.LEARNER
    )
    clock.set(at(2026, 12, 4, 16))  # Friday: six working days ahead, nothing yet
    scan(services)
    assert about(services, item.id) == []
    clock.set(at(2026, 12, 7, 8))  # Monday before working hours: not yet
    scan(services)
    assert about(services, item.id) == []
    clock.set(at(2026, 12, 7, 8, 30))
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id)]
    clock.set(at(2026, 12, 10, 12))
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id)]  # once
    # Still open on Tuesday 15 December (the day after it was due): overdue, once.
    clock.set(at(2026, 12, 15, 8, 29))
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id)]
    clock.set(at(2026, 12, 15, 8, 30))
    scan(services)
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id), ("overdue", learner.id)]


def test_found_at_night_or_at_the_weekend_it_waits_for_the_working_morning(
    services, clock, lead, learner, make_talk
):
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.BOTH
    )
    clock.set(at(2026, 12, 12, 23))  # Saturday night: the worker was down all week
    scan(services)
    mine = [r for r in reminders_enqueued(services) if r[2] == item.id]
    assert {p for _, p, _, _ in mine} == {lead.id, learner.id}  # both keep it
    assert {run for *_, run in mine} == {at(2026, 12, 14, 8, 30)}


def test_a_changed_due_date_is_a_new_occasion(services, clock, lead, learner, make_talk):
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.LEARNER
    )
    clock.set(at(2026, 12, 7, 9))
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id)]
    with services.db.writing() as session:
        found = session.get(type(item), item.id)
        found.due = date(2026, 12, 11)
    scan(services)
    assert about(services, item.id) == [("due_soon", learner.id)] * 2  # a new due date
    with services.db.engine.connect() as connection:
        keys = {
            row.occasion_key
            for row in connection.execute(
                select(reminder_occasions).where(reminder_occasions.c.subject_id == item.id)
            )
        }
    assert keys == {"2026-12-14", "2026-12-11"}


def test_a_kind_turned_off_gets_no_reminder(services, clock, lead, learner, make_talk):
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.BOTH
    )
    services.write(lambda s: store.set_kinds_off(s, learner.id, ["due_soon"]))
    clock.set(at(2026, 12, 7, 9))
    scan(services)
    assert about(services, item.id) == [("due_soon", lead.id)]
    # Turning it on again does not bring back what was found while it was off.
    services.write(lambda s: store.set_kinds_off(s, learner.id, []))
    scan(services)
    assert about(services, item.id) == [("due_soon", lead.id)]


def test_a_closed_agreement_gets_no_reminder(services, clock, lead, learner, make_talk):
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.LEARNER
    )
    with services.db.writing() as session:
        session.get(type(item), item.id).status = AgreementStatus.DONE
    clock.set(at(2026, 12, 15, 9))
    scan(services)
    assert about(services, item.id) == []


def test_prepare_two_working_days_before_for_who_has_not_prepared(
    services, clock, lead, learner, make_talk, client_for
):
    clock.set(at(2026, 12, 1, 9))
    talk = make_talk(lead, learner, starts_at=at(2026, 12, 9, 10))  # a Wednesday
    sem = client_for(learner)
    saved = sem.put(
        f"/api/talks/{talk.id}/preparation", json={"ticked": [], "points": [], "version": 0}
    )
    assert saved.status_code == 200, saved.json
    clock.set(at(2026, 12, 4, 16))  # Friday
    assert scan(services) == 0
    clock.set(at(2026, 12, 7, 8, 30))  # Monday: two working days before
    scan(services)
    scan(services)
    assert about(services, talk.id) == [("prepare", lead.id)]
    # Moved to Thursday: a new occasion, due on Tuesday.
    marco = client_for(lead)
    version = marco.talk(talk.id)["version"]
    moved = marco.patch(
        f"/api/talks/{talk.id}",
        json={"version": version, "starts_at": at(2026, 12, 10, 10).isoformat()},
    )
    assert moved.status_code == 200, moved.json
    scan(services)
    assert about(services, talk.id) == [("prepare", lead.id)]
    clock.set(at(2026, 12, 8, 9))
    scan(services)
    assert about(services, talk.id) == [("prepare", lead.id)] * 2


def test_sign_two_working_days_after_a_talk_left_unsigned(
    services, clock, lead, learner, make_talk, client_for
):
    clock.set(at(2026, 12, 3, 9))
    talk = make_talk(lead, learner, starts_at=at(2026, 12, 4, 14))  # Friday afternoon
    clock.set(at(2026, 12, 7, 12))  # Monday: one working day after
    scan(services)
    assert [k for k, _ in about(services, talk.id)] == []
    clock.set(at(2026, 12, 8, 8, 30))  # Tuesday morning
    scan(services)
    scan(services)
    assert sorted(about(services, talk.id)) == sorted([("sign", lead.id), ("sign", learner.id)])
