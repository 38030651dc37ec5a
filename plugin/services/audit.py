"""The audit log: who opened a signed form, its PDF, a share link or an export, and when.

`record` appends one row in its own short transaction, after the reading it records (an
opened page is logged once it was shown). Rows hold ids only; `entries` reads them back for
the admin (the CLI's `privacy audit` for now).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from plugin.domain.talk_state import TalkStatus
from plugin.services.context import Services
from plugin.store import audit as store
from plugin.store import repo

log = logging.getLogger(__name__)

#: What can be recorded: openings of a person's records, an erasure, and an admin's changes
#: to the organisation's talk types and terms.
ACTIONS = frozenset(
    {
        "form",
        "form_pdf",
        "share_link",
        "share_link_pdf",
        "export",
        "erase",
        "talk_type_upload",
        "talk_type_remove",
        "talk_type_hide",
        "talk_type_show",
        "settings_change",
        "lead_pairs_change",
    }
)


@dataclass(frozen=True)
class Entry:
    at: datetime
    tenant_id: str
    actor_id: str | None
    action: str
    talk_id: str | None
    subject_id: str | None
    via: str


def record(
    svc: Services,
    action: str,
    *,
    tenant_id: str,
    actor_id: str | None,
    talk_id: str | None = None,
    subject_id: str | None = None,
    via: str = "web",
) -> None:
    """Append one entry (its own transaction)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    row = {
        "at": svc.clock.now(),
        "tenant_id": tenant_id,
        "actor_id": actor_id,
        "action": action,
        "talk_id": talk_id,
        "subject_id": subject_id,
        "via": via,
    }
    svc.write(lambda session: store.append(session, row))
    log.info("audit: %s of talk %s by %s", action, talk_id, actor_id)


def entries(svc: Services, since: datetime | None = None, limit: int = 10_000) -> list[Entry]:
    """The log, oldest first, from `since` on."""
    rows = svc.read(lambda session: store.read(session, since, limit))
    return [
        Entry(r.at, r.tenant_id, r.actor_id, r.action, r.talk_id, r.subject_id, r.via) for r in rows
    ]


def record_if_signed(
    svc: Services, action: str, *, tenant_id: str, actor_id: str, talk_id: str, via: str = "web"
) -> None:
    """Record the opening of a talk's form, once it is signed (before, it is a draft both are
    still writing, and no record of anyone's)."""
    status = svc.read(lambda session: repo.talk_status(session, tenant_id, talk_id))
    if status is TalkStatus.SIGNED:
        record(svc, action, tenant_id=tenant_id, actor_id=actor_id, talk_id=talk_id, via=via)


def record_share_link(svc: Services, action: str, token: str, via: str = "web") -> None:
    """Record an opening through a supervisor's share link (the PDF's route knows the token
    only): the link's supervisor and talk, if the link still works."""
    from plugin.services import sharing

    found = svc.read(lambda session: sharing.talk_by_share_link(svc, session, token))
    if found is not None:
        talk, supervisor, _claim = found
        record(
            svc,
            action,
            tenant_id=supervisor.tenant_id,
            actor_id=supervisor.id,
            talk_id=talk.id,
            via=via,
        )
