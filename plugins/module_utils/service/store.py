# Private to this collection: the provisioning service's state, in SQLite or PostgreSQL.
"""The repository layer of the provisioning service: one class, two databases, the same SQL.

Tables: ``journal`` (every request), ``contacts`` (per MAC: last contact, the IP of its last request and
whether that request proved it came from the phone, the IP of its last proven request, what the phone
reported, the config version it last fetched), ``assignments`` (auto-provisioned phones: MAC -> number and
credentials), ``access_keys`` (MAC -> secret URL key), ``wpi_actions`` (a Unify phone's next WPI action) and
``window_overrides`` (firmware windows opened by hand through the API, until when).

``Store.open(url)`` takes ``sqlite:///relative.db``, ``sqlite:////absolute.db``, ``sqlite://:memory:``
or ``postgresql://user:password@host:port/db`` (psycopg 3, imported only then). Statements are written
once with ``?`` placeholders; the PostgreSQL dialect rewrites them to ``%s``. Every method is one
transaction. A Store is used by one thread at a time (the service gives each worker thread its own).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

#: journal columns, in the order ``JournalEntry`` tuples hold them
JOURNAL_COLUMNS = (
    "at",
    "protocol",
    "ip",
    "mac",
    "vendor",
    "model",
    "firmware",
    "file",
    "result",
    "code",
    "user_agent",
    "evidence",
)
CONTACT_COLUMNS = (
    "mac",
    "vendor",
    "model",
    "firmware",
    "ip",
    "user_agent",
    "first_contact",
    "last_contact",
    "fetched_version",
    "fetched_at",
    "ip_proven",
    "proven_ip",
    "proven_at",
)
ASSIGNMENT_COLUMNS = (
    "mac",
    "number",
    "name",
    "username",
    "vendor",
    "model",
    "assigned_at",
    "source",
    "served_version",
    "served_at",
)
#: columns added to ``assignments`` after its first release, with their types (added to older databases at open)
_ADDED_ASSIGNMENT_COLUMNS = (("source", "TEXT"), ("served_version", "TEXT"), ("served_at", "DOUBLE PRECISION"))
#: new assignments are counted over this many seconds for the rates of ``AssignmentLimits``
RATE_WINDOW = 60.0
#: contact columns added after the first release: added to an existing table when it lacks them
_ADDED_CONTACT_COLUMNS = (("ip_proven", "INTEGER"), ("proven_ip", "TEXT"), ("proven_at", "DOUBLE PRECISION"))
# the vendor learned with the model, of a phone whose MAC prefix several vendors share (NULL: the fleet's)
_ADDED_LEARNED_COLUMNS = (("vendor", "TEXT"),)

# statements spelled out (the column lists above, in the same order)
_INSERT_JOURNAL = """INSERT INTO journal
    (at, protocol, ip, mac, vendor, model, firmware, file, result, code, user_agent, evidence)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""
_SELECT_JOURNAL = (
    "SELECT at, protocol, ip, mac, vendor, model, firmware, file, result, code, user_agent, evidence FROM journal"
)
_SELECT_CONTACTS = """SELECT
    mac, vendor, model, firmware, ip, user_agent, first_contact, last_contact, fetched_version, fetched_at,
    ip_proven, proven_ip, proven_at
    FROM contacts"""
_SELECT_ASSIGNMENTS = """SELECT
    mac, number, name, username, vendor, model, assigned_at, source, served_version, served_at
    FROM assignments"""
# no SIP password is kept: it is derived from the fleet's password_secret (fleet/pool.py) wherever it is
# needed. The column stays for the databases of earlier releases, where it is NOT NULL: always ''
_INSERT_ASSIGNMENT = """INSERT INTO assignments
    (mac, number, name, username, password, vendor, model, assigned_at, source, served_version, served_at)
    VALUES (?, ?, ?, ?, '', ?, ?, ?, ?, ?, ?)"""
