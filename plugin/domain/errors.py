"""Domain errors: what went wrong, in codes the web layer turns into translated messages.

The domain never writes user-facing sentences. Each error names the field it concerns (when
there is one) and a stable code; `plugin.web.errors` maps codes to messages in the user's
language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every rule the domain refuses to break."""

    code: str = "invalid"

    def __init__(self, code: str | None = None, field: str | None = None, **params: Any) -> None:
        self.code = code or type(self).code
        self.field = field
        self.params = params
        super().__init__(f"{self.code} ({field})" if field else self.code)


class InvalidInput(DomainError):
    """A value the user gave is not acceptable (empty, too long, in the past...)."""

    code = "invalid"


class NotAllowed(DomainError):
    """The caller may see the thing but not do this to it (a learner cancelling, say)."""

    code = "not_allowed"


class NotFound(DomainError):
    """No such thing, or not one the caller may see: both look the same from outside."""

    code = "not_found"


class Conflict(DomainError):
    """The thing changed since the caller read it, or is in a state that forbids the change."""

    code = "conflict"
