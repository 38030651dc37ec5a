"""The admin page's talk types: what an organisation (tenant) offers, and its admin's changes.

An admin sees every type of the installation (built in, or from the settings' folder) and of
their own organisation, downloads any type's file, uploads a file that adds a type or replaces
one of the same id (for their organisation only), removes an upload again (a replaced type
comes back), and hides an installation type or shows it again; never the default type, so a
talk that names no type always has one.

An upload is checked exactly as a file is at start-up (`domain.talk_types.read_type`: JSON,
the published schema, the template's own rules), and kept like a planned version
(`talk_type_versions`), so the organisation's row only points at it. Every change names the
version of the row it is based on: two admins never overwrite each other silently. No change
touches a talk planned before: a talk keeps its own version.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from plugin.domain.errors import Conflict, InvalidInput, NotFound
from plugin.domain.people import Person
from plugin.domain.talk_types import TalkType, TypeFault, built_in_types, read_type
from plugin.services import audit
from plugin.services.context import Services
from plugin.services.talk_types import catalogue, own_version
from plugin.store import talk_types as store
from plugin.store.schema import people
from plugin.store.talk_types import TenantType

#: A type's id, as the published schema has it (`static/schemas/talk-type.json`).
TYPE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")
#: An uploaded file: the built-in ones are about 16,000 characters.
MAX_FILE_CHARS = 100_000
#: Types an organisation adds of its own (replacing an installation type does not count).
MAX_OWN_TYPES = 30
#: The controlecode shown on the admin page: the start of the version's SHA-256.
CHECK_CODE_LENGTH = 12

#: What the audit log records of each change (`services/audit.py`).
AUDIT_UPLOAD = "talk_type_upload"
AUDIT_REMOVE = "talk_type_remove"
AUDIT_HIDE = "talk_type_hide"
AUDIT_SHOW = "talk_type_show"


class TypeRefused(InvalidInput):
    """A change the admin page's types refuse, for a reason only they know (the web layer
    words it): ``bad_file`` (with ``problem``), ``id_mismatch``, ``too_many_types``,
    ``default_type``, ``not_installation``, ``nothing_to_remove``."""


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes


def _installation_sources(svc: Services) -> dict[str, str]:
    """Each installation type's id and where it comes from: "built_in" or "installation"."""
    built_in = {t.content_hash for t in built_in_types()}
    return {
        t.id: "built_in" if t.content_hash in built_in else "installation"
        for t in catalogue(svc).types
    }


def _rows(session: Session, tenant_id: str) -> dict[str, TenantType]:
    return {row.type_id: row for row in store.tenant_types(session, tenant_id)}


def _current(svc: Services, rows: dict[str, TenantType], type_id: str) -> TalkType | None:
    """The version an organisation has of this type now (hidden or not), or None."""
    row = rows.get(type_id)
    if row is not None and row.content_hash is not None and row.content is not None:
        return own_version(row.content_hash, row.content)
    return catalogue(svc).get(type_id)


def _names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = session.execute(select(people.c.id, people.c.display_name).where(people.c.id.in_(ids)))
    return {r.id: r.display_name for r in found}


def listing(svc: Services, session: Session, admin: Person, lang: str) -> dict[str, Any]:
    """Every type of the admin's organisation, hidden ones too, in the plan page's order."""
    sources = _installation_sources(svc)
    rows = _rows(session, admin.tenant_id)
    default_id = catalogue(svc).default_id
    names = _names(session, {r.changed_by for r in rows.values() if r.changed_by})
    ids = list(sources) + [i for i in rows if i not in sources]
    entries = []
    for type_id in ids:
        current = _current(svc, rows, type_id)
        if current is None:  # not reachable: an own type's row goes when it is removed
            continue
        row = rows.get(type_id)
        own = row is not None and row.content_hash is not None
        entries.append(
            {
                "id": type_id,
                "name": current.template.name.in_(lang),
                "source": "own" if own else sources[type_id],
                "replaces": sources.get(type_id) if own else None,
                "hidden": bool(row and row.hidden),
                "default": type_id == default_id,
                "check_code": current.content_hash[:CHECK_CODE_LENGTH],
                "content_hash": current.content_hash,
                "type_version": current.content.get("version"),
                "version": row.version if row else 0,
                "changed_at": row.changed_at.isoformat() if row else None,
                # "" for a person erased since: the page says "a removed user".
                "changed_by": names.get(row.changed_by, "") if row and row.changed_by else None,
                "can_remove": own,
                "can_hide": type_id in sources and type_id != default_id,
            }
        )
    return {"default": default_id, "types": entries}


