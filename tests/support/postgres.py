"""A throwaway PostgreSQL server for tests: one per pytest process, on a Unix socket under build/, gone at the end.

:func:`start_server` finds Debian's binaries (``/usr/lib/postgresql/<version>/bin``, else ``initdb`` on PATH),
creates a cluster in ``build/pytest-postgres/<pid>-<worker>/`` (a directory of its own per pytest-xdist
worker, so parallel workers and parallel runs never meet), starts it listening on nothing but a Unix socket
in that directory (``listen_addresses = ''``), with fsync off, and hands back a :class:`PostgresServer`.
PostgreSQL refuses to run as root, so as root the binaries run as the ``postgres`` system user
(``runuser -u postgres --``). Directories left by a killed run are cleaned up by the next one.

The server has one database, :attr:`PostgresServer.database`; a test gets a schema of its own in it
(:meth:`PostgresServer.create_schema`), reached by a URL in the form the service takes plus the schema as
search path: ``postgresql://postgres@/<db>?host=<socket dir>&options=-csearch_path%3D<schema>``. A schema
costs nothing; a database costs ~300 files, a quarter of a second on our disks. :meth:`create_database`
is there for a test that needs a whole database.

Authentication: the superuser ``postgres`` is trusted on the socket; every other role must give its
password (scram-sha-256). :data:`PASSWORD_ROLE` exists with :data:`PASSWORD_ROLE_PASSWORD`, for tests of
a wrong password.

When PostgreSQL cannot be found or started, :class:`PostgresUnavailable` says why (the fixtures in
``tests/unit/service/conftest.py`` turn it into a skip); ``make setup`` installs it on Debian.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote

REPO = Path(__file__).resolve().parents[2]
#: where the clusters live: under build/ (gitignored), not /tmp (slow to create files in on our machines)
ROOT = REPO / "build" / "pytest-postgres"
#: a role that must log in with a password (the superuser needs none)
PASSWORD_ROLE = "phonefleet_pw"
PASSWORD_ROLE_PASSWORD = "right-pass"
#: the longest path a Unix socket may have (sun_path is 108 bytes with the final NUL)
_MAX_SOCKET_PATH = 107
_SETTINGS = """
listen_addresses = ''
unix_socket_directories = '{socket_dir}'
fsync = off
full_page_writes = off
max_connections = 120
shared_buffers = 32MB
"""
_HBA = """local all postgres trust
local all all scram-sha-256
"""


class PostgresUnavailable(Exception):
    """PostgreSQL is not installed here or would not start; the message says which and why."""


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: Debian's newest /usr/lib/postgresql/<version>/bin, else PATH."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


class PostgresServer:
    """A running cluster; :meth:`stop` ends it and removes its directory."""

    def __init__(self, bindir: Path, directory: Path, run_as: str | None) -> None:
        self.bindir = bindir
        self.directory = directory
        self.data = directory / "data"
        self.socket_dir = directory
        self.log = directory / "server.log"
        self.run_as = run_as
        self._names = itertools.count(1)
        self._tag = directory.name.replace("-", "_")
        #: the database of this server's tests (its name tells the pytest process and xdist worker)
        self.database = f"phonefleet_{self._tag}"

    # -- URLs and databases -------------------------------------------------------------------------

    def url(
        self,
        database: str | None = None,
        *,
        user: str = "postgres",
        password: str | None = None,
        schema: str | None = None,
    ) -> str:
        """A URL of this server: :attr:`database` unless told, tables in ``schema`` when given."""
        credentials = quote(user, safe="") + (f":{quote(password, safe='')}" if password is not None else "")
        query = f"host={quote(str(self.socket_dir), safe='/')}"
        if schema is not None:
            query += f"&options={quote(f'-csearch_path={schema}', safe='')}"
        return f"postgresql://{credentials}@/{database or self.database}?{query}"

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, each in its own transaction (CREATE DATABASE needs that)."""
        import psycopg  # pylint: disable=import-outside-toplevel

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def create_schema(self) -> tuple[str, str]:
        """A new empty schema of :attr:`database`: ``(name, url)``; :meth:`drop_schema` when done."""
        name = f"test_{next(self._names)}"
        self.execute(f'CREATE SCHEMA "{name}"', database=self.database)
        return name, self.url(schema=name)

    def drop_schema(self, name: str) -> None:
        self.execute("SET lock_timeout = '30s'", f'DROP SCHEMA "{name}" CASCADE', database=self.database)

    def create_database(self) -> tuple[str, str]:
        """A new empty database: ``(name, url)``; :meth:`drop_database` when done."""
        name = f"test_{self._tag}_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 STRATEGY FILE_COPY')
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        # FORCE: a test that left a connection open (a thread, a failed assertion) must not block the drop
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # -- life cycle ---------------------------------------------------------------------------------

    def _run(self, program: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False, cwd=self.directory)

    def start(self) -> None:
        if self.directory.exists():
            _remove_cluster(self.bindir, self.directory, self.run_as)
        self.directory.mkdir(parents=True)
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        initdb = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "--no-locale", "-E", "UTF8"
        )
        if initdb.returncode:
            raise PostgresUnavailable(f"initdb failed in {self.data}: {_tail(initdb.stderr or initdb.stdout)}")
        with open(self.data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(_SETTINGS.format(socket_dir=self.socket_dir))
        (self.data / "pg_hba.conf").write_text(_HBA, encoding="utf-8")
        started = self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "start", timeout=90)
        if started.returncode:
            log = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
            raise PostgresUnavailable(f"pg_ctl start failed: {_tail(log or started.stderr or started.stdout)}")
        self.execute(
            f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD '{PASSWORD_ROLE_PASSWORD}'",
            f'CREATE DATABASE "{self.database}" TEMPLATE template0',
        )

    def stop(self) -> None:
        _remove_cluster(self.bindir, self.directory, self.run_as)


