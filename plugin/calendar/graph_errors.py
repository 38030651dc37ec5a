"""One reading of what went wrong in a Graph call, for every adapter that makes one.

Graph's failures become the calendar port's: throttling, 5xx and network trouble are
`RetryableCalendarError` (with Graph's `Retry-After`); the rest `CalendarRejected` with a
reason the talk can show (`calendar_permission`, `mailbox_not_found`, `not_found`,
`calendar_sign_in`). `graph_call` wraps one call with it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError

from plugin.calendar.graph_client import GraphFailure
from plugin.calendar.port import CalendarError, CalendarRejected, RetryableCalendarError
from plugin.identity.token_problems import TokenProblem

log = logging.getLogger(__name__)

T = TypeVar("T")


def graph_call(operation: str, call: Callable[[], T]) -> T:
    """`call()`, its failures as the calendar port's errors (named after `operation`)."""
    try:
        return call()
    except CalendarError:
        raise
    except APIError as error:  # ODataError (Graph's error JSON) is one too
        raise calendar_error_of(operation, error) from None
    except TokenProblem as problem:
        if problem.kind == "unavailable":
            raise RetryableCalendarError(f"{operation}: sign-in service unavailable") from None
        raise CalendarRejected(f"{operation}: {problem}", reason="calendar_sign_in") from None
    except (httpx.TransportError, TimeoutError) as error:
        log.info("Graph %s: %s", operation, type(error).__name__)
        raise RetryableCalendarError(f"{operation}: {type(error).__name__}") from None


def calendar_error_of(operation: str, error: APIError) -> CalendarError:
    failure = GraphFailure.read(error, operation)
    text = f"{operation}: Graph answered {failure.status} {failure.code}".rstrip()
    if failure.passing:
        return RetryableCalendarError(text, retry_after=failure.retry_after)
    if failure.status == 404:
        reason = "mailbox_not_found" if failure.code == "ErrorInvalidUser" else "not_found"
        return CalendarRejected(f"{text}: {failure.message}", reason=reason)
    if failure.status in (401, 403):
        return CalendarRejected(f"{text}: {failure.message}", reason="calendar_permission")
    return CalendarRejected(f"{text}: {failure.message}")


def iso_utc(moment: datetime, *, offset: bool = True) -> str:
    """A moment as Graph's query strings and bodies take it: UTC, whole seconds."""
    text = moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
    return f"{text}Z" if offset else text
