"""A check-in's invite in local mode: it names the agreement, who keeps it and by when, and
its progress since the talk (dated, who wrote it), in the organisation's language, with user
text escaped in the HTML body; nothing to prepare (no checklist).

(The Graph calendar's side: tests/microsoft/test_check_in_invite_graph.py.)
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from plugin.store.working_tables import calendar_events
from tests.api.test_checkins import at, signed_agreement
from tests.checkins.support import NOTE, proposed, slipped


def booked_body(services, outbox, marco, check_in_id: str) -> tuple[str, str, str]:
    """Accept the check-in as the lead, let the worker book it: the event's subject, text and
    HTML."""
    offer = marco.get(f"/api/check-ins/{check_in_id}").json
    answer = marco.post(f"/api/check-ins/{check_in_id}/accept", json={"version": offer["version"]})
    assert answer.status_code == 200, answer.json
    outbox.drain()
    talk_id = marco.get(f"/api/check-ins/{check_in_id}").json["check_in_talk_id"]
    assert talk_id is not None

    def read(s: Any) -> Any:
        return s.execute(
            select(
                calendar_events.c.subject, calendar_events.c.body_text, calendar_events.c.body_html
            ).where(calendar_events.c.transaction_id == f"talk-{talk_id}")
        ).one()

    row = services.read(read)
    return row.subject, row.body_text, row.body_html


def test_the_invite_carries_the_agreement_and_its_progress_in_dutch(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    slipped(services, clock, outbox, make_talk, lead, learner)
    subject, text, html = booked_body(
        services, outbox, marco, proposed(services, clock, outbox)["id"]
    )
    assert subject.startswith("Tussentijds gesprek: ")
    for body in (text, html):
        assert "Sem loopt een dag mee" in body
        assert "10 maart 2027" in body  # by when, the Dutch way
        assert "2 maart 2027" in body  # agreed in the talk of that day
        assert "5 maart 2027" in body and "8 maart 2027" in body  # the two steps, dated
        assert "Loopt vast" in body
        assert learner.display_name in body  # who wrote the steps
        assert "2027-03-10" not in body
        # Nothing to prepare: the talk's checklist is not in it.
        for section in services.template.sections:
            assert section.title.nl not in body
    assert NOTE in text
    assert "Planning &lt;b&gt;vol&lt;/b&gt; &amp; de bus rijdt niet" in html
    assert "<b>vol" not in html
    # The progress comes in the order it happened.
    assert html.index("5 maart 2027") < html.index("8 maart 2027")


def test_the_invite_is_in_english_for_an_english_organisation(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    services.language = "en"
    slipped(services, clock, outbox, make_talk, lead, learner)
    subject, text, html = booked_body(
        services, outbox, marco, proposed(services, clock, outbox)["id"]
    )
    assert subject.startswith("Check-in: ")
    for body in (text, html):
        assert "Check-in between" in body
        assert "10 March 2027" in body
        assert "Stuck" in body
        assert "Progress note" in body
        assert "Loopt vast" not in body


def test_without_progress_the_invite_says_nothing_was_noted(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    clock.set(at(3, 11, 9))
    _, text, html = booked_body(services, outbox, marco, proposed(services, clock, outbox)["id"])
    for body in (text, html):
        assert "Sinds het gesprek is er niets bijgehouden." in body


def test_a_moved_check_in_keeps_its_own_invite(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    slipped(services, clock, outbox, make_talk, lead, learner)
    check_in_id = proposed(services, clock, outbox)["id"]
    booked_body(services, outbox, marco, check_in_id)
    talk_id = marco.get(f"/api/check-ins/{check_in_id}").json["check_in_talk_id"]
    talk = marco.get(f"/api/talks/{talk_id}").json
    moved = marco.patch(
        f"/api/talks/{talk_id}",
        json={"version": talk["version"], "starts_at": at(3, 12, 14).isoformat()},
    )
    assert moved.status_code == 200, moved.json
    outbox.drain()

    def read(s: Any) -> Any:
        return s.execute(
            select(calendar_events.c.body_text).where(
                calendar_events.c.transaction_id == f"talk-{talk_id}"
            )
        ).scalar_one()

    text = services.read(read)
    assert "12 maart 2027" in text or "vrijdag 12 maart" in text
    assert "Loopt vast" in text
    for section in services.template.sections:
        assert section.title.nl not in text


def test_a_check_in_has_only_its_agreement_on_the_agenda(
    services, clock, outbox, make_talk, lead, learner, marco
) -> None:
    from plugin.domain.agreement import Owner
    from plugin.services import agreements, signoff

    talk = make_talk(lead, learner, starts_at=at(3, 2, 9))
    clock.set(at(3, 2, 9, 30))

    def agree(s: Any) -> None:
        for what, due in (("Sem loopt een dag mee", date(2027, 3, 10)), ("Sem leest", None)):
            item = agreements.add_agreement(
                services, s, lead, talk.id, what=what, owner=Owner.LEARNER, due=due
            )
            agreements.confirm_agreement(services, s, learner, talk.id, item.id, expected_version=1)
        signoff.sign_as_shown(services, s, lead, talk.id)
        signoff.sign_as_shown(services, s, learner, talk.id)

    services.write(agree)
    outbox.drain()
    clock.set(at(3, 11, 9))
    check_in_id = proposed(services, clock, outbox)["id"]
    booked_body(services, outbox, marco, check_in_id)
    talk_id = marco.get(f"/api/check-ins/{check_in_id}").json["check_in_talk_id"]
    items = marco.get(f"/api/talks/{talk_id}").json["agenda"]["items"]
    assert [i["text"] for i in items if i["key"].startswith("earlier:")] == [
        "Sem loopt een dag mee"
    ]
