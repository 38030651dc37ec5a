"""What the database holds, as comparable data: a refused request must leave it exactly so."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from plugin.services.context import Services
from plugin.store import (
    audit_tables,
    between_talks_tables,
    lead_pair_tables,
    schema,
    talk_type_tables,
    working_tables,
)

#: Every table a request can touch (sign-in tokens aside: signing in is a test's set-up).
TABLES = (
    schema.people,
    schema.tracks,
    schema.talks,
    schema.agreements,
    between_talks_tables.agreement_progress,
    schema.preparations,
    schema.agenda_notes,
    schema.feedback_drafts,
    schema.signatures,
    schema.talk_shares,
    between_talks_tables.check_ins,
    working_tables.calendar_events,
    working_tables.calendar_attendees,
    working_tables.outbox_jobs,
    working_tables.live_answers,
    talk_type_tables.talk_type_versions,
    talk_type_tables.tenant_talk_types,
    audit_tables.audit_log,
    audit_tables.stored_settings,
    lead_pair_tables.lead_pairs,
)


def snapshot(services: Services) -> dict[str, list[tuple[Any, ...]]]:
    """All rows of those tables, each table in a stable order."""
    with services.db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in TABLES
        }
