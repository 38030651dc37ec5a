"""Tests for the throwaway PostgreSQL server helpers."""

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from tests.support.postgres import (
    PostgresServer,
    create_database,
    drop_database,
    postgres_for_tests,
)

pytestmark = pytest.mark.postgresql


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with postgres_for_tests() as url:
        yield url


def scalar(url: str, sql: str) -> object:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar_one()
    finally:
        engine.dispose()


def test_server_answers_select_version(server_url: str) -> None:
    assert str(scalar(server_url, "select version()")).startswith("PostgreSQL ")


def test_server_start_and_stop_clean_up() -> None:
    server = PostgresServer()
    with server:
        assert scalar(server.url, "select 1") == 1
        tmp = server._tmp
        assert tmp is not None
        assert tmp.is_dir()
    assert not tmp.exists()
    server.stop()  # a second stop is harmless


def test_databases_are_created_isolated_and_dropped(server_url: str) -> None:
    a = create_database(server_url, "support_test_a")
    b = create_database(server_url, "support_test_b")
    try:
        assert a.endswith("/support_test_a")
        engine_a = create_engine(a)
        with engine_a.begin() as conn:
            conn.execute(text("create table t (x int)"))
            conn.execute(text("insert into t values (1)"))
        assert scalar(a, "select count(*) from t") == 1
        assert scalar(b, "select to_regclass('t') is null") is True
        assert scalar(b, "select current_database()") == "support_test_b"
        # WITH (FORCE) drops a database that still has open connections.
        with engine_a.connect():
            drop_database(server_url, "support_test_a")
        engine_a.dispose()
    finally:
        drop_database(server_url, "support_test_a")
        drop_database(server_url, "support_test_b")
    names = "select count(*) from pg_database where datname like 'support_test_%'"
    assert scalar(server_url, names) == 0


@pytest.mark.parametrize(
    "name",
    ["", "Upper", "1starts_with_digit", "has-dash", 'quote"; drop', "x" * 64, "é"],
)
def test_bad_database_name_is_rejected(name: str) -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"
    with pytest.raises(ValueError, match="invalid database name"):
        create_database(url, name)
    with pytest.raises(ValueError, match="invalid database name"):
        drop_database(url, name)
