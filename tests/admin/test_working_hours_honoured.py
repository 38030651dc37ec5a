"""The week an admin sets is the one the app works by, for that tenant only: a follow-up is
not booked on the admin's holiday or a day off, a reminder waits for the next working
morning, a check-in is not offered on a holiday, and "not signed after 5 working days" does
not count the holidays."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import Person
from plugin.domain.talk import Talk
from plugin.domain.work_week import Holiday, WorkWeek
from plugin.jobs.outbox import Outbox
from plugin.services import working_time
from plugin.services.context import Services
from tests.api.test_checkins import at as check_in_at
from tests.api.test_checkins import signed_agreement
from tests.api.test_follow_up_booking import busy
from tests.api.test_reminder_scan import at, reminders_enqueued, scan, signed_with_agreement
from tests.checkins.support import proposed
from tests.conftest import ApiClient

OTHER = "other-tenant"


def set_week(
    services: Services,
    tenant: str,
    holidays: list[date],
    days: frozenset[int] = frozenset(range(5)),
) -> None:
    """What the tenant's admin saves on the admin page (its first save)."""
    week = WorkWeek(days, time(8, 30), time(17, 0), tuple(Holiday(d) for d in holidays))
    services.write(
        lambda s: working_time.store_week(
            s, services.policy.hours, tenant, week, 0, services.clock.now()
        )
    )


def follow_up_start(
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
    client_for: Callable[[Person], ApiClient],
    clock: FixedClock,
) -> datetime:
    """Plan a talk on Tuesday 2 March 2027 at 09:00, sign it: where its follow-up is booked."""
    clock.set(datetime.fromisoformat("2027-03-01T08:00:00+00:00"))
    talk = make_talk(lead, learner, starts_at=at(2027, 3, 2, 9))
    clock.set(talk.starts_at + timedelta(minutes=50))
    for who in (client_for(lead), client_for(learner)):
        answer = who.sign(talk.id)
        assert answer.status_code == 200, answer.json
    follow_up = answer.json["follow_up"]
    assert follow_up["status"] == "booked", follow_up
    return datetime.fromisoformat(client_for(lead).talk(follow_up["talk_id"])["starts_at"])


def test_a_follow_up_is_not_booked_on_the_admins_holiday_or_day_off(
    services: Services,
    make_person: Callable[..., Person],
    make_talk: Callable[..., Talk],
    client_for: Callable[[Person], ApiClient],
    clock: FixedClock,
) -> None:
    # Six weeks on: Tuesday 13 April 2027, the first slot of the day.
    first = follow_up_start(make_person(), make_person(), make_talk, client_for, clock)
    assert first == at(2027, 4, 13, 8, 30)
    # Another tenant's holiday on that day changes nothing here.
    set_week(services, OTHER, [date(2027, 4, 13)])
    again = follow_up_start(make_person(), make_person(), make_talk, client_for, clock)
    assert again == at(2027, 4, 13, 8, 30)
    # The admin here makes 13 April a holiday and Wednesday a day off: Thursday 15 April.
    set_week(services, "local", [date(2027, 4, 13)], frozenset({0, 1, 3, 4}))
    later = follow_up_start(make_person(), make_person(), make_talk, client_for, clock)
    assert later == at(2027, 4, 15, 8, 30)


def test_a_reminder_waits_past_the_admins_holiday(
    services: Services,
    clock: FixedClock,
    lead: Person,
    learner: Person,
    make_talk: Callable[..., Talk],
) -> None:
    _talk, item = signed_with_agreement(
        services, clock, lead, learner, make_talk, date(2026, 12, 14), Owner.LEARNER
    )
    set_week(services, OTHER, [date(2026, 12, 16)])  # not ours: no effect
    set_week(services, "local", [date(2026, 12, 14), date(2026, 12, 15)])
    clock.set(at(2026, 12, 12, 23))  # Saturday night: due soon, found now
    scan(services)
    mine = [run for _k, _p, subject, run in reminders_enqueued(services) if subject == item.id]
    # Not on Monday 14 or Tuesday 15 December (the admin's holidays): Wednesday morning.
    assert mine == [at(2026, 12, 16, 8, 30)]
    # Overdue counts from the working day after the due date: Wednesday, not Tuesday.
    clock.set(at(2026, 12, 15, 12))
    scan(services)
    kinds = [k for k, _p, subject, _r in reminders_enqueued(services) if subject == item.id]
    assert kinds == ["due_soon"]
    clock.set(at(2026, 12, 16, 8, 30))
    scan(services)
    kinds = [k for k, _p, subject, _r in reminders_enqueued(services) if subject == item.id]
    assert kinds == ["due_soon", "overdue"]


def test_late_signing_counts_working_days_without_the_admins_holidays(
    hanna: ApiClient,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    client_for: Callable[[Person], ApiClient],
    clock: FixedClock,
) -> None:
    talk = make_talk(lead, learner, starts_at=at(2027, 3, 2, 9))  # Tuesday 2 March
    clock.set(talk.starts_at + timedelta(minutes=10))
    marco = client_for(lead)
    held = marco.post(
        f"/api/talks/{talk.id}/held", json={"version": marco.talk(talk.id)["version"]}
    )
    assert held.status_code == 200, held.json

    def late() -> list[str]:
        return [t["late"] for t in hanna.get("/api/admin/late").json["talks"]]

    # Five working days after it: Tuesday 9 March; on Wednesday 10 March it is late.
    clock.set(at(2027, 3, 10, 12))
    assert late() == ["not_signed"]
    week = {
        "days": [0, 1, 2, 3, 4],
        "start": "08:30",
        "end": "17:00",
        "holidays": [{"date": "2027-03-03", "name": "Studiedag"}, {"date": "2027-03-04"}],
        "version": 0,
    }
    assert hanna.put("/api/admin/working-hours", json=week).status_code == 200
    # Two holidays: five working days end on Thursday 11 March.
    assert late() == []
    clock.set(at(2027, 3, 12, 9))
    assert late() == ["not_signed"]


def test_a_check_in_is_not_planned_on_the_admins_holiday(
    services: Services,
    clock: FixedClock,
    outbox: Outbox,
    make_talk: Callable[..., Talk],
    lead: Person,
    learner: Person,
    client_for: Callable[[Person], ApiClient],
) -> None:
    # Sem's agreement due Wednesday 10 March 2027: on Thursday 11 March, 09:00, it slipped.
    signed_agreement(services, clock, make_talk, lead, learner, date(2027, 3, 10))
    outbox.drain()
    set_week(services, OTHER, [date(2027, 3, 16)])  # not ours: no effect
    # Marco is busy all Thursday; the admin here makes Friday 12 and Monday 15 March holidays.
    busy(services, lead, check_in_at(3, 11, 7), check_in_at(3, 11, 20))
    set_week(services, "local", [date(2027, 3, 12), date(2027, 3, 15)])
    clock.set(check_in_at(3, 11, 9))
    offer = client_for(lead).get(f"/api/check-ins/{proposed(services, clock, outbox)['id']}").json
    # Not on the holidays: the first time free for both is Tuesday 16 March's first slot.
    assert datetime.fromisoformat(offer["starts_at"]) == check_in_at(3, 16, 8, 30)
    # A time the lead picks on the holiday is refused, naming the field.
    picked = client_for(lead).post(
        f"/api/check-ins/{offer['id']}/accept",
        json={"version": offer["version"], "starts_at": check_in_at(3, 12, 10).isoformat()},
    )
    assert (picked.status_code, picked.json["error"]["field"]) == (422, "starts_at")
