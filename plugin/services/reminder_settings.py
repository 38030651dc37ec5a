"""Which kinds of reminder each person wants: all are on until they turn one off.

The choice is only ever the person's own, so it needs no version (like folded hints): the
last save is what they chose. The to-dos on the overview stay whatever is chosen here; only
the messages stop.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.domain.reminders import ReminderKind
from plugin.store import reminders as store


def reminder_settings(session: Session, viewer: Person) -> dict[str, Any]:
    """Each kind of reminder, in a fixed order, with whether it is on for the viewer."""
    off = set(store.kinds_off(session, viewer.id))
    return {"kinds": [{"kind": kind.value, "on": kind.value not in off} for kind in ReminderKind]}


def turn_off(session: Session, viewer: Person, kinds: Iterable[ReminderKind]) -> dict[str, Any]:
    """Turn exactly these kinds off (and every other kind on); the settings as they are now."""
    store.set_kinds_off(session, viewer.id, (ReminderKind(kind).value for kind in kinds))
    return reminder_settings(session, viewer)
