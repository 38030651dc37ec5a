"""The retention purge: expired tracks go whole, active ones stay, batch by batch, once a day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.jobs.outbox import Outbox
from plugin.services import audit, privacy
from plugin.services.context import Services, user_key
from plugin.services.privacy_terms import Terms
from plugin.store.audit_tables import audit_log, stored_settings, upkeep_runs
from plugin.store.schema import people, talks, tracks
from tests.conftest import ApiClient
from tests.privacy.loop import TEXTS, whole_loop
from tests.privacy.search import rows_holding

TERMS = Terms(retention_months=24, audit_retention_months=60)


@pytest.fixture
def looped(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
) -> str:
    loop = whole_loop(services, outbox, clock, client_for(lead), client_for(learner), learner.id)
    return loop.talk_id


def _talk_ids_of_track(services: Services, talk_id: str) -> list[str]:
    def work(s: object) -> list[str]:
        track = s.execute(select(talks.c.track_id).where(talks.c.id == talk_id)).scalar()  # type: ignore[attr-defined]
        return list(s.execute(select(talks.c.id).where(talks.c.track_id == track)).scalars())  # type: ignore[attr-defined]

    return services.read(work)  # type: ignore[arg-type]


def test_an_expired_track_goes_whole_and_an_active_one_stays(
    services: Services,
    clock: FixedClock,
    looped: str,
    lead: Person,
    make_person: Callable[..., Person],
    make_talk: Callable[..., Talk],
) -> None:
    track_talks = _talk_ids_of_track(services, looped)
    assert len(track_talks) == 2  # the talk and its booked follow-up
    # Two years after the follow-up (never held), the lead plans with someone else.
    clock.set(datetime(2029, 6, 1, 8, 0, tzinfo=UTC))
    other = make_person(display_name="Noor Nieuw", email="noor@example.test")
    kept = make_talk(lead, other)

    terms, found = privacy.expired(services, TERMS)
    assert terms.base == TERMS and terms.stored == {}
    assert (found[0].tenant_id, found[0].retention_months) == ("local", 24)
    assert [sorted(t.talk_id for t in track.talks) for track in found] == [sorted(track_talks)]
    assert found[0].delete_after is not None and found[0].delete_after < clock.now()

    result = privacy.purge(services, TERMS)
    assert (result.tracks, result.talks) == (1, 2)
    # Sem (the learner) and Karin (the supervisor) are in nothing any more; Marco is.
    assert result.people == 2
    assert rows_holding(services.db.engine, track_talks) == []
    assert rows_holding(services.db.engine, [TEXTS[k] for k in TEXTS]) == []
    names = services.read(lambda s: set(s.execute(select(people.c.display_name)).scalars()))
    assert names == {lead.display_name, "Noor Nieuw"}
    assert services.read(lambda s: s.get(Talk, kept.id)) is not None
    # Nothing more to do.
    assert privacy.expired(services, TERMS)[1] == []


def test_a_track_is_kept_until_its_period_ends(
    services: Services, clock: FixedClock, looped: str
) -> None:
    clock.set(datetime(2029, 3, 1, 8, 0, tzinfo=UTC))  # under two years after the follow-up
    assert privacy.expired(services, TERMS)[1] == []
    assert privacy.purge(services, TERMS).talks == 0
    assert services.read(lambda s: s.get(Talk, looped)) is not None


def test_an_admins_stored_period_wins_over_the_setting(
    services: Services, clock: FixedClock, looped: str
) -> None:
    clock.set(datetime(2028, 6, 1, 8, 0, tzinfo=UTC))
    assert privacy.expired(services, TERMS)[1] == []
    services.write(
        lambda s: s.execute(
            insert(stored_settings).values(
                tenant_id="local", name="retention_months", value=12, updated_at=clock.now()
            )
        )
    )
    terms, found = privacy.expired(services, TERMS)
    assert terms.of("local").retention_months == 12
    assert len(found) == 1


def test_purge_works_in_batches(
    services: Services,
    clock: FixedClock,
    make_person: Callable[..., Person],
    make_talk: Callable[..., Talk],
) -> None:
    lead = make_person()
    for _ in range(5):
        make_talk(lead, make_person())
    clock.set(clock.now() + timedelta(days=3 * 365))
    result = privacy.purge(services, TERMS, batch_tracks=2)
    assert (result.tracks, result.talks, result.batches, result.people) == (5, 5, 3, 6)
    assert services.read(lambda s: s.execute(select(tracks.c.id)).all()) == []


def test_a_talk_planned_after_the_listing_keeps_its_track(
    services: Services,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    old = make_talk(lead, learner)
    clock.set(clock.now() + timedelta(days=3 * 365))
    assert len(privacy.expired(services, TERMS)[1]) == 1
    make_talk(lead, learner)  # same pair, same track: active again
    assert privacy.purge(services, TERMS).tracks == 0
    assert services.read(lambda s: s.get(Talk, old.id)) is not None


def test_people_left_in_nothing_lose_their_token_caches(
    services: Services,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    make_talk(lead, learner)
    clock.set(clock.now() + timedelta(days=3 * 365))
    forgotten: list[str] = []
    privacy.purge(services, TERMS, forget_tokens=forgotten.append)
    assert sorted(forgotten) == sorted(user_key(p.tenant_id, p.object_id) for p in (lead, learner))


def test_audit_entries_go_after_their_own_period(services: Services, clock: FixedClock) -> None:
    audit.record(services, "export", tenant_id="local", actor_id="a", subject_id="a")
    clock.set(clock.now() + timedelta(days=4 * 365))
    audit.record(services, "export", tenant_id="local", actor_id="b", subject_id="b")
    clock.set(clock.now() + timedelta(days=2 * 365))
    assert privacy.purge(services, TERMS).audit_entries == 1
    left = services.read(lambda s: list(s.execute(select(audit_log.c.actor_id)).scalars()))
    assert left == ["b"]


def test_the_daily_run_runs_once_a_day(
    services: Services,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    assert privacy.daily(services, TERMS) is not None  # the first run ever
    assert privacy.daily(services, TERMS) is None  # another worker, the same day
    make_talk(lead, learner)
    clock.set(clock.now() + timedelta(days=3 * 365))
    result = privacy.daily(services, TERMS)
    assert result is not None and result.talks == 1
    summary = services.read(lambda s: s.execute(select(upkeep_runs.c.summary)).scalar_one())
    assert summary["talks"] == 1
    clock.advance(timedelta(hours=23))
    assert privacy.daily(services, TERMS) is None
    clock.advance(timedelta(hours=1))
    assert privacy.daily(services, TERMS) is not None


def test_the_upkeep_runs_the_rest_when_the_purge_fails(
    services: Services, settings: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from plugin.cli_privacy import daily_upkeep

    ran: list[str] = []

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(privacy, "daily", broken)
    daily_upkeep(services, settings, lambda: ran.append("reminders"))()  # type: ignore[arg-type]
    assert ran == ["reminders"]


def test_the_upkeep_purges_once_a_day(
    services: Services,
    settings: object,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    from plugin.cli_privacy import daily_upkeep

    talk = make_talk(lead, learner)
    clock.set(clock.now() + timedelta(days=3 * 365))
    upkeep = daily_upkeep(services, settings)  # type: ignore[arg-type]
    upkeep()
    assert services.read(lambda s: s.get(Talk, talk.id)) is None
    upkeep()  # the same day: nothing more
    runs = services.read(lambda s: s.execute(select(upkeep_runs.c.name)).scalars().all())
    assert runs == ["privacy_purge"]
