"""The shapes of requests: bodies and query strings. Types and presence are checked here,
strictly (a number is a JSON number, a yes/no a JSON boolean, a time an ISO 8601 string with
its offset); the domain checks the rules (lengths, dates in the past, who may do what), so each
rule lives in one place. Control characters are refused for every body by `openapi.read_body`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from plugin.domain.agreement import AgreementStatus, Owner
from plugin.domain.dates import within_span


def _within_calendar(value: datetime) -> datetime:
    # Before any arithmetic on it: near the calendar's ends, adding a duration overflows.
    if not within_span(value):
        raise PydanticCustomError("datetime_range", "time outside the years this app plans in")
    return value


def _within_calendar_date(value: date) -> date:
    if not within_span(value):
        raise PydanticCustomError("date_range", "date outside the years this app plans in")
    return value


def _email_address(value: str) -> str:
    # A real address, no display name, no markup; the domain's own case rules come later.
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise PydanticCustomError("invalid_email", "not an e-mail address") from None
    return value


#: A moment with its UTC offset, in years the app can compute with.
Moment = Annotated[AwareDatetime, AfterValidator(_within_calendar)]
Day = Annotated[date, AfterValidator(_within_calendar_date)]
#: The version a write is based on (see README: "never overwrite each other silently").
Version = Annotated[int, Field(ge=0, le=2**31 - 1)]
Id = Annotated[str, StringConstraints(max_length=64)]
EmailAddress = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email_address)]
#: A kind of talk by its id (GET /api/talk-types).
TalkTypeId = Annotated[str, StringConstraints(min_length=1, max_length=64)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, strict=True)


class Query(BaseModel):
    """Query-string parameters: text by nature, so numbers are parsed from their digits."""

    model_config = ConfigDict(extra="forbid")


class PlanTalk(Body):
    learner_id: Id
    starts_at: Moment
    duration_minutes: int = Field(default=60, ge=1, le=24 * 60)
    title: str | None = None
    goals: list[str] = Field(default_factory=list, max_length=50)
    own_goal: str = ""
    #: Plan it for this existing Teams meeting (its chat id) instead of booking one.
    meeting_chat_id: str | None = Field(default=None, max_length=255)
    #: With `meeting_chat_id`: post the summary in that meeting's chat after sign-off.
    chat_summary: bool = False
    #: The kind of talk (GET /api/talk-types); left out, the development talk.
    type: TalkTypeId | None = None


#: An invite's text: the reader refuses a file over 256 KB by name; the body limit is a bit more.
IcsText = Annotated[str, StringConstraints(max_length=300 * 1024)]


class InviteIn(Body):
    #: The invite as iCalendar text (a saved .ics file, or its text pasted).
    ics: IcsText


class PlanFromInvite(Body):
    ics: IcsText
    #: Needed when several colleagues are invited; else the only one is the learner.
    learner_id: Id | None = None
    title: str | None = None
    goals: list[str] = Field(default_factory=list, max_length=50)
    own_goal: str = ""
    #: The kind of talk (GET /api/talk-types); left out, the development talk.
    type: TalkTypeId | None = None


#: An Outlook item id as Office.js reports it (EWS format: URL-unsafe base64).
ItemId = Annotated[
    str, StringConstraints(min_length=1, max_length=1024, pattern=r"^[A-Za-z0-9+/=_-]+$")
]


class AppointmentPerson(Body):
    email: str = Field(max_length=320)
    name: str = Field(default="", max_length=256)


class AppointmentIn(Body):
    """What the add-in knows of the appointment being written."""

    #: None while the appointment was never saved (it has no id yet).
    item_id: ItemId | None = None
    attendees: list[AppointmentPerson] = Field(default_factory=list, max_length=500)


class TalkFromAppointment(Body):
    item_id: ItemId
    #: Needed when several colleagues are invited; else the only one is the learner.
    learner_id: Id | None = None
    goals: list[str] = Field(default_factory=list, max_length=50)
    own_goal: str = ""
    #: The kind of talk (GET /api/talk-types); left out, the development talk.
    type: TalkTypeId | None = None


class SeriesForMeeting(Body):
    #: Needed when several colleagues are invited; else the only one is the learner.
    learner_id: Id | None = None
    goals: list[str] = Field(default_factory=list, max_length=50)
    own_goal: str = ""
    #: The kind of talk (GET /api/talk-types); left out, the development talk.
    type: TalkTypeId | None = None


class ShareLinkIn(Body):
    version: Version
    name: str = Field(max_length=100)
    email: EmailAddress
    days: int = Field(default=30, ge=1, le=180)


class MeetingLink(Body):
    version: Version
    chat_id: str = Field(max_length=255)
    #: Post the summary in that meeting's chat after sign-off (everyone in it reads it).
    chat_summary: bool = False


class UpdateTalk(Body):
    version: Version
    starts_at: Moment | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    title: str | None = None
    goals: list[str] | None = Field(default=None, max_length=50)
    own_goal: str | None = None


class PointIn(Body):
    id: Id | None = None
    text: str
    shared: bool = True


class PreparationIn(Body):
    #: The version of my preparation this edit is based on; 0 for the first save.
    version: Version
    ticked: list[str] = Field(default_factory=list, max_length=200)
    points: list[PointIn] = Field(default_factory=list, max_length=100)


class AgreementIn(Body):
    what: str
    owner: Owner = Owner.BOTH
    due: Day | None = None


class AgreementChange(Body):
    version: Version
    what: str | None = None
    owner: Owner | None = None
    #: Explicit null removes the due date; leaving it out keeps it.
    due: Day | None = None


class Versioned(Body):
    version: Version


def _digits(value: object) -> object:
    # A query string is text; only plain digits make a version ("1.0", "²" and "1_0" do not).
    if isinstance(value, str) and not (value.isascii() and value.isdigit()):
        raise PydanticCustomError("int_parsing", "not a whole number")
    return value


class VersionQuery(Query):
    #: The version the removal is based on.
    version: Annotated[Version, BeforeValidator(_digits)]


class RemovalDecision(Body):
    version: Version
    #: True keeps the agreement (or withdraws my own request); false confirms the removal.
    keep: bool


class ReactionIn(Body):
    version: Version
    reaction: str


class StatusIn(Body):
    version: Version
    status: AgreementStatus
    #: What was said about it (kept open, done or dropped); unchanged when left out.
    note: str | None = None


class AgendaNoteIn(Body):
    #: The note's version as last read (0: none yet).
    version: Version
    discussed: bool
    note: str = ""


class OwnGoalIn(Body):
    text: str


class FeedbackSteps(Body):
    positive: str = ""
    behaviour: str = ""
    effect: str = ""
    suggestion: str = ""


class FeedbackIn(Body):
    steps: FeedbackSteps


class FeedbackChange(Body):
    version: Version
    steps: FeedbackSteps | None = None
    said: bool | None = None
    agreement_id: Id | None = None


class HintsIn(Body):
    folded: list[str] = Field(max_length=20)


class Language(Body):
    lang: str = Field(default="nl", max_length=16)


class QuestionIn(Language):
    text: str


class FeedbackCheckIn(Language):
    steps: FeedbackSteps


class AgreementCheckIn(Language):
    what: str
    owner: Owner | None = None
    due: Day | None = None
    #: "doorlopend": no end date, on purpose.
    ongoing: bool = False


class SignIn(Body):
    #: The `form_hash` of the talk as the signer saw it: a signature covers exactly that.
    form_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class FollowUpChoice(Body):
    version: Version
    #: One of the offered options; leave out to search again.
    starts_at: Moment | None = None


class ShareIn(Body):
    version: Version
    person_id: Id


class CalendarWindow(Query):
    start: Moment
    end: Moment
