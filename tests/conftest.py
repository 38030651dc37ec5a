"""Shared fixtures: a database per test (SQLite and PostgreSQL), a fixed clock, the services,
the Flask app, signed-in API clients, and factories for people and talks."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from plugin.bootstrap import build_services
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.domain.talk import Talk
from plugin.identity.local import issue_signin_token
from plugin.jobs.outbox import Outbox
from plugin.services import talks
from plugin.services.context import Services
from plugin.settings import Settings
from plugin.store import migrate
from plugin.store.db import make_engine
from plugin.web.app import create_app
from plugin.web.context import STAMPS
from plugin.web.session import SESSION_CHECK
from tests.support.postgres import _execute_on_database, drop_database, postgres_for_tests

#: Monday 1 March 2027, 09:00 in Amsterdam: a fixed "now" for every test.
START = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
BASE_URL = "http://og.test"
DATABASES = ["sqlite", "postgresql"]
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with postgres_for_tests() as url:
        yield url


@pytest.fixture(scope="session")
def pg_template(pg_server: str) -> str:
    """A database migrated once; each test copies it (CREATE DATABASE … TEMPLATE)."""
    name = "og_template"
    drop_database(pg_server, name)
    _execute_on_database(pg_server, "CREATE DATABASE {}", name)
    engine = make_engine(_with_database(pg_server, name))
    migrate.upgrade(engine)
    engine.dispose()
    return name


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


def _with_database(server_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=DATABASES)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty, migrated database of each kind."""
    yield from database_url(request, tmp_path, request.param)


def database_url(request: pytest.FixtureRequest, tmp_path: Path, kind: str) -> Iterator[str]:
    """An empty, migrated database of that kind (`sqlite` or `postgresql`), dropped after."""
    if kind == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: str = request.getfixturevalue("pg_server")
    template: str = request.getfixturevalue("pg_template")
    name = f"og_test_{next(_names)}"
    _execute_on_database(server, f"CREATE DATABASE {{}} TEMPLATE {template}", name)
    yield _with_database(server, name)
    drop_database(server, name)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=db_url,
        secret_key="test-secret-key-that-is-long-enough",  # type: ignore[arg-type]
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def wired(settings: Settings, clock: FixedClock) -> Iterator[tuple[Services, Outbox]]:
    svc, outbox = build_services(settings, base_url=BASE_URL, clock=clock, migrate_schema=False)
    yield svc, outbox
    svc.db.dispose()


@pytest.fixture
def services(wired: tuple[Services, Outbox]) -> Services:
    return wired[0]


@pytest.fixture
def outbox(wired: tuple[Services, Outbox]) -> Outbox:
    return wired[1]


@pytest.fixture
def app(services: Services) -> Iterator[Flask]:
    flask_app = create_app(services)
    flask_app.testing = True
    yield flask_app
    flask_app.extensions[STAMPS].stop()
    flask_app.extensions[SESSION_CHECK].stop()


@pytest.fixture
def make_person(services: Services) -> Callable[..., Person]:
    counter = itertools.count(1)

    def make(**overrides: Any) -> Person:
        n = next(counter)
        person = Person(
            id=services.new_id(),
            tenant_id=overrides.pop("tenant_id", LOCAL_TENANT),
            object_id=overrides.pop("object_id", f"person-{n}"),
            display_name=overrides.pop("display_name", f"Person {n}"),
            email=overrides.pop("email", f"person{n}@example.test"),
            **overrides,
        )
        services.write(lambda s: s.add(person))
        return person

    return make


@pytest.fixture
def lead(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Marco Lead", job_title="Praktijkopleider")


@pytest.fixture
def learner(make_person: Callable[..., Person]) -> Person:
    return make_person(display_name="Sem Learner", job_title="Stagiair")


@pytest.fixture
def make_talk(services: Services, clock: FixedClock) -> Callable[..., Talk]:
    def make(lead: Person, learner: Person, **overrides: Any) -> Talk:
        values: dict[str, Any] = {
            "starts_at": clock.now() + timedelta(days=1),
            "duration_minutes": 45,
            "title": None,
            "goals": ["goals.learn"],
            "own_goal": "",
        }
        values.update(overrides)
        return services.write(
            lambda s: talks.plan_talk(services, s, lead, learner_id=learner.id, **values)
        )

    return make


class ApiClient:
    """A signed-in browser: session cookie plus the CSRF header on every change."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, url: str, **kwargs: Any) -> Any:
        return self.client.get(url, **kwargs)

    def _send(self, method: str, url: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        if json is not None:
            kwargs["json"] = json
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def post(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self._send("POST", url, json, **kwargs)

    def put(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self._send("PUT", url, json, **kwargs)

    def patch(self, url: str, json: Any = None, **kwargs: Any) -> Any:
        return self._send("PATCH", url, json, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> Any:
        return self._send("DELETE", url, None, **kwargs)

    def talk(self, talk_id: str) -> dict[str, Any]:
        """The talk as this person sees it now (asserted readable)."""
        response = self.get(f"/api/talks/{talk_id}")
        assert response.status_code == 200, response.json
        found: dict[str, Any] = response.json
        return found

    def sign(self, talk_id: str) -> Any:
        """Sign the form as this person sees it now: the answer of `POST …/sign`."""
        return self.post(
            f"/api/talks/{talk_id}/sign", json={"form_hash": self.talk(talk_id)["form_hash"]}
        )


@pytest.fixture
def client_for(app: Flask, services: Services) -> Callable[[Person], ApiClient]:
    def signed_in(person: Person) -> ApiClient:
        token = services.write(lambda s: issue_signin_token(s, person, services.clock.now()))
        client = app.test_client()
        response = client.get(f"/signin/{token}")
        assert response.status_code == 302, response.data
        me = client.get("/api/me")
        assert me.status_code == 200, me.json
        return ApiClient(client, me.json["csrf_token"])

    return signed_in
