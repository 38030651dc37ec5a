"""Reading people's session generations (local mode's sign-out ends every session begun before
it): on bare connections, since the session check asks on every request."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from plugin.store.schema import people


def session_generation(connection: Connection, tenant_id: str, person_id: str) -> int | None:
    """The person's session generation, or None for no such person in that tenant."""
    found: int | None = connection.execute(
        select(people.c.session_generation).where(
            people.c.id == person_id, people.c.tenant_id == tenant_id
        )
    ).scalar_one_or_none()
    return found


def session_generations(
    connection: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """(tenant id, person id) → session generation, for those that exist, in one read."""
    wanted = set(keys)
    if not wanted:
        return {}
    rows = connection.execute(
        select(people.c.tenant_id, people.c.id, people.c.session_generation).where(
            people.c.id.in_({person_id for _, person_id in wanted})
        )
    )
    return {
        (row.tenant_id, row.id): row.session_generation
        for row in rows
        if (row.tenant_id, row.id) in wanted
    }
