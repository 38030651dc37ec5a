"""A recurring meeting in Outlook made a talk series from the add-in, and kept in step: each
occurrence its own talk in one track, made as it comes within the window; a moved or
cancelled occurrence changes its own talk only; a move of the whole series moves the talks
not yet held; the series' one meeting tab opens the talk on now or next. Real msal and
msgraph-sdk against the fakes; the service over HTTPS so Graph's notifications reach it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.series import WINDOW, TalkSeries
from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import CANCELLED_IN_OUTLOOK
from plugin.domain.talk_state import TalkStatus
from plugin.services import calendar_sync
from plugin.services.context import Links
from tests.microsoft.fixtures import bearer
from tests.microsoft.https_server import LoopbackHttps
from tests.microsoft.outlook_world import AMS, Office

WEEKLY_ON_TUESDAY = {
    "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["tuesday"]},
    "range": {
        "type": "noEnd",
        "startDate": "2027-03-02",
        "recurrenceTimeZone": "W. Europe Standard Time",
    },
}
FIRST = datetime(2027, 3, 2, 10, 0, tzinfo=AMS)


class Series:
    def __init__(self, office: Office) -> None:
        self.office = office
        self.marco, self.as_marco = office.person("Marco")
        self.sem, self.as_sem = office.person("Sem")
        event = office.graph.add_event(
            self.marco,
            "Wekelijks gesprek",
            FIRST,
            FIRST + timedelta(minutes=45),
            attendees=[self.sem],
            online_meeting=True,
            recurrence=WEEKLY_ON_TUESDAY,
        )
        self.master = event["id"]
        self.item_id = office.graph.ews_id(self.marco, self.master)

    def signed_in(self, name: str, address: str) -> dict[str, str]:
        office = self.office
        return bearer(
            office.entra,
            office.clock,
            f"oid-{name.lower()}",
            name=name,
            extra={"preferred_username": address},
        )

    def make(self) -> Any:
        made = self.office.client.post(
            "/api/outlook/talks", headers=self.as_marco, json={"item_id": self.item_id}
        )
        assert made.status_code == 201, made.json
        return made.json

    def talks(self) -> list[Talk]:
        found = self.office.svc.read(
            lambda s: s.query(Talk).order_by(Talk.starts_at).all()  # type: ignore[arg-type]
        )
        return list(found)

    def open_talks(self) -> list[Talk]:
        return [t for t in self.talks() if t.status is TalkStatus.PLANNED]

    def series(self) -> TalkSeries:
        [found] = self.office.svc.read(lambda s: s.query(TalkSeries).all())
        return found

    def apply(self) -> None:
        self.office.graph.deliver()
        self.office.outbox.drain()


@pytest.fixture
def weekly(office: Office) -> Iterator[Series]:
    server = LoopbackHttps(office.app, office.entra.ca)
    office.graph.now = office.clock.now
    office.svc.links = Links(
        f"https://127.0.0.1:{server.port}", teams_app_id=office.svc.links.teams_app_id
    )
    try:
        yield Series(office)
    finally:
        server.stop()


def test_a_recurring_meeting_becomes_a_series_of_talks_in_one_track(weekly: Series) -> None:
    office = weekly.office
    made = weekly.make()
    found = weekly.talks()
    now = office.clock.now()
    # Every Tuesday within the window, each its own talk of its own occurrence.
    assert len(found) == len([t for t in found if t.starts_at <= now + WINDOW]) >= 7
    assert len({t.event_id for t in found}) == len(found)
    assert {t.track_id for t in found} == {found[0].track_id}
    assert made["talk"]["id"] == found[0].id  # the pane shows the next one
    # (The fake's series is in UTC: after the change to summer time it is 11:00 here.)
    assert {t.starts_at.astimezone(AMS).strftime("%a") for t in found} == {"Tue"}
    starts = [t.occurrence_start for t in found]
    gaps = {b - a for a, b in itertools.pairwise(starts) if a and b}
    assert gaps == {timedelta(weeks=1)}
    # Pressing again makes nothing new.
    again = office.client.post(
        "/api/outlook/talks", headers=weekly.as_marco, json={"item_id": weekly.item_id}
    )
    assert again.status_code == 200 and again.json["talk"]["id"] == found[0].id
    assert len(weekly.talks()) == len(found)
    # One tab for the series' one chat, opening the talk on now or next.
    office.outbox.drain()
    chat = found[0].meeting_chat_id
    assert chat and {t.meeting_chat_id for t in found} == {chat}
    [tab] = office.graph.chat_tabs(chat)
    assert tab["configuration"]["contentUrl"].endswith(f"/meetings/{quote(chat, safe='')}")


def test_the_series_tab_opens_the_talk_on_now_or_next_and_offers_the_others(
    weekly: Series,
) -> None:
    weekly.make()
    office = weekly.office
    found = weekly.talks()
    chat = found[0].meeting_chat_id
    assert chat
    office.clock.set(found[1].starts_at - timedelta(days=1))
    as_sem = weekly.signed_in("Sem", weekly.sem)  # a token of now
    opened = office.client.get(f"/meetings/{chat}", headers=as_sem)
    assert opened.status_code == 302
    assert opened.headers["Location"].endswith(f"/talks/{found[1].id}")
    page = office.client.get(f"/talks/{found[1].id}/prepare", headers=as_sem)
    shown = page.get_data(as_text=True)
    assert "Andere keren van deze afspraak" in shown
    assert f"/talks/{found[2].id}" in shown


def test_one_occurrence_moved_or_cancelled_changes_its_own_talk_only(weekly: Series) -> None:
    weekly.make()
    office = weekly.office
    calendar_sync.maintain(office.svc)  # subscribed
    office.graph.deliver()
    office.outbox.drain()
    before = {t.id: t.starts_at for t in weekly.talks()}
    second, third = weekly.talks()[1:3]
    moved_to = second.starts_at + timedelta(days=1, hours=3)
    office.graph.user_moves_occurrence(
        weekly.marco,
        weekly.master,
        second.occurrence_start,
        moved_to,
        moved_to + timedelta(minutes=45),
    )
    office.graph.user_cancels_occurrence(weekly.marco, weekly.master, third.occurrence_start)
    weekly.apply()
    after = {t.id: t for t in weekly.talks()}
    assert after[second.id].starts_at == moved_to
    assert after[third.id].status is TalkStatus.CANCELLED
    assert after[third.id].cancel_reason == CANCELLED_IN_OUTLOOK
    others = [t for t in after.values() if t.id not in (second.id, third.id)]
    assert all(t.starts_at == before[t.id] and t.status is TalkStatus.PLANNED for t in others)


def test_a_move_of_the_whole_series_moves_the_talks_not_yet_held(weekly: Series) -> None:
    weekly.make()
    office = weekly.office
    calendar_sync.maintain(office.svc)
    office.graph.deliver()
    office.outbox.drain()
    first = weekly.talks()[0]
    office.svc.write(lambda s: setattr(s.get(Talk, first.id), "status", TalkStatus.HELD))
    count = len(weekly.talks())
    new_first = datetime(2027, 3, 9, 14, 0, tzinfo=AMS)  # Tuesdays at 14:00 from now on
    office.clock.set(first.ends_at + timedelta(hours=1))
    office.graph.user_moves_series(
        weekly.marco, weekly.master, new_first, new_first + timedelta(minutes=45)
    )
    weekly.apply()
    found = weekly.talks()
    held = next(t for t in found if t.id == first.id)
    assert held.starts_at == first.starts_at and held.status is TalkStatus.HELD
    moved = [t for t in found if t.id != first.id and t.status is TalkStatus.PLANNED]
    # At the new time (the fake's series keeps UTC across the change to summer time).
    assert moved
    assert {t.starts_at.astimezone(UTC).strftime("%a %H:%M") for t in moved} == {
        new_first.astimezone(UTC).strftime("%a %H:%M")
    }
    assert len({t.event_id for t in found}) == len(found)
    assert len(found) >= count - 1  # nothing duplicated, nothing lost but what lies past


def test_the_window_moves_on_and_makes_the_next_talks_once(weekly: Series) -> None:
    weekly.make()
    office = weekly.office
    calendar_sync.maintain(office.svc)
    count = len(weekly.talks())
    office.clock.advance(timedelta(weeks=2))
    calendar_sync.maintain(office.svc)
    calendar_sync.maintain(office.svc)
    found = weekly.talks()
    assert len(found) == count + 2
    assert len({t.occurrence_start for t in found}) == len(found)


def test_the_series_cancelled_in_outlook_ends_and_its_open_talks_are_cancelled(
    weekly: Series,
) -> None:
    weekly.make()
    office = weekly.office
    calendar_sync.maintain(office.svc)
    office.graph.deliver()
    office.outbox.drain()
    office.graph.user_cancels_event(weekly.marco, weekly.master)
    weekly.apply()
    assert not weekly.series().active
    assert {t.status for t in weekly.talks()} == {TalkStatus.CANCELLED}


def test_unlinking_a_series_talk_ends_the_series(weekly: Series) -> None:
    made = weekly.make()
    office = weekly.office
    talk = made["talk"]
    gone = office.client.post(
        f"/api/outlook/talks/{talk['id']}/unlink",
        headers=weekly.as_marco,
        json={"version": talk["version"]},
    )
    assert gone.status_code == 200, gone.json
    assert not weekly.series().active
    assert {t.status for t in weekly.talks()} == {TalkStatus.CANCELLED}


def test_the_meeting_tab_set_up_makes_the_recurring_meeting_a_series(weekly: Series) -> None:
    office = weekly.office
    [master] = [e for e in office.graph.events(weekly.marco) if e["id"] == weekly.master]
    chat = chat_id_from_join_url(master["onlineMeeting"]["joinUrl"])
    assert chat
    # Sem is invited, not the organiser: his calendar has no series of his with this chat.
    refused = office.client.post(f"/api/meetings/{chat}/series", headers=weekly.as_sem, json={})
    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["code"] == "no_series_for_meeting"
    made = office.client.post(f"/api/meetings/{chat}/series", headers=weekly.as_marco, json={})
    assert made.status_code == 201, made.json
    found = weekly.talks()
    assert len(found) >= 7 and made.json["id"] == found[0].id
    assert {t.meeting_chat_id for t in found} == {chat}
    again = office.client.post(f"/api/meetings/{chat}/series", headers=weekly.as_marco, json={})
    assert again.status_code == 200 and again.json["id"] == found[0].id
    assert len(weekly.talks()) == len(found)
