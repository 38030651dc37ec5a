"""Preparation: each participant's ticked checklist items and own discussion points.

The checklist itself is data (`plugin.domain.checklist`); a preparation only remembers which
item ids a person ticked and which points they wrote, and whether each point is shared with
the other participant before the talk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from plugin.domain.errors import InvalidInput
from plugin.domain.text import clean_text

MAX_POINT = 500
MAX_POINTS = 30


@dataclass(frozen=True)
class DiscussionPoint:
    id: str
    text: str
    shared: bool

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "shared": self.shared}


@dataclass(eq=False)
class Preparation:
    id: str
    talk_id: str
    person_id: str
    updated_at: datetime
    #: Checklist item ids the person ticked, in template order.
    ticked: list[str] = field(default_factory=list)
    #: Discussion points as plain dicts ({id, text, shared}), stored as JSON.
    points: list[dict[str, Any]] = field(default_factory=list)
    version: int = 1

    def discussion_points(self) -> list[DiscussionPoint]:
        return [DiscussionPoint(p["id"], p["text"], bool(p["shared"])) for p in self.points]

    def shared_points(self) -> list[DiscussionPoint]:
        return [p for p in self.discussion_points() if p.shared]


def clean_ticked(ticked: Iterable[str], known: Iterable[str]) -> list[str]:
    """Keep the template's order, refuse ids the template does not have."""
    order = list(known)
    wanted = set(ticked)
    unknown = wanted - set(order)
    if unknown:
        raise InvalidInput("unknown_item", "ticked", items=sorted(unknown))
    return [item for item in order if item in wanted]


def clean_points(
    raw: Iterable[Mapping[str, Any]], new_id: Callable[[], str]
) -> list[dict[str, Any]]:
    points: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        text = clean_text(item.get("text"), f"points[{index}].text", max_length=MAX_POINT)
        point_id = str(item.get("id") or new_id())
        if point_id in seen:
            raise InvalidInput("duplicate", f"points[{index}].id")
        seen.add(point_id)
        points.append({"id": point_id, "text": text, "shared": bool(item.get("shared", True))})
    if len(points) > MAX_POINTS:
        raise InvalidInput("too_many", "points", max=MAX_POINTS)
    return points
