"""The JSON API under /api/: thin views that parse, call a service, and answer.

`base` holds the blueprint and its self-describing route registry; the routes, one module per
part of the talk, register themselves on import.
"""

from plugin.web.api import (
    agreements,
    calendar,
    invites,
    me,
    meetings,
    outlook,
    preparation,
    sharing,
    signoff,
    talks,
)
from plugin.web.api.base import api, blueprint

__all__ = [
    "agreements",
    "api",
    "blueprint",
    "calendar",
    "invites",
    "me",
    "meetings",
    "outlook",
    "preparation",
    "sharing",
    "signoff",
    "talks",
]
