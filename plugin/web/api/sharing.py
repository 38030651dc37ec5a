"""Sharing a talk read-only with a school supervisor: by person or by a signed link."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.people import Person
from plugin.identity.share_links import share_link_token
from plugin.services import sharing, talks, views
from plugin.services.context import Services
from plugin.web.api.base import api, write_talk
from plugin.web.context import as_viewer_read
from plugin.web.schemas import (
    ShareIn,
    ShareLinkIn,
    VersionQuery,
)


@api.route(
    "POST",
    "/talks/<talk_id>/shares",
    summary="Share the talk read-only with a school supervisor",
    tag="sharing",
    body=ShareIn,
)
def add_share(talk_id: str, body: ShareIn) -> dict[str, Any]:
    shared = write_talk(
        talk_id,
        lambda svc, s, me: sharing.share(
            svc, s, me, talk_id, body.person_id, expected_version=body.version
        ),
    )
    return {"shared_with": shared, "version": _version(talk_id)}


@api.route(
    "DELETE",
    "/talks/<talk_id>/shares/<person_id>",
    summary="Stop sharing with a supervisor",
    tag="sharing",
    query=VersionQuery,
)
def remove_share(talk_id: str, person_id: str, query: VersionQuery) -> dict[str, Any]:
    shared = write_talk(
        talk_id,
        lambda svc, s, me: sharing.unshare(
            svc, s, me, talk_id, person_id, expected_version=query.version
        ),
    )
    return {"shared_with": shared, "version": _version(talk_id)}


def _version(talk_id: str) -> int:
    """The talk's version after a change of its sharing: what the next change names."""
    return as_viewer_read(lambda svc, s, me: talks.load_talk(s, me, talk_id).version)


@api.route(
    "GET",
    "/talks/<talk_id>/shares",
    summary="Who the talk is shared with (lead)",
    tag="sharing",
)
def list_shares(talk_id: str) -> dict[str, Any]:
    return {"shares": as_viewer_read(lambda svc, s, me: sharing.shares(s, me, talk_id))}


@api.route(
    "POST",
    "/talks/<talk_id>/share-links",
    summary="Make a read-only link for a school supervisor (lead); it retires their older one",
    tag="sharing",
    body=ShareLinkIn,
    status=201,
)
def add_share_link(talk_id: str, body: ShareLinkIn) -> dict[str, Any]:
    def work(svc: Services, s: Session, me: Person) -> dict[str, Any]:
        supervisor, claim = sharing.share_by_link(
            svc,
            s,
            me,
            talk_id,
            name=body.name,
            email=body.email,
            days=body.days,
            expected_version=body.version,
        )
        return {
            "url": svc.links.shared(share_link_token(svc.secret_key, claim)),
            "expires_at": claim.expires.isoformat(),
            "supervisor": views.person_view(supervisor),
        }

    made = write_talk(talk_id, work)
    made["shares"] = as_viewer_read(lambda svc, s, me: sharing.shares(s, me, talk_id))
    made["version"] = _version(talk_id)
    return made
