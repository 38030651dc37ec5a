"""Migration 0018: a term an admin stored before settings were per tenant holds afterwards for
every tenant that has people, and a downgrade keeps one row per name again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command

from plugin.domain.people import Person
from plugin.services import admin_settings
from plugin.services.context import Services
from plugin.services.privacy_terms import Terms
from plugin.store import migrate

WHEN = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
OLD = sa.Table(
    "stored_settings",
    sa.MetaData(),
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.JSON),
    sa.Column("updated_at", sa.DateTime(timezone=True)),
)


def _rows(services: Services) -> list[tuple[str, str, object]]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT tenant_id, name, value FROM stored_settings ORDER BY 1, 2")
        )
        return [(r[0], r[1], r[2]) for r in rows]


def test_a_row_from_before_is_copied_to_each_tenant(
    services: Services, make_person: Callable[..., Person]
) -> None:
    make_person()  # tenant "local"
    make_person(tenant_id="other-tenant")
    make_person(tenant_id="other-tenant")
    engine = services.db.engine
    command.downgrade(migrate.alembic_config(engine), "0017")
    with engine.begin() as connection:
        # As the app before 0018 wrote them: one row per name for the whole installation.
        connection.execute(
            sa.insert(OLD),
            [
                {"name": "retention_months", "value": 30, "updated_at": WHEN},
                {"name": "follow_up_interval_weeks", "value": 3, "updated_at": WHEN},
            ],
        )
    migrate.upgrade(engine)

    assert _rows(services) == [
        ("local", "follow_up_interval_weeks", 3),
        ("local", "retention_months", 30),
        ("other-tenant", "follow_up_interval_weeks", 3),
        ("other-tenant", "retention_months", 30),
    ]
    for tenant in ("local", "other-tenant"):
        shown = services.read(
            lambda s, t=tenant: admin_settings.view(s, Terms(), services.policy, t)
        )
        assert (shown["retention_months"], shown["follow_up_interval_weeks"]) == (30, 3)
    # A tenant that came later starts from the settings.
    later = services.read(lambda s: admin_settings.view(s, Terms(), services.policy, "new"))
    assert later["retention_months"] == Terms().retention_months


def test_a_downgrade_keeps_one_row_per_name(
    services: Services, make_person: Callable[..., Person]
) -> None:
    make_person()
    make_person(tenant_id="other-tenant")
    engine = services.db.engine
    with engine.begin() as connection:
        for tenant, months in (("local", 12), ("other-tenant", 48)):
            connection.execute(
                sa.text(
                    "INSERT INTO stored_settings (tenant_id, name, value, updated_at) "
                    "VALUES (:t, 'retention_months', :v, :w)"
                ).bindparams(sa.bindparam("v", type_=sa.JSON)),
                {"t": tenant, "v": months, "w": WHEN},
            )
    command.downgrade(migrate.alembic_config(engine), "0017")
    with engine.connect() as connection:
        rows = connection.execute(sa.select(OLD.c.name, OLD.c.value)).all()
    # The first tenant's (by id), always the same one.
    assert [tuple(r) for r in rows] == [("retention_months", 12)]
    migrate.upgrade(engine)
