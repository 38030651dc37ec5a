"""Whether a local-mode session still counts, remembered for a moment per person.

Signing out bumps the person's session generation in the database (`web/session.py`). Every
request of a signed-in browser checks its cookie's generation against it, live panels' polls
twice a second included: asking the database each time more than doubled a poll's cost. So
each process remembers a person's generation for `ttl` seconds. A generation that does not
match what is remembered is always read again, so signing in anew works at once everywhere;
the process that handles a sign-out forgets at once, and a copied cookie stops working on
other processes (and instances) within `ttl`.

With `read_many`, a background thread reads the generations of everyone signed in on this
process again every half `ttl`, in one query, so a poll almost never waits for the database
(one query a half second, however many panels are open, instead of one per person a second).
Like `stamps.TalkStamps`, it starts with the first request after a fork, forgets people not
seen for `forget_after` seconds, and ends when nobody is left.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Collection, Mapping

log = logging.getLogger(__name__)

Key = tuple[str, str]
ReadGeneration = Callable[[str, str], "int | None"]
ReadGenerations = Callable[[Collection[Key]], Mapping[Key, int]]


class SessionGenerations:
    def __init__(
        self,
        read: ReadGeneration,
        *,
        read_many: ReadGenerations | None = None,
        ttl: float = 1.0,
        forget_after: float = 120.0,
        monotonic: Callable[[], float] = time.monotonic,
        background: bool = True,
    ) -> None:
        self._read = read
        self._read_many = read_many
        #: Refresh on a thread of its own (else only when `refresh` is called: tests).
        self._background = background
        self._ttl = ttl
        self._forget_after = forget_after
        self._monotonic = monotonic
        #: (tenant id, person id) → (generation or None, read at, last used)
        self._known: dict[Key, tuple[int | None, float, float]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def is_current(self, tenant_id: str, person_id: str, generation: int) -> bool:
        key = (tenant_id, person_id)
        now = self._monotonic()
        with self._lock:
            known = self._known.get(key)
            if known is not None and now - known[1] <= self._ttl and known[0] == generation:
                self._known[key] = (known[0], known[1], now)
                return True
        found = self._read(tenant_id, person_id)
        with self._lock:
            self._known[key] = (found, now, now)
            if self._read_many is not None and self._background and self._thread is None:
                self._start()
        return found == generation

    def forget(self, tenant_id: str, person_id: str) -> None:
        with self._lock:
            self._known.pop((tenant_id, person_id), None)

    def refresh(self) -> None:
        """Read every remembered generation again, in one query (the thread does this)."""
        if self._read_many is None:
            return
        now = self._monotonic()
        with self._lock:
            for key in [k for k, v in self._known.items() if now - v[2] > self._forget_after]:
                del self._known[key]
            keys = list(self._known)
        if not keys:
            return
        found = self._read_many(keys)
        with self._lock:
            for key in keys:
                known = self._known.get(key)
                if known is not None and known[1] <= now:
                    self._known[key] = (found.get(key), now, known[2])

    def stop(self) -> None:
        self._stop.set()

    def _start(self) -> None:
        # Under the lock; lazily, so that it runs in each worker process after the fork.
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="session-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._ttl / 2):
            try:
                self.refresh()
            except Exception:
                log.exception("reading session generations failed; reading each again")
                with self._lock:
                    self._known.clear()
            with self._lock:
                if not self._known:
                    self._thread = None
                    return
        with self._lock:
            self._thread = None
