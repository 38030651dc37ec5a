"""Checks for free text that people type: trimmed, required where it must be, bounded."""

from __future__ import annotations

from plugin.domain.errors import InvalidInput


def clean_text(value: str | None, field: str, *, max_length: int, required: bool = True) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidInput("required", field)
    if len(text) > max_length:
        raise InvalidInput("too_long", field, max=max_length, length=len(text))
    # Control characters other than line breaks and tabs only ever come from broken clients.
    if any(ord(ch) < 32 and ch not in "\n\t\r" for ch in text):
        raise InvalidInput("control_characters", field)
    return text
