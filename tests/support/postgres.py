"""A throwaway PostgreSQL server for the test session, and databases on it.

``initdb`` refuses to run as root, so as root the server runs as the ``postgres``
system user (via ``runuser``). Set ``ONTWIKKELGESPREK_TEST_POSTGRES_URL`` to use an
existing server instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType

from sqlalchemy import create_engine, make_url, text

ENV_URL = "ONTWIKKELGESPREK_TEST_POSTGRES_URL"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresServerError(RuntimeError):
    """The test PostgreSQL server could not be set up, started or stopped."""


def find_bindir() -> Path:
    """Return the directory holding ``initdb`` and ``pg_ctl``."""
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, check=False
        )
        bindir = Path(result.stdout.strip())
        if result.returncode == 0 and (bindir / "initdb").is_file():
            return bindir

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.name
        return tuple(int(part) for part in name.split(".") if part.isdigit())

    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if (Path(candidate) / "initdb").is_file():
            return Path(candidate)

    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise PostgresServerError(
        "PostgreSQL server binaries not found (tried pg_config --bindir, "
        "/usr/lib/postgresql/*/bin and initdb on PATH); run tests/install.sh"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PostgresServer:
    """A PostgreSQL server in a temporary directory, listening on 127.0.0.1."""

    def __init__(self, bindir: Path | None = None) -> None:
        self._bindir = bindir
        self._pg_ctl: Path | None = None
        self._tmp: Path | None = None
        self._port: int | None = None
        self._prefix: list[str] = []

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the ``postgres`` database as the ``postgres`` superuser."""
        if self._port is None:
            raise PostgresServerError("the PostgreSQL server is not running")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self._port}/postgres"

    @property
    def _data(self) -> Path:
        assert self._tmp is not None
        return self._tmp / "data"

    @property
    def _log(self) -> Path:
        assert self._tmp is not None
        return self._tmp / "server.log"

    def start(self) -> None:
        """Create a cluster and start the server; wait until it accepts connections."""
        if self._tmp is not None:
            raise PostgresServerError("the PostgreSQL server is already started")
        bindir = self._bindir or find_bindir()
        self._pg_ctl = bindir / "pg_ctl"
        owner = self._run_as_user()
        self._tmp = Path(tempfile.mkdtemp(prefix="ontwikkelgesprek-pg-", dir="/tmp"))
        try:
            self._tmp.chmod(0o755)
            if owner is not None:
                os.chown(self._tmp, owner.pw_uid, owner.pw_gid)
                self._prefix = ["runuser", "-u", owner.pw_name, "--"]
            self._run(
                str(bindir / "initdb"),
                *("-D", str(self._data), "-A", "trust", "-U", "postgres"),
                *("--no-sync", "-E", "UTF8", "--locale=C"),
                what="initdb",
            )
            port = _free_port()
            options = (
                f"-F -p {port} -k {self._tmp} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            self._run(
                str(self._pg_ctl),
                *("start", "-w", "-t", "60", "-D", str(self._data)),
                *("-l", str(self._log), "-o", options),
                what="pg_ctl start",
            )
            self._port = port
        except BaseException:
            if (self._data / "postmaster.pid").exists():  # e.g. pg_ctl -w timed out
                self._port = 0
                with suppress(PostgresServerError):
                    self.stop()
            self._cleanup()
            raise

    def stop(self) -> None:
        """Stop the server immediately and remove its directory. Safe to call twice."""
        if self._tmp is None:
            return
        try:
            if self._port is not None and self._pg_ctl is not None:
                self._run(
                    str(self._pg_ctl),
                    *("stop", "-w", "-m", "immediate", "-D", str(self._data)),
                    what="pg_ctl stop",
                )
        finally:
            self._cleanup()

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _cleanup(self) -> None:
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp = None
        self._port = None

    @staticmethod
    def _run_as_user() -> pwd.struct_passwd | None:
        """The user to run the server as: ``postgres`` under root, else ourselves (None)."""
        if os.geteuid() != 0:
            return None
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresServerError(
                "running as root, and initdb refuses to run as root, but there is no "
                "'postgres' system user to run it as; install the postgresql package "
                f"(tests/install.sh), run the tests as a non-root user, or set {ENV_URL}"
            ) from None
        if shutil.which("runuser") is None:
            raise PostgresServerError("running as root, but 'runuser' is not on PATH")
        return owner

    def _run(self, *args: str, what: str) -> None:
        result = subprocess.run(
            [*self._prefix, *args],
            cwd=self._tmp,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode == 0:
            return
        log = self._log.read_text(errors="replace") if self._log.is_file() else ""
        raise PostgresServerError(
            f"{what} failed with exit status {result.returncode}: {shlex.join(result.args)}\n"
            f"--- output ---\n{result.stdout}{result.stderr}\n--- server log ---\n{log}"
        )


@contextmanager
def postgres_for_tests() -> Iterator[str]:
    """Yield a server URL: ``$ONTWIKKELGESPREK_TEST_POSTGRES_URL`` or a fresh server's."""
    url = os.environ.get(ENV_URL)
    if url:
        yield url
        return
    with PostgresServer() as server:
        yield server.url


def _execute_on_database(server_url: str, statement: str, name: str) -> None:
    """Run ``statement`` with ``{}`` replaced by the quoted database name, in autocommit."""
    if not _DB_NAME.fullmatch(name):
        raise ValueError(f"invalid database name {name!r}: must match {_DB_NAME.pattern}")
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        quoted = engine.dialect.identifier_preparer.quote_identifier(name)
        with engine.connect() as conn:
            conn.execute(text(statement.format(quoted)))
    finally:
        engine.dispose()


def create_database(server_url: str, name: str) -> str:
    """Create database ``name`` on the server and return its URL."""
    _execute_on_database(server_url, "CREATE DATABASE {}", name)
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """Drop database ``name`` if it exists, disconnecting its sessions."""
    _execute_on_database(server_url, "DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
