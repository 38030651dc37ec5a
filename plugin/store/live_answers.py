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


def stored_many(connection: Connection, wanted: list[tuple[str, str, int]]) -> dict[str, str]:
    """talk id → answer, for each (tenant id, talk id, version) kept at exactly that version:
    a process that sees several talks changed reads their answers in one query."""
    exact = {(tenant_id, talk_id, version) for tenant_id, talk_id, version in wanted}
    rows = connection.execute(
        select(
            live_answers.c.tenant_id, live_answers.c.talk_id, live_answers.c.version,
            live_answers.c.body,
        ).where(live_answers.c.talk_id.in_(sorted({talk_id for _, talk_id, _ in wanted})))
    )  # fmt: skip
    return {
        row.talk_id: row.body for row in rows if (row.tenant_id, row.talk_id, row.version) in exact
    }


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
