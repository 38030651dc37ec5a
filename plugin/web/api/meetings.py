"""A recurring Teams meeting made a talk series from its tab's configuration page (Microsoft
mode): the lead's calendar tells which series has this meeting's chat; each of its times
becomes a talk of its own, and the tab opens the one on now or next.

The lead's calendar is read before the transaction (a remote call holds no database lock): the
occurrences ahead (whose join URL names the chat), then the series' master and its times.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.domain.errors import InvalidInput, NotAllowed, NotFound
from plugin.domain.meeting import chat_id_from_join_url, valid_chat_id
from plugin.domain.people import Person
from plugin.domain.series import WINDOW
from plugin.services import lead_rule, series
from plugin.services.context import Services
from plugin.services.people import signed_in_person
from plugin.web.api.base import api, talk_for_viewer
from plugin.web.context import as_viewer_read, as_viewer_write, services
from plugin.web.errors import Unavailable
from plugin.web.schemas import SeriesForMeeting
from plugin.web.session import signed_in_identity


@api.route(
    "POST",
    "/meetings/<chat_id>/series",
    summary="Make the recurring meeting with this chat a talk series (its organiser, the lead)",
    tag="teams",
    body=SeriesForMeeting,
    status=201,
)
def make_series(chat_id: str, body: SeriesForMeeting) -> tuple[dict[str, Any], int]:
    svc = services()
    if not valid_chat_id(chat_id):
        raise NotFound("not_found", "chat_id")
    identity = signed_in_identity()
    me = svc.read(lambda s: signed_in_person(s, *identity)) if identity else None
    if me is None or svc.watch is None:
        raise NotAllowed("outlook_only", "chat_id")
    if me.external:
        raise NotAllowed("external", "talk")
    now = svc.clock.now()
    try:
        ahead = svc.watch.window(me.email, now, now + WINDOW)
        ours = next(
            (
                e
                for e in ahead
                if e.series_master_id
                and chat_id_from_join_url(e.join_url) == chat_id
                and e.state.organizer == me.email.lower()
            ),
            None,
        )
        if ours is None or ours.series_master_id is None:
            raise InvalidInput("no_series_for_meeting", "chat_id")
        master = svc.watch.read(me.email, ours.series_master_id)
        if master is None or master.cancelled:
            raise InvalidInput("no_series_for_meeting", "chat_id")
        occurrences = svc.watch.instances(me.email, ours.series_master_id, now, now + WINDOW)
    except RetryableCalendarError:
        raise Unavailable("calendar_unavailable") from None
    except CalendarRejected as error:
        raise NotAllowed("calendar_refused", "chat_id", reason=error.reason) from None
    master_id, join_url = ours.series_master_id, ours.join_url

    def work(svc: Services, s: Session, lead: Person) -> tuple[str, bool]:
        talk, created = series.series_for_meeting(
            svc,
            s,
            lead,
            master_id=master_id,
            master=master,
            join_url=join_url,
            learner_id=body.learner_id,
            goals=body.goals,
            own_goal=body.own_goal,
            occurrences=occurrences,
            talk_type=body.type,
        )
        return talk.id, created

    # The lead rule's remote look-up (if any) happens before the transaction, not in it.
    talk_id, created = lead_rule.planning(svc, lambda: as_viewer_write(work))
    detail = as_viewer_read(lambda svc, s, me: talk_for_viewer(svc, s, talk_id, me))
    return detail, 201 if created else 200
