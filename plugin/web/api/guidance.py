"""Guidance during the talk, over the API, so the pages and any other client use one rule:
is a question open, and what does an agreement still lack. Answers are codes for programs and
sentences in the asked language for people."""

from __future__ import annotations

from typing import Any

from plugin.services import guidance
from plugin.web.api.base import api
from plugin.web.context import as_viewer_read
from plugin.web.guidance_texts import agreement_texts, feedback_texts, question_reason
from plugin.web.schemas import AgreementCheckIn, FeedbackCheckIn, QuestionIn


def _signed_in() -> None:
    """A person of this app is asking, as for every call; nothing is read or stored."""
    as_viewer_read(lambda svc, s, me: None)


@api.route(
    "POST",
    "/guidance/question",
    summary="Is this question open or closed (the guide's rule), and an open version",
    tag="guidance",
    body=QuestionIn,
)
def question(body: QuestionIn) -> dict[str, Any]:
    _signed_in()
    check = guidance.question(body.text, body.lang)
    return {
        "open": check.kind == "open",
        "kind": check.kind,
        "reason": check.reason,
        "message": question_reason(check.reason, body.lang),
        "suggestion": check.suggestion,
    }


@api.route(
    "POST",
    "/guidance/agreement",
    summary="What an agreement still lacks: an action, who, by when, how you will know",
    tag="guidance",
    body=AgreementCheckIn,
)
def agreement(body: AgreementCheckIn) -> dict[str, Any]:
    _signed_in()
    owner = body.owner.value if body.owner is not None else None
    check = guidance.agreement(body.what, owner, body.due, body.lang, ongoing=body.ongoing)
    return {
        "missing": list(check.missing),
        "hints": agreement_texts(check.missing, check.hints, body.lang),
    }


@api.route(
    "POST",
    "/guidance/feedback",
    summary="Gentle hints on a feedback draft in the guide's four steps",
    tag="guidance",
    body=FeedbackCheckIn,
)
def feedback(body: FeedbackCheckIn) -> dict[str, Any]:
    _signed_in()
    check = guidance.feedback(body.steps.model_dump(), body.lang)
    return {"hints": feedback_texts(check.hints, body.lang)}
