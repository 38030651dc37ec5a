"""Drains the outbox now and then in the background, for jobs that wait to be retried (and
scans for reminders first)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from plugin.jobs.outbox import Outbox

log = logging.getLogger(__name__)


class PeriodicDrain:
    def __init__(
        self,
        outbox: Outbox,
        every_seconds: float = 30.0,
        upkeep: Callable[[], object] | None = None,
    ) -> None:
        """`upkeep` runs before each drain (the reminder scan)."""
        self._outbox = outbox
        self._every = every_seconds
        self._upkeep = upkeep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="outbox-drain", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                if self._upkeep is not None:
                    self._upkeep()
                self._outbox.drain()
            except Exception:
                log.exception("draining the outbox failed; trying again later")
