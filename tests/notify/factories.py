"""Test data of the reminder channels: two recipients and a reminder factory with defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from plugin.notify.message import Reminder
from plugin.notify.port import Recipient

#: The other participant: only "Marco" may reach Sem's reminder.
OTHER = "Marco de Vries"
SEM = Recipient("p-sem", "Sem Bakker", "sem@example.nl", "nl", object_id="oid-sem")
ANNE = Recipient("p-anne", "Anne Jansen", "anne@example.nl", "en", object_id="oid-anne")


def reminder(kind: str = "overdue", **overrides: Any) -> Reminder:
    """A reminder with defaults: an overdue agreement from Sem's talk with Marco."""
    values: dict[str, Any] = {
        "kind": kind,
        "talk_title": "Ontwikkelgesprek januari",
        "starts_at": datetime(2027, 1, 12, 8, 30, tzinfo=UTC),
        "url": "https://talks.example.nl/talks/t-1/prepare",
        "other_name": OTHER,
        "key": f"reminder-{kind}-1",
    }
    if kind in ("due_soon", "overdue", "check_in"):
        values["agreement"] = "VCA-diploma halen"
    if kind in ("due_soon", "overdue"):
        values["due"] = date(2027, 1, 4)
    return Reminder(**(values | overrides))
