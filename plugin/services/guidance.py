"""Guidance during the talk: the question check, the agreement check and the feedback check, in
the language asked for (one rule for the pages and any other client)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from plugin.domain.agreement_check import AgreementCheck, check_agreement
from plugin.domain.checklist import resolve_language
from plugin.domain.feedback_check import FeedbackCheck, check_feedback
from plugin.domain.question_check import QuestionCheck, check_question


def question(text: str, lang: str) -> QuestionCheck:
    return check_question(text, resolve_language(lang))


def agreement(
    what: str, owner: str | None, due: date | None, lang: str, *, ongoing: bool
) -> AgreementCheck:
    return check_agreement(what, owner, due, resolve_language(lang), ongoing=ongoing or None)


def feedback(steps: Mapping[str, str], lang: str) -> FeedbackCheck:
    return check_feedback(steps, resolve_language(lang))
