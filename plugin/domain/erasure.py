"""Taking an erased person's name and e-mail address out of texts that stay (the other's
record): every occurrence becomes the label for a deleted user, whatever its case."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: Shorter strings are not looked for: two letters would match inside ordinary words.
MIN_LENGTH = 3


class Scrubber:
    def __init__(self, needles: Iterable[str], label: str) -> None:
        words = sorted({n.strip() for n in needles if len(n.strip()) >= MIN_LENGTH}, key=len)
        # Longest first, so an e-mail address goes whole before a name inside it.
        self._pattern = (
            re.compile("|".join(re.escape(w) for w in reversed(words)), re.IGNORECASE)
            if words
            else None
        )
        self.label = label

    def text(self, value: str) -> str:
        if self._pattern is None or not value:
            return value
        return self._pattern.sub(self.label, value)

    def json(self, value: Any) -> Any:
        """Every string in a JSON value (keys too), scrubbed; the rest as it was."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {self.text(k): self.json(v) for k, v in value.items()}
        return value
