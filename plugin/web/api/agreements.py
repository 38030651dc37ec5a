"""Agreements during the talk: record, change, remove, confirm the wording, react."""

from __future__ import annotations

from typing import Any

from plugin.domain.agreement import Agreement
from plugin.domain.errors import InvalidInput
from plugin.services import agreements
from plugin.web.api.base import api
from plugin.web.context import as_viewer_write
from plugin.web.schemas import (
    AgreementChange,
    AgreementIn,
    ReactionIn,
    RemovalDecision,
    Versioned,
    VersionQuery,
)


@api.route(
    "POST",
    "/talks/<talk_id>/agreements",
    summary="Record an agreement",
    tag="agreements",
    body=AgreementIn,
    status=201,
)
def add_agreement(talk_id: str, body: AgreementIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: agreements.add_agreement(
            svc, s, me, talk_id, what=body.what, owner=body.owner, due=body.due
        ).to_dict()
    )


@api.route(
    "PATCH",
    "/talks/<talk_id>/agreements/<agreement_id>",
    summary="Change an agreement's wording, owner or due date",
    tag="agreements",
    body=AgreementChange,
)
def edit_agreement(talk_id: str, agreement_id: str, body: AgreementChange) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    for key in ("what", "owner"):
        if key in changes and changes[key] is None:
            raise InvalidInput("required", key)
    return as_viewer_write(
        lambda svc, s, me: agreements.edit_agreement(
            svc, s, me, talk_id, agreement_id, expected_version=body.version, changes=changes
        ).to_dict()
    )


@api.route(
    "DELETE",
    "/talks/<talk_id>/agreements/<agreement_id>",
    summary="Remove an agreement (before signing); one the other stands behind waits for them",
    tag="agreements",
    query=VersionQuery,
)
def remove_agreement(talk_id: str, agreement_id: str, query: VersionQuery) -> dict[str, Any]:
    left = as_viewer_write(
        lambda svc, s, me: _dict_or_none(
            agreements.remove_agreement(
                svc, s, me, talk_id, agreement_id, expected_version=query.version
            )
        )
    )
    # Removed at once, or waiting for the other participant's confirmation.
    return {"removed": agreement_id} if left is None else {"removal_requested": left}


@api.route(
    "POST",
    "/talks/<talk_id>/agreements/<agreement_id>/removal",
    summary="Answer a request to remove an agreement: confirm it (the other), or keep it",
    tag="agreements",
    body=RemovalDecision,
)
def decide_removal(talk_id: str, agreement_id: str, body: RemovalDecision) -> dict[str, Any]:
    left = as_viewer_write(
        lambda svc, s, me: _dict_or_none(
            agreements.decide_removal(
                svc, s, me, talk_id, agreement_id, keep=body.keep, expected_version=body.version
            )
        )
    )
    return {"removed": agreement_id} if left is None else {"kept": left}


def _dict_or_none(item: Agreement | None) -> dict[str, object] | None:
    return None if item is None else item.to_dict()


@api.route(
    "POST",
    "/talks/<talk_id>/agreements/<agreement_id>/confirm",
    summary="Confirm the wording (the other participant)",
    tag="agreements",
    body=Versioned,
)
def confirm_agreement(talk_id: str, agreement_id: str, body: Versioned) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: agreements.confirm_agreement(
            svc, s, me, talk_id, agreement_id, expected_version=body.version
        ).to_dict()
    )


@api.route(
    "POST",
    "/talks/<talk_id>/agreements/<agreement_id>/reaction",
    summary="The learner's reaction",
    tag="agreements",
    body=ReactionIn,
)
def react(talk_id: str, agreement_id: str, body: ReactionIn) -> dict[str, Any]:
    return as_viewer_write(
        lambda svc, s, me: agreements.react(
            svc, s, me, talk_id, agreement_id, reaction=body.reaction, expected_version=body.version
        ).to_dict()
    )