# the passwords earlier releases kept, forgotten at open
_FORGET_PASSWORDS = "UPDATE assignments SET password = '' WHERE password <> ''"
# the new assignments of the last RATE_WINDOW: all of them, and those of one source address
_RECENT_ASSIGNMENTS = """SELECT COUNT(*), COALESCE(SUM(CASE WHEN source = ? THEN 1 ELSE 0 END), 0)
    FROM assignments WHERE assigned_at >= ?"""
# phones that asked but have no config of their own: never fetched one, and no assignment
_UNKNOWN_CONTACTS = """FROM contacts WHERE fetched_version IS NULL
    AND NOT EXISTS (SELECT 1 FROM assignments WHERE assignments.mac = contacts.mac)"""

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS journal (
        id {serial} PRIMARY KEY,
        at DOUBLE PRECISION NOT NULL, protocol TEXT NOT NULL, ip TEXT, mac TEXT, vendor TEXT, model TEXT,
        firmware TEXT, file TEXT NOT NULL, result TEXT NOT NULL, code INTEGER NOT NULL, user_agent TEXT,
        evidence TEXT)""",
    "CREATE INDEX IF NOT EXISTS journal_at ON journal (at)",
    "CREATE INDEX IF NOT EXISTS journal_mac ON journal (mac, at)",
    """CREATE TABLE IF NOT EXISTS contacts (
        mac TEXT PRIMARY KEY, vendor TEXT, model TEXT, firmware TEXT, ip TEXT, user_agent TEXT,
        first_contact DOUBLE PRECISION NOT NULL, last_contact DOUBLE PRECISION NOT NULL,
        fetched_version TEXT, fetched_at DOUBLE PRECISION,
        ip_proven INTEGER, proven_ip TEXT, proven_at DOUBLE PRECISION)""",
    """CREATE TABLE IF NOT EXISTS assignments (
        mac TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE, name TEXT NOT NULL, username TEXT NOT NULL,
        password TEXT NOT NULL, vendor TEXT, model TEXT, assigned_at DOUBLE PRECISION NOT NULL,
        source TEXT, served_version TEXT, served_at DOUBLE PRECISION)""",
    """CREATE TABLE IF NOT EXISTS access_keys (
        mac TEXT PRIMARY KEY, access_key TEXT NOT NULL UNIQUE, issued_at DOUBLE PRECISION NOT NULL)""",
    # an action for a Unify phone's next WPI contact (Restart), queued by the API: any worker may answer it
    """CREATE TABLE IF NOT EXISTS wpi_actions (
        mac TEXT PRIMARY KEY, action TEXT NOT NULL, queued_at DOUBLE PRECISION NOT NULL)""",
    # a phone's firmware window opened by hand until ``until`` (epoch seconds), by whom: every worker and server
    # reads it (window_override.py); a row past its time means nothing and is deleted by the next opening
    """CREATE TABLE IF NOT EXISTS window_overrides (
        mac TEXT PRIMARY KEY, until DOUBLE PRECISION NOT NULL, opened_by TEXT NOT NULL,
        opened_at DOUBLE PRECISION NOT NULL)""",
    # the model a fleet phone without one reported in a request that proved it, and was rendered with
    # (learned_model.py): its status and autoprovisioned_export read it; a mere claim never writes it
    """CREATE TABLE IF NOT EXISTS learned_models (
        mac TEXT PRIMARY KEY, model TEXT NOT NULL, learned_at DOUBLE PRECISION NOT NULL)""",
)

# last_contact only moves forward: two service workers flush their batches in any order. proven_ip moves
# only with a proven request (proven_at set): an unproven one changes ip (the last seen), never proven_ip. An
# empty ip (a row made by _UPSERT_FETCHED from a served log, which knows no address) is filled whatever its time
_UPSERT_CONTACT = """INSERT INTO contacts
    (mac, vendor, model, firmware, ip, user_agent, first_contact, last_contact, fetched_version, fetched_at,
     ip_proven, proven_ip, proven_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (mac) DO UPDATE SET
      vendor = COALESCE(excluded.vendor, contacts.vendor),
      model = COALESCE(excluded.model, contacts.model),
      firmware = COALESCE(excluded.firmware, contacts.firmware),
      ip = CASE WHEN excluded.last_contact >= contacts.last_contact OR contacts.ip IS NULL
          THEN excluded.ip ELSE contacts.ip END,
      ip_proven = CASE WHEN excluded.last_contact >= contacts.last_contact OR contacts.ip IS NULL
          THEN excluded.ip_proven ELSE contacts.ip_proven END,
      proven_ip = CASE WHEN excluded.proven_at IS NOT NULL
          AND (contacts.proven_at IS NULL OR excluded.proven_at >= contacts.proven_at)
          THEN excluded.proven_ip ELSE contacts.proven_ip END,
      proven_at = CASE WHEN excluded.proven_at IS NOT NULL
          AND (contacts.proven_at IS NULL OR excluded.proven_at >= contacts.proven_at)
          THEN excluded.proven_at ELSE contacts.proven_at END,
      user_agent = COALESCE(excluded.user_agent, contacts.user_agent),
      first_contact = {least}(excluded.first_contact, contacts.first_contact),
      last_contact = {greatest}(excluded.last_contact, contacts.last_contact),
      fetched_version = CASE WHEN excluded.fetched_at IS NOT NULL
          AND (contacts.fetched_at IS NULL OR excluded.fetched_at >= contacts.fetched_at)
          THEN excluded.fetched_version ELSE contacts.fetched_version END,
      fetched_at = CASE WHEN excluded.fetched_at IS NOT NULL
          AND (contacts.fetched_at IS NULL OR excluded.fetched_at >= contacts.fetched_at)
          THEN excluded.fetched_at ELSE contacts.fetched_at END"""

# the version of its config a phone was served, from a served log replayed at start (served_log.py): its status
# must not depend on the journal, which a kill can lose. Touches nothing else of an existing contact (its address
# and last contact are the journal's, which knows whether the request proved it), and like the journal's upsert
# never moves fetched_version back in time, so replaying a line twice, or after its journal row, changes nothing
_UPSERT_FETCHED = """INSERT INTO contacts (mac, first_contact, last_contact, fetched_version, fetched_at)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (mac) DO UPDATE SET
      fetched_version = CASE WHEN contacts.fetched_at IS NULL OR excluded.fetched_at >= contacts.fetched_at
          THEN excluded.fetched_version ELSE contacts.fetched_version END,
      fetched_at = CASE WHEN contacts.fetched_at IS NULL OR excluded.fetched_at >= contacts.fetched_at
          THEN excluded.fetched_at ELSE contacts.fetched_at END"""


def _use_wal(connection, deadline: float) -> None:
    """Put the database in WAL mode (readers never wait for the journal writer), once for all connections.

    The mode is kept in the file, so only the first opening switches it; while connections opened at the
    same moment race for that switch, SQLite answers "database is locked" at once (no busy handler runs for
    it): ask again until the mode is WAL or ``deadline`` passes.
    """
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


class StoreError(Exception):
    """The database cannot be opened or used; the message names the URL without its password."""


class AssignmentRefused(Exception):
    """A phone gets no number now; ``reason`` (``network``, ``source-rate``, ``pool-rate``) goes into the journal."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AssignmentLimits:
    """How many new numbers may be handed out per RATE_WINDOW: to one source address, and in all."""

    per_source: int
    per_pool: int


@dataclass(frozen=True)
class Assignment:
    mac: str
    number: str
    name: str
    username: str  # the SIP password is not here: fleet/pool.py derives it from the number
    vendor: str | None
    model: str | None
    assigned_at: float
    source: str | None = None  # the address that asked first (the rate per source counts it)
    served_version: str | None = None  # the config version last served, saved with the answer
    served_at: float | None = None


#: the key of PostgreSQL's transaction-level advisory lock that "immediate" transactions take (any constant)
_WRITE_LOCK = 0x70686F6E65


def redact_url(url: str) -> str:
    """A database URL fit for logs and errors: the password (``user:password@`` or ``password=``) as ``***``."""
    url = re.sub(r"(://[^:/?#@]*:)[^/?#]*@", r"\1***@", url)  # up to the last @: a password may hold one
    return re.sub(r"([?&]password=)[^&#]*", r"\1***", url)


def _scrub(message: str, url: str) -> str:
    """A driver's error message without the URL's password, in whatever spelling the driver quoted it."""
    message = message.replace(url, redact_url(url))
    try:
        parts = urlsplit(url)
        secrets = [value for key, value in parse_qsl(parts.query) if key == "password"]
    except ValueError:
        secrets = []
    userinfo, at, _host = url.partition("://")[2].split("/", 1)[0].rpartition("@")
    if at and ":" in userinfo:
        secrets.append(userinfo.split(":", 1)[1])
    spellings = {spelling for secret in secrets for spelling in (secret, unquote(secret)) if spelling}
    for spelling in sorted(spellings, key=len, reverse=True):  # a longer spelling may contain a shorter one
        message = message.replace(spelling, "***")
    return message


class Store:
    """State of the service. Use :meth:`open`; ``close()`` when done."""

    def __init__(self, connection, dialect: str, url: str) -> None:
        self.connection = connection
        self.dialect = dialect
        self.url = redact_url(url)
        self._least, self._greatest = ("min", "max") if dialect == "sqlite" else ("LEAST", "GREATEST")
        self._integrity_errors: tuple = (sqlite3.IntegrityError,)

    # -- opening -----------------------------------------------------------------------------------

    @classmethod
    def open(cls, url: str) -> Store:
        try:
            parts = urlsplit(url)
        except ValueError as exc:  # e.g. an unclosed [ of an IPv6 address
            raise StoreError(f"database URL {redact_url(url)!r}: {exc}") from None
        if parts.scheme == "sqlite":
            return cls._open_sqlite(url, parts)
        if parts.scheme in ("postgresql", "postgres"):
            return cls._open_postgresql(url)
        raise StoreError(f"database URL {redact_url(url)!r}: use sqlite:///<file> or postgresql://<user>@<host>/<db>")

    @classmethod
    def _open_sqlite(cls, url: str, parts) -> Store:
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path) or unquote(parts.netloc)
        if not path:
            raise StoreError(f"database URL {url!r} names no file (sqlite:///state.db, sqlite:////var/lib/state.db)")
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StoreError(f"database {url}: {exc}") from None
        try:
            if path != ":memory:":
                _use_wal(connection, time.monotonic() + 30)
            connection.execute("PRAGMA synchronous=NORMAL")
            store = cls(connection, "sqlite", url)
            store._create()
        except sqlite3.Error as exc:
            connection.close()
            raise StoreError(f"database {url}: {exc}") from None
        return store

    @classmethod
    def _open_postgresql(cls, url: str) -> Store:
        try:
            import psycopg  # pylint: disable=import-outside-toplevel
        except ImportError:
            raise StoreError("a postgresql:// database needs the psycopg package (psycopg[binary])") from None
        try:
            connection = psycopg.connect(url, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise StoreError(f"database {redact_url(url)}: {_scrub(str(exc), url).strip()}") from None
        store = cls(connection, "postgresql", url)
        store._integrity_errors = (psycopg.errors.IntegrityError,)
        try:
            store._create()
        except psycopg.Error as exc:  # e.g. no CREATE right on the schema
            connection.close()
            raise StoreError(f"database {redact_url(url)}: {_scrub(str(exc), url).strip()}") from None
        return store

    def close(self) -> None:
        self.connection.close()

    # -- plumbing ----------------------------------------------------------------------------------

    def _sql(self, statement: str) -> str:
        return statement if self.dialect == "sqlite" else statement.replace("?", "%s")

    def _create(self) -> None:
        serial = "INTEGER" if self.dialect == "sqlite" else "BIGSERIAL"
        # immediate: servers starting together on an empty PostgreSQL database would otherwise race in
        # CREATE TABLE IF NOT EXISTS (a duplicate key in pg_type), and a deferred SQLite transaction that
        # must turn from reading into writing can fail at once with "database is locked"
        with self._transaction(immediate=True) as cursor:
            for statement in _SCHEMA:
                cursor.execute(statement.format(serial=serial))
            _add_columns(cursor, "assignments", _ADDED_ASSIGNMENT_COLUMNS)
            cursor.execute(_FORGET_PASSWORDS)
            _add_columns(cursor, "contacts", _ADDED_CONTACT_COLUMNS)
            _add_columns(cursor, "learned_models", _ADDED_LEARNED_COLUMNS)
            cursor.execute("CREATE INDEX IF NOT EXISTS assignments_at ON assignments (assigned_at)")

    class _Transaction:
        """One transaction; ``immediate``: it reads, then writes what it read decides, so it takes the database's
        write lock first (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level advisory lock), and such
        transactions run one after the other across threads, processes and servers."""

        def __init__(self, store: Store, immediate: bool) -> None:
            self.store = store
            self.immediate = immediate

        def __enter__(self):
            connection = self.store.connection
            self.cursor = connection.cursor()
            if self.store.dialect == "sqlite":
                self.cursor.execute("BEGIN IMMEDIATE" if self.immediate else "BEGIN")
            else:
                self.cursor.execute("BEGIN")
                if self.immediate:
                    self.cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            return self.cursor

        def __exit__(self, kind, value, traceback) -> Literal[False]:
            try:
                self.cursor.execute("COMMIT" if kind is None else "ROLLBACK")
            finally:
                self.cursor.close()
            return False

    def _transaction(self, immediate: bool = False) -> Store._Transaction:
        return Store._Transaction(self, immediate)

    def _rows(self, statement: str, params: tuple = ()) -> list:
        with self._transaction() as cursor:
            cursor.execute(self._sql(statement), params)
            return cursor.fetchall()

    # -- journal and contacts ----------------------------------------------------------------------

    def record(self, entries: list, contacts: list) -> None:
        """Write a batch: journal rows (tuples in JOURNAL_COLUMNS order) and contact rows (CONTACT_COLUMNS)."""
        journal = self._sql(_INSERT_JOURNAL)
        upsert = self._sql(_UPSERT_CONTACT.format(least=self._least, greatest=self._greatest))
        with self._transaction() as cursor:
            if entries:
                cursor.executemany(journal, entries)
            if contacts:
                cursor.executemany(upsert, contacts)

    def record_fetched(self, fetched: list[tuple[str, str, float]]) -> None:
        """Save that each ``(mac, version, at)`` was served config ``version`` at ``at`` (see _UPSERT_FETCHED)."""
        if fetched:
            with self._transaction() as cursor:
                cursor.executemany(
                    self._sql(_UPSERT_FETCHED), [(mac, at, at, version, at) for mac, version, at in fetched]
                )

    def fetched_versions(self) -> dict[str, str]:
        """Every phone's last served version the database holds."""
        return dict(self._rows("SELECT mac, fetched_version FROM contacts WHERE fetched_version IS NOT NULL"))

    def forget_unknown(
        self, keep_at_most: int, configured: Collection[str], journal_row: Callable[[str], tuple]
    ) -> list[str]:
        """Forget the least recently seen unknown phones beyond ``keep_at_most``; returns their MACs.

        Unknown: a contact that never fetched a config of its own, has no assignment and is not in
        ``configured`` (the published fleet's MACs). Each forgotten phone gets the journal row
        ``journal_row(mac)`` (JOURNAL_COLUMNS order) in the same transaction.
        """
        counted = self._rows("SELECT COUNT(*) " + _UNKNOWN_CONTACTS)[0][0]
        if counted <= keep_at_most:  # the usual case: one cheap count, no write lock
            return []
        with self._transaction(immediate=True) as cursor:
            cursor.execute("SELECT mac " + _UNKNOWN_CONTACTS + " ORDER BY last_contact, mac")
            unknown = [row[0] for row in cursor.fetchall() if row[0] not in configured]
            forgotten = unknown[: max(0, len(unknown) - keep_at_most)]
            if forgotten:
                cursor.executemany(self._sql("DELETE FROM contacts WHERE mac = ?"), [(mac,) for mac in forgotten])
                cursor.executemany(self._sql(_INSERT_JOURNAL), [journal_row(mac) for mac in forgotten])
        return forgotten

    def purge_journal(self, before: float) -> int:
        """Drop journal rows older than ``before`` (epoch seconds); returns how many."""
        with self._transaction() as cursor:
            cursor.execute(self._sql("DELETE FROM journal WHERE at < ?"), (before,))
            return cursor.rowcount

    def journal(
        self, *, mac: str | None = None, since: float | None = None, before: float | None = None, limit: int = 1000
    ) -> list[dict]:
        """Journal rows, newest first; ``since`` and ``before`` bound their time (``before`` excluded)."""
        where: list[str] = []
        params: list[object] = []
        if mac is not None:
            where.append("mac = ?")
            params.append(mac)
        if since is not None:
            where.append("at >= ?")
            params.append(since)
        if before is not None:
            where.append("at < ?")
            params.append(before)
        clause = f"WHERE {' AND '.join(where)} " if where else ""
        rows = self._rows(
            _SELECT_JOURNAL + " " + clause + "ORDER BY at DESC, id DESC LIMIT ?",
            (*params, int(limit)),
        )
        return [dict(zip(JOURNAL_COLUMNS, row, strict=True)) for row in rows]

    def contacts(self) -> dict[str, dict]:
        rows = self._rows(_SELECT_CONTACTS)
        return {row[0]: dict(zip(CONTACT_COLUMNS, row, strict=True)) for row in rows}

    def known_addresses(self, macs) -> dict[str, tuple[str, bool]]:
        """MAC -> (address, proven) of those of ``macs`` seen before: the address of the phone's last proven
        request when it has one, else that of its last request."""
        macs = sorted(set(macs))
        found = {}
        for start in range(0, len(macs), 500):  # bounded statements: SQLite limits the parameters of one
            chunk = macs[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            # only placeholders are put into the statement; the MACs go as parameters
            statement = f"SELECT mac, proven_ip, ip FROM contacts WHERE mac IN ({marks})"  # noqa: S608
            for mac, proven_ip, ip in self._rows(statement, tuple(chunk)):
                if proven_ip or ip:
                    found[mac] = (proven_ip, True) if proven_ip else (ip, False)
        return found

    def contact(self, mac: str) -> dict | None:
        rows = self._rows(_SELECT_CONTACTS + " WHERE mac = ?", (mac,))
        return dict(zip(CONTACT_COLUMNS, rows[0], strict=True)) if rows else None

    # -- auto-provisioning -------------------------------------------------------------------------

    def assignment(self, mac: str) -> Assignment | None:
        rows = self._rows(_SELECT_ASSIGNMENTS + " WHERE mac = ?", (mac,))
        return Assignment(*rows[0]) if rows else None

    def assignments(self) -> list[Assignment]:
        rows = self._rows(_SELECT_ASSIGNMENTS + " ORDER BY number")
        return [Assignment(*row) for row in rows]

    def assign(
        self,
        mac: str,
        numbers,
        make: Callable[[str], tuple],
        *,
        source: str | None = None,
        limits: AssignmentLimits | None = None,
    ) -> Assignment | None:
        """Give ``mac`` the first number of ``numbers`` nobody holds; its existing assignment if it has one.

        ``make(number)`` returns ``(name, username)``. Atomic across processes and servers
        sharing the database: the transaction takes the write lock first (an immediate transaction), and
        should anything else write the table meanwhile, the UNIQUE constraints decide and the loser looks
        again. None when every number is taken (the pool is full). With ``limits``, the new assignments of
        the last RATE_WINDOW seconds are counted in the same transaction (so the rates hold across workers
        and servers; the servers' clocks must agree): over a rate, :class:`AssignmentRefused` is raised.
        """
        for _attempt in range(50):
            try:
                with self._transaction(immediate=True) as cursor:
                    cursor.execute(self._sql(_SELECT_ASSIGNMENTS + " WHERE mac = ?"), (mac,))
                    row = cursor.fetchone()
                    if row:
                        return Assignment(*row)
                    cursor.execute("SELECT number FROM assignments")
                    taken = {taken_row[0] for taken_row in cursor.fetchall()}
                    number = next((number for number in numbers if number not in taken), None)
                    if number is None:
                        return None
                    now = time.time()
                    if limits is not None:
                        cursor.execute(self._sql(_RECENT_ASSIGNMENTS), (source, now - RATE_WINDOW))
                        in_pool, from_source = cursor.fetchone()
                        if in_pool >= limits.per_pool:
                            raise AssignmentRefused("pool-rate")
                        if from_source >= limits.per_source:
                            raise AssignmentRefused("source-rate")
                    name, username = make(number)
                    assignment = Assignment(mac, number, name, username, None, None, now, source)
                    cursor.execute(
                        self._sql(_INSERT_ASSIGNMENT),
                        tuple(getattr(assignment, column) for column in ASSIGNMENT_COLUMNS),
                    )
                    return assignment
            except self._integrity_errors:
                continue  # another server took that number (or this MAC) first: look again
        raise StoreError("could not assign a number after 50 attempts (heavy contention on the pool)")

    def set_assignment_device(self, mac: str, vendor: str | None, model: str | None) -> None:
        with self._transaction() as cursor:
            cursor.execute(
                self._sql("UPDATE assignments SET vendor = ?, model = ? WHERE mac = ?"), (vendor, model, mac)
            )

    def assignment_served(self, mac: str, vendor: str | None, model: str | None, version: str) -> None:
        """Record that ``mac`` was just served its auto-provisioned config of ``version`` (and what it is).

        Called before the answer leaves, in a transaction of its own: a phone's status must survive the
        process being killed, which the journal (written in batches) does not.
        """
        with self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    """UPDATE assignments SET vendor = COALESCE(vendor, ?), model = COALESCE(model, ?),
                    served_version = ?, served_at = ? WHERE mac = ?"""
                ),
                (vendor, model, version, time.time(), mac),
            )

    def release(self, mac: str) -> bool:
        """Forget an assignment (the phone was exported into the fleet, or is gone); True when there was one."""
        with self._transaction() as cursor:
            cursor.execute(self._sql("DELETE FROM assignments WHERE mac = ?"), (mac,))
            return cursor.rowcount > 0

    # -- access keys -------------------------------------------------------------------------------

    def access_keys(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self._rows("SELECT mac, access_key FROM access_keys")}

    def mac_for_key(self, key: str) -> str | None:
        rows = self._rows("SELECT mac FROM access_keys WHERE access_key = ?", (key,))
        return rows[0][0] if rows else None

    def issue_key(self, mac: str, key: str) -> None:
        """Give ``mac`` the key ``key``; its old key (if any) stops working in the same transaction."""
        with self._transaction(immediate=True) as cursor:
            cursor.execute(self._sql("DELETE FROM access_keys WHERE mac = ?"), (mac,))
            cursor.execute(
                self._sql("INSERT INTO access_keys (mac, access_key, issued_at) VALUES (?, ?, ?)"),
                (mac, key, time.time()),
            )

    # -- models learned from phones --------------------------------------------------------------------

    def learn_model(self, mac: str, model: str, vendor: str | None = None) -> None:
        """Record that fleet phone ``mac`` was rendered with ``model`` (and as ``vendor``, for a phone whose
        vendor the fleet does not give), the one it reported (before the answer leaves: its status and the
        export must not depend on a journal flush)."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    """INSERT INTO learned_models (mac, model, vendor, learned_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (mac) DO UPDATE SET model = excluded.model, vendor = excluded.vendor,
                    learned_at = excluded.learned_at"""
                ),
                (mac, model, vendor, time.time()),
            )

    def learned_models(self) -> dict[str, str]:
        return {row[0]: row[1] for row in self._rows("SELECT mac, model FROM learned_models")}

    def learned_model(self, mac: str) -> str | None:
        rows = self._rows("SELECT model FROM learned_models WHERE mac = ?", (mac,))
        return rows[0][0] if rows else None

    def learned_vendors(self) -> dict[str, str]:
        """MAC -> the vendor learned with the model (phones whose vendor the fleet does not give)."""
        return {row[0]: row[1] for row in self._rows("SELECT mac, vendor FROM learned_models WHERE vendor IS NOT NULL")}

    # -- WPI actions for a phone's next contact ------------------------------------------------------

    def queue_wpi_action(self, mac: str, action: str) -> None:
        """Queue ``action`` for ``mac``'s next WPI contact (one per phone: the last one queued)."""
        with self._transaction() as cursor:
            cursor.execute(
                self._sql(
                    """INSERT INTO wpi_actions (mac, action, queued_at) VALUES (?, ?, ?)
                    ON CONFLICT (mac) DO UPDATE SET action = excluded.action, queued_at = excluded.queued_at"""
                ),
                (mac, action, time.time()),
            )

    def take_wpi_action(self, mac: str) -> str | None:
        """The action queued for ``mac``, removed from the queue (None when there is none)."""
        if not self._rows("SELECT 1 FROM wpi_actions WHERE mac = ?", (mac,)):
            return None  # the common case, every start-up: a read, no write lock
        with self._transaction(immediate=True) as cursor:
            cursor.execute(self._sql("SELECT action FROM wpi_actions WHERE mac = ?"), (mac,))
            row = cursor.fetchone()
            if row is None:
                return None
            cursor.execute(self._sql("DELETE FROM wpi_actions WHERE mac = ?"), (mac,))
            return row[0]

    # -- firmware windows opened by hand -----------------------------------------------------------------

    def open_window(self, mac: str, until: float, opened_by: str, now: float) -> None:
        """Open ``mac``'s firmware window until ``until`` (replacing an earlier opening: the last one counts);
        openings already past are deleted on the way."""
        with self._transaction() as cursor:
            cursor.execute(self._sql("DELETE FROM window_overrides WHERE until <= ?"), (now,))
            cursor.execute(
                self._sql(
                    """INSERT INTO window_overrides (mac, until, opened_by, opened_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (mac) DO UPDATE SET until = excluded.until, opened_by = excluded.opened_by,
                    opened_at = excluded.opened_at"""
                ),
                (mac, until, opened_by, now),
            )

    def close_window(self, mac: str, now: float) -> bool:
        """Close ``mac``'s window opened by hand; True when one was open."""
        with self._transaction() as cursor:
            cursor.execute(self._sql("DELETE FROM window_overrides WHERE mac = ? AND until > ?"), (mac, now))
            closed = cursor.rowcount > 0
            cursor.execute(self._sql("DELETE FROM window_overrides WHERE mac = ?"), (mac,))
            return closed

    def open_windows(self, now: float) -> dict[str, float]:
        """MAC -> until when (epoch seconds) of every firmware window opened by hand and still open at ``now``."""
        return dict(self._rows("SELECT mac, until FROM window_overrides WHERE until > ?", (now,)))


def _add_columns(cursor, table: str, added: tuple) -> None:
    """The columns of ``added`` a table made by an older release lacks (CREATE TABLE IF NOT EXISTS leaves it
    as it is), added; the same statements on SQLite and PostgreSQL."""
    cursor.execute(f"SELECT * FROM {table} WHERE 1 = 0")  # noqa: S608 - a table name of ours
    present = {column[0] for column in cursor.description}
    for column, kind in added:
        if column not in present:
            cursor.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
