"""Erasing a person: what is only theirs goes, the other's record stays with a deleted user in
it, and the name and address are gone from every table (and from the SQLite file)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.jobs.outbox import Outbox
from plugin.services import privacy_erase
from plugin.services.context import Services, user_key
from plugin.store.audit_tables import audit_log
from plugin.store.schema import people, tracks
from tests.conftest import ApiClient
from tests.privacy.loop import TEXTS, Loop, whole_loop
from tests.privacy.search import file_holds, rows_holding

DELETED = "verwijderde gebruiker"


@pytest.fixture
def loop(
    services: Services,
    outbox: Outbox,
    clock: FixedClock,
    client_for: Callable[[Person], ApiClient],
    lead: Person,
    learner: Person,
) -> Loop:
    return whole_loop(services, outbox, clock, client_for(lead), client_for(learner), learner.id)


def test_the_learners_erasure_leaves_the_leads_record_with_a_deleted_user(
    services: Services,
    client_for: Callable[[Person], ApiClient],
    loop: Loop,
    lead: Person,
    learner: Person,
) -> None:
    marco = client_for(lead)
    before = marco.talk(loop.talk_id)
    assert learner.display_name in before["title"]
    forgotten: list[str] = []

    done = privacy_erase.erase(services, learner.id, forget_tokens=forgotten.append)

    assert (done.talks_kept, done.tracks_deleted, done.row_deleted) == (2, 0, False)
    assert done.still_planned == 1  # the booked follow-up
    assert forgotten == [user_key(learner.tenant_id, learner.object_id)]
    after = marco.talk(loop.talk_id)
    assert after["learner"]["name"] == DELETED
    assert after["title"] == before["title"].replace(learner.display_name, DELETED)
    assert after["status"] == "signed"
    assert after["own_goal"] == TEXTS["lead_goal"]  # the lead's own
    assert after["learner_goal"] == ""  # the learner's own goal went
    [agreement] = after["agreements"]
    assert (agreement["what"], agreement["reaction"]) == (TEXTS["agreed"], TEXTS["reaction"])
    form = marco.get(f"/api/talks/{loop.talk_id}/form")
    assert form.status_code == 200, form.json
    assert form.json.get("intact") is True, form.json
    # The learner's private points went; the lead's feedback draft stays.
    engine = services.db.engine
    assert rows_holding(engine, [TEXTS["private_point"], TEXTS["shared_point"]]) == []
    assert rows_holding(engine, [TEXTS["feedback"]]) != []
    audit = services.read(lambda s: s.execute(select(audit_log.c.action)).scalars().all())
    assert "erase" in audit


def test_their_old_session_stops_working(
    services: Services, client_for: Callable[[Person], ApiClient], learner: Person
) -> None:
    sem = client_for(learner)
    privacy_erase.erase(services, learner.id)
    assert sem.get("/api/me").status_code == 401


def test_name_and_address_are_gone_from_every_table_and_the_file(
    services: Services, loop: Loop, lead: Person, learner: Person, settings: object
) -> None:
    needles = [learner.display_name, learner.email]
    # There before, or the test is moot.
    assert rows_holding(services.db.engine, needles) != []
    url = make_url(services.db.engine.url)
    sqlite_file = (
        Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
    )
    if sqlite_file is not None:
        assert file_holds(sqlite_file, needles) == needles
    privacy_erase.erase(services, learner.id)
    assert rows_holding(services.db.engine, needles) == []
    if sqlite_file is not None:
        # Deleted bytes stay in SQLite's free pages and its log unless the file is rebuilt.
        assert file_holds(sqlite_file, needles) == []
    # The lead is untouched.
    assert rows_holding(services.db.engine, [lead.display_name]) != []


def test_when_both_are_erased_the_track_goes_whole(
    services: Services, loop: Loop, lead: Person, learner: Person
) -> None:
    privacy_erase.erase(services, learner.id)
    done = privacy_erase.erase(services, lead.id)
    assert (done.tracks_deleted, done.row_deleted) == (1, True)
    assert (
        services.read(lambda s: s.execute(select(func.count()).select_from(tracks)).scalar()) == 0
    )
    left = services.read(lambda s: list(s.execute(select(people.c.display_name)).scalars()))
    assert left == []  # the supervisor went with the track's only share
    assert rows_holding(services.db.engine, list(TEXTS.values())) == []


def test_a_person_in_nothing_goes_whole(
    services: Services, make_person: Callable[..., Person]
) -> None:
    alone = make_person(display_name="Alleen Iemand")
    done = privacy_erase.erase(services, alone.id)
    assert done.row_deleted
    assert services.read(lambda s: s.get(Person, alone.id)) is None


def test_an_english_organisation_shows_deleted_user(
    services: Services, make_person: Callable[..., Person]
) -> None:
    services.language = "en"
    assert privacy_erase.deleted_label(services) == "deleted user"
    services.language = "nl"
    assert privacy_erase.deleted_label(services) == DELETED
