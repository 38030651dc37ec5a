"""Seeding for the purge benchmark (`tests/bench/purge.py`): many tracks, each a copy of one
whole loop made through the app.

The template is `tests/privacy/loop.py`'s loop, run through the API on an empty database: a
signed talk (preparation with a private point, a note, a feedback draft, an agreement confirmed
and reacted to, both signatures, a progress note, a share with a school supervisor, reminder
occasions, outbox jobs, the local calendar's events) and its booked follow-up. Every row of
every table is then copied per track with new ids (every UUID in a row, JSON included, is
mapped; people come from a pool of colleagues and supervisors) and its times shifted, and
inserted in bulk through SQLAlchemy Core.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, Table, insert, select

import plugin.store.audit_tables  # noqa: F401  (all tables in the metadata)
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT
from plugin.jobs.outbox import Outbox
from plugin.services.context import Services
from plugin.store.metadata import metadata
from plugin.store.schema import people

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
#: Not copied: shared by every talk (type versions), a person's own (sign-in links), or the
#: app's bookkeeping.
SKIP = {"people", "talk_type_versions", "signin_tokens", "alembic_version", "upkeep_runs"}
SKIP |= {"stored_settings", "audit_log", "graph_subscriptions", "reminder_opt_outs"}
CHUNK = 2000
TEMPLATE_DAY = datetime(2022, 1, 10, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Template:
    rows: dict[str, list[dict[str, Any]]]
    lead_id: str
    learner_id: str
    supervisor_id: str


def make_template(
    svc: Services, outbox: Outbox, clock: FixedClock, make_clients: Callable[..., Any]
) -> Template:
    """The whole loop through the API; `make_clients(lead, learner)` signs both in."""
    from plugin.domain.people import Person
    from tests.privacy.loop import whole_loop

    clock.set(TEMPLATE_DAY)
    lead = Person(str(uuid.uuid4()), LOCAL_TENANT, "t-lead", "Template Lead", "tl@b.test")
    learner = Person(str(uuid.uuid4()), LOCAL_TENANT, "t-lrn", "Template Learner", "tn@b.test")
    svc.write(lambda s: s.add_all([lead, learner]))
    lead_client, learner_client = make_clients(lead, learner)
    whole_loop(svc, outbox, clock, lead_client, learner_client, learner.id)
    rows: dict[str, list[dict[str, Any]]] = {}
    with svc.db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            found = [dict(r) for r in connection.execute(select(table)).mappings()]
            if found:
                rows[table.name] = found
        supervisor = connection.execute(
            select(people.c.id).where(people.c.external.is_(True))
        ).scalar_one()
    return Template(rows, lead.id, learner.id, supervisor)


def pool(count: int, external: bool, prefix: str) -> list[dict[str, Any]]:
    return [
        {
            "id": str(uuid.uuid4()),
            "tenant_id": LOCAL_TENANT,
            "object_id": f"{prefix}-{n}",
            "display_name": f"{prefix} {n}",
            "email": f"{prefix}{n}@bench.test",
            "job_title": "",
            "external": external,
            "feed_version": 1,
            "session_generation": 1,
            "locale": "nl",
            "folded_hints": [],
        }
        for n in range(count)
    ]


def _mapped(value: Any, ids: dict[str, str], shift: timedelta) -> Any:
    if isinstance(value, str):
        return UUID.sub(lambda m: ids.get(m.group(0), m.group(0)), value) if "-" in value else value
    if isinstance(value, datetime):
        return value + shift
    if isinstance(value, list):
        return [_mapped(v, ids, shift) for v in value]
    if isinstance(value, dict):
        return {k: _mapped(v, ids, shift) for k, v in value.items()}
    try:  # a date
        return value + shift if hasattr(value, "isoformat") and hasattr(value, "day") else value
    except TypeError:
        return value


def copies(
    template: Template,
    count: int,
    colleagues: list[dict[str, Any]],
    supervisors: list[dict[str, Any]],
    shift_days: Callable[[int], int],
    first: int = 0,
) -> dict[str, list[dict[str, Any]]]:
    """`count` copies of the template's track; copy k moves by `shift_days(k)` days."""
    found_ids: set[str] = set()
    for table_rows in template.rows.values():
        for row in table_rows:
            found_ids.update(UUID.findall(repr(row)))
    people_ids = {template.lead_id, template.learner_id, template.supervisor_id}
    size = len(colleagues)
    out: dict[str, list[dict[str, Any]]] = {}
    for k in range(first, first + count):
        lead = k % size
        learner = (lead + 1 + k // size) % size
        ids = {i: str(uuid.uuid4()) for i in found_ids - people_ids}
        ids[template.lead_id] = colleagues[lead]["id"]
        ids[template.learner_id] = colleagues[learner]["id"]
        ids[template.supervisor_id] = supervisors[k % len(supervisors)]["id"]
        shift = timedelta(days=shift_days(k))
        for name, table_rows in template.rows.items():
            if name in SKIP:
                continue
            for row in table_rows:
                copied = {c: _mapped(v, ids, shift) for c, v in row.items()}
                if name == "outbox_jobs":
                    copied.pop("id")
                out.setdefault(name, []).append(copied)
    return out


def insert_rows(engine: Engine, rows: dict[str, list[dict[str, Any]]]) -> None:
    tables: dict[str, Table] = {t.name: t for t in metadata.sorted_tables}
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            batch = rows.get(table.name, [])
            if table.name == "talks":  # a follow-up names the talk it follows
                batch = sorted(batch, key=lambda r: r["previous_talk_id"] is not None)
            for start in range(0, len(batch), CHUNK):
                connection.execute(insert(tables[table.name]), batch[start : start + CHUNK])


def spread(rng: random.Random, low: int, high: int) -> Callable[[int], int]:
    days = {}

    def shift(k: int) -> int:
        if k not in days:
            days[k] = rng.randint(low, high)
        return days[k]

    return shift
