"""The JSON API under /api/: thin views that parse, call a service, and answer.

`base` holds the blueprint and its self-describing route registry; the routes, one module per
part of the talk, register themselves on import.
"""

from plugin.web.api import (
    admin,
    admin_pairs,
    admin_types,
    agenda,
    agreements,
    calendar,
    checkins,
    feedback,
    guidance,
    invites,
    me,
    meetings,
    outlook,
    preparation,
    progress,
    sharing,
    signoff,
    talks,
)
from plugin.web.api.base import api, blueprint

__all__ = [
    "admin",
    "admin_pairs",
    "admin_types",
    "agenda",
    "agreements",
    "api",
    "blueprint",
    "calendar",
    "checkins",
    "feedback",
    "guidance",
    "invites",
    "me",
    "meetings",
    "outlook",
    "preparation",
    "progress",
    "sharing",
    "signoff",
    "talks",
]
