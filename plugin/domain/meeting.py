"""Teams meetings as talks know them: the meeting chat's id, and how to read it from a join URL.

A scheduled Teams meeting has one chat; TeamsJS tells a meeting tab that chat's id, and the
meeting's join URL carries the same id (URL-encoded) in its path. That id is how a tab finds
the talk held in its meeting. A recurring series shares one chat, so one id can belong to
several talks; the caller picks among them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

#: Meeting and group chat thread ids: ``19:meeting_<base64url>@thread.v2`` and kin.
CHAT_ID = re.compile(r"19:[A-Za-z0-9_.\-]{1,200}@thread\.(?:v2|tacv2|skype)")
MAX_CHAT_ID = 255


def valid_chat_id(value: str) -> bool:
    return len(value) <= MAX_CHAT_ID and CHAT_ID.fullmatch(value) is not None


def chat_id_from_join_url(join_url: str | None) -> str | None:
    """The meeting chat's id in a Teams join URL (``…/l/meetup-join/19%3ameeting_…/0?…``)."""
    if not join_url:
        return None
    parts = urlsplit(join_url)
    if parts.scheme != "https":
        return None
    segments = parts.path.split("/")
    if "meetup-join" not in segments:
        return None
    index = segments.index("meetup-join")
    if index + 1 >= len(segments):
        return None
    candidate = unquote(segments[index + 1])
    return candidate if valid_chat_id(candidate) else None