def _tail(text: str, lines: int = 5) -> str:
    return " | ".join(text.strip().splitlines()[-lines:]) or "(no output)"


def _remove_cluster(bindir: Path, directory: Path, run_as: str | None) -> None:
    """Stop the server of ``directory`` if one runs (immediate: it is throwaway), then delete the directory."""
    if (directory / "data" / "postmaster.pid").exists():
        command = [str(bindir / "pg_ctl"), "-D", str(directory / "data"), "-m", "immediate", "-w", "stop"]
        if run_as:
            command = ["runuser", "-u", run_as, "--", *command]
        subprocess.run(command, capture_output=True, timeout=60, check=False)
    shutil.rmtree(directory, ignore_errors=True)


def _remove_abandoned(bindir: Path, run_as: str | None) -> None:
    """Clusters whose pytest process is gone (killed before its teardown ran)."""
    if not ROOT.is_dir():
        return
    for directory in ROOT.iterdir():
        pid = directory.name.split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            _remove_cluster(bindir, directory, run_as)
        except PermissionError:
            pass  # alive, someone else's


def start_server(worker: str = "main") -> PostgresServer:
    """Start a server for this pytest process (``worker``: the xdist worker id) or raise PostgresUnavailable."""
    bindir = find_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        raise PostgresUnavailable(
            "PostgreSQL not installed: no initdb and pg_ctl in /usr/lib/postgresql/*/bin or on PATH"
            " (`make setup` installs it)"
        )
    try:
        import psycopg  # noqa: F401  pylint: disable=import-outside-toplevel,unused-import
    except ImportError:
        raise PostgresUnavailable("the psycopg package is not installed (`make setup` installs it)") from None
    run_as = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresUnavailable("running as root and there is no 'postgres' user to run PostgreSQL as") from None
        run_as = "postgres"
    directory = ROOT / f"{os.getpid()}-{worker}"
    socket = directory / ".s.PGSQL.5432"
    if len(str(socket)) > _MAX_SOCKET_PATH:
        raise PostgresUnavailable(f"socket path too long for a Unix socket ({len(str(socket))} > 107): {socket}")
    _remove_abandoned(bindir, run_as)
    server = PostgresServer(bindir, directory, run_as)
    try:
        server.start()
    except PostgresUnavailable:
        server.stop()
        raise
    except (OSError, subprocess.SubprocessError) as exc:
        server.stop()
        raise PostgresUnavailable(f"PostgreSQL did not start: {exc}") from None
    except Exception as exc:  # psycopg's errors: the server runs but cannot be used  # noqa: BLE001
        server.stop()
        raise PostgresUnavailable(f"PostgreSQL started but refused us: {exc}") from None
    return server
