"""Whether a local-mode session still counts, remembered for a moment per person.

Signing out bumps the person's session generation in the database (`web/session.py`). Every
request of a signed-in browser checks its cookie's generation against it, live panels' polls
twice a second included: asking the database each time more than doubled a poll's cost. So
each process remembers a person's generation for `ttl` seconds. A generation that does not
match what is remembered is always read again, so signing in anew works at once everywhere;
the process that handles a sign-out forgets at once, and a copied cookie stops working on
other processes (and instances) within `ttl`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock

ReadGeneration = Callable[[str, str], "int | None"]


class SessionGenerations:
    def __init__(
        self,
        read: ReadGeneration,
        *,
        ttl: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._read = read
        self._ttl = ttl
        self._monotonic = monotonic
        self._known: dict[tuple[str, str], tuple[int | None, float]] = {}
        self._lock = Lock()

    def is_current(self, tenant_id: str, person_id: str, generation: int) -> bool:
        key = (tenant_id, person_id)
        now = self._monotonic()
        with self._lock:
            known = self._known.get(key)
        if known is not None and now - known[1] <= self._ttl and known[0] == generation:
            return True
        found = self._read(tenant_id, person_id)
        with self._lock:
            self._known[key] = (found, now)
        return found == generation

    def forget(self, tenant_id: str, person_id: str) -> None:
        with self._lock:
            self._known.pop((tenant_id, person_id), None)
