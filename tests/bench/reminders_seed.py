"""Seeding for the reminder scan's benchmark (`tests/bench/reminders.py`): N open agreements
in signed talks, as a school or company would have them after a few years.

One pair, its talks and rows are made through the app's services; the rest are copies of those
rows with new ids and dates, inserted in bulk through SQLAlchemy Core, with every occasion of
the years before (as the app kept them before it forgot them). Then the app's own scan runs
on each working morning of the last five weeks, so that what it records is as a running
worker left it; forgetting is the bench's (`reminders.py`).
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select, update
from sqlalchemy.engine import Engine

from plugin.domain import reminders as moments
from plugin.domain.agreement import AgreementStatus, Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.domain.reminders import ReminderKind
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk_state import TalkStatus
from plugin.jobs.outbox import Outbox
from plugin.services import agreements as agreement_service
from plugin.services import signoff, talks
from plugin.services.context import Services
from plugin.services.reminders import scan
from plugin.store.schema import agreements, people, signatures, tracks
from plugin.store.schema import talks as talk_rows
from plugin.store.working_tables import outbox_jobs, reminder_occasions

AMS = ZoneInfo("Europe/Amsterdam")
#: A working morning: Tuesday, half an hour after the working day began (08:30).
NOW = datetime(2027, 3, 9, 9, 0, tzinfo=AMS)
#: The app's own scan runs on each working morning of these last days before NOW (longer than
#: every lookback of the scan); what was due before them is recorded in bulk.
SIMULATED_DAYS = 35
SIGNED_PER_PAIR = 4
OPEN_PER_TALK = 3
CHUNK = 2000
GOALS = ["goals.learn", "goals.feedback", "goals.wishes", "goals.own"]


def local(day: date, hour: int) -> datetime:
    return datetime.combine(day, clock_time(hour), tzinfo=AMS)


def working_day_on_or_after(day: date) -> date:
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def new_id() -> str:
    return str(uuid.uuid4())


@dataclass
class Template:
    """The rows of one pair made through the services, to copy."""

    person: dict[str, Any]
    track: dict[str, Any]
    signed: dict[str, Any]
    planned: dict[str, Any]
    agreement: dict[str, Any]
    signature: dict[str, Any]


@dataclass
class Rows:
    by_table: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def add(self, table: Table, row: dict[str, Any]) -> None:
        self.by_table.setdefault(table.name, []).append(row)


def make_template(svc: Services, clock: FixedClock) -> tuple[Template, int]:
    """One pair through the services: a signed talk with one open agreement, a planned talk.
    Returns its rows and how many open agreements it holds (1)."""
    held_on = date(2027, 2, 1)
    clock.set(local(held_on, 9))

    def plan(session, lead, learner, starts_at):  # type: ignore[no-untyped-def]
        return talks.plan_talk(
            svc, session, lead, learner_id=learner.id, starts_at=starts_at,
            duration_minutes=60, title=None, goals=GOALS, own_goal="Sem zelfstandiger maken",
        )  # fmt: skip

    def first(session):  # type: ignore[no-untyped-def]
        lead = Person(new_id(), LOCAL_TENANT, "lead-0", "Lead 0", "lead0@bench.test")
        learner = Person(new_id(), LOCAL_TENANT, "lrn-0", "Learner 0", "lrn0@bench.test")
        session.add_all([lead, learner])
        session.flush()
        return lead, learner, plan(session, lead, learner, local(held_on, 10)).id

    lead, learner, talk_id = svc.write(first)
    clock.set(local(held_on, 10) + timedelta(minutes=45))

    def agree_and_sign(session):  # type: ignore[no-untyped-def]
        item = agreement_service.add_agreement(
            svc, session, lead, talk_id, what="Zelf een groep aansluiten, met de checklist",
            owner=Owner.LEARNER, due=date(2027, 9, 1),
        )  # fmt: skip
        agreement_service.confirm_agreement(
            svc, session, learner, talk_id, item.id, expected_version=1
        )
        signoff.sign_as_shown(svc, session, lead, talk_id)
        signoff.sign_as_shown(svc, session, learner, talk_id)
        later = plan(session, lead, learner, local(date(2027, 5, 3), 10))
        return item.id, later.id

    agreement_id, planned_id = svc.write(agree_and_sign)

    def one(table: Table, column: str, value: str) -> dict[str, Any]:
        with svc.db.reading() as session:
            row = session.execute(select(table).where(table.c[column] == value)).mappings()
            return dict(row.first() or {})

    template = Template(
        person=one(people, "id", lead.id),
        track=one(tracks, "lead_id", lead.id),
        signed=one(talk_rows, "id", talk_id),
        planned=one(talk_rows, "id", planned_id),
        agreement=one(agreements, "id", agreement_id),
        signature=one(signatures, "talk_id", talk_id),
    )
    assert template.signed["status"] == TalkStatus.SIGNED and template.signed["signed_form"]
    return template, 1


def due_date(rng: random.Random, today: date) -> date | None:
    """One in ten without a date; the rest spread about evenly over the days: the coming year,
    a little more in the last two weeks (not done yet), and what was left long ago."""
    draw = rng.random()
    if draw < 0.10:
        return None
    if draw < 0.75:
        return today + timedelta(days=rng.randint(0, 365))
    if draw < 0.78:
        return today - timedelta(days=rng.randint(1, 14))
    return today - timedelta(days=rng.randint(15, 540))


class Reminded:
    """The occasions whose moment came before `cutoff`: the scan found them long ago.
    Moments of agreements depend on the date only, so they are worked out once per date."""

    def __init__(self, hours: WorkingHours, cutoff: datetime) -> None:
        self.hours = hours
        self.morning = cutoff
        self._cache: dict[tuple[str, date], moments.Occasion] = {}

    def agreement(self, rows: Rows, agreement_id: str, due: date) -> None:
        for kind, occasion_of in (
            (ReminderKind.DUE_SOON, moments.due_soon),
            (ReminderKind.OVERDUE, moments.overdue),
        ):
            occasion = self._cache.get((kind.value, due))
            if occasion is None:
                occasion = self._cache[(kind.value, due)] = occasion_of("", due, self.hours)
            self._record(rows, kind, agreement_id, occasion)

    def talk(self, rows: Rows, kind: ReminderKind, talk: dict[str, Any]) -> None:
        if kind is ReminderKind.PREPARE:
            occasion = moments.prepare(talk["id"], talk["starts_at"], self.hours)
        else:
            occasion = moments.sign(talk["id"], talk["ends_at"], self.hours)
        self._record(rows, kind, talk["id"], occasion)

    def _record(
        self, rows: Rows, kind: ReminderKind, subject_id: str, occasion: moments.Occasion
    ) -> None:
        forget_after = moments.forget_after(kind, occasion.key)
        # All of them, those the upkeep would have forgotten too: the bench measures the scan
        # with that history kept (as before occasions were forgotten), then forgets it.
        if occasion.at < self.morning:
            rows.add(
                reminder_occasions,
                {
                    "kind": kind.value,
                    "subject_id": subject_id,
                    "occasion_key": occasion.key,
                    "tenant_id": LOCAL_TENANT,
                    "created_at": occasion.at,
                    "forget_after": forget_after,
                },
            )


def talk_copy(base: dict[str, Any], track: dict[str, Any], starts_at: datetime) -> dict[str, Any]:
    return base | {
        "id": new_id(),
        "track_id": track["id"],
        "lead_id": track["lead_id"],
        "learner_id": track["learner_id"],
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(hours=1),
        "previous_talk_id": None,
        "follow_up_talk_id": None,
        "event_id": None,
        "event_ical_uid": None,
        "join_url": None,
        "meeting_chat_id": None,
        "tab_chat_id": None,
        "series_id": None,
        "occurrence_start": None,
        "created_at": starts_at - timedelta(days=14),
        "updated_at": starts_at,
    }


def generate(
    template: Template, open_agreements: int, hours: WorkingHours, cutoff: datetime
) -> Rows:
    """The copies: pairs until `open_agreements` open agreements are placed."""
    rng = random.Random(16)
    rows, reminded = Rows(), Reminded(hours, cutoff)
    today = NOW.date()
    placed, pair = 0, 0
    while placed < open_agreements:
        pair += 1
        persons = [
            template.person | {"id": new_id(), "object_id": f"{role}-{pair}",
                               "display_name": f"{role} {pair}", "email": f"{role}{pair}@b.test"}
            for role in ("lead", "lrn")
        ]  # fmt: skip
        for person in persons:
            rows.add(people, person)
        track = template.track | {
            "id": new_id(), "lead_id": persons[0]["id"], "learner_id": persons[1]["id"],
        }  # fmt: skip
        rows.add(tracks, track)
        for k in range(SIGNED_PER_PAIR):
            if placed >= open_agreements:
                break
            held = working_day_on_or_after(
                today - timedelta(days=30 + 150 * k + rng.randint(0, 90))
            )
            talk = talk_copy(template.signed, track, local(held, 10))
            rows.add(talk_rows, talk)
            for person_id, role in ((track["lead_id"], "lead"), (track["learner_id"], "learner")):
                rows.add(signatures, template.signature | {
                    "id": new_id(), "talk_id": talk["id"], "person_id": person_id,
                    "role": role, "signed_at": talk["ends_at"],
                })  # fmt: skip
            count = min(OPEN_PER_TALK, open_agreements - placed)
            for position in range(count + 1):
                is_open = position < count
                due = due_date(rng, today) if is_open else today - timedelta(days=20)
                agreement = template.agreement | {
                    "id": new_id(), "talk_id": talk["id"], "position": position + 1,
                    "owner": (Owner.LEARNER, Owner.BOTH, Owner.LEAD)[position % 3],
                    "due": due,
                    "status": AgreementStatus.OPEN if is_open else AgreementStatus.DONE,
                    "author_id": track["lead_id"], "created_by": track["lead_id"],
                    "confirmed_by": track["learner_id"], "confirmed_at": talk["ends_at"],
                    "created_at": talk["ends_at"], "updated_at": talk["ends_at"],
                }  # fmt: skip
                rows.add(agreements, agreement)
                if is_open and due is not None:
                    reminded.agreement(rows, agreement["id"], due)
            placed += count
        soon = working_day_on_or_after(today + timedelta(days=rng.randint(1, 60)))
        planned = talk_copy(template.planned, track, local(soon, 10))
        rows.add(talk_rows, planned)
        reminded.talk(rows, ReminderKind.PREPARE, planned)
        if pair % 20 == 0:
            ended = working_day_on_or_after(today - timedelta(days=rng.randint(1, 30)))
            status = TalkStatus.HELD if pair % 40 else TalkStatus.PLANNED
            unsigned = talk_copy(template.planned, track, local(ended, 14)) | {"status": status}
            if unsigned["ends_at"] < NOW:
                rows.add(talk_rows, unsigned)
                reminded.talk(rows, ReminderKind.SIGN, unsigned)
    return rows


def insert_all(engine: Engine, rows: Rows) -> None:
    order = (people, tracks, talk_rows, signatures, agreements, reminder_occasions)
    with engine.begin() as connection:
        for table in order:
            batch = rows.by_table.get(table.name, [])
            for start in range(0, len(batch), CHUNK):
                connection.execute(insert(table), batch[start : start + CHUNK])


def vacuum_analyze(engine: Engine, tables: tuple[str, ...] = ()) -> None:
    """VACUUM ANALYZE these tables (all when none are named)."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM ANALYZE {', '.join(tables)}".rstrip())


