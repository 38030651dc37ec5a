"""One Graph send (activity feed, a mail draft and its send), its failures read as the channel
port's.

Throttling, 5xx, network trouble and an unavailable sign-in service are passing
(`RetryableDeliveryError`, with Graph's `Retry-After`). A 403 is `DeliveryRejected`: for the
feed, `NOT_INSTALLED` when Graph says the Teams app is not installed for the person, else
`PERMISSION` (Graph answers both with the code "Forbidden", so only its message tells them
apart; the reason is reported, while the fallback to e-mail happens for either). 404 is
`not_found`, anything else `rejected`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError

from plugin.calendar.graph_client import GraphFailure
from plugin.identity.token_problems import TokenProblem
from plugin.notify.port import (
    NOT_INSTALLED,
    PERMISSION,
    REJECTED,
    DeliveryRejected,
    RetryableDeliveryError,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

NOT_FOUND = "not_found"


def graph_send(operation: str, call: Callable[[], T]) -> T:
    """`call()`, its failures as `RetryableDeliveryError` or `DeliveryRejected`."""
    try:
        return call()
    except APIError as error:  # ODataError (Graph's error JSON) is one too
        raise _delivery_error(operation, error) from None
    except TokenProblem as problem:
        if problem.kind == "unavailable":
            raise RetryableDeliveryError(f"{operation}: sign-in service unavailable") from None
        raise DeliveryRejected(f"{operation}: {problem}", reason=PERMISSION) from None
    except (httpx.TransportError, TimeoutError) as error:
        log.info("Graph %s: %s", operation, type(error).__name__)
        raise RetryableDeliveryError(f"{operation}: {type(error).__name__}") from None


def _delivery_error(operation: str, error: APIError) -> RetryableDeliveryError | DeliveryRejected:
    failure = GraphFailure.read(error, operation)
    text = f"{operation}: Graph answered {failure.status} {failure.code}".rstrip()
    if failure.passing:
        return RetryableDeliveryError(text, retry_after=failure.retry_after)
    if failure.status in (401, 403):
        installed = "app is installed" in failure.message or "not installed" in failure.message
        return DeliveryRejected(text, reason=NOT_INSTALLED if installed else PERMISSION)
    if failure.status == 404:
        return DeliveryRejected(text, reason=NOT_FOUND)
    return DeliveryRejected(f"{text}: {failure.message}", reason=REJECTED)
