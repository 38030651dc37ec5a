"""Each talk's current version, for live panels' conditional requests, at memory speed.

Two hundred open panels ask "has this talk changed?" twice a second each. Answering every one
from the database would cost a query per poll; instead each process keeps the versions of the
talks its panels watch and refreshes them all with one query every `interval` seconds. The
database stays the only truth: the cache holds nothing another process needs, lags it by at
most one interval, and takes the versions this process commits itself at once. A refresh that
finds a talk changed elsewhere tells `on_new_versions` first (the panels' answers are fetched
with it, `panel_answers.prefetch`), so the polls that see the new version find its answer in
memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from plugin.domain.talk import Talk
from plugin.store import talk_stamps
from plugin.store.db import Database

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    tenant_id: str
    version: int
    lead_id: str
    learner_id: str
    used: float


class TalkStamps:
    def __init__(
        self,
        db: Database,
        interval: float = 0.1,
        forget_after: float = 120.0,
        on_new_versions: Callable[[list[tuple[str, str, int]]], None] | None = None,
    ) -> None:
        self._db = db
        #: Told (tenant id, talk id, version) of the talks a refresh found changed elsewhere.
        self._on_new_versions = on_new_versions
        self._interval = interval
        self._forget_after = forget_after
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def stamp(self, tenant_id: str, talk_id: str) -> tuple[int, str, str] | None:
        """(version, lead id, learner id) of the tenant's talk, or None when there is none."""
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(talk_id)
            if entry is not None:
                entry.used = now
                if entry.tenant_id != tenant_id:
                    return None
                return entry.version, entry.lead_id, entry.learner_id
        with self._db.connection() as connection:
            found = talk_stamps.talk_stamps(connection, [talk_id])
        if talk_id not in found:
            return None
        row_tenant, version, lead_id, learner_id = found[talk_id]
        with self._lock:
            self._entries[talk_id] = _Entry(row_tenant, version, lead_id, learner_id, now)
            self._start()
        if row_tenant != tenant_id:
            return None
        return version, lead_id, learner_id

    def learn(self, changed: Mapping[str, Talk | None]) -> None:
        """This process committed these talks (None: removed): their watched stamps move to
        the committed versions at once, with no read. Versions only grow, so a commit that
        reports late never moves a stamp back."""
        with self._lock:
            for talk_id, talk in changed.items():
                entry = self._entries.get(talk_id)
                if entry is None:
                    continue
                if talk is None:
                    del self._entries[talk_id]
                else:
                    entry.version = max(entry.version, talk.version)

    def stop(self) -> None:
        self._stop.set()

    def _start(self) -> None:
        # Called under the lock. Started lazily, so that it runs in each worker process after
        # the fork, and it ends when nothing is watched, so idle processes do no work.
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="talk-stamps", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.refresh()
            except Exception:
                log.exception("refreshing talk versions failed; clearing them")
                with self._lock:
                    self._entries.clear()
            with self._lock:
                if not self._entries:
                    self._thread = None
                    return
        with self._lock:
            self._thread = None

    def refresh(self) -> None:
        """Read every watched talk's version again (the background thread does this)."""
        now = time.monotonic()
        with self._lock:
            for talk_id in [
                k for k, e in self._entries.items() if now - e.used > self._forget_after
            ]:
                del self._entries[talk_id]
            watched = list(self._entries)
        if not watched:
            return
        # A talk's tenant and people never change: only its version is read again.
        with self._db.connection() as connection:
            versions = talk_stamps.talk_versions(connection, watched)
        with self._lock:
            moved = [
                (entry.tenant_id, talk_id, versions[talk_id])
                for talk_id, entry in self._entries.items()
                if versions.get(talk_id, 0) > entry.version
            ]
        # What changed is fetched before the stamps move, so the polls that follow find it.
        if moved and self._on_new_versions is not None:
            self._on_new_versions(moved)
        with self._lock:
            for talk_id in watched:
                entry = self._entries.get(talk_id)
                if entry is None:
                    continue
                if talk_id not in versions:
                    del self._entries[talk_id]
                    continue
                entry.version = max(entry.version, versions[talk_id])
