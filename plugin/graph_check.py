"""`ontwikkelgesprek check-graph`: the admin's check of the Microsoft set-up, in plain words.

It does what the worker does, once, against one mailbox: gets an app token from Entra ID,
reads that mailbox's calendar for the coming week, and asks its free/busy for a free half
hour. Each step prints what worked, or what is missing and where to fix it. Nothing is
written to any calendar.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from plugin.calendar.port import Attendee, CalendarRejected, RetryableCalendarError, SlotRequest
from plugin.domain.schedule import Interval, WorkingHours
from plugin.settings import MICROSOFT, Settings

#: What to tell the admin for each reason a calendar call was refused.
HINTS = {
    "calendar_permission": (
        "the app may not use this mailbox's calendar. In Entra ID, grant the application "
        "permission Calendars.ReadWrite and click 'Grant admin consent'; if an application "
        "access policy (or RBAC for Applications) limits the app, add this mailbox to its group."
    ),
    "mailbox_not_found": (
        "there is no mailbox with this address in the tenant. Use the person's primary e-mail "
        "address (or user principal name), and check that they have an Exchange Online licence."
    ),
    "calendar_sign_in": "the app could not get a token; see the first step.",
}


def run_check(
    settings: Settings, mailbox: str, first_day: date | None, echo: Callable[[str], object]
) -> bool:
    if settings.mode != MICROSOFT or settings.microsoft_problems():
        echo("✗ Configuration: Microsoft mode is not set up.")
        for problem in settings.microsoft_problems() or [
            "ONTWIKKELGESPREK_TENANT_ID and ONTWIKKELGESPREK_CLIENT_ID are not set"
        ]:
            echo(f"  - {problem}")
        return False
    echo(f"✓ Configuration: tenant {settings.tenant_id}, app {settings.client_id}")

    from plugin.bootstrap import GraphWiring
    from plugin.identity.token_problems import TokenProblem

    # One token service for the check and the calendar: the token is fetched once.
    graph = GraphWiring(settings)
    try:
        token = graph.tokens().app_token()
    except TokenProblem as problem:
        echo(f"✗ App token from Entra ID ({settings.authority_host}): {problem}")
        return False
    roles = _roles(token)
    echo(
        "✓ App token from Entra ID"
        + (f" (application permissions: {', '.join(roles)})" if roles else "")
    )

    calendar = graph.calendar()
    zone = ZoneInfo(settings.timezone)
    start_day = first_day or datetime.now(zone).date()
    week = Interval(
        datetime.combine(start_day, time(0), tzinfo=zone),
        datetime.combine(start_day + timedelta(days=7), time(0), tzinfo=zone),
    )
    person = Attendee(person_id=mailbox, name=mailbox, email=mailbox)
    ok = True
    try:
        events = calendar.list_events(person, week)
        echo(f"✓ Calendar of {mailbox}: {len(events)} event(s) from {start_day} for 7 days")
        slot_request = SlotRequest(
            attendees=(person,),
            window=week,
            earliest=week.start,
            horizon=week.end,
            duration=timedelta(minutes=30),
            hours=WorkingHours(timezone=settings.timezone),
            options=0,
        )
        found = calendar.find_slot(slot_request)
        if found.slot is not None:
            when = found.slot.start.astimezone(zone).strftime("%a %d %b %H:%M")
            echo(f"✓ Free/busy of {mailbox}: first free half hour {when}")
        else:
            echo(f"✓ Free/busy of {mailbox}: readable, but no free half hour that week")
    except CalendarRejected as error:
        echo(f"✗ Calendar of {mailbox}: {HINTS.get(error.reason, str(error))}")
        echo(f"  (Graph said: {error})")
        ok = False
    except RetryableCalendarError as error:
        echo(f"✗ Microsoft Graph ({settings.graph_url}) did not answer in time: {error}")
        ok = False
    finally:
        graph.close()
    echo("All checks passed." if ok else "Not everything works yet; see the ✗ lines above.")
    return ok


def _roles(token: str) -> list[str]:
    """The application permissions the token names, for information only (no verification).

    Empty does not mean missing: RBAC for Applications grants access outside the token.
    """
    import jwt

    try:
        roles = jwt.decode(token, options={"verify_signature": False}).get("roles", [])
    except jwt.PyJWTError:
        return []
    return sorted(str(r) for r in roles) if isinstance(roles, list) else []
