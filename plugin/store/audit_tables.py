"""The privacy tables: the audit log of who opened what, the upkeep's last runs, and values an
admin stores over the settings' defaults.

The audit log is append-only: the app inserts into it and never updates a row; the daily
upkeep deletes rows older than their own retention period (`services/privacy.py`).
A row holds ids, never names or texts: the person and the talk are found through their ids
while they exist, and a deleted person's rows keep only an opaque id.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table

from plugin.store.between_talks_tables import agreement_progress, check_ins
from plugin.store.metadata import ID, metadata
from plugin.store.schema import (
    agenda_notes,
    agreements,
    feedback_drafts,
    preparations,
    signatures,
    talk_series,
    talk_shares,
    tracks,
)
from plugin.store.types import Json, UTCDateTime
from plugin.store.working_tables import graph_subscriptions, signin_tokens

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime, nullable=False),
    Column("tenant_id", String(64), nullable=False),
    #: Who: a person's id; for a share link the supervisor's id (no foreign key: the log
    #: outlives an erased person, who is then an id nobody can resolve).
    Column("actor_id", ID, nullable=True),
    #: What was opened: "form", "form_pdf", "share_link", "share_link_pdf", "export".
    Column("action", String(32), nullable=False),
    #: The talk opened (None for an export), or the person exported.
    Column("talk_id", ID, nullable=True),
    Column("subject_id", ID, nullable=True),
    #: How: "web", "cli", ...
    Column("via", String(16), nullable=False),
)
Index("ix_audit_log_at", audit_log.c.at)

#: When each daily job last ran: several workers share the database, and the one that moves
#: `last_run_at` forward (a conditional update) runs the job; the others see it moved.
upkeep_runs = Table(
    "upkeep_runs",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("last_run_at", UTCDateTime, nullable=False),
    #: What the last run did (counts only), for an admin looking.
    Column("summary", Json, nullable=False),
)

#: Values an admin set on the admin page for their own tenant, over the settings' defaults
#: ("retention_months", "audit_retention_months", ...): read wherever the setting is used.
stored_settings = Table(
    "stored_settings",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("value", Json, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

# The purge deletes talks and tracks by the thousand: on PostgreSQL every deleted row checks
# the foreign keys that point at it, and without an index each check reads the whole table.
Index("ix_agreements_closed_in_talk_id", agreements.c.closed_in_talk_id)
Index("ix_check_ins_talk_id", check_ins.c.talk_id)
Index("ix_check_ins_check_in_talk_id", check_ins.c.check_in_talk_id)
Index("ix_check_ins_track_id", check_ins.c.track_id)
Index("ix_talk_series_track_id", talk_series.c.track_id)
#: ... and finding the people a purge leaves in nothing (the unique pair index leads with the
#: tenant, so it cannot serve a lookup by person).
Index("ix_tracks_lead_id", tracks.c.lead_id)
Index("ix_tracks_learner_id", tracks.c.learner_id)
#: Deleting a person (purge, erasure) checks every column that may name them: one index each.
PERSON_COLUMNS = (
    (graph_subscriptions, "person_id"),
    (talk_series, "learner_id"),
    (agenda_notes, "updated_by"),
    (agreements, "author_id"),
    (agreements, "confirmed_by"),
    (agreements, "removal_requested_by"),
    (agreements, "closed_by"),
    (agreements, "created_by"),
    (feedback_drafts, "person_id"),
    (preparations, "person_id"),
    (signatures, "person_id"),
    (talk_shares, "person_id"),
    (talk_shares, "shared_by"),
    (agreement_progress, "author_id"),
    (check_ins, "learner_id"),
    (check_ins, "outcome_by"),
    (signin_tokens, "person_id"),
)
for _table, _column in PERSON_COLUMNS:
    Index(f"ix_{_table.name}_{_column}", _table.c[_column])
