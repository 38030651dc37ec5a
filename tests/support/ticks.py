"""A monotonic clock for tests: it moves only when told."""

from __future__ import annotations


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now
