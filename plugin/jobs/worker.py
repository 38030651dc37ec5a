"""The outbox worker: runs due jobs, waits a moment when there are none, stops cleanly.

`ontwikkelgesprek worker` runs one. Any number may run against PostgreSQL (the outbox's
`SKIP LOCKED` claim keeps them off each other's jobs); on SQLite one is enough. SIGTERM and
SIGINT let the job in hand finish, then stop.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType

from plugin.jobs.outbox import Outbox

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        outbox: Outbox,
        *,
        poll_seconds: float = 1.0,
        upkeep: Callable[[], None] | None = None,
        upkeep_seconds: float = 60.0,
    ) -> None:
        """`upkeep` runs at start and then every `upkeep_seconds` between jobs (Microsoft
        mode: the calendar sync's subscriptions and reconciliation)."""
        self._outbox = outbox
        self._poll = poll_seconds
        self._upkeep = upkeep
        self._upkeep_seconds = upkeep_seconds
        self._next_upkeep = 0.0
        self.stopping = threading.Event()

    def stop(self, *_args: object) -> None:
        self.stopping.set()

    def run(self, *, once: bool = False) -> int:
        """Drain until stopped (or, with `once`, until nothing is due); returns jobs run."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        ran = 0
        while not self.stopping.is_set():
            self._maybe_upkeep()
            try:
                done = self._outbox.drain(limit=1)
            except Exception:
                # The database may be restarting: keep the worker alive and look again.
                log.exception("the outbox could not be read; trying again shortly")
                done = 0
            ran += done
            if done:
                continue
            if once:
                break
            self.stopping.wait(self._poll)
        return ran

    def _maybe_upkeep(self) -> None:
        if self._upkeep is None or time.monotonic() < self._next_upkeep:
            return
        self._next_upkeep = time.monotonic() + self._upkeep_seconds
        try:
            self._upkeep()
        except Exception:
            log.exception("upkeep failed; trying again next round")

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after the current job", signum)
        self.stop()
