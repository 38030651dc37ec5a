"""The channel port: one small interface every way of reaching a person implements.

A channel either delivers (and says which channel did) or raises what the outbox understands:
`RetryableDeliveryError` (try again later, e.g. the mail server is down, Graph throttles) or
`DeliveryRejected` with a `reason` (repeating will not help). They subclass the calendar
port's errors, as the chat adapter's do, so a reminder job retries like any other job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from plugin.calendar.port import CalendarRejected, RetryableCalendarError

#: Channel names, as `Delivery.channel` reports them.
SMTP, TEAMS_FEED, GRAPH_MAIL = "smtp", "teams_feed", "graph_mail"

#: Why a channel refused, in a word: the feed cannot reach a person without the app; the
#: mail server refused our credentials; it refused the sender or recipient; the app lacks a
#: Graph permission; anything else.
NOT_INSTALLED = "app_not_installed"
AUTHENTICATION = "authentication"
ADDRESS = "address_refused"
PERMISSION = "permission"
REJECTED = "rejected"


@dataclass(frozen=True)
class Recipient:
    """Who a reminder goes to: only what a channel needs to reach them."""

    person_id: str
    name: str
    email: str
    #: "nl" or "en" (anything else reads as nl).
    language: str = "nl"
    #: The Entra object id (Microsoft mode); the Teams feed addresses people by it.
    object_id: str | None = None


@dataclass(frozen=True)
class FeedItem:
    """A reminder as the Teams activity feed shows it (see manifest `activities`)."""

    #: One of the manifest's activity types (`message.ACTIVITY_TYPES`).
    activity_type: str
    #: The topic line: the talk's title, in the recipient's language.
    topic: str
    #: The first line Teams shows under the reason (at most 150 characters).
    preview: str
    #: The manifest template's parameters, name -> value.
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Message:
    """One reminder, composed for one person: e-mail parts and the feed's."""

    subject: str
    text: str
    html: str
    #: Where to act (prepare, sign, the agreement): both channels link here.
    url: str
    feed: FeedItem
    #: Stable per occasion: the Message-ID of an e-mail, so a repeated send can be spotted.
    key: str = ""


@dataclass(frozen=True)
class Delivery:
    """Which channel delivered, and why an earlier one in a chain was passed over."""

    channel: str
    #: The refusals that led here (channel, reason), in order; empty on the first try.
    fallbacks: tuple[tuple[str, str], ...] = field(default=())


class RetryableDeliveryError(RetryableCalendarError):
    """A passing failure (server down, throttled, time-out): the same send may work later."""

    def __init__(self, message: str, retry_after: timedelta | None = None) -> None:
        super().__init__(message, retry_after)


class DeliveryRejected(CalendarRejected):
    """The channel refused; repeating the same send will not help. See `reason`."""


class Channel(Protocol):
    def send(self, recipient: Recipient, message: Message) -> Delivery:
        """Deliver `message`, or raise `RetryableDeliveryError` or `DeliveryRejected`."""
        ...
