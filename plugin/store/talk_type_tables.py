"""The tables of talk types: each version a talk was planned with (or an admin uploaded), kept
as it was, and what each organisation (tenant) changed about the installation's types.

A version row is written once, under the SHA-256 of the type's content, and never changed or
deleted: a talk points at it (`talks.template_id`), so the type's file may change or go away
later.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, false

from plugin.store.metadata import ID, metadata
from plugin.store.types import Json, UTCDateTime

talk_type_versions = Table(
    "talk_type_versions",
    metadata,
    #: SHA-256 (hex) of the type's JSON written canonically (`domain.checklist.content_hash`).
    Column("content_hash", String(64), primary_key=True),
    #: The type's id in that content ("ontwikkelgesprek", ...), for reading the table by eye.
    Column("type_id", String(64), nullable=False),
    #: The type file's decoded JSON, whole.
    Column("content", Json, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

#: A tenant's own types, set by its admin on the admin page: one row per type id the admin
#: uploaded, replaced or hid (an own type removed again leaves no row). Over the
#: installation's types (built in, or the settings' folder) when offered
#: (`services/talk_types.offered`); a talk keeps its version in `talk_type_versions`, so no
#: change here ever changes a talk planned before.
tenant_talk_types = Table(
    "tenant_talk_types",
    metadata,
    #: Entra tenant id, or "local": one organisation's types are never offered in another.
    Column("tenant_id", String(64), primary_key=True),
    Column("type_id", String(64), primary_key=True),
    #: The version the admin uploaded (kept like a planned one); None: the installation's
    #: type of this id (hidden, or an upload that was removed again).
    Column(
        "content_hash",
        String(64),
        ForeignKey("talk_type_versions.content_hash"),
        nullable=True,
    ),
    #: The organisation does not offer this type (an installation type; never the default).
    Column("hidden", Boolean, nullable=False, server_default=false()),
    #: Counts every change, so that two admins never overwrite each other silently.
    Column("version", Integer, nullable=False),
    #: Who changed it last (no foreign key: like the audit log's, it outlives an erased person,
    #: who is then an id nobody can resolve), and when.
    Column("changed_by", ID, nullable=True),
    Column("changed_at", UTCDateTime, nullable=False),
)
