"""Talk types for the use cases: what a talk can be planned as, and each talk's own version.

A talk's ``template_id`` holds the SHA-256 of the type version it was planned with; that
version is kept in `talk_type_versions` when the talk is planned. Reading a talk's checklist
goes by that hash, never by the type's current file: a type that changes or goes away later
leaves the talk, its form, its invite and its jobs as they were.

`offered` is what one organisation (tenant) plans with: the installation's types with its
admin's own over them (`services/tenant_talk_types.py` changes those), read with one query
each time, so every worker process sees a change at once.

`for_talk` gives the services as one talk sees them (its own checklist as ``template``), so
code that reads ``svc.template`` (the invite, the preparation, the agenda) gets the talk's.
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from plugin.domain.checklist import ChecklistTemplate
from plugin.domain.errors import InvalidInput
from plugin.domain.talk import Talk
from plugin.domain.talk_types import TalkType, TalkTypes, stored_type, tenant_types
from plugin.services.context import Services
from plugin.store import talk_types as store

_HASH = re.compile(r"^[0-9a-f]{64}$")

# Stored versions never change, so one parsed copy per hash serves every database.
_parsed: dict[str, ChecklistTemplate] = {}
_own: dict[str, TalkType] = {}
_parsed_lock = threading.Lock()


def catalogue(svc: Services) -> TalkTypes:
    """The types a talk can be planned as now (just the checklist, for bare services)."""
    if svc.types is not None:
        return svc.types
    only = TalkType(template=svc.template, content={}, content_hash="")
    return TalkTypes((only,), default_id=svc.template.id)


def offered(svc: Services, session: Session, tenant_id: str) -> TalkTypes:
    """The types a tenant's talks can be planned as now: the installation's types, with the
    ones the tenant's admin added or replaced on the admin page over them, minus the ones the
    admin hid (one query; parsed copies are shared by hash, as versions never change)."""
    base = catalogue(svc)
    rows = store.tenant_types(session, tenant_id)
    if not rows:
        return base
    own = [
        own_version(row.content_hash, row.content)
        for row in rows
        if row.content_hash is not None and row.content is not None
    ]
    return tenant_types(base, own, [row.type_id for row in rows if row.hidden])


def own_version(version: str, content: dict[str, Any]) -> TalkType:
    """A tenant's uploaded version, read back: checked in full when it was uploaded, and a
    version never changes, so it is parsed once per process."""
    with _parsed_lock:
        known = _own.get(version)
    if known is None:
        known = TalkType(template=stored_type(content), content=content, content_hash=version)
        with _parsed_lock:
            _own[version] = known
    return known


def planned_version(
    svc: Services, session: Session, type_id: str | None, tenant_id: str
) -> TalkType:
    """The current version of the type a talk is planned as, kept for good from now on."""
    types = offered(svc, session, tenant_id)
    talk_type = types.default if type_id is None else types.get(type_id)
    if talk_type is None:
        raise InvalidInput("choice", "type", choices=[t.id for t in types.types])
    if talk_type.content_hash:
        store.keep(session, talk_type, svc.clock.now())
    return talk_type


def version_id(talk_type: TalkType) -> str:
    """What a talk records as its type: the version's hash (bare services: the template id)."""
    return talk_type.content_hash or talk_type.id


def template_for(svc: Services, session: Session, template_id: str) -> ChecklistTemplate:
    """The checklist of the type version ``template_id`` names (a talk's or a series')."""
    types = catalogue(svc)
    current = types.by_hash(template_id)
    if current is not None:
        return current.template
    if _HASH.match(template_id):
        with _parsed_lock:
            known = _parsed.get(template_id)
        if known is not None:
            return known
        content = store.stored_content(session, template_id)
        if content is not None:
            template = stored_type(content)
            with _parsed_lock:
                _parsed[template_id] = template
            return template
    # Not a kept version: planned with a type's id by code that does not keep versions (or
    # before they were kept). The type as it is now, else the default: never a failure.
    by_id = types.get(template_id)
    return (by_id or types.default).template


def talk_template(svc: Services, session: Session, talk: Talk) -> ChecklistTemplate:
    """The checklist of the talk's own type version."""
    return template_for(svc, session, talk.template_id)


def for_talk(svc: Services, session: Session, talk: Talk) -> Services:
    """The services as this talk sees them: its own type's checklist as ``template``."""
    template = talk_template(svc, session, talk)
    return svc if template is svc.template else replace(svc, template=template)
