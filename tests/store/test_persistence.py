"""The mapping round-trips the aggregate; the database keeps its invariants and its lock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from plugin.domain.agreement import AgreementStatus, Owner
from plugin.domain.clock import FixedClock
from plugin.domain.form import form_intact, signing_hash
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.talk_state import CalendarState, FollowUpStatus, Role, TalkStatus
from plugin.jobs.outbox import enqueue
from plugin.services import agreements, preparation, signoff, talks
from plugin.services.context import Services
from plugin.services.followup import follow_up_id
from plugin.services.talks import BOOK_FOLLOW_UP
from plugin.store import repo
from plugin.store.schema import agreements as agreements_table
from plugin.store.schema import talks as talks_table
from plugin.store.working_tables import calendar_events, outbox_jobs

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def load(services: Services, talk_id: str) -> Talk:
    return services.read(lambda s: s.get(Talk, talk_id))  # type: ignore[arg-type,return-value]


def add_agreement(services: Services, who: Person, talk_id: str, what: str, **kw: Any) -> Any:
    return services.write(
        lambda s: agreements.add_agreement(
            services,
            s,
            who,
            talk_id,
            what=what,
            owner=kw.get("owner", Owner.LEARNER),
            due=kw.get("due"),
        )
    )


def confirm(services: Services, who: Person, talk_id: str, agreement_id: str, v: int) -> Any:
    return services.write(
        lambda s: agreements.confirm_agreement(
            services, s, who, talk_id, agreement_id, expected_version=v
        )
    )


def sign(services: Services, who: Person, talk_id: str) -> Talk:
    return services.write(lambda s: signoff.sign_as_shown(services, s, who, talk_id))


def follow_ups(services: Services, talk_id: str) -> list[Talk]:
    return list(
        services.read(
            lambda s: (
                s.execute(select(Talk).where(talks_table.c.previous_talk_id == talk_id))
                .scalars()
                .all()
            )
        )
    )


def count_jobs(services: Services, kind: str) -> int:
    return services.read(
        lambda s: s.execute(
            select(func.count()).select_from(outbox_jobs).where(outbox_jobs.c.kind == kind)
        ).scalar_one()
    )


def ready_talk(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> Talk:
    """A talk with one confirmed agreement whose start has passed: ready to sign."""
    talk = make_talk(lead, learner)
    item = add_agreement(services, lead, talk.id, "Read the handbook")
    confirm(services, learner, talk.id, item.id, item.version)
    clock.advance(timedelta(days=1, minutes=5))
    return talk


# -- round trip --------------------------------------------------------------------------------


def test_talk_round_trips(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    starts = datetime(2027, 3, 4, 14, 30, tzinfo=AMSTERDAM)
    talk = make_talk(lead, learner, starts_at=starts, goals=["goals.feedback", "goals.learn"])
    due = clock.now().date() + timedelta(days=20)
    first = add_agreement(services, lead, talk.id, "Read the handbook", due=due)
    second = add_agreement(services, learner, talk.id, "Ask for feedback", owner=Owner.BOTH)
    confirm(services, learner, talk.id, first.id, first.version)
    confirm(services, lead, talk.id, second.id, second.version)
    services.write(
        lambda s: preparation.prepare(
            services,
            s,
            learner,
            talk.id,
            ticked=["goals.wishes", "goals.learn"],
            points=[{"text": "Workload"}, {"text": "Private", "shared": False}],
            expected_version=0,
        )
    )
    clock.advance(timedelta(days=3, hours=6))
    sign(services, learner, talk.id)

    loaded = load(services, talk.id)
    assert loaded.starts_at == starts
    assert loaded.starts_at.tzinfo is UTC
    assert loaded.ends_at == starts + timedelta(minutes=45)
    assert loaded.created_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert loaded.created_at.tzinfo is UTC
    assert loaded.status is TalkStatus.HELD
    assert loaded.follow_up_status is FollowUpStatus.NONE
    assert loaded.calendar_state is CalendarState.SYNCED
    assert loaded.goals == ["goals.learn", "goals.feedback"]
    assert loaded.follow_up_options == []

    assert [a.what for a in loaded.agreements] == ["Read the handbook", "Ask for feedback"]
    a, b = loaded.agreements
    assert (a.owner, b.owner) == (Owner.LEARNER, Owner.BOTH)
    assert isinstance(a.owner, Owner) and isinstance(a.status, AgreementStatus)
    assert a.due == due and b.due is None
    assert (a.author_id, a.confirmed_by) == (lead.id, learner.id)
    assert a.confirmed_at == datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    assert a.confirmed_at.tzinfo is UTC  # type: ignore[union-attr]
    assert a.version == 2

    (prep,) = loaded.preparations
    assert prep.person_id == learner.id
    assert prep.ticked == ["goals.learn", "goals.wishes"]
    assert [p["text"] for p in prep.points] == ["Workload", "Private"]
    assert [p["shared"] for p in prep.points] == [True, False]
    assert prep.updated_at.tzinfo is UTC

    (signature,) = loaded.signatures
    assert signature.role is Role.LEARNER
    assert signature.signed_at == clock.now()
    assert signature.signed_at.tzinfo is UTC


def test_signed_form_round_trips_intact(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = ready_talk(services, clock, make_talk, lead, learner)
    sign(services, lead, talk.id)
    sign(services, learner, talk.id)
    loaded = load(services, talk.id)
    assert loaded.status is TalkStatus.SIGNED
    assert loaded.content_hash is not None and len(loaded.content_hash) == 64
    assert isinstance(loaded.signed_form, dict)
    names = services.read(lambda s: repo.names(s, (lead.id, learner.id)))
    assert form_intact(loaded, names)
    assert {s.role for s in loaded.signatures} == {Role.LEAD, Role.LEARNER}


# -- CHECK constraints, for any writer ---------------------------------------------------------


def _agreement_row(talk: Talk, author: Person, **overrides: Any) -> dict[str, Any]:
    now = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    row: dict[str, Any] = {
        "id": "raw-agreement",
        "talk_id": talk.id,
        "position": 99,
        "what": "Raw",
        "owner": "lead",
        "due": None,
        "status": "open",
        "reaction": "",
        "author_id": author.id,
        "created_by": author.id,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    row.update(overrides)
    return row


@pytest.mark.parametrize(
    "bad",
    [
        {"owner": sa.literal("boss", sa.String())},
        {"status": sa.literal("x", sa.String())},
        {"what": ""},
    ],
    ids=["owner", "status", "empty_what"],
)
def test_agreement_checks_hold_for_raw_sql(
    services: Services,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    bad: dict[str, Any],
) -> None:
    talk = make_talk(lead, learner)
    # The row itself is fine.
    with services.db.engine.begin() as connection:
        connection.execute(sa.insert(agreements_table).values(**_agreement_row(talk, lead)))
    with pytest.raises(IntegrityError), services.db.engine.begin() as connection:
        connection.execute(
            sa.insert(agreements_table).values(
                **_agreement_row(talk, lead, id="bad", position=7, **bad)
            )
        )


def test_confirmer_must_differ_from_author_for_raw_sql(
    services: Services, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    with pytest.raises(IntegrityError), services.db.engine.begin() as connection:
        connection.execute(
            sa.insert(agreements_table).values(**_agreement_row(talk, lead, confirmed_by=lead.id))
        )


def test_talk_checks_hold_for_raw_sql(
    services: Services, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    bad_updates: list[dict[str, Any]] = [
        {"status": sa.literal("signed", sa.String())},  # signed without a hash
        {"status": sa.literal("archived", sa.String())},
        {"follow_up_status": sa.literal("maybe", sa.String())},
        {"ends_at": talk.starts_at},
    ]
    for values in bad_updates:
        with pytest.raises(IntegrityError), services.db.engine.begin() as connection:
            connection.execute(
                sa.update(talks_table).where(talks_table.c.id == talk.id).values(**values)
            )
    assert load(services, talk.id).status is TalkStatus.PLANNED


# -- optimistic lock ---------------------------------------------------------------------------


def test_second_of_two_concurrent_writers_gets_stale_data(
    services: Services, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    now = services.clock.now()
    with (
        Session(services.db.engine, expire_on_commit=False) as first,
        Session(services.db.engine, expire_on_commit=False) as second,
    ):
        mine = first.get(Talk, talk.id)
        theirs = second.get(Talk, talk.id)
        assert mine is not None and theirs is not None and mine.version == theirs.version
        end_snapshot(services, first, second)
        mine.retitle(lead.id, "First writer", now)
        theirs.retitle(lead.id, "Second writer", now)
        first.commit()
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    loaded = load(services, talk.id)
    assert loaded.title == "First writer"
    assert loaded.version == mine.version


def _stale_copy(services: Services, talk_id: str) -> Talk:
    return load(services, talk_id)


def end_snapshot(services: Services, *sessions: Session) -> None:
    """SQLite (WAL) refuses a write from a read transaction whose snapshot is out of date
    ("database is locked"); the app's writers take the lock at BEGIN instead. So there the
    readers end their transactions, keeping what they loaded, before they write."""
    if services.db.kind == "sqlite":
        for session in sessions:
            session.commit()


def test_write_retries_after_losing_a_race(
    services: Services, make_talk: Callable[..., Talk], lead: Person, learner: Person
) -> None:
    talk = make_talk(lead, learner)
    now = services.clock.now()
    calls = 0
    # SQLite writers take the write lock at BEGIN, so nobody can commit inside our write; there
    # the competitor commits between our read and our write, which is the same race.
    stale = _stale_copy(services, talk.id) if services.db.kind == "sqlite" else None
    if stale is not None:
        services.write(
            lambda s: s.get(Talk, talk.id).set_goals(  # type: ignore[union-attr]
                lead.id, ["goals.feedback"], "Competitor", services.template.ordered_item_ids(), now
            )
        )

    def competitor() -> None:
        with Session(services.db.engine) as other, other.begin():
            theirs = other.get(Talk, talk.id)
            assert theirs is not None
            theirs.set_goals(
                lead.id, ["goals.feedback"], "Competitor", services.template.ordered_item_ids(), now
            )

    def work(session: Session) -> str:
        nonlocal calls
        calls += 1
        if calls == 1 and stale is not None:
            mine = session.merge(stale, load=False)
        else:
            mine = session.get(Talk, talk.id)
            assert mine is not None
            if calls == 1:
                competitor()
        mine.retitle(lead.id, f"Mine (attempt {calls})", now)
        return mine.title

    assert services.write(work) == "Mine (attempt 2)"
    assert calls == 2
    loaded = load(services, talk.id)
    assert loaded.title == "Mine (attempt 2)"
    assert loaded.own_goal == "Competitor"
    assert loaded.goals == ["goals.feedback"]


def test_sequential_signatures_book_one_follow_up(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = ready_talk(services, clock, make_talk, lead, learner)
    sign(services, lead, talk.id)
    sign(services, learner, talk.id)
    loaded = load(services, talk.id)
    assert loaded.status is TalkStatus.SIGNED
    assert loaded.follow_up_status is FollowUpStatus.BOOKED
    assert count_jobs(services, BOOK_FOLLOW_UP) == 1
    (follow_up,) = follow_ups(services, talk.id)
    assert follow_up.id == follow_up_id(talk.id) == loaded.follow_up_talk_id


def test_interleaved_signatures_book_one_follow_up(
    services: Services,
    clock: FixedClock,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
) -> None:
    talk = ready_talk(services, clock, make_talk, lead, learner)
    with (
        Session(services.db.engine, expire_on_commit=False) as lead_session,
        Session(services.db.engine, expire_on_commit=False) as learner_session,
    ):
        # What signoff.sign does, split so that the two requests interleave: both read first...
        views = []
        for session, who in ((lead_session, lead), (learner_session, learner)):
            view = talks.load_talk(session, who, talk.id)
            names = repo.names(session, (lead.id, learner.id))
            views.append((session, who, view, names))
        end_snapshot(services, lead_session, learner_session)
        # ...then both sign.
        for session, who, view, names in views:
            now = services.clock.now()
            if view.sign(
                who.id,
                shown_hash=signing_hash(view),
                new_id=services.new_id(),
                now=now,
                names=names,
            ):
                enqueue(session, BOOK_FOLLOW_UP, {"talk_id": view.id}, now)
        lead_view, learner_view = views[0][2], views[1][2]
        # Each saw only its own signature: neither completes the form on its own.
        assert lead_view.status is TalkStatus.HELD
        assert learner_view.status is TalkStatus.HELD
        lead_session.commit()
        with pytest.raises(StaleDataError):
            learner_session.commit()
        learner_session.rollback()
    # The loser's request is retried from scratch, as Services.write does.
    sign(services, learner, talk.id)
    loaded = load(services, talk.id)
    assert loaded.status is TalkStatus.SIGNED
    assert loaded.follow_up_status is FollowUpStatus.BOOKED
    assert len(loaded.signatures) == 2
    assert count_jobs(services, BOOK_FOLLOW_UP) == 1
    assert len(follow_ups(services, talk.id)) == 1
    events = services.read(
        lambda s: s.execute(
            select(func.count())
            .select_from(calendar_events)
            .where(calendar_events.c.transaction_id == f"talk-{follow_up_id(talk.id)}")
        ).scalar_one()
    )
    assert events == 1
