"""What live panels ask of the talks table many times a second: each talk's version.

Plain connections, not sessions: an ORM session per read would cost more than the read.
"""

from __future__ import annotations

from sqlalchemy import Connection, String, any_, bindparam, select
from sqlalchemy.dialects import postgresql

from plugin.store.schema import talks


def talk_stamps(
    connection: Connection, talk_ids: list[str]
) -> dict[str, tuple[str, int, str, str]]:
    """talk id → (tenant id, version, lead id, learner id), in one indexed read."""
    rows = connection.execute(
        select(
            talks.c.id, talks.c.tenant_id, talks.c.version, talks.c.lead_id, talks.c.learner_id
        ).where(talks.c.id.in_(talk_ids))
    )
    return {row.id: (row.tenant_id, row.version, row.lead_id, row.learner_id) for row in rows}


def talk_versions(connection: Connection, talk_ids: list[str]) -> dict[str, int]:
    """talk id → version: what a process refreshes ten times a second for its open panels.

    On PostgreSQL the ids go as one array (`= ANY`): binding hundreds of separate values and
    reading back columns that never change cost three times the CPU of the query itself.
    """
    if connection.dialect.name == "postgresql":
        ids = bindparam("ids", talk_ids, type_=postgresql.ARRAY(String))
        condition = talks.c.id == any_(ids)
    else:
        condition = talks.c.id.in_(talk_ids)
    rows = connection.execute(select(talks.c.id, talks.c.version).where(condition))
    return {talk_id: version for talk_id, version in rows}
