"""Migrations: from an empty database to head, matching the schema, and back again."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

import plugin.store.schema  # noqa: F401 (its import defines every table)
from plugin.store import migrate
from plugin.store.db import make_engine
from plugin.store.metadata import metadata
from tests.support.postgres import create_database, drop_database

_names = itertools.count(1)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    server: str = request.getfixturevalue("pg_server")
    name = f"og_migrations_{os.getpid()}_{next(_names)}"
    engine = make_engine(create_database(server, name))
    try:
        yield engine
    finally:
        engine.dispose()
        drop_database(server, name)


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": metadata}
        )
        return compare_metadata(context, metadata)


def app_tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_empty_database_is_not_up_to_date(empty_engine: Engine) -> None:
    assert migrate.current_revision(empty_engine) is None
    assert not migrate.is_up_to_date(empty_engine)


def test_upgrade_from_empty_matches_schema(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
    assert migrate.current_revision(empty_engine) == migrate.head_revision(empty_engine)
    assert app_tables(empty_engine) == set(metadata.tables)
    assert differences(empty_engine) == []


def test_alembic_check_passes(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    command.check(migrate.alembic_config(empty_engine))  # raises when autogenerate finds work


def test_upgrade_twice_is_harmless(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
    assert differences(empty_engine) == []


def test_downgrade_to_base_and_up_again(empty_engine: Engine) -> None:
    migrate.upgrade(empty_engine)
    command.downgrade(migrate.alembic_config(empty_engine), "base")
    assert migrate.current_revision(empty_engine) is None
    assert app_tables(empty_engine) == set()
    migrate.upgrade(empty_engine)
    assert migrate.is_up_to_date(empty_engine)
    assert differences(empty_engine) == []


def test_fixture_database_is_migrated(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert migrate.is_up_to_date(engine)
        assert differences(engine) == []
    finally:
        engine.dispose()
