"""The shapes of request bodies. Types and presence are checked here; the domain checks the
rules (lengths, dates in the past, who may do what), so each rule lives in one place."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from plugin.domain.agreement import AgreementStatus, Owner


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class PlanTalk(Body):
    learner_id: str = Field(max_length=64)
    starts_at: AwareDatetime
    duration_minutes: int = Field(default=60, ge=1, le=24 * 60)
    title: str | None = None
    goals: list[str] = Field(default_factory=list, max_length=50)
    own_goal: str = ""
    #: Plan it for this existing Teams meeting (its chat id) instead of booking one.
    meeting_chat_id: str | None = Field(default=None, max_length=255)
    #: With `meeting_chat_id`: post the summary in that meeting's chat after sign-off.
    chat_summary: bool = False


class ShareLinkIn(Body):
    name: str = Field(max_length=100)
    email: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    days: int = Field(default=30, ge=1, le=180)


class MeetingLink(Body):
    chat_id: str = Field(max_length=255)
    #: Post the summary in that meeting's chat after sign-off (everyone in it reads it).
    chat_summary: bool = False


class UpdateTalk(Body):
    starts_at: AwareDatetime | None = None
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60)
    title: str | None = None
    goals: list[str] | None = Field(default=None, max_length=50)
    own_goal: str | None = None


class PointIn(Body):
    id: str | None = Field(default=None, max_length=64)
    text: str
    shared: bool = True


class PreparationIn(Body):
    ticked: list[str] = Field(default_factory=list, max_length=200)
    points: list[PointIn] = Field(default_factory=list, max_length=100)
    #: The version this edit is based on; 0 or absent for the first save.
    version: int | None = None


class AgreementIn(Body):
    what: str
    owner: Owner = Owner.BOTH
    due: date | None = None


class AgreementChange(Body):
    version: int
    what: str | None = None
    owner: Owner | None = None
    #: Explicit null removes the due date; leaving it out keeps it.
    due: date | None = None


class Versioned(Body):
    version: int


class ReactionIn(Body):
    version: int
    reaction: str


class StatusIn(Body):
    version: int
    status: AgreementStatus


class FollowUpChoice(Body):
    #: One of the offered options; leave out to search again.
    starts_at: AwareDatetime | None = None


class ShareIn(Body):
    person_id: str = Field(max_length=64)