def simulate_mornings(svc: Services, clock: FixedClock) -> int:
    """The worker's scan on each working morning of the last SIMULATED_DAYS, as the app records
    what it found (occasions, and whatever else the scan records); the jobs it enqueued count
    as run. How many reminders it enqueued."""
    hours = svc.policy.hours
    enqueued = 0
    for back in range(SIMULATED_DAYS, 0, -1):
        day = NOW.date() - timedelta(days=back)
        if hours.is_working_day(day):
            clock.set(hours.day_interval(day).start + timedelta(minutes=15))
            # The scan alone: the history stays, to be forgotten by the bench.
            enqueued += svc.write(lambda session: scan(svc, session))
    clock.set(NOW)
    with svc.db.writing() as session:
        session.execute(
            update(outbox_jobs)
            .where(outbox_jobs.c.status == "pending", outbox_jobs.c.created_at < NOW)
            .values(status="done")
        )
    return enqueued


@dataclass(frozen=True)
class Seeded:
    #: A person who exists (for the baseline read).
    person_id: str
    #: Reminders the simulated mornings enqueued.
    simulated: int
    seconds: float


def seed(svc: Services, outbox: Outbox, clock: FixedClock, size: int) -> Seeded:
    """Fill the database with `size` open agreements; leave the clock at NOW."""
    began = time.perf_counter()
    person_id = new_id()
    if size:
        template, made = make_template(svc, clock)
        while outbox.drain(limit=1000):
            pass
        person_id = template.person["id"]
        hours = svc.policy.hours
        cutoff = hours.day_interval(NOW.date() - timedelta(days=SIMULATED_DAYS)).start
        insert_all(svc.db.engine, generate(template, size - made, hours, cutoff))
    simulated = simulate_mornings(svc, clock) if size else 0
    vacuum_analyze(svc.db.engine)
    clock.set(NOW)
    return Seeded(person_id, simulated, round(time.perf_counter() - began, 1))
