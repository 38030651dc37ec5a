"""Engines and sessions for SQLite (the embedded default, in WAL mode) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

import plugin.store.schema  # noqa: F401  (maps the domain classes)
from plugin.domain.talk import Talk

#: Execution option that makes SQLite take the write lock at BEGIN. Without it two deferred
#: transactions that both read and then write fail with "database is locked" instead of waiting.
WRITE = "ontwikkelgesprek_write"
#: `session.info` key: this transaction writes what it loads, so loading a talk locks its row
#: (PostgreSQL). Concurrent changes of one talk then queue instead of failing at commit.
LOCK_ON_LOAD = "lock_on_load"


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it would add a round trip to every poll of a live panel. Connections are
    # recycled instead, and a request that meets a dropped connection fails once and is retried
    # by the client (panels poll again within a second).
    return create_engine(url, pool_recycle=1800, pool_size=10, max_overflow=10, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see "begin" below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("isolation_level") == "AUTOCOMMIT":
            return  # `Database.connection`: each statement is its own transaction
        mode = "IMMEDIATE" if options.get(WRITE) else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def database_kind(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else engine.dialect.name


CHANGED_TALKS = "changed_talks"


def _collect_changed_talks(session: Session, _context: Any) -> None:
    changed: dict[str, Talk | None] = session.info.setdefault(CHANGED_TALKS, {})
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Talk):
            changed[obj.id] = obj
    for obj in session.deleted:
        if isinstance(obj, Talk):
            changed[obj.id] = None


class Database:
    """The engine plus the two ways to use it: read, or read-and-write in one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        event.listen(self._sessions, "after_flush", _collect_changed_talks)
        #: Called with the talks a committed transaction changed: id → the talk as committed
        #: (detached, fully loaded), or None for a talk it deleted.
        self.talk_listeners: list[Callable[[Mapping[str, Talk | None]], object]] = []

    @property
    def kind(self) -> str:
        return database_kind(self.engine)

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads; closing it ends the transaction and keeps loaded objects usable."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare autocommit connection for hot single-statement reads (no BEGIN/ROLLBACK)."""
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            yield connection

    @contextmanager
    def writing(self, *, lock_early: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back whole on any error.

        On SQLite the write lock is taken at BEGIN, so concurrent writers queue instead of
        failing. `lock_early=False` takes it only at the first write: for work that waits on
        something remote between its reads and its writes, and would otherwise block every
        other writer meanwhile. Such a transaction may fail with "database is locked" when
        another writer got in first; its caller must be ready to run it again.
        """
        with self._sessions() as session:
            session.connection(execution_options={WRITE: lock_early})
            session.info[LOCK_ON_LOAD] = lock_early
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            changed = session.info.pop(CHANGED_TALKS, {})
        if changed:
            for listener in self.talk_listeners:
                listener(changed)

    def dispose(self) -> None:
        self.engine.dispose()
