"""The live panel's answer for each talk version, built once and served to every panel.

A change of a talk makes every open panel of it ask for the new state within half a second:
the saver's own, the other participant's, and each of their other windows, on whichever
process their connection landed. The answer is the same for all of them but for the viewer's
role, so it is built once: by the writer's request, right after its change (`publish`), and
kept in this process's memory and in the database (`store/live_answers.py`), where the other
processes read it with one query instead of building it again. A version is only ever stored
with the state the database had at that version, so an entry can never be stale; old versions
are simply replaced, and the memory is bounded. A process whose stamps see a talk changed
elsewhere reads its answer ahead (`prefetch`), so its panels' polls do not wait for that read.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from plugin.store import live_answers
from plugin.store.db import Database

log = logging.getLogger(__name__)


class PanelAnswers:
    def __init__(self, db: Database, size: int = 2000) -> None:
        self._db = db
        self._size = size
        #: talk id → (version, the answer as JSON without `my_role`, role → serialised answer)
        self._entries: OrderedDict[str, tuple[int, str, dict[str, bytes]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tenant_id: str, talk_id: str, version: int, role: str) -> bytes | None:
        """The serialised answer for `role` at `version`: from memory, else as another process
        kept it; None when nobody built that version yet."""
        body = self.remembered(talk_id, version, role)
        if body is not None:
            return body
        with self._db.connection() as connection:
            base = live_answers.stored(connection, tenant_id, talk_id, version)
        if base is None:
            return None
        self._remember(talk_id, version, base)
        return _with_role(base, role)

    def prefetch(self, changed: list[tuple[str, str, int]]) -> None:
        """Take in the kept answers of talks another process changed ((tenant id, talk id,
        version) each), in one query, before this process's polls ask for them. Best effort:
        a talk whose answer is not kept yet is built or read by its first poll."""
        wanted = [item for item in changed if self._remembered_version(item[1]) < item[2]]
        if not wanted:
            return
        try:
            with self._db.connection() as connection:
                found = live_answers.stored_many(connection, wanted)
        except SQLAlchemyError as error:
            log.warning("live answers not read ahead: %s", type(error).__name__)
            return
        for _, talk_id, version in wanted:
            if talk_id in found:
                self._remember(talk_id, version, found[talk_id])

    def put(self, detail: dict[str, Any], role: str) -> bytes:
        """Keep `detail` (as loaded for a viewer in `role`) for its version in this process;
        its serialised form."""
        base = _base(detail)
        self._remember(detail["id"], detail["version"], base)
        return _with_role(base, role)

    def publish(self, tenant_id: str, detail: dict[str, Any]) -> None:
        """A writer's fresh answer: kept here and in the database for every other process.
        Best effort: a failure costs the others one build each, never the writer's change."""
        base = _base(detail)
        self._remember(detail["id"], detail["version"], base)
        try:
            with self._db.connection() as connection:
                live_answers.keep(connection, tenant_id, detail["id"], detail["version"], base)
        except SQLAlchemyError as error:
            log.warning("live answer not shared: %s", type(error).__name__)

    def remembered(self, talk_id: str, version: int, role: str) -> bytes | None:
        """The serialised answer for `role` at `version` if this process holds it."""
        with self._lock:
            entry = self._entries.get(talk_id)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(talk_id)
            body = entry[2].get(role)
            if body is None:
                body = entry[2][role] = _with_role(entry[1], role)
            return body

    def _remembered_version(self, talk_id: str) -> int:
        with self._lock:
            entry = self._entries.get(talk_id)
            return entry[0] if entry is not None else 0

    def _remember(self, talk_id: str, version: int, base: str) -> None:
        with self._lock:
            entry = self._entries.get(talk_id)
            if entry is not None and entry[0] >= version:
                return
            self._entries[talk_id] = (version, base, {})
            self._entries.move_to_end(talk_id)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


_dumps: Callable[[Any], str] = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=False
).encode


def _base(detail: dict[str, Any]) -> str:
    return _dumps({k: v for k, v in detail.items() if k != "my_role"})


def _with_role(base: str, role: str) -> bytes:
    # The base is a JSON object without `my_role`: the role is its last member.
    return f'{base[:-1]},"my_role":{_dumps(role)}}}'.encode()
