"""Sign-off: sign the form, read the signed form, and the follow-up booking."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.services import signoff, talks, views
from plugin.services.context import Services
from plugin.web.api.base import api, write_talk, write_then_detail
from plugin.web.consent import require_chat_consent
from plugin.web.context import as_viewer_read
from plugin.web.schemas import (
    FollowUpChoice,
    SignIn,
)


@api.route(
    "POST",
    "/talks/<talk_id>/sign",
    summary="Sign the talk form as I saw it (its form_hash); 409 with the talk if it changed",
    tag="sign-off",
    body=SignIn,
)
def sign(talk_id: str, body: SignIn) -> dict[str, Any]:
    # Before anything is signed: may the app post the summary in the lead's name? (Teams)
    require_chat_consent(talk_id)
    return write_then_detail(
        talk_id, lambda svc, s, me: signoff.sign(svc, s, me, talk_id, form_hash=body.form_hash)
    )


@api.route(
    "GET",
    "/talks/<talk_id>/form",
    summary="The signed form, and whether it is intact",
    tag="sign-off",
)
def form(talk_id: str) -> dict[str, Any]:
    return as_viewer_read(
        lambda svc, s, me: views.form_view(s, talks.load_readable_talk(s, me, talk_id)[0])
    )


@api.route(
    "GET",
    "/talks/<talk_id>/follow-up",
    summary="The follow-up booking's status and options",
    tag="follow-up",
)
def follow_up(talk_id: str) -> dict[str, Any]:
    return _follow_up(talk_id)


def _follow_up(talk_id: str) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        talk = talks.load_talk(s, me, talk_id)
        return {**views.follow_up_view(talk), "version": talk.version}

    return as_viewer_read(work)


@api.route(
    "POST",
    "/talks/<talk_id>/follow-up",
    summary="Book the follow-up at an offered time, or search again",
    tag="follow-up",
    body=FollowUpChoice,
)
def choose_follow_up(talk_id: str, body: FollowUpChoice) -> dict[str, Any]:
    write_talk(
        talk_id,
        lambda svc, s, me: signoff.choose_follow_up(
            svc, s, me, talk_id, body.starts_at, expected_version=body.version
        ),
    )
    return _follow_up(talk_id)
