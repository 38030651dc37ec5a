"""The live panel's answer for each talk version, built once and served to every panel.

A change of a talk makes every open panel of it ask for the new state within half a second:
the saver's own, the other participant's, and each of their other windows. The answer is the
same for all of them but for the viewer's role, so each process builds it once per version (a
handful of queries) and serves the rest from memory, already serialised. A version is only
ever stored with the state the database had at that version, so an entry can never be stale;
old versions are simply replaced, and the cache is bounded.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any


class PanelAnswers:
    def __init__(self, size: int = 2000) -> None:
        self._size = size
        #: talk id → (version, the answer without `my_role`, role → serialised answer)
        self._entries: OrderedDict[str, tuple[int, dict[str, Any], dict[str, bytes]]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, talk_id: str, version: int, role: str) -> bytes | None:
        """The serialised answer for `role` at `version`, if this process built it."""
        with self._lock:
            entry = self._entries.get(talk_id)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(talk_id)
            body = entry[2].get(role)
            if body is None:
                body = entry[2][role] = _serialise({**entry[1], "my_role": role})
            return body

    def put(self, talk_id: str, detail: dict[str, Any], role: str) -> bytes:
        """Keep `detail` (as loaded for a viewer in `role`) for its version; its serialised form."""
        body = _serialise(detail)
        with self._lock:
            entry = self._entries.get(talk_id)
            if entry is None or entry[0] <= detail["version"]:
                base = {k: v for k, v in detail.items() if k != "my_role"}
                self._entries[talk_id] = (detail["version"], base, {role: body})
                self._entries.move_to_end(talk_id)
                while len(self._entries) > self._size:
                    self._entries.popitem(last=False)
        return body


_dumps: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=False
).encode


def _serialise(detail: dict[str, Any]) -> bytes:
    return _dumps(detail).encode("utf-8")
