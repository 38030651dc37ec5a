"""Local-mode sessions are checked against the person's session generation on every request,
remembered per process for a moment (`web/session_check.py`)."""

from __future__ import annotations

from plugin.services.people import session_generation, session_generations
from plugin.web.app import create_app
from plugin.web.session import SESSION_CHECK
from plugin.web.session_check import SessionGenerations
from tests.support.ticks import Ticks


def counting_reader(values: dict[tuple[str, str], int]):
    reads: list[tuple[str, str]] = []

    def read(tenant_id: str, person_id: str) -> int | None:
        reads.append((tenant_id, person_id))
        return values.get((tenant_id, person_id))

    return read, reads


def test_a_generation_is_remembered_for_a_moment_then_read_again():
    ticks = Ticks()
    read, reads = counting_reader({("t", "p"): 1})
    generations = SessionGenerations(read, ttl=1.0, monotonic=ticks)
    assert all(generations.is_current("t", "p", 1) for _ in range(5))
    assert len(reads) == 1
    ticks.now += 1.5
    assert generations.is_current("t", "p", 1)
    assert len(reads) == 2


def test_a_generation_that_does_not_match_is_always_read_again():
    ticks = Ticks()
    values = {("t", "p"): 1}
    read, reads = counting_reader(values)
    generations = SessionGenerations(read, ttl=60.0, monotonic=ticks)
    assert generations.is_current("t", "p", 1)
    values[("t", "p")] = 2  # signed out elsewhere, then in again: the new cookie says 2
    assert generations.is_current("t", "p", 2)
    assert len(reads) == 2
    assert not generations.is_current("t", "p", 1)  # the old cookie: read, and refused
    assert not generations.is_current("t", "nobody", 1)


def test_a_sign_out_elsewhere_ends_the_session_here_within_the_moment(
    services, client_for, lead, make_talk, learner
):
    talk = make_talk(lead, learner)
    ticks = Ticks()
    here = client_for(lead)
    # A second instance of the app on the same database, with its own memory.
    other = create_app(services)
    other.testing = True
    other.extensions[SESSION_CHECK] = SessionGenerations(
        lambda tenant_id, person_id: session_generation(services.db, tenant_id, person_id),
        ttl=1.0,
        monotonic=ticks,
    )
    copy = other.test_client()
    copy.set_cookie(
        "ontwikkelgesprek_session", here.client.get_cookie("ontwikkelgesprek_session").value
    )
    assert copy.get(f"/api/talks/{talk.id}").status_code == 200
    assert here.post("/api/signout").status_code == 200
    # (On the app that handled the sign-out the copied cookie ends at once: test_hardening.)
    assert copy.get(f"/api/talks/{talk.id}").status_code == 200  # remembered for a moment
    ticks.now += 1.5
    assert copy.get(f"/api/talks/{talk.id}").status_code == 401  # the other: within a second


def test_a_refresh_reads_everyone_again_in_one_query_so_polls_wait_for_nobody():
    ticks = Ticks()
    values = {("t", "p"): 1, ("t", "q"): 4}
    read, reads = counting_reader(values)
    batches: list[list[tuple[str, str]]] = []

    def read_many(keys):
        batches.append(sorted(keys))
        return {k: values[k] for k in keys if k in values}

    generations = SessionGenerations(
        read, read_many=read_many, ttl=1.0, monotonic=ticks, background=False
    )
    assert generations.is_current("t", "p", 1) and generations.is_current("t", "q", 4)
    assert len(reads) == 2
    for _ in range(3):
        ticks.now += 0.5
        generations.refresh()
        assert generations.is_current("t", "p", 1) and generations.is_current("t", "q", 4)
    assert len(reads) == 2, "every poll was answered from memory"
    assert batches == [[("t", "p"), ("t", "q")]] * 3
    # Signing out elsewhere: the next refresh sees it, and the old cookie stops working.
    values[("t", "p")] = 2
    ticks.now += 0.5
    generations.refresh()
    assert not generations.is_current("t", "p", 1)


def test_people_not_seen_for_a_while_are_forgotten():
    ticks = Ticks()
    read, _ = counting_reader({("t", "p"): 1})
    batches: list[list[tuple[str, str]]] = []
    generations = SessionGenerations(
        read,
        read_many=lambda keys: batches.append(list(keys)) or {},
        ttl=1.0,
        forget_after=10.0,
        monotonic=ticks,
        background=False,
    )
    generations.is_current("t", "p", 1)
    ticks.now += 11
    generations.refresh()
    assert batches == []


def test_the_bulk_read_finds_people_by_tenant_and_id(services, lead, learner):
    keys = [(lead.tenant_id, lead.id), (learner.tenant_id, learner.id), ("other", lead.id)]
    found = session_generations(services.db, keys)
    assert found == {(lead.tenant_id, lead.id): 1, (learner.tenant_id, learner.id): 1}