def download(svc: Services, session: Session, admin: Person, type_id: str) -> Download:
    """The type's file as the organisation has it now, to edit and upload again."""
    current = _current(svc, _rows(session, admin.tenant_id), type_id)
    if current is None or not current.content:
        raise NotFound("not_found", "type")
    text = json.dumps(current.content, ensure_ascii=False, indent=2) + "\n"
    return Download(filename=f"{type_id}.json", content=text.encode("utf-8"))


def _check_version(
    svc: Services,
    session: Session,
    admin: Person,
    rows: dict[str, TenantType],
    type_id: str,
    version: int,
    lang: str,
) -> None:
    """The change must name the row's version (0: none yet); 409 with the list as it is."""
    row = rows.get(type_id)
    if version != (row.version if row else 0):
        raise Conflict("stale", "version", current=listing(svc, session, admin, lang))


def upload(
    svc: Services,
    session: Session,
    admin: Person,
    type_id: str,
    *,
    version: int,
    text: str,
    lang: str,
) -> None:
    """Add the type ``type_id`` for the admin's organisation, or put this file in its place."""
    try:
        talk_type = read_type(text, type_id)
    except TypeFault as fault:
        # No field: not JSON at all; the page says so in its own words, before the decoder's.
        problem = fault.problem if fault.field else fault.problem.removeprefix("not valid JSON: ")
        raise TypeRefused("bad_file", fault.field or "file", problem=problem) from None
    if talk_type.id != type_id:
        raise TypeRefused("id_mismatch", "id", found=talk_type.id, expected=type_id)
    rows = _rows(session, admin.tenant_id)
    _check_version(svc, session, admin, rows, type_id, version, lang)
    sources = _installation_sources(svc)
    own_only = {i for i, r in rows.items() if r.content_hash is not None and i not in sources}
    if type_id not in sources and type_id not in own_only and len(own_only) >= MAX_OWN_TYPES:
        raise TypeRefused("too_many_types", "id", max=MAX_OWN_TYPES)
    now = svc.clock.now()
    store.keep(session, talk_type, now)
    store.save_tenant_type(
        session,
        admin.tenant_id,
        type_id,
        based_on=version,
        content_hash=talk_type.content_hash,
        hidden=False,
        changed_by=admin.id,
        now=now,
    )


def remove(
    svc: Services, session: Session, admin: Person, type_id: str, *, version: int, lang: str
) -> None:
    """Remove the organisation's own upload: an installation type of this id comes back."""
    rows = _rows(session, admin.tenant_id)
    row = rows.get(type_id)
    if row is None or row.content_hash is None:
        if _current(svc, rows, type_id) is None:
            raise NotFound("not_found", "type")
        raise TypeRefused("nothing_to_remove", "id")
    _check_version(svc, session, admin, rows, type_id, version, lang)
    if catalogue(svc).get(type_id) is None:
        # An own type: nothing of it is left to list, so its row goes too.
        store.drop_tenant_type(session, admin.tenant_id, type_id, based_on=version)
        return
    store.save_tenant_type(
        session,
        admin.tenant_id,
        type_id,
        based_on=version,
        content_hash=None,
        hidden=row.hidden,
        changed_by=admin.id,
        now=svc.clock.now(),
    )


def set_hidden(
    svc: Services,
    session: Session,
    admin: Person,
    type_id: str,
    *,
    version: int,
    hidden: bool,
    lang: str,
) -> None:
    """Hide an installation type from the organisation's planning, or offer it again."""
    types = catalogue(svc)
    rows = _rows(session, admin.tenant_id)
    if types.get(type_id) is None:
        if _current(svc, rows, type_id) is None:
            raise NotFound("not_found", "type")
        raise TypeRefused("not_installation", "id")
    if hidden and type_id == types.default_id:
        raise TypeRefused("default_type", "id")
    _check_version(svc, session, admin, rows, type_id, version, lang)
    row = rows.get(type_id)
    store.save_tenant_type(
        session,
        admin.tenant_id,
        type_id,
        based_on=version,
        content_hash=row.content_hash if row else None,
        hidden=hidden,
        changed_by=admin.id,
        now=svc.clock.now(),
    )


def record(svc: Services, admin: Person, action: str) -> None:
    """Write the change to the audit log (who and when), after it was committed."""
    audit.record(svc, action, tenant_id=admin.tenant_id, actor_id=admin.id, via="admin")
