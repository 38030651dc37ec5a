"""The table of talk type versions: each version a talk was planned with, kept as it was.

A row is written once, under the SHA-256 of the type's content, and never changed or deleted:
a talk points at it (`talks.template_id`), so the type's file may change or go away later.
"""

from __future__ import annotations

from sqlalchemy import Column, String, Table

from plugin.store.metadata import metadata
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
