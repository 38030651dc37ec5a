"""Local-mode sessions are checked against the person's session generation on every request,
remembered per process for a moment (`web/session_check.py`)."""

from __future__ import annotations

from plugin.services.people import session_generation
from plugin.web.app import create_app
from plugin.web.session import SESSION_CHECK
from plugin.web.session_check import SessionGenerations


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


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
