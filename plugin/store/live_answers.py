"""Queries of the live panels' shared answers: one row per talk, its newest version wins.

They take a plain autocommit connection (`Database.connection`): a poll that misses its
process's memory reads one row, and a writer keeps the answer it just built, each statement on
its own.
"""

from __future__ import annotations

from contextlib import suppress

from sqlalchemy import Connection, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from plugin.store.working_tables import live_answers


def stored(connection: Connection, tenant_id: str, talk_id: str, version: int) -> str | None:
    """The tenant's talk's answer at exactly `version`, if some process kept it."""
    return connection.execute(
        select(live_answers.c.body).where(
            live_answers.c.talk_id == talk_id,
            live_answers.c.tenant_id == tenant_id,
            live_answers.c.version == version,
        )
    ).scalar_one_or_none()


def keep(connection: Connection, tenant_id: str, talk_id: str, version: int, body: str) -> None:
    """Keep `body` as the talk's answer unless a newer version is kept already."""
    replaced = connection.execute(
        update(live_answers)
        .where(
            and_(
                live_answers.c.talk_id == talk_id,
                live_answers.c.tenant_id == tenant_id,
                live_answers.c.version < version,
            )
        )
        .values(version=version, body=body)
    ).rowcount
    if replaced:
        return
    # Kept already, at this version or a newer one (or its talk is gone): nothing to do.
    with suppress(IntegrityError):
        connection.execute(
            insert(live_answers).values(
                talk_id=talk_id, tenant_id=tenant_id, version=version, body=body
            )
        )
